"""The script environment and script engine SpiffWorkflow is given.

:class:`RestrictedEnvironment` compiles through the policy, runs against a deep copy of
the task data with the guards and the helpers as its only names, under the run-time
bounds, and writes back only JSON values when the run succeeds.
:class:`RestrictedScriptEngine` is SpiffWorkflow's ``PythonScriptEngine`` over it, with
service tasks handed to an operator registry.
"""

from __future__ import annotations

import ast
import copy
import json
import sys
from collections.abc import Callable, Mapping
from types import CodeType, FunctionType, TracebackType
from typing import Any

from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)

from ..errors import ModelRefused, ProcessError, ScriptFailed, ScriptRefused, one_line
from ..script_helpers import DOMAIN_HELPERS
from .guards import GUARDS
from .json_values import JsonCheck, NotJson, same
from .limits import (
    DEFAULT_MAX_STEPS,
    DEFAULT_TIME_LIMIT,
    SCRIPT_FILENAME,
    LimitExceeded,
    Refusal,
    Run,
    current_run,
    set_current_run,
)
from .policy import FORBIDDEN_NAMES, check_expression, compiled_code, prefix
from .safe_builtins import BUILTINS, EXCEPTIONS

ServiceCaller = Callable[[Any, str, dict[str, Any]], Any]
# Seconds past an evaluation's time limit before a worker's alarm ends its process.
ALARM_GRACE = 0.5
# Called with (task, expression, value) after an expression is evaluated for a task; what
# it returns is what SpiffWorkflow gets (the engine reads timers' values through it).
ResultCheck = Callable[[Any, str, Any], Any]


# Every function a script may call: the bounded builtins, then the domain helpers.
HELPERS: dict[str, Callable[..., Any]] = {**BUILTINS, **DOMAIN_HELPERS}


# ----------------------------------------------------------------- environment


def _script_line(tb: TracebackType | None) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == SCRIPT_FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _raised_by_model(exc: BaseException, source: str) -> bool:
    """The script's own ``raise ValueError('中文说明')`` (docs/modelling.md §5), not a
    ValueError a builtin raised (``int('x')``): the line it came from is a raise."""
    if not isinstance(exc, ValueError) or not str(exc):
        return False
    line = _script_line(exc.__traceback__)
    lines = source.splitlines()
    if line is None or not 0 < line <= len(lines):
        return False
    return lines[line - 1].strip().startswith("raise ValueError(")


def _is_script_function(name: str, value: Any) -> bool:
    """A function the script defined with ``def name(...)`` (dropped, like Spiff does)."""
    return (
        isinstance(value, FunctionType)
        and value.__code__.co_filename == SCRIPT_FILENAME
        and value.__name__ == name
    )


class SandboxEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """What :class:`RestrictedScriptEngine` runs code through: in this process
    (:class:`RestrictedEnvironment`, what a sandbox worker runs) or in a worker process
    (``processes.pooled.PooledEnvironment``, what the engine uses). Both name the element
    they run for in their messages (``where``)."""

    def evaluate(
        self,
        expression: str,
        context: dict[str, Any],
        external_context: Mapping[str, Any] | None = None,
        *,
        where: str = "",
    ) -> Any:
        raise NotImplementedError

    def execute(
        self,
        script: str,
        context: dict[str, Any],
        external_context: Mapping[str, Any] | None = None,
        *,
        where: str = "",
    ) -> bool:
        raise NotImplementedError


class RestrictedEnvironment(SandboxEnvironment):
    """Script environment that runs RestrictedPython code against a copy of the task data.

    ``execute`` applies the script's changes to ``context`` only when it succeeds and
    leaves only JSON values; ``evaluate`` never changes ``context``. Names starting with
    ``_`` are never written back (scripts cannot bind them). Functions the script
    defines with ``def`` are dropped silently; any other non-JSON value left behind
    (a set, a lambda, a helper) makes the run fail, naming the variable.
    """

    def __init__(
        self,
        *,
        helpers: Mapping[str, Callable[..., Any]] | None = None,
        time_limit: float = DEFAULT_TIME_LIMIT,
        max_steps: int = DEFAULT_MAX_STEPS,
    ) -> None:
        merged = dict(HELPERS)
        merged.update(helpers or {})
        super().__init__(merged)
        self.time_limit = time_limit
        self.max_steps = max_steps
        # Set in a sandbox worker: arms an operating-system timer that ends the process
        # if one evaluation runs on in C past its time limit (0 disarms it).
        self.alarm: Callable[[float], Any] | None = None
        builtins: dict[str, Any] = dict(EXCEPTIONS)
        builtins.update(merged)
        self._builtins = builtins

    # -- the BasePythonScriptEngineEnvironment contract

    def evaluate(
        self,
        expression: str,
        context: dict[str, Any],
        external_context: Mapping[str, Any] | None = None,
        *,
        where: str = "",
    ) -> Any:
        """Value of ``expression`` over ``external_context`` and ``context`` (which wins)."""
        code = compiled_code(expression, "eval", where)
        namespace = self._namespace(context, external_context, where)
        return self._run(code, namespace, "expression", expression, where)

    def execute(
        self,
        script: str,
        context: dict[str, Any],
        external_context: Mapping[str, Any] | None = None,
        *,
        where: str = "",
    ) -> bool:
        """Run ``script``; on success apply its changes to ``context``. Returns True."""
        code = compiled_code(script, "exec", where)
        external = dict(external_context or {})
        namespace = self._namespace(context, external, where)
        self._run(code, namespace, "script", script, where)
        self._write_back(namespace, context, external, where)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise ScriptFailed("no operator registry attached")

    # -- internals

    def _namespace(
        self,
        context: Mapping[str, Any],
        external_context: Mapping[str, Any] | None,
        where: str,
    ) -> dict[str, Any]:
        try:
            external, data = copy.deepcopy((dict(external_context or {}), dict(context)))
        except Exception as exc:
            raise ScriptFailed(f"{prefix(where)}task data cannot be copied: {exc}") from exc
        namespace: dict[str, Any] = {}
        namespace.update(external)
        namespace.update(data)
        namespace.update(GUARDS)
        namespace["__builtins__"] = self._builtins
        return namespace

    def _run(
        self,
        code: CodeType,
        namespace: dict[str, Any],
        kind: str,
        source: str,
        where: str,
    ) -> Any:
        run = Run(self.time_limit, self.max_steps)
        if self.alarm is not None:
            self.alarm(self.time_limit + ALARM_GRACE)
        previous_run = current_run()
        previous_trace = sys.gettrace()
        set_current_run(run)
        sys.settrace(run.trace)
        try:
            try:
                if kind == "script":
                    exec(code, namespace)  # noqa: S102 - RestrictedPython code, guarded namespace
                    value = None
                else:
                    value = eval(code, namespace)  # noqa: S307 - RestrictedPython code, guarded namespace
                # A last C-level operation may have run past the deadline with no trace
                # event after it: a result that came too late is a time-out all the same.
                run.check_deadline()
                return value
            finally:
                # First thing, before any handler below calls a function: otherwise the
                # tracer would count those calls too and could raise once more.
                run.active = False
                # Before the previous tracer is back, so it does not see this call.
                set_current_run(previous_run)
                sys.settrace(previous_trace)
                if self.alarm is not None:
                    self.alarm(0)
        except Refusal as exc:
            raise ScriptRefused(self._message(kind, source, where, exc, "refused")) from None
        except LimitExceeded as exc:
            # Raised from the tracer, the traceback may miss the script frame.
            line = run.line or _script_line(exc.__traceback__)
            raise ScriptFailed(
                self._message(kind, source, where, exc, "stopped", line=line)
            ) from None
        except NameError as exc:
            if exc.name in FORBIDDEN_NAMES:
                detail = f"{exc.name!r} is not available in scripts"
                raise ScriptRefused(
                    self._message(kind, source, where, exc, "refused", detail)
                ) from None
            raise ScriptFailed(self._message(kind, source, where, exc, "failed")) from exc
        except ProcessError:
            raise
        except Exception as exc:
            message = self._message(kind, source, where, exc, "failed")
            if kind == "script" and _raised_by_model(exc, source):
                raise ModelRefused(message, reason=str(exc)) from exc
            raise ScriptFailed(message) from exc

    @staticmethod
    def _message(
        kind: str,
        source: str,
        where: str,
        exc: BaseException,
        verdict: str,
        detail: str | None = None,
        line: int | None = None,
    ) -> str:
        if line is None:
            line = _script_line(exc.__traceback__)
        if detail is None:
            text = str(exc)
            if isinstance(exc, (Refusal, LimitExceeded)):
                detail = text
            else:
                detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
        if kind == "script" and line is not None:
            lines = source.splitlines()
            code = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            site = f" on line {line} ({one_line(code, 80)!r})" if code else f" on line {line}"
        elif kind == "expression":
            site = f" ({one_line(source, 80)!r})"
        else:
            site = ""
        return one_line(f"{prefix(where)}{kind} {verdict}{site}: {detail}", 400)

    @staticmethod
    def _write_back(
        namespace: dict[str, Any],
        context: dict[str, Any],
        external: Mapping[str, Any],
        where: str,
    ) -> None:
        updates: dict[str, Any] = {}
        removed: list[str] = []
        check = JsonCheck()
        for name, value in namespace.items():
            if name.startswith("_"):
                continue  # guards, __builtins__, RestrictedPython temporaries
            if name in external and name not in context:
                continue  # external context is read-only, as in TaskDataEnvironment
            if _is_script_function(name, value):
                if name in context:
                    removed.append(name)
                continue
            if name in context and same(context[name], value):
                continue
            try:
                updates[name] = check.value(value, name)
            except NotJson as exc:
                raise ScriptFailed(
                    f"{prefix(where)}script left {exc.what} in {exc.path!r}; "
                    "task data must be JSON (dict, list, str, int, float, bool, None)"
                ) from None
        removed.extend(n for n in context if not n.startswith("_") and n not in namespace)
        for name in removed:
            context.pop(name, None)
        context.update(updates)


# ----------------------------------------------------------------------- engine


def _where(task: Any) -> str:
    spec = getattr(task, "task_spec", None)
    element = getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)
    return f"element {element}" if element else ""


class RestrictedScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """``PythonScriptEngine`` over a :class:`SandboxEnvironment` (in this process when
    none is given: the engine always gives ``processes.pool``'s).

    :class:`ScriptRefused` and :class:`ScriptFailed` propagate unchanged (named after
    the BPMN element) instead of being wrapped in ``WorkflowTaskException``. DMN tables
    are the exception: SpiffWorkflow's ``DMNEngine`` wraps whatever a cell raises, so
    there the original arrives as ``WorkflowTaskException.exception``.
    """

    def __init__(
        self,
        environment: BasePythonScriptEngineEnvironment | None = None,
        *,
        service_caller: ServiceCaller | None = None,
        result_check: ResultCheck | None = None,
    ) -> None:
        super().__init__(environment=environment or RestrictedEnvironment())
        self.service_caller = service_caller
        self.result_check = result_check

    def validate(self, expression: str) -> None:
        # SyntaxError first: DMNEngine.needs_eq relies on it to spot cells like "> 5".
        ast.parse(expression)
        check_expression(expression)

    def evaluate(
        self,
        task: Any,
        expression: str,
        external_context: Mapping[str, Any] | None = None,
    ) -> Any:
        if isinstance(self.environment, SandboxEnvironment):
            value = self.environment.evaluate(
                expression, task.data, external_context, where=_where(task)
            )
        else:
            value = super().evaluate(task, expression, external_context)
        if self.result_check is not None:
            return self.result_check(task, expression, value)
        return value

    def execute(
        self,
        task: Any,
        script: str,
        external_context: Mapping[str, Any] | None = None,
    ) -> bool:
        if isinstance(self.environment, SandboxEnvironment):
            return self.environment.execute(script, task.data, external_context, where=_where(task))
        result: bool = super().execute(task, script, external_context)
        return result

    def call_service(self, task: Any, **kwargs: Any) -> str:
        """Hand a service task to the operator registry; Spiff ``json.loads`` the result.

        ``operation_params`` is SpiffWorkflow's evaluated parameter dict,
        ``{name: {"value": ..., "type": ...}}``.
        """
        if self.service_caller is None:
            raise ScriptFailed(f"{prefix(_where(task))}no operator registry attached")
        result = self.service_caller(task, kwargs["operation_name"], kwargs["operation_params"])
        try:
            return json.dumps(result)
        except (TypeError, ValueError) as exc:
            raise ScriptFailed(
                f"{prefix(_where(task))}operator {kwargs['operation_name']!r} "
                f"returned a value that is not JSON: {exc}"
            ) from exc
