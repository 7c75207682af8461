"""The checks of what would break a live case, run on the XML trees.

They need no parsed spec, so ``catalog.check_files`` runs them even when SpiffWorkflow's
parser stops, and a deploy runs them on the definition's trees: a task in no lane, an
event that splits the flow, a working-day timer (``flows.py``), a variable read before
any step supplies it (``data_flow.py``), overlapping rules of a UNIQUE table
(``dmn_overlap.py``). Each check answers on its own: one that crashes on a strange
file becomes one problem, never an exception, and the others still run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import ModelError
from ..spiff_errors import unreadable
from .data_flow import data_flow_problems
from .dmn_overlap import overlap_problems
from .flows import flow_problems


def live_problems(
    bpmn_trees: Mapping[str, Any],
    dmn_trees: Mapping[str, Any],
    forms: Mapping[str, Mapping[str, Any]],
    *,
    check_lanes: bool,
) -> list[ModelError]:
    """Every problem of these trees that a live case would fail on."""
    checks: list[tuple[str, Callable[[], list[ModelError]]]] = [
        ("", lambda: flow_problems(bpmn_trees, check_lanes=check_lanes)),
        ("", lambda: data_flow_problems(bpmn_trees, dmn_trees, forms)),
    ]
    for name, tree in dmn_trees.items():
        checks.append((name, lambda name=name, tree=tree: overlap_problems(name, tree)))  # type: ignore[misc]
    problems: list[ModelError] = []
    for file, check in checks:
        try:
            problems.extend(check())
        except Exception as exc:  # one strange file must not hide the other checks
            problems.append(unreadable(exc, file=file or ", ".join(bpmn_trees)))
    return problems
