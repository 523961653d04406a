"""The warm parse worker: a server process that has imported the readers and forks one child
per job of ``data_loaders.sandbox.run_child``.

A new interpreter importing pandas, calamine and the parse modules costs about a second of CPU;
per file, that was a third of a 50,000-row upload. The server pays it once per caller process: a
new interpreter (``python -m data_loaders.worker``, with the sandbox's minimal environment, never
a fork of the Streamlit server and its threads) imports them, then only forks. Each job runs in
a child forked from it that lowers its own limits before it reads the job, runs that one job and
exits: no job runs in a process another job used, and a child killed by a limit or crashing in
native code takes nothing else with it. The server reads no file itself.

Protocol: the caller holds one end of a socketpair (``SOCK_SEQPACKET``) and sends one message per
job, a pickle of ``(task, job path, result path, memory MB, CPU seconds, environment)`` with three
descriptors: the job's status socket, the write end of its progress pipe (the child's stdout)
and its stderr file. On the status socket the server answers ``pid N`` once it has forked and
``exit N`` once the child is reaped (N as ``subprocess`` gives it: -signal when killed). The
caller writes ``kill`` there at its deadline, and closing it has the same effect. When the
caller's end of the socketpair closes (it exited or was killed) the server kills its children,
waits for them and exits.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import os
import pickle
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What the server imports once, so that no job pays for it: pandas, calamine, the parse. Not
# openpyxl (no reader uses it) nor the SQL sync (rarer: its job imports it, 0.1 s).
PRELOAD = ("pandas", "python_calamine", "data_loaders.ingest", "data_loaders.sandbox")
# Parsed once by the server at its start: the first validation imports pandera's backends and
# fills caches, which each job would otherwise do again. Our own bytes, not a user's file.
WARM_UP = b"Project ID,Project Name,Report Date,Overall RAG\nP1,One,2026-11-20,Green\n"
GRACE_SECONDS = 10.0  # after "kill", how long the caller waits for the exit status
_MESSAGE = 1 << 16


def child_env() -> dict[str, str]:
    """The server's (so every job's) environment: only what an interpreter needs, so no
    database URL or other secret reaches the processes that read untrusted bytes."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    # One thread each for the numeric libraries and few malloc arenas: less address space
    # reserved up front, so more of the memory limit is left for the file. pyarrow (imported by
    # pandas) allocates with malloc, not its jemalloc, which reserves 1 GB of address space at
    # its first allocation and would leave the children of a warmed-up server no room; and
    # jemalloc's background thread is not started: a process with one thread is safe to fork.
    env.update(
        OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MALLOC_ARENA_MAX="2",
        ARROW_DEFAULT_MEMORY_POOL="system", JE_ARROW_MALLOC_CONF="background_thread:false",
    )  # fmt: skip
    return env


# --- the caller's side -------------------------------------------------------------------------


class _Server:
    """A running server and this process's end of its socketpair."""

    def __init__(self) -> None:
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "data_loaders.worker", str(theirs.fileno())],
                cwd=ROOT, env=child_env(), pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, start_new_session=True,  # Ctrl-C is the caller's
            )  # fmt: skip
        self.control = mine
        self.owner = os.getpid()
        self.lock = threading.Lock()

    def alive(self) -> bool:
        return self.owner == os.getpid() and self.process.poll() is None

    def stop(self) -> None:
        """Close our end (the server kills its children and exits) and wait for it, so its
        CPU time and its children's count as ours."""
        self.control.close()
        try:
            self.process.wait(GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_server: _Server | None = None
_server_lock = threading.Lock()


def start() -> int:
    """Have a server running (started now if none is); returns its pid. It imports in the
    background: call this early (the Upload page, the command line's start) and the first
    job finds it warm."""
    return _running().process.pid


def _running() -> _Server:
    global _server
    with _server_lock:
        if _server is None or not _server.alive():
            if _server is not None and _server.owner == os.getpid():
                _server.stop()  # it died: reap it
            _server = _Server()
        return _server


def stop() -> None:
    """Stop this process's server, if it has one (at exit)."""
    global _server
    with _server_lock:
        if _server is not None and _server.owner == os.getpid():
            _server.stop()
        _server = None


atexit.register(stop)


def run(
    request: tuple,
    stdout: int,
    stderr: int,
    output: int,
    timeout: float,
    on_output: Callable[[bytes], None],
) -> tuple[int | None, bool]:
    """Run one job: ``request`` as ``data_loaders.sandbox.run_job`` takes it; ``stdout`` and
    ``stderr`` the child's (closed here once sent); ``output`` the read end of ``stdout``, whose
    bytes go to ``on_output``. Returns (return code, or None if the server vanished; timed out).
    """
    status, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    payload = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
    with status:
        try:
            with theirs:
                _send(payload, [theirs.fileno(), stdout, stderr])
        finally:
            os.close(stdout)
            os.close(stderr)
        done = False
        try:
            result = _wait(status, output, timeout, on_output)
            done = True
            return result
        finally:
            if not done:  # the caller stopped waiting (a rerun of the page, Ctrl-C): kill now
                with contextlib.suppress(OSError):
                    status.sendall(b"kill\n")
                    _wait(status, None, GRACE_SECONDS, None)


def _send(payload: bytes, fds: list[int]) -> None:
    """Send a job to the server, started anew if it is gone (crashed, killed, never started)."""
    for attempt in range(2):
        server = _running()
        try:
            with server.lock:
                socket.send_fds(server.control, [payload], fds)
            return
        except OSError:
            if attempt:
                raise
            server.process.kill()  # it takes no more jobs: _running replaces it
            server.process.wait()


def _wait(status: socket.socket, output: int | None, timeout: float, on_output):
    """Relay the child's output until the server reports its exit; ask for the kill at the
    deadline. Returns (return code, timed out)."""
    deadline = time.monotonic() + timeout
    timed_out, pending = False, b""
    watch = [status] if output is None else [status, output]
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            if timed_out:  # the server does not answer: it is gone with the child
                return None, True
            timed_out = True
            with contextlib.suppress(OSError):
                status.sendall(b"kill\n")
            deadline = time.monotonic() + GRACE_SECONDS
            continue
        ready, _, _ = select.select(watch, [], [], min(left, 1.0))
        if output is not None and output in ready:
            chunk = os.read(output, 65536)
            if chunk:
                on_output(chunk)
            else:  # the child has exited (or closed its stdout)
                watch.remove(output)
        if status in ready:
            try:
                chunk = status.recv(4096)
            except OSError:
                chunk = b""
            if not chunk:  # the server died before it reported the exit
                return None, timed_out
            pending += chunk
            for line in pending.split(b"\n")[:-1]:
                word, _, number = line.partition(b" ")
                if word == b"exit":
                    _drain(output, on_output)
                    return int(number), timed_out
            pending = pending.rsplit(b"\n", 1)[-1]


def _drain(output: int | None, on_output) -> None:
    """What the child wrote just before it exited."""
    while output is not None and select.select([output], [], [], 0)[0]:
        chunk = os.read(output, 65536)
        if not chunk:
            return
        on_output(chunk)


# --- the server --------------------------------------------------------------------------------


class _Job:
    def __init__(self, status: socket.socket) -> None:
        self.status: socket.socket | None = status

    def tell(self, text: str) -> None:
        if self.status is None:
            return
        try:
            self.status.sendall(text.encode() + b"\n")
        except OSError:
            self.forget()

    def forget(self) -> None:
        if self.status is not None:
            self.status.close()
            self.status = None


def serve(control: socket.socket) -> None:
    """Fork a child per job received on ``control`` until the caller closes it."""
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda _s, _f: None)  # wakes the select below
    jobs: dict[int, _Job] = {}
    open_ = True
    while open_ or jobs:
        watch = [wake_r] + ([control] if open_ else [])
        watch += [job.status for job in jobs.values() if job.status is not None]
        ready, _, _ = select.select(watch, [], [], 1.0)  # the timeout: a missed SIGCHLD
        if wake_r in ready:
            with contextlib.suppress(BlockingIOError):
                os.read(wake_r, 4096)
        for pid, job in list(jobs.items()):
            if job.status is not None and job.status in ready:
                try:
                    said = job.status.recv(4096)
                except OSError:
                    said = b""
                if not said or b"kill" in said:  # the caller stopped waiting or asked for it
                    os.kill(pid, signal.SIGKILL)  # not reaped yet: the pid is still this child
                if not said:
                    job.forget()
        if open_ and control in ready:
            try:
                message, fds, _flags, _ = socket.recv_fds(control, _MESSAGE, 3)
            except OSError:  # the caller's end is broken: as good as closed
                message, fds = b"", []
            if not message:  # the caller is gone: nobody will read a result
                open_ = False
                for pid in jobs:
                    os.kill(pid, signal.SIGKILL)
            elif len(fds) == 3:
                pid = os.fork()
                if pid == 0:
                    _child(pickle.loads(message), fds, [control, *jobs.values()], (wake_r, wake_w))
                os.close(fds[1])
                os.close(fds[2])
                jobs[pid] = _Job(socket.socket(fileno=fds[0]))
                jobs[pid].tell(f"pid {pid}")
            else:
                for fd in fds:
                    os.close(fd)
        _reap(jobs)


def _reap(jobs: dict[int, _Job]) -> None:
    while jobs:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        job = jobs.pop(pid, None)
        if job is not None:
            job.tell(f"exit {os.waitstatus_to_exitcode(status)}")
            job.forget()


def _child(request: tuple, fds: list[int], server_sockets: list, wake: tuple[int, int]) -> None:
    """The forked child: drop the server's descriptors, then run the job under its limits.
    Never returns: the child ends with ``os._exit`` whatever happens."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for owned in server_sockets:  # the control socket and the other jobs' status sockets
            if isinstance(owned, _Job):
                owned.forget()
            else:
                owned.close()
        for fd in (*wake, fds[0]):
            os.close(fd)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(fds[1], 1)  # progress lines, read by the caller
        os.dup2(fds[2], 2)  # tracebacks and the readers' messages, shown on failure
        os.close(fds[1])
        os.close(fds[2])
        sandbox = sys.modules["data_loaders.sandbox"]
        code = sandbox.run_job(*request)
    except MemoryError:
        code = sys.modules["data_loaders.sandbox"].OUT_OF_MEMORY
    except BaseException:
        with contextlib.suppress(BaseException):
            traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the caller handles Ctrl-C and tells us
    control = socket.socket(fileno=int(argv[0]))
    for module in PRELOAD:
        importlib.import_module(module)
    try:  # with the built-in defaults: the jobs bring their own settings
        config = importlib.import_module("config").Config()
        sys.modules["data_loaders.ingest"].parse_file("warm-up.csv", WARM_UP, {"P1": "1"}, config)
    except Exception:  # only slower jobs: never a worker that refuses every file
        traceback.print_exc()
    # What is loaded now lives as long as the server: out of the collector's sight, a child's
    # collections neither walk it (CPU) nor write to its pages (copy-on-write copies).
    gc.freeze()
    serve(control)
    return 0


if __name__ == "__main__":
    import logging

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    sys.exit(main(sys.argv[1:]))
