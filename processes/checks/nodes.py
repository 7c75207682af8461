"""What every check shares: qualified tags, executable processes, naming the element.

A problem is a ``ModelError`` at an lxml node (:func:`at`); a node without an id is
named by its nearest ancestor that has one (:func:`owner`).
"""

from __future__ import annotations

from typing import Any

from .. import xmlsafe
from ..errors import ModelError

MAX_LISTED = 5  # elements named in one message before "and N more"


def bpmn(tag: str) -> str:
    """The qualified name of a BPMN 2.0 element, for lxml's ``iter`` and ``find``."""
    return f"{{{xmlsafe.BPMN_NS}}}{tag}"


def spiff(tag: str) -> str:
    """The qualified name of a SpiffWorkflow extension element."""
    return f"{{{xmlsafe.SPIFF_NS}}}{tag}"


def is_executable(process: Any) -> bool:
    """SpiffWorkflow's reading: a process without isExecutable counts as executable."""
    return bool(process.get("isExecutable", "true") == "true")


def at(file: str, node: Any, message: str) -> ModelError:
    """A problem with ``node``: its file, its line and its name in the message."""
    return ModelError(message, file=file, line=node.sourceline, element=xmlsafe.describe(node))


def listing(items: list[str], limit: int = MAX_LISTED) -> str:
    """'a, b, c and 4 more': a list that keeps a message to one line."""
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def owner(node: Any) -> Any:
    """The nearest ancestor with an id (an extension element is named by its task)."""
    holder = node
    while holder.getparent() is not None and not holder.get("id"):
        holder = holder.getparent()
    return holder
