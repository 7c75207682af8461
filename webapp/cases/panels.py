"""Panels other apps add to the case page, below its history.

The apps above ``cases`` (the files and conversation of ``documents``) register a
function here in their ``AppConfig.ready()``; the case page renders each one's HTML for
the case and the reader, without ``cases`` importing them (the same crossing as the
schedule page's retry list, docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from .models import Case

CASE_PANELS: list[Callable[[HttpRequest, Case], str]] = []


def case_panels(request: HttpRequest, case: Case) -> list[Any]:
    """The registered panels' HTML for this case, in registration order."""
    return [panel(request, case) for panel in CASE_PANELS]
