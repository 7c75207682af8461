"""Whatever SpiffWorkflow raises while reading a model, as one plain ``ModelError``.

SpiffWorkflow's parser answers in its own terms (``ValidationException`` with a repr of
whatever crashed, or messages about task specs); :func:`model_errors` turns each into a
line naming file, line and element, and :func:`unreadable` gives plain words to an
exception nobody expected.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import xmlsafe
from .errors import ModelError, one_line

# The deploy check of a service task (checks/foreign.py) and SpiffWorkflow's own refusal
# of one say the same thing.
SERVICE_TASK_MESSAGE = (
    "service task must name a Fuzhi operator (spiffworkflow:serviceTaskOperator); "
    "Camunda external tasks / Java delegates are not supported"
)


@contextmanager
def model_errors(trees: Mapping[str, Any], default_file: str) -> Iterator[None]:
    """Turn anything SpiffWorkflow raises into one ``ModelError`` that names the element."""
    try:
        yield
    except ModelError:
        raise
    except Exception as exc:
        raise spiff_error(exc, trees, default_file) from None


# Messages SpiffWorkflow raises, in plain words (matched by their start).
_SPIFF_MESSAGES = (
    (
        "When looking for a task spec, we found two items",
        "an outgoing sequence flow points to an element that is not in the process",
    ),
    (
        "Multiple outgoing flows are not supported for tasks of type",
        "this element has several outgoing sequence flows; only gateways may split the flow here "
        "(add a parallel or exclusive gateway after it)",
    ),
    ("No start event found", "the process has no start event, so it cannot be started"),
    (
        "There is no support implemented for this task type",
        "this kind of element is not supported by the engine",
    ),
    ("A Service Task must have an operator", SERVICE_TASK_MESSAGE),
    (
        "Cannot resolve dataInputAssociation",
        "a data input association reads a data object or store that is not in the process",
    ),
    (
        "Cannot resolve dataOutputAssociation",
        "a data output association writes a data object or store that is not in the process",
    ),
    (
        "Time Specification Error",
        "the timer has no duration, date or cycle expression (set one of them)",
    ),
    (
        "A multiinstance task must specify a cardinality or a loop input data reference",
        "a multi-instance activity needs a cardinality (how many times) or an input "
        "collection (one instance per item)",
    ),
    (
        "Non-default exclusive outgoing sequence flow without condition",
        "this sequence flow leaves a gateway without a condition and is not the gateway's "
        "default flow; give it a condition or make it the default",
    ),
)


def spiff_error(exc: Exception, trees: Mapping[str, Any], default_file: str) -> ModelError:
    """One plain ``ModelError`` for an exception raised inside SpiffWorkflow."""
    if not isinstance(exc, ValidationException):
        if isinstance(exc, SpiffWorkflowException):
            return ModelError(_plain(exc), file=default_file)
        return unreadable(exc, file=default_file)
    file = exc.file_name or default_file
    tree = trees.get(file)
    node = xmlsafe.find_by_id(tree, exc.id) if tree is not None and exc.id else None
    line = exc.line_number if isinstance(exc.line_number, int) else None
    element = exc.id or ""
    if node is not None:
        line, element = line or node.sourceline, xmlsafe.describe(node)
    message = _plain(exc)
    cause = exc.__context__
    if isinstance(cause, Exception) and message.startswith(f"{type(cause).__name__}("):
        # SpiffWorkflow re-raises any crash of a task parser as ValidationException(repr)
        message = unreadable(cause).detail
    else:
        message = _translate(message)
    return ModelError(message, file=file, line=line, element=element)


def _translate(message: str) -> str:
    for start, plain in _SPIFF_MESSAGES:
        if message.startswith(start):
            return plain
    return message


def _plain(exc: BaseException) -> str:
    text = str(exc.args[0]) if exc.args else type(exc).__name__
    return " ".join(text.split())


def unreadable(exc: BaseException, *, file: str = "", line: int | None = None) -> ModelError:
    """Plain words for an exception nobody expected: the class is only a detail."""
    detail = f"{type(exc).__name__}: {one_line(str(exc), 120)}".rstrip(": ")
    if isinstance(exc, RecursionError):
        message = (
            "the engine cannot read this model: its sequence flows chain more elements in a "
            "row than the parser can follow (a few hundred); split it into sub-processes"
        )
    elif isinstance(exc, MemoryError):
        message = "the engine cannot read this model: it needs more memory than allowed"
    else:
        message = "the engine cannot read this model"
    return ModelError(f"{message} (detail: {detail})", file=file, line=line)
