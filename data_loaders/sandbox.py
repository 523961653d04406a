"""Run a job in a fresh child process with hard limits: ``parse_isolated``, ``run_child``.

A hostile or broken file can make a reader allocate hundreds of GB (one cell at XFD1048576 in
a 2 KB .xlsx), spin for minutes or crash in native code. Parsed in the Streamlit server, that
ends every session; so the upload page and ``python -m data_loaders ingest`` parse here
instead. The child is forked, one per job, from the warm parse worker (``data_loaders.worker``:
an interpreter started with a minimal environment that has imported the readers, not a fork of
a server full of threads). It lowers its own limits before it reads anything: address space
(``[ingest] parse_memory_mb``), CPU time (``parse_cpu_seconds``), no core files. It is killed
after ``parse_timeout_seconds``. Job and result travel as pickles (0600) in a private temp
folder named after the caller's pid, ``pmo-parse-<pid>-*``; progress comes back as lines on the
child's stdout. The child deletes the job (the upload's bytes) as soon as it has read it, and
is killed when the caller is gone; a folder left by a caller killed outright (kill -9) is
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
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from config import Config, get_config
from data_loaders import worker
from data_loaders.ingest import Options, ParsedFile, parse_file
from data_loaders.report import FileReport, Problem

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
    timeout_seconds: float  # wall clock, waiting for the worker included: killed after it


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
        """Why the child did not finish: timeout, memory, cpu, killed, signal NAME, exit N, or
        "worker gone" (the worker died before it could say how the child ended)."""
        code = self.returncode
        if self.timed_out:
            return "timeout"
        if code is None:
            return "worker gone"
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
    """Run ``TASKS[task]`` on ``job`` in a child of the parse worker with ``limits``.

    ``env`` adds to the worker's minimal environment (``worker.child_env``) in the child only:
    a secret the task needs travels over the worker's socket, never through a file on disk.
    """
    remove_stale()
    with tempfile.TemporaryDirectory(prefix=f"pmo-{task}-{os.getpid()}-") as tmp:
        job_file = Path(tmp, "job.pickle")
        out, err = Path(tmp, "result.pickle"), Path(tmp, "stderr")
        _write_private(job_file, pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
        request = (task, str(job_file), str(out), limits.memory_mb, limits.cpu_seconds, env or {})
        output, stdout = os.pipe()
        try:
            stderr = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError:
            os.close(stdout)
            os.close(output)
            raise
        try:  # the progress callback may raise (Streamlit stops the script for a rerun)
            code, timed_out = worker.run(
                request, stdout, stderr, output, limits.timeout_seconds, _Relay(progress)
            )
        except OSError:  # no worker could be started or reached: a refusal, not a traceback
            log.exception("the parse worker cannot take the job")
            code, timed_out = None, False
        finally:
            os.close(output)
        if code == 0 and not timed_out:
            return ChildRun(result=pickle.loads(out.read_bytes()), returncode=0)
        return ChildRun(returncode=code, timed_out=timed_out, stderr=err.read_bytes()[-4000:])


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


class _Relay:
    """Progress lines (``progress\tFRACTION\tTEXT``) from the child's output to ``progress``."""

    def __init__(self, progress) -> None:
        self.progress, self.pending = progress, b""

    def __call__(self, chunk: bytes) -> None:
        *lines, self.pending = (self.pending + chunk).split(b"\n")
        for line in lines:
            _relay(line, self.progress)


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
    if why == "worker gone":
        return "the parse worker stopped unexpectedly; nothing was loaded. Try again"
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


_PARENT = 0  # the pid of the worker this child was forked from (run_job)


def _parent_gone() -> bool:
    # Orphaned children are re-parented (to init or a subreaper): a different parent pid means
    # the worker was killed, and nobody will read the result.
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


def run_job(
    task: str, job: str, out: str, memory_mb: int, cpu_seconds: int, env: dict[str, str]
) -> int:
    """The child's work (forked by ``data_loaders.worker``): limits first, then the job."""
    global _PARENT
    _PARENT = os.getppid()
    _limit(memory_mb, cpu_seconds)
    os.environ.update(env)
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
