"""The operators service tasks may call: every side effect a model can cause is here.

Each runs inside the case step's transaction, so its writes land with the step or
not at all. A refusal raises ``OperatorRefused`` with the article in its message.
The registry is built here from the list each module declares, so what a model can
do is read in one place rather than gathered from import side effects.
"""

from __future__ import annotations

from processes.operators import OperatorRegistry

from . import archive, linking, members, supervision, transitions
from .context import Effect, StepContext

__all__ = ["REGISTRY", "Effect", "StepContext"]


def build_registry() -> OperatorRegistry:
    registry = OperatorRegistry()
    for name, operator, description in (
        *transitions.OPERATORS,
        *archive.OPERATORS,
        *linking.OPERATORS,
        *members.OPERATORS,
        *supervision.OPERATORS,
    ):
        registry.register(name, operator, description=description)
    return registry


REGISTRY = build_registry()
