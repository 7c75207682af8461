"""The errors the engine seam raises: each one line a person can act on."""

from __future__ import annotations

from collections.abc import Mapping


def one_line(text: str, limit: int = 60) -> str:
    """Whitespace collapsed and long text cut, so a name never breaks a message line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class ProcessError(Exception):
    """Base of every error ``processes`` raises on purpose."""


class ModelError(ProcessError):
    """A BPMN/DMN/form file cannot be loaded; the message names file, line and element.

    ``code`` and ``params`` say the same as the English message in a form the webapp
    translates (``processes/messages.py`` gives a code to a message made without one)."""

    def __init__(
        self,
        message: str,
        *,
        file: str = "",
        line: int | None = None,
        element: str = "",
        code: str = "",
        params: Mapping[str, str | int] | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.element = element
        self.detail = message
        self.code = code
        self.params: dict[str, str | int] = dict(params or {})
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = [self.file or "<input>"]
        if self.line:
            where.append(f"line {self.line}")
        if self.element:
            where.append(f"element {self.element}")
        return f"{': '.join([', '.join(where), self.detail])}"


class HostileInput(ModelError):
    """The XML was refused before any parser beyond the hardened one saw it."""


class ScriptRefused(ProcessError):
    """A script or expression tried something the restricted environment forbids."""


class ScriptFailed(ProcessError):
    """A script or expression raised while running (bad data, a typo, a time-out)."""


class TaskTreeTooDeep(ProcessError):
    """A case's task tree grew past what the engine can walk; the step is not stored."""


class TaskNotReady(ProcessError):
    """The task is not (or no longer) waiting for a person."""


class InvalidTaskData(ProcessError):
    """Submitted data does not satisfy the task's form schema."""

    def __init__(
        self,
        errors: dict[str, str],
        codes: dict[str, str] | None = None,
        limits: dict[str, object] | None = None,
    ) -> None:
        self.errors = errors
        # The JSON Schema keyword that failed per field ('required', 'maximum', ...) and
        # the keyword's value (the limit, the pattern...), so a caller can say it in the
        # user's language.
        self.codes = codes or {}
        self.limits = limits or {}
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class UnknownOperator(ProcessError):
    """A service task names an operator that was never registered."""


class OperatorRefused(ProcessError):
    """An operator refused to act because a rule forbids it (the message cites the article).
    ``field`` names the case variable (a form field) the refusal is about, if one."""

    def __init__(self, message: str, *, field: str = "") -> None:
        self.field = field
        super().__init__(message)


class ModelRefused(ScriptFailed):
    """A model's own script refused the data with ``raise ValueError('中文说明')``
    (docs/modelling.md §5): ``reason`` is that sentence, for the person; the message
    keeps where it was raised, for the designer."""

    def __init__(self, message: str, *, reason: str) -> None:
        self.reason = reason
        super().__init__(message)
