"""The sandbox's worker processes, seen from the engine: start, hand out, kill, replace.

Designer-authored code never runs in the engine's own process (``pooled.py`` sends it
here). Each engine process keeps a small pool of worker processes (``worker.py``),
pre-started by :func:`warm` (gunicorn's and Celery's process start) or on first use. A
worker runs under limits its operating system enforces: memory (``RLIMIT_AS``), CPU time
per request (``RLIMIT_CPU``), no file written, no process started, an environment
without secrets. :func:`call` sends one request and waits on the pipe with a deadline;
past it the worker is killed and replaced, so even one C-level operation that never
returns (building a set of a million colliding hashes, comparing two deeply shared
lists) ends at the deadline, and while it waits the engine's process holds no CPU and no
lock. A worker that dies (SIGXCPU, out of memory) is replaced the same way. A request
may call back for a helper that needs this process; :func:`call` runs it here.

Cost: a round trip is a pickled request down a pipe and a JSON reply back, about 0.1 ms
(``bench/sandbox.py`` measures it).
"""

from __future__ import annotations

import atexit
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import wire
from .errors import ScriptFailed
from .sandbox.limits import DEFAULT_MAX_STEPS, DEFAULT_TIME_LIMIT

_ROOT = Path(__file__).resolve().parent.parent  # the directory holding processes/


def _env_number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Limits:
    """The limits of the pool (``FUZHI_SANDBOX_*`` in the environment, or :func:`configure`)."""

    workers: int = 2  # processes per engine process; more are never started
    time_limit: float = DEFAULT_TIME_LIMIT  # seconds of one evaluation (in the worker)
    max_steps: int = DEFAULT_MAX_STEPS
    grace: float = 1.0  # seconds past the time limit before the worker is killed
    memory_mb: int = 512  # address space of a worker
    step_budget: float = 10.0  # seconds of evaluation per engine call, all together
    recycle_after: int = 10_000  # requests a worker serves before it is replaced
    cpu_lifetime: int = 3_600  # seconds of CPU a worker may use in all (then replaced)

    @classmethod
    def from_environment(cls) -> Limits:
        base = cls()
        return cls(
            workers=max(1, int(_env_number("FUZHI_SANDBOX_WORKERS", base.workers))),
            time_limit=_env_number("FUZHI_SANDBOX_TIME_LIMIT", base.time_limit),
            memory_mb=int(_env_number("FUZHI_SANDBOX_MEMORY_MB", base.memory_mb)),
            step_budget=_env_number("FUZHI_SANDBOX_STEP_BUDGET", base.step_budget),
        )


class Budget:
    """Seconds of evaluation left to one engine call (or one test run of several),
    counted from its first evaluation."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline: float | None = None

    def remaining(self) -> float:
        if self.deadline is None:
            self.deadline = time.monotonic() + self.seconds
        return self.deadline - time.monotonic()


class _Timeout(Exception):
    pass


class _Died(Exception):
    pass


# ------------------------------------------------------------------------ workers


@dataclass(eq=False)
class Worker:
    """One worker process and its pipes; used by one thread at a time."""

    limits: Limits
    process: subprocess.Popen[bytes] = field(init=False)
    served: int = 0
    cpu: float = 0.0
    retire: bool = False
    tables: set[str] = field(default_factory=set)  # decision tables this worker holds

    def __post_init__(self) -> None:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(_ROOT),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-s",
                "-B",
                "-m",
                "processes.worker",
                f"--memory-mb={self.limits.memory_mb}",
                f"--cpu-lifetime={self.limits.cpu_lifetime}",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=str(_ROOT),
            close_fds=True,
            start_new_session=True,  # a signal to the web server's group is not the worker's
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._in = self.process.stdin
        self._out = self.process.stdout.fileno()
        self._poll = select.poll()
        self._poll.register(self._out, select.POLLIN)
        try:
            hello = self._read_reply(time.monotonic() + 60)
        except (_Timeout, _Died, wire.WireError):
            self.kill()
            raise ScriptFailed("the script sandbox could not start a worker process") from None
        if not hello.get("ready"):
            self.kill()
            raise ScriptFailed("the script sandbox could not start a worker process")

    @property
    def alive(self) -> bool:
        return self.process.poll() is None and not self.retire

    def request(
        self, request: dict[str, Any], deadline: float, helpers: Mapping[str, Callable[..., Any]]
    ) -> dict[str, Any]:
        """Send ``request`` and read its reply, answering the helper calls in between.
        Raises ``_Timeout`` (the worker is killed) or ``_Died``."""
        self.served += 1
        self._send(request)
        while True:
            reply = self._read_reply(deadline)
            if "call" not in reply:
                self.cpu = float(reply.get("cpu", 0.0))
                if (
                    reply.get("retire")
                    or self.served >= self.limits.recycle_after
                    or self.cpu > self.limits.cpu_lifetime / 2
                ):
                    self.retire = True
                return reply
            self._send(_run_helper(helpers, reply))

    def _send(self, message: dict[str, Any]) -> None:
        try:
            self._in.write(wire.encode_request(message))
            self._in.flush()
        except (BrokenPipeError, OSError):
            raise _Died from None

    def _read_reply(self, deadline: float) -> dict[str, Any]:
        (size,) = wire.HEADER.unpack(self._read(wire.HEADER.size, deadline))
        if size > wire.MAX_REPLY:
            self.kill()
            raise wire.WireError(f"the sandbox worker sent a reply of {size:,} bytes")
        reply = wire.decode_reply(self._read(size, deadline))
        if not isinstance(reply, dict):
            raise wire.WireError("the sandbox worker sent a reply that is not an object")
        return reply

    def _read(self, size: int, deadline: float) -> bytes:
        chunks: list[bytes] = []
        while size:
            left = deadline - time.monotonic()
            if left <= 0 or not self._poll.poll(max(left, 0) * 1000):
                self.kill()
                raise _Timeout
            chunk = os.read(self._out, min(size, 1 << 20))
            if not chunk:
                raise _Died
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def kill(self) -> None:
        self.retire = True
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        self._close()

    def stop(self) -> None:
        """Retire an idle worker: closing its input ends it."""
        self.retire = True
        self._close()
        try:
            self.process.wait(2)
        except subprocess.TimeoutExpired:
            self.kill()

    def _close(self) -> None:
        for stream in (self.process.stdin, self.process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass

    def death(self, time_limit: float) -> str:
        """Why the worker ended, in words (``time_limit``: that of one evaluation)."""
        try:
            code = self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.process.returncode
        if code == -signal.SIGXCPU:
            return "its process used more processor time than it may"
        if code == -signal.SIGALRM:  # the worker's own alarm: one evaluation ran on in C
            return f"exceeded the time limit ({time_limit:g} s); its process was ended"
        if code in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT, 1):
            return "its process ran out of memory or crashed"
        return f"its process ended unexpectedly (exit status {code})"


def _run_helper(helpers: Mapping[str, Callable[..., Any]], call: dict[str, Any]) -> dict[str, Any]:
    helper = helpers.get(str(call.get("call")))
    if helper is None:
        return {"error": "NameError", "message": f"no helper {call.get('call')!r}"}
    args, kwargs = call.get("args") or [], call.get("kwargs") or {}
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        return {"error": "TypeError", "message": "bad arguments"}
    try:
        return {"value": helper(*args, **kwargs)}
    except Exception as exc:  # the helper's refusal travels back to the script
        return {"error": type(exc).__name__, "message": str(exc)}


# --------------------------------------------------------------------------- pool


class Pool:
    """At most ``limits.workers`` worker processes, handed to one thread at a time."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.idle: list[Worker] = []
        self.started = 0
        self.condition = threading.Condition()
        self.pid = os.getpid()

    def acquire(self) -> Worker:
        with self.condition:
            while True:
                while self.idle:
                    worker = self.idle.pop()
                    if worker.alive:
                        return worker
                    self.started -= 1
                if self.started < self.limits.workers:
                    self.started += 1
                    break
                self.condition.wait(30)
        try:
            return Worker(self.limits)
        except BaseException:
            with self.condition:
                self.started -= 1
                self.condition.notify()
            raise

    def release(self, worker: Worker) -> None:
        if not worker.alive:
            if worker.process.poll() is None:
                worker.stop()
            with self.condition:
                self.started -= 1
                self.condition.notify()
            return
        with self.condition:
            self.idle.append(worker)
            self.condition.notify()

    def warm(self) -> None:
        """Start the workers now rather than on the first step."""
        workers = [self.acquire() for _ in range(self.limits.workers)]
        for worker in workers:
            self.release(worker)

    def shutdown(self) -> None:
        with self.condition:
            idle, self.idle = self.idle, []
            self.started -= len(idle)
        for worker in idle:
            worker.stop()


_lock = threading.Lock()
_pool: Pool | None = None
_limits = Limits.from_environment()


def pool() -> Pool:
    """This process's pool (a forked child starts its own: pipes are not shared)."""
    global _pool
    with _lock:
        if _pool is None or _pool.pid != os.getpid():
            _pool = Pool(_limits)
        return _pool


def configure(**changes: Any) -> Limits:
    """Change the limits (the webapp's settings, a test); idle workers are replaced."""
    global _limits, _pool
    with _lock:
        _limits = replace(_limits, **changes)
        old, _pool = _pool, None
    if old is not None and old.pid == os.getpid():
        old.shutdown()
    return _limits


def limits() -> Limits:
    return _limits


def warm() -> None:
    """Start this process's workers (gunicorn and Celery call this as a process starts)."""
    pool().warm()


def _forget_after_fork() -> None:
    global _pool
    _pool = None  # the parent's workers and pipes are the parent's


os.register_at_fork(after_in_child=_forget_after_fork)
atexit.register(
    lambda: _pool.shutdown() if _pool is not None and _pool.pid == os.getpid() else None
)


def call(
    request: dict[str, Any],
    deadline: float,
    helpers: Mapping[str, Callable[..., Any]],
    head: str,
    seconds: float,
) -> dict[str, Any]:
    """One request to a worker of this process's pool. ``head`` starts the message when
    the worker must be stopped at ``deadline`` (it is killed and replaced) or dies."""
    workers = pool()
    worker = workers.acquire()
    if "table" in request:  # a decision table travels once to each worker
        if request["key"] in worker.tables:
            request = {**request, "table": None}
        else:
            worker.tables.add(request["key"])
    try:
        return worker.request(request, deadline, helpers)
    except _Timeout:
        raise ScriptFailed(
            f"{head}: exceeded the time limit ({seconds:g} s); its process was ended"
        ) from None
    except _Died:
        limit = float(request.get("time_limit") or seconds)
        raise ScriptFailed(f"{head}: {worker.death(limit)}") from None
    except wire.WireError as exc:
        worker.kill()
        raise ScriptFailed(str(exc)) from None
    finally:
        workers.release(worker)
