"""The warnings a model declares beside its decisions (``x-warnings`` in a form, e.g.
"over the approved headcount by N (Art. 9)"), evaluated over the case data.

The conditions run in the same sandbox as a gateway's, on a copy of the data; one that
names data the case has not gathered yet simply does not warn.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .definition import ProcessDefinition
from .errors import ProcessError
from .sandbox.environment import RestrictedEnvironment


@dataclass(frozen=True)
class RaisedWarning:
    """A declared warning whose condition holds, with its amount filled in."""

    text: str
    text_en: str


def raised_warnings(definition: ProcessDefinition, data: Mapping[str, Any]) -> list[RaisedWarning]:
    """The definition's warnings that hold over ``data``, in the order declared."""
    environment = RestrictedEnvironment()
    raised: list[RaisedWarning] = []
    for warning in definition.warnings:
        try:
            if not environment.evaluate(warning.when, dict(data), where="warning"):
                continue
            amount = (
                environment.evaluate(warning.amount, dict(data), where="warning")
                if warning.amount
                else ""
            )
        except ProcessError:
            continue  # it names data this case has not gathered (yet)
        shown = _number(amount)
        raised.append(
            RaisedWarning(
                text=warning.text.replace("{amount}", shown),
                text_en=(warning.text_en or warning.text).replace("{amount}", shown),
            )
        )
    return raised


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
