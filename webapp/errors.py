"""Refusals a person sees: said in their language, citing the article where a rule refused.

The lowest layer of webapp/: every app may raise them, so this module imports none.
"""

from __future__ import annotations

import re

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
