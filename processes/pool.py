"""Designer-authored code runs in sandbox worker processes, never in the engine's own.

Every script, condition, timer expression, DMN cell, multi-instance and operator
expression, and every validation of a task's data against its form, is sent to a worker
(``processes/worker.py``) from a small pool each engine process keeps (pre-started by
:func:`warm`, else on first use). The worker runs the restricted environment as before,
under limits its operating system enforces: memory (``RLIMIT_AS``), CPU time per request
(``RLIMIT_CPU``), no file written, no process started. The engine waits on a pipe with a
deadline (the script's time limit plus :attr:`Limits.grace`) and kills the worker when it
passes, so even one C-level operation that never returns (building a set of a million
colliding hashes, comparing two deeply shared lists) stops the step at the deadline with
a message naming the element, and the web or Celery process itself never computed any of
it: while it waits on the pipe it holds no lock and no CPU.

Helpers that need this process (the clock, the holiday calendar) are called back by the
worker and run here on the arguments it sends (``today``, ``working_days_duration`` and
whatever the caller adds). One engine call may evaluate for at most
:attr:`Limits.step_budget` seconds in all (a :class:`Budget`), so a decision table of
thousands of rules or a loop of a few hundred steps still ends.

Cost: a round trip is a pickled request down a pipe and a JSON reply back, about 0.1 ms
on top of the evaluation itself (``bench/sandbox.py`` measures it).
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
from .errors import ScriptFailed, ScriptRefused, one_line
from .sandbox.environment import HELPERS, SandboxEnvironment
from .sandbox.limits import DEFAULT_MAX_STEPS, DEFAULT_TIME_LIMIT
from .sandbox.policy import prefix
from .script_helpers import today, working_days_duration

# Helpers that read the clock run here, so a step has one notion of now (and tests that
# travel in time are believed); the worker calls back for them.
CLOCK_HELPERS: dict[str, Callable[..., Any]] = {
    "today": today,
    "working_days_duration": working_days_duration,
}
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

    def death(self) -> str:
        """Why the worker ended, in words."""
        try:
            code = self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.process.returncode
        if code == -signal.SIGXCPU:
            return "used more processor time than it may"
        if code in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT, 1):
            return "ran out of memory or crashed"
        return f"ended unexpectedly (exit status {code})"


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


# --------------------------------------------------------------------- evaluation


class PooledEnvironment(SandboxEnvironment):
    """The engine's script environment: every evaluation runs in a worker process."""

    def __init__(
        self,
        *,
        helpers: Mapping[str, Callable[..., Any]] | None = None,
        budget: Budget | None = None,
    ) -> None:
        super().__init__(dict(HELPERS))
        self.remote = {**CLOCK_HELPERS, **(helpers or {})}
        self.budget = budget or Budget(_limits.step_budget)

    def evaluate(
        self,
        expression: str,
        context: dict[str, Any],
        external_context: Mapping[str, Any] | None = None,
        *,
        where: str = "",
    ) -> Any:
        reply = self._run("evaluate", expression, context, external_context, where)
        return reply.get("value")

    def execute(
        self,
        script: str,
        context: dict[str, Any],
        external_context: Mapping[str, Any] | None = None,
        *,
        where: str = "",
    ) -> bool:
        reply = self._run("execute", script, context, external_context, where)
        for name in reply.get("removed", []):
            context.pop(name, None)
        context.update(reply.get("updates", {}))
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise ScriptFailed("no operator registry attached")

    def decide(self, decision: PooledDecision, data: dict[str, Any], where: str) -> Any:
        """A whole decision table over ``data`` in one round trip (its cells run in the
        worker as they would here, each under the time limit; together under the budget)."""
        remaining = self.budget.remaining()
        if remaining <= 0:
            raise ScriptFailed(
                f"{prefix(where)}decision not run: this step's scripts already ran for "
                f"{self.budget.seconds:g} s in all, the most one step may"
            )
        request = {
            **self._request("decide", "", data, None, where, min(_limits.time_limit, remaining)),
            "key": decision.key,
            "table": decision.decision_table,
            "cpu_limit": remaining + _limits.grace,
        }
        deadline = time.monotonic() + remaining + _limits.grace
        head = f"{prefix(where)}decision table stopped"
        reply = call(request, deadline, self.remote, head, remaining)
        if not reply.get("ok"):
            _raise(reply, "decision table", "", where)
        return reply.get("value")

    def _request(
        self,
        op: str,
        source: str,
        context: dict[str, Any],
        external: Mapping[str, Any] | None,
        where: str,
        time_limit: float,
    ) -> dict[str, Any]:
        return {
            "op": op,
            "source": source,
            "context": context,
            "external": dict(external or {}),
            "where": where,
            "helpers": sorted(self.remote),
            "time_limit": time_limit,
            "max_steps": _limits.max_steps,
            "cpu_limit": time_limit + _limits.grace,
        }

    def _run(
        self,
        op: str,
        source: str,
        context: dict[str, Any],
        external: Mapping[str, Any] | None,
        where: str,
    ) -> dict[str, Any]:
        kind = "script" if op == "execute" else "expression"
        time_limit = min(_limits.time_limit, self.budget.remaining())
        if time_limit <= 0:
            raise ScriptFailed(
                f"{prefix(where)}{kind} not run: this step's scripts already ran for "
                f"{self.budget.seconds:g} s in all, the most one step may"
            )
        request = self._request(op, source, context, external, where, time_limit)
        deadline = time.monotonic() + time_limit + _limits.grace
        reply = call(request, deadline, self.remote, _head(kind, source, where), time_limit)
        if not reply.get("ok"):
            _raise(reply, kind, source, where)
        return reply


def validate(schema: dict[str, Any], data: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """The form errors of ``data`` (by field, and the keyword that failed), from a worker."""
    seconds = _limits.time_limit
    request = {"op": "validate", "schema": schema, "data": data, "cpu_limit": seconds + 1}
    deadline = time.monotonic() + seconds + _limits.grace
    reply = call(request, deadline, {}, "the form's check stopped", seconds)
    if not reply.get("ok"):
        raise ScriptFailed(f"the form could not be checked: {reply.get('message') or 'no memory'}")
    return dict(reply.get("errors") or {}), dict(reply.get("codes") or {})


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
        raise ScriptFailed(f"{head}: its process {worker.death()}") from None
    except wire.WireError as exc:
        worker.kill()
        raise ScriptFailed(str(exc)) from None
    finally:
        workers.release(worker)


def _head(kind: str, source: str, where: str) -> str:
    site = f" ({one_line(source, 80)!r})" if kind == "expression" else ""
    return f"{prefix(where)}{kind} stopped{site}"


def _raise(reply: dict[str, Any], kind: str, source: str, where: str) -> None:
    message = str(reply.get("message") or "")
    if reply.get("error") == "refused":
        raise ScriptRefused(message)
    if reply.get("error") == "memory" or not message:
        head = _head(kind, source, where)
        message = f"{head}: it needed more than {_limits.memory_mb} MB of memory"
    raise ScriptFailed(message)


class PooledDecision:
    """A business rule task's decision table, evaluated whole in a worker (one round trip
    instead of one per cell). SpiffWorkflow calls ``result(task)`` as it would call its
    own ``DMNEngine``; outside the engine's script environment the table runs as before.
    """

    def __init__(self, engine: Any, key: str) -> None:
        self.original = engine
        self.decision_table = engine.decision_table  # what SpiffWorkflow's serializer reads
        self.key = key

    def result(self, task: Any) -> Any:
        environment = getattr(task.workflow.script_engine, "environment", None)
        if not isinstance(environment, PooledEnvironment):
            return self.original.result(task)
        spec = getattr(task, "task_spec", None)
        element = getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)
        return environment.decide(self, task.data, f"element {element}" if element else "")


def decisions_in_workers(specs: Any, key: Callable[[], str]) -> None:
    """Give every business rule task of ``specs`` a :class:`PooledDecision` (once);
    ``key()`` names the definition they belong to (its content hash)."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            engine = getattr(task_spec, "dmnEngine", None)
            if engine is not None and not isinstance(engine, PooledDecision):
                task_spec.dmnEngine = PooledDecision(engine, f"{key()}:{task_spec.name}")
