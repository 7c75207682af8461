"""Named operators: the only way a BPMN model can cause a side effect.

A service task names an operator; the operator is Python registered by the
application. A model can therefore never do more than the registered operators
allow, whatever its scripts say.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import UnknownOperator


@dataclass(frozen=True)
class OperatorCall:
    """One invocation of an operator from a service task."""

    name: str
    params: dict[str, Any]
    task_bpmn_id: str
    documentation: str
    data: Mapping[str, Any]
    context: Any  # whatever the caller of the engine passed (the webapp's step context)


Operator = Callable[[OperatorCall], "dict[str, Any] | None"]


@dataclass
class OperatorRegistry:
    """Operators by name. The webapp builds one at start-up and hands it to the engine."""

    _operators: dict[str, Operator] = field(default_factory=dict)
    _descriptions: dict[str, str] = field(default_factory=dict)

    def register(self, name: str, operator: Operator, *, description: str = "") -> None:
        if name in self._operators:
            raise ValueError(f"operator {name!r} is already registered")
        self._operators[name] = operator
        self._descriptions[name] = description

    def operator(self, name: str, *, description: str = "") -> Callable[[Operator], Operator]:
        """Decorator form of ``register``."""

        def decorate(fn: Operator) -> Operator:
            self.register(name, fn, description=description)
            return fn

        return decorate

    def names(self) -> set[str]:
        return set(self._operators)

    def describe(self) -> dict[str, str]:
        return dict(self._descriptions)

    def call(self, call: OperatorCall) -> dict[str, Any]:
        try:
            operator = self._operators[call.name]
        except KeyError:
            raise UnknownOperator(
                f"service task {call.task_bpmn_id} calls operator {call.name!r}, "
                "which is not registered"
            ) from None
        return operator(call) or {}
