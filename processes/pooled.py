"""The engine's script environment: every evaluation runs in a sandbox worker process.

:class:`PooledEnvironment` is what the engine gives SpiffWorkflow: each script,
condition, timer, multi-instance and operator expression goes to a worker of
``pool.py`` (``worker.py`` runs it with the restricted environment of ``sandbox/``),
except an expression whose shape proves it cheap and harmless (a comparison, a look-up
in a literal table: ``sandbox/trivial.py``), which is evaluated here; each business
rule task's decision table goes whole (:class:`PooledDecision`, one
round trip rather than one per cell); :func:`validate` checks a task's data against its
form there too. One engine call may evaluate for at most ``Limits.step_budget`` seconds
in all (a :class:`~processes.pool.Budget`), so a decision table of thousands of rules or
a loop of a few hundred steps still ends.

Helpers that read the clock (``today``, ``working_days_duration``) and whatever the
caller adds (the webapp's holiday calendar) run in this process, called back by the
worker: a step has one notion of now, and tests that travel in time are believed.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from . import pool
from .errors import ModelRefused, ScriptFailed, ScriptRefused, one_line
from .pool import Budget
from .sandbox import trivial
from .sandbox.environment import HELPERS, SandboxEnvironment
from .sandbox.policy import prefix
from .script_helpers import today, working_days_duration

# Helpers that read the clock run here, so a step has one notion of now (and tests that
# travel in time are believed); the worker calls back for them.
CLOCK_HELPERS: dict[str, Callable[..., Any]] = {
    "today": today,
    "working_days_duration": working_days_duration,
}


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
        self.budget = budget or Budget(pool.limits().step_budget)

    def evaluate(
        self,
        expression: str,
        context: dict[str, Any],
        external_context: Mapping[str, Any] | None = None,
        *,
        where: str = "",
    ) -> Any:
        try:
            # A comparison or a table look-up proven cheap by its shape needs no worker.
            return trivial.evaluate(expression, context)
        except trivial.NotTrivial:
            pass
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
            **self._request(
                "decide", "", data, None, where, min(pool.limits().time_limit, remaining)
            ),
            "key": decision.key,
            "table": decision.decision_table,
            "cpu_limit": remaining + pool.limits().grace,
        }
        deadline = time.monotonic() + remaining + pool.limits().grace
        head = f"{prefix(where)}decision table stopped"
        reply = pool.call(request, deadline, self.remote, head, remaining)
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
            "max_steps": pool.limits().max_steps,
            "cpu_limit": time_limit + pool.limits().grace,
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
        time_limit = min(pool.limits().time_limit, self.budget.remaining())
        if time_limit <= 0:
            raise ScriptFailed(
                f"{prefix(where)}{kind} not run: this step's scripts already ran for "
                f"{self.budget.seconds:g} s in all, the most one step may"
            )
        request = self._request(op, source, context, external, where, time_limit)
        deadline = time.monotonic() + time_limit + pool.limits().grace
        reply = pool.call(request, deadline, self.remote, _head(kind, source, where), time_limit)
        if not reply.get("ok"):
            _raise(reply, kind, source, where)
        return reply


def validate(
    schema: dict[str, Any], data: dict[str, Any]
) -> tuple[dict[str, str], dict[str, str], dict[str, object]]:
    """The form errors of ``data`` (by field, the keyword that failed and its value), from
    a worker; none, without asking one, for data that passed this schema before."""
    key = _passed_key(schema, data)
    if key is not None and _PASSED.get(key) is schema:
        return {}, {}, {}
    errors, codes, limits = _validate_in_worker(schema, data)
    if key is not None and not errors:
        _remember_pass(key, schema)
    return errors, codes, limits


# Data that passed a form's check passes it again: the check is a function of the schema
# and the data alone (no clock, no randomness). So the page's check and the engine's
# check of the same step ask the worker once, and so do a bulk completion's hundred
# tasks of one decision. Only passes are kept; a refusal or a stopped check asks again.
_PASSED: dict[tuple[int, str], dict[str, Any]] = {}
_PASSED_MAX = 512
_PASSED_TEXT_MAX = 16_384  # larger data is checked every time: 512 of them stay small
_PASSED_LOCK = threading.Lock()


def _passed_key(schema: dict[str, Any], data: dict[str, Any]) -> tuple[int, str] | None:
    try:
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return None  # not plain JSON: always checked
    if len(text) > _PASSED_TEXT_MAX:
        return None
    # The schema object itself is kept as the value, so its id is not reused meanwhile.
    return id(schema), text


def _remember_pass(key: tuple[int, str], schema: dict[str, Any]) -> None:
    with _PASSED_LOCK:
        if len(_PASSED) >= _PASSED_MAX:
            _PASSED.pop(next(iter(_PASSED)))
        _PASSED[key] = schema


def _validate_in_worker(
    schema: dict[str, Any], data: dict[str, Any]
) -> tuple[dict[str, str], dict[str, str], dict[str, object]]:
    seconds = pool.limits().time_limit
    request = {"op": "validate", "schema": schema, "data": data, "cpu_limit": seconds + 1}
    deadline = time.monotonic() + seconds + pool.limits().grace
    reply = pool.call(request, deadline, {}, "the form's check stopped", seconds)
    if not reply.get("ok"):
        raise ScriptFailed(f"the form could not be checked: {reply.get('message') or 'no memory'}")
    errors, codes = dict(reply.get("errors") or {}), dict(reply.get("codes") or {})
    return errors, codes, dict(reply.get("limits") or {})


def _head(kind: str, source: str, where: str) -> str:
    site = f" ({one_line(source, 80)!r})" if kind == "expression" else ""
    return f"{prefix(where)}{kind} stopped{site}"


def _raise(reply: dict[str, Any], kind: str, source: str, where: str) -> None:
    message = str(reply.get("message") or "")
    if reply.get("error") == "refused":
        raise ScriptRefused(message)
    if reply.get("error") == "model":
        raise ModelRefused(message, reason=str(reply.get("reason") or message))
    if reply.get("error") == "memory" or not message:
        head = _head(kind, source, where)
        message = f"{head}: it needed more than {pool.limits().memory_mb} MB of memory"
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
