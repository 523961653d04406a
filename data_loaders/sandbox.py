"""Run a job in a fresh child process with hard limits: ``parse_isolated``, ``run_child``.

A hostile or broken file can make a reader allocate hundreds of GB (one cell at XFD1048576 in
a 2 KB .xlsx), spin for minutes or crash in native code. Parsed in the Streamlit server, that
ends every session; so the upload page and ``python -m data_loaders ingest`` parse here
instead. The child is a new interpreter (``python -m data_loaders.sandbox``, not a fork of a
server full of threads). It lowers its own limits before it reads anything: address space
(``[ingest] parse_memory_mb``), CPU time (``parse_cpu_seconds``), no core files. The parent
kills it after ``parse_timeout_seconds``. Job and result travel as pickles (0600) in a private
temp folder named after the parent's pid, ``pmo-parse-<pid>-*``; progress comes back as lines
on the child's stdout. The child deletes the job (the upload's bytes) as soon as it has read
it, and stops when its parent is gone; a folder left by a parent killed outright (kill -9) is
removed by the next parse on this machine, once no process has that pid.

Whatever happens to the child, the caller gets a ``ParsedFile``: a crash, a limit or the
timeout is a file-level refusal whose message names the limit, and nothing is written.

``run_child`` is the mechanism itself, for any task in ``TASKS``: a SQL source's read runs in
it too (``data_loaders.sync.read_isolated``, task ``sync``, limits ``[ingest] sync_*``, temp
folder ``pmo-sync-<pid>-*``).
"""

from __future__ import annotations

import importlib
import logging
import os
import pickle
import re
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from config import Config, get_config
from data_loaders.ingest import Options, ParsedFile, parse_file
from data_loaders.report import FileReport, Problem

ROOT = Path(__file__).resolve().parent.parent
_FRACTION = re.compile(r"\d+(\.\d+)?")
OUT_OF_MEMORY = 3  # the child's exit status when Python raised MemoryError
# task name -> "module:function" the child runs as function(job, progress); the result is
# pickled back. Imported in the child only, by name from this table: a job cannot name code.
TASKS = {
    "parse": "data_loaders.sandbox:_parse_task",
    "sync": "data_loaders.sync:read_task",
}
_PREFIXES = tuple(f"pmo-{task}-" for task in TASKS)  # temp folders: pmo-<task>-<pid>-*
_OWNER = re.compile(rf"(?:{'|'.join(_PREFIXES)})(\d+)-")
# A folder named before the pid was in the name: removed once it is this old (no parse lasts it).
_LEGACY_AGE_S = 24 * 3600
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    memory_mb: int  # address space (RLIMIT_AS), the interpreter and its libraries included
    cpu_seconds: int  # RLIMIT_CPU: SIGXCPU at this, SIGKILL a second later
    timeout_seconds: float  # wall clock, start-up included: the parent kills the child after it


@dataclass
class ChildRun:
    """How a child ended: its result when it finished, else why it did not (``failure``)."""

    result: object = None
    returncode: int | None = None
    timed_out: bool = False
    stderr: bytes = b""

    @property
    def finished(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    @property
    def failure(self) -> str:
        """Why the child did not finish: timeout, memory, cpu, killed, signal NAME or exit N."""
        code = self.returncode
        if self.timed_out:
            return "timeout"
        # "failed to map segment": a native library could not be loaded within the limit
        signs = (b"memory allocation of", b"MemoryError", b"failed to map segment")
        if code == OUT_OF_MEMORY or any(m in self.stderr for m in signs):
            return "memory"
        if code == -signal.SIGXCPU:
            return "cpu"
        if code == -signal.SIGKILL:
            return "killed"
        if code is not None and code < 0:
            what = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            return f"signal {what}"
        return f"exit {code}"


def run_child(
    task: str,
    job: object,
    limits: Limits,
    progress: Callable[[float, str], None] | None = None,
    env: dict[str, str] | None = None,
) -> ChildRun:
    """Run ``TASKS[task]`` on ``job`` in a new interpreter with ``limits``.

    ``env`` adds to the child's minimal environment (``_child_env``): a secret the task needs
    travels there, never through the job file on disk.
    """
    remove_stale()
    with tempfile.TemporaryDirectory(prefix=f"pmo-{task}-{os.getpid()}-") as tmp:
        job_file = Path(tmp, "job.pickle")
        out, err = Path(tmp, "result.pickle"), Path(tmp, "stderr")
        _write_private(job_file, pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
        numbers = [str(limits.memory_mb), str(limits.cpu_seconds), str(os.getpid())]
        command = [
            sys.executable, "-m", "data_loaders.sandbox", task, str(job_file), str(out), *numbers
        ]  # fmt: skip
        with open(err, "wb", opener=_private) as stderr:
            child = subprocess.Popen(
                command, cwd=ROOT, env=_child_env() | (env or {}), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=stderr,
            )  # fmt: skip
            try:
                timed_out = _wait(child, limits.timeout_seconds, progress)
            finally:  # e.g. Streamlit stops the script for a rerun inside the progress callback
                if child.poll() is None:
                    child.kill()
                    child.wait()
        if child.returncode == 0 and not timed_out:
            return ChildRun(result=pickle.loads(out.read_bytes()), returncode=0)
        return ChildRun(
            returncode=child.returncode, timed_out=timed_out, stderr=err.read_bytes()[-4000:]
        )


def parse_isolated(
    name: str,
    data: bytes,
    known_projects: dict[str, str] | None = None,
    config: Config | None = None,
    options: Options | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> ParsedFile:
    """``ingest.parse_file`` in a child process with the limits of ``[ingest]``."""
    config = config or get_config()
    cfg = config.ingest
    limits = Limits(cfg.parse_memory_mb, cfg.parse_cpu_seconds, cfg.parse_timeout_seconds)
    job = (name, data, known_projects or {}, config, options)
    run = run_child("parse", job, limits, progress)
    if run.finished:
        parsed = run.result
        parsed.data = data
        return parsed
    reason = _failure(run, config)
    log.warning("parsing %s in the sandbox failed: %s", name, reason)
    report = FileReport(file=name, status="rejected")
    report.problems.append(Problem(None, None, None, None, reason))
    return ParsedFile(name=name, data=data, report=report)


def remove_stale() -> list[Path]:
    """Remove the temp folders of children whose parent process is gone (killed outright, so
    its clean-up never ran): a parse's holds the whole upload. A folder whose pid is alive is a
    child running now, here or in another process, and is left alone. Returns what went."""
    removed = []
    for prefix in _PREFIXES:
        for path in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
            try:
                info = path.lstat()
            except OSError:  # removed meanwhile by its own parse
                continue
            if not path.is_dir() or path.is_symlink() or info.st_uid != os.getuid():
                continue
            owner = _OWNER.match(path.name)
            if owner and _alive(int(owner.group(1))):
                continue
            if not owner and time.time() - info.st_mtime < _LEGACY_AGE_S:
                continue
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    if removed:
        log.warning("removed %d temporary parse folder(s) left by a stopped process", len(removed))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def _private(path: str, flags: int) -> int:
    """An ``opener`` that creates the file readable and writable by its owner only (0600)."""
    return os.open(path, flags, 0o600)


def _write_private(path: Path, data: bytes) -> None:
    with open(path, "wb", opener=_private) as f:
        f.write(data)


def _child_env() -> dict[str, str]:
    # Only what an interpreter needs: no database URL or other secret reaches the process that
    # reads untrusted bytes.
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    # One thread each for the numeric libraries and few malloc arenas: less address space
    # reserved up front, so more of the memory limit is left for the file.
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MALLOC_ARENA_MAX="2")
    return env


def _wait(child: subprocess.Popen, timeout: float, progress) -> bool:
    """Relay progress lines until the child exits; kill it at the deadline. True if killed."""
    deadline = time.monotonic() + timeout
    fd, pending = child.stdout.fileno(), b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            child.kill()
            child.wait()
            child.stdout.close()
            return True
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:  # end of output: the child has exited or is about to
            break
        *lines, pending = (pending + chunk).split(b"\n")
        for line in lines:
            _relay(line, progress)
    child.stdout.close()
    try:
        child.wait(max(deadline - time.monotonic(), 0.1))
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
        return True
    return False


def _relay(line: bytes, progress) -> None:
    tag, _, rest = line.decode(errors="replace").partition("\t")
    fraction, _, text = rest.partition("\t")
    if tag == "progress" and progress and _FRACTION.fullmatch(fraction):
        progress(float(fraction), text)


def _failure(run: ChildRun, config: Config) -> str:
    """What the user reads when the child did not finish: which limit, or that it crashed."""
    cfg = config.ingest
    why = run.failure
    if why == "timeout":
        return (
            f"reading the file took longer than {cfg.parse_timeout_seconds:g} s (time limit, "
            "ingest.parse_timeout_seconds); nothing was loaded"
        )
    if why == "memory":
        return (
            f"reading the file needs more than {cfg.parse_memory_mb:,} MB of memory (memory "
            "limit, ingest.parse_memory_mb); nothing was loaded. A sheet with stray cells far "
            "from its table, or a very large file, does this: delete the stray cells or split it"
        )
    if why == "cpu":
        return (
            f"reading the file used more than {cfg.parse_cpu_seconds:g} s of CPU time (CPU time "
            "limit, ingest.parse_cpu_seconds); nothing was loaded"
        )
    if why == "killed":
        return (
            "the spreadsheet reader was stopped by the system (out of memory, or over the CPU "
            "time limit ingest.parse_cpu_seconds); nothing was loaded"
        )
    if why.startswith("signal "):
        return f"the file crashed the spreadsheet reader ({why[7:]}); nothing was loaded"
    return (
        f"the spreadsheet reader stopped unexpectedly (exit status {why[5:]}); nothing was loaded"
    )


# --- the child ---------------------------------------------------------------------------------


def _limit(memory_mb: int, cpu_seconds: int) -> None:
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # At the soft limit the kernel sends SIGXCPU; a second later SIGKILL.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


_PARENT = 0  # the pid of the process that started this child (main)


def _parent_gone() -> bool:
    # Orphaned children are re-parented (to init or a subreaper): a different parent pid means
    # the one that asked was killed and nobody will read the result.
    return os.getppid() != _PARENT


def _progress(fraction: float, text: str) -> None:
    if _parent_gone():  # stop reading for nobody; the parent's next start removes the folder
        os._exit(1)
    text = text.replace("\n", " ").replace("\t", " ")
    sys.stdout.write(f"progress\t{fraction:.3f}\t{text}\n")
    sys.stdout.flush()


def _parse_task(job: tuple, progress) -> ParsedFile:
    name, data, known, config, options = job
    try:
        parsed = parse_file(name, data, known, config, options, progress=progress)
    except MemoryError:
        raise
    except Exception as exc:  # a bug in a parser: a refusal for this file, not a traceback
        log.exception("parsing %s failed", name)
        report = FileReport(file=name, status="rejected")
        message = f"the file could not be read (internal error {type(exc).__name__})"
        report.problems.append(Problem(None, None, None, None, message))
        parsed = ParsedFile(name=name, data=b"", report=report)
    parsed.data = b""  # the parent has the bytes
    return parsed


def main(argv: list[str]) -> int:
    global _PARENT
    task, job, out, memory_mb, cpu_seconds, parent = argv
    _PARENT = int(parent)
    _limit(int(memory_mb), int(cpu_seconds))
    try:
        module, _, function = TASKS[task].partition(":")
        run = getattr(importlib.import_module(module), function)
        work = pickle.loads(Path(job).read_bytes())
        Path(job).unlink()  # an upload's bytes stay on disk no longer than needed
        result = run(work, _progress)
        if _parent_gone():
            return 1
        _write_private(Path(out), pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    except MemoryError:
        os._exit(OUT_OF_MEMORY)  # no clean-up: nothing more can be allocated
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    sys.exit(main(sys.argv[1:]))
