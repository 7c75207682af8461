"""A sandbox worker process: runs a designer's code under limits the operating system enforces.

Started by ``pool.py`` as ``python -m processes.worker --memory-mb N``. It imports what it
needs, then limits itself (``RLIMIT_AS`` memory, no files written, no processes started,
and before each request ``RLIMIT_CPU`` to the CPU time it has used plus the request's
allowance) and answers requests, one at a time, on its standard input and output:

* ``evaluate`` / ``execute``: an expression or a script, run by
  :class:`~processes.sandbox.environment.RestrictedEnvironment` (the same policy,
  guards and settrace limits as ever); ``execute`` answers with what changed;
* ``validate``: a task's data against its form's JSON Schema.

Helpers that read the clock or the holiday calendar run in the engine's process: the
worker calls back for them (``{"call": name}``) and waits for the value. Whatever the
code does, the worst it can do is use up its own CPU, memory or time; the engine then
kills it and starts another. Nothing else runs here: no database, no settings, no
network, nothing of the webapp.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import resource
import signal
import sys
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import wire
from .errors import ModelRefused, ProcessError, ScriptFailed, ScriptRefused, one_line
from .forms import form_errors
from .sandbox.environment import RestrictedEnvironment, RestrictedScriptEngine
from .sandbox.guards import describe
from .sandbox.json_values import same
from .sandbox.policy import prefix

# Exceptions a helper called back may raise in the script, as the script would see them
# had the helper run here; anything else arrives as RuntimeError.
_HELPER_ERRORS: dict[str, type[Exception]] = {
    cls.__name__: cls for cls in (TypeError, ValueError, KeyError, OverflowError, ArithmeticError)
}


class _Channel:
    """The frames on this worker's two pipes."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd = read_fd
        self.write_fd = write_fd

    def read(self) -> bytes | None:
        header = self._exactly(wire.HEADER.size)
        if header is None:
            return None
        (size,) = wire.HEADER.unpack(header)
        return self._exactly(size)

    def _exactly(self, size: int) -> bytes | None:
        chunks: list[bytes] = []
        while size:
            chunk = os.read(self.read_fd, min(size, 1 << 20))
            if not chunk:
                return None  # the engine closed the pipe: it retired this worker or died
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.write_fd, view) :]


class Worker:
    """The request loop, and the stubs that call the engine back for its helpers."""

    def __init__(self, channel: _Channel) -> None:
        self.channel = channel
        self.environments: dict[tuple[Any, ...], RestrictedEnvironment] = {}
        self.tables: dict[str, Any] = {}  # decision tables by key, sent once each

    def serve(self) -> None:
        while True:
            body = self.channel.read()
            if body is None:
                return
            request = wire.decode_request(body)
            _allow_cpu(float(request.get("cpu_limit", 3.0)))
            reply = self.handle(request)
            reply["cpu"] = _cpu_used()
            self.channel.write(wire.encode_reply(reply))

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request["op"]
        where = str(request.get("where", ""))
        try:
            if op == "validate":
                errors, codes, limits = form_errors(request["schema"], request["data"])
                return {"ok": True, "errors": errors, "codes": codes, "limits": limits}
            environment = self._environment(request)
            if op == "decide":
                return {"ok": True, "value": wire.tag(self._decide(environment, request, where))}
            if op == "evaluate":
                value = environment.evaluate(
                    request["source"], request["context"], request["external"], where=where
                )
                return {"ok": True, "value": wire.tag(value, describe)}
            return self._execute(environment, request, where)
        except ScriptRefused as exc:
            return {"ok": False, "error": "refused", "message": str(exc)}
        except ModelRefused as exc:  # the model's own sentence for the person (Art. cited)
            return {"ok": False, "error": "model", "message": str(exc), "reason": exc.reason}
        except ProcessError as exc:
            if isinstance(exc.__cause__, MemoryError):  # RLIMIT_AS: this heap is spent
                return {"ok": False, "error": "memory", "message": "", "retire": True}
            return {"ok": False, "error": "failed", "message": str(exc)}
        except wire.WireError as exc:
            kind = {"evaluate": "expression", "decide": "decision table"}.get(op, "script")
            message = f"{prefix(where)}{kind} gave {exc}, which cannot leave the sandbox"
            return {"ok": False, "error": "failed", "message": message}
        except MemoryError:
            return {"ok": False, "error": "memory", "message": "", "retire": True}
        except RecursionError:
            return {"ok": False, "error": "failed", "message": f"{prefix(where)}nested too deeply"}

    def _execute(
        self, environment: RestrictedEnvironment, request: dict[str, Any], where: str
    ) -> dict[str, Any]:
        context: dict[str, Any] = request["context"]
        before = dict(context)
        environment.execute(request["source"], context, request["external"], where=where)
        updates = {
            name: wire.tag(value)
            for name, value in context.items()
            if name not in before or not same(before[name], value)
        }
        removed = [name for name in before if name not in context]
        return {"ok": True, "updates": updates, "removed": removed}

    def _decide(
        self, environment: RestrictedEnvironment, request: dict[str, Any], where: str
    ) -> Any:
        """A decision table's result, its cells run as the engine's script engine would."""
        if request.get("table") is not None:
            self.tables[request["key"]] = request["table"]
        element = where.removeprefix("element ")
        task = SimpleNamespace(
            data=request["context"],
            workflow=SimpleNamespace(script_engine=RestrictedScriptEngine(environment)),
            task_spec=SimpleNamespace(bpmn_id=element, name=element),
            id="decision",
        )
        try:
            return DMNEngine(self.tables[request["key"]]).result(task)
        except SpiffWorkflowException as exc:
            inner = getattr(exc, "exception", None)
            if isinstance(inner, ProcessError):
                raise inner from None
            raise ScriptFailed(
                f"{prefix(where)}decision failed: {one_line(str(exc), 300)}"
            ) from None

    def _environment(self, request: dict[str, Any]) -> RestrictedEnvironment:
        helpers = tuple(request.get("helpers", ()))
        key = (helpers, request["time_limit"], request["max_steps"])
        environment = self.environments.get(key)
        if environment is None:
            environment = RestrictedEnvironment(
                helpers={name: self._remote(name) for name in helpers},
                time_limit=float(request["time_limit"]),
                max_steps=int(request["max_steps"]),
            )
            # Each evaluation, each cell of a decision table too, ends this process if it
            # runs on in C past its limit: SIGALRM's default action.
            environment.alarm = _alarm
            self.environments[key] = environment
        return environment

    def _remote(self, name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            ask = {"call": name, "args": wire.tag(list(args)), "kwargs": wire.tag(kwargs)}
            self.channel.write(wire.encode_reply(ask))
            body = self.channel.read()
            if body is None:
                raise SystemExit(0)
            answer = wire.decode_request(body)
            if "error" in answer:
                raise _HELPER_ERRORS.get(answer["error"], RuntimeError)(answer["message"])
            return answer["value"]

        call.__name__ = name
        return call


def _alarm(seconds: float) -> None:
    signal.setitimer(signal.ITIMER_REAL, seconds)


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _allow_cpu(seconds: float) -> None:
    """SIGXCPU (which ends the process) once this request has used ``seconds`` of CPU."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = math.ceil(_cpu_used() + seconds)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _limit_process(memory_mb: int, cpu_lifetime: int) -> None:
    """What the operating system holds this process to from now on."""
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_lifetime, cpu_lifetime))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # no file can be written
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # No process started (not as root); a container may refuse to lower it: the rest stand.
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="processes.worker")
    parser.add_argument("--memory-mb", type=int, default=512)
    parser.add_argument("--cpu-lifetime", type=int, default=3600)
    options = parser.parse_args(argv)
    # The protocol keeps the real stdout; anything else written there goes nowhere.
    channel = _Channel(0, os.dup(1))
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the process's life
    _limit_process(options.memory_mb, options.cpu_lifetime)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    channel.write(wire.encode_reply({"ready": True, "pid": os.getpid()}))
    Worker(channel).serve()


if __name__ == "__main__":
    main()
