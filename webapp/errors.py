"""Refusals a person sees: said in their language, citing the article where a rule refused.

The lowest layer of webapp/: every app may raise them, so this module imports none.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from processes.jsonsafe import MAX_DEPTH, JsonRefused

# "Art. 9", "Art. 10(4)": how the code and the models cite the regulation.
ARTICLE_RE = re.compile(r"Art\.\s*\d+(?:\(\d+\))?")


def articles_in(text: str) -> str:
    """The articles ``text`` cites, each once, in order of first mention."""
    return ", ".join(dict.fromkeys(ARTICLE_RE.findall(text or "")))


class StepRefused(Exception):
    """A step was not taken; nothing was saved. ``field`` names the form field the
    refusal is about, when it is about one (an ID number, a process...)."""

    status = 400

    def __init__(self, message: str, *, article: str = "", field: str = "") -> None:
        self.message = message
        self.article = article
        self.field = field
        super().__init__(message)


class TaskConflict(StepRefused):
    """Someone else completed or claimed the task first (HTTP 409 for API callers)."""

    status = 409


class NotPermitted(StepRefused):
    status = 403


class FormInvalid(StepRefused):
    """Submitted data failed the form; ``errors`` maps field to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class BodyRefused(StepRefused):
    """A request body that was not read: too large (413), or not JSON this server can
    store (400). Nothing was parsed beyond the point of refusal."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        self.status = status
        super().__init__(message)


def body_refused(exc: JsonRefused) -> BodyRefused:
    """What a person is told about JSON the server would not read (``processes.jsonsafe``)."""
    messages = {
        "too_large": _("The request is too large."),
        "encoding": _("The request is not UTF-8 text."),
        "syntax": _("The request is not valid JSON."),
        "too_deep": _("The request is nested too deeply (more than %(depth)s levels).")
        % {"depth": MAX_DEPTH},
        "surrogate": _(
            "The request holds text that is not valid Unicode (a lone surrogate such as \\ud800)."
        ),
        "nul": _("The request holds a NUL character (\\u0000), which text may not contain."),
    }
    status = 413 if exc.reason == "too_large" else 400
    return BodyRefused(messages.get(exc.reason, messages["syntax"]), status=status)
