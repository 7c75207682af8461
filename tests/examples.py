"""The example answers kept beside the models (``bpmn/<process>/examples.json``), for the
tests of both processes/ and webapp/ (no Django here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"


def example(process: str, task: str) -> dict[str, Any]:
    """A fresh copy of the answers that pass ``task`` of ``process``."""
    answers: dict[str, Any] = json.loads((BPMN_DIR / process / "examples.json").read_text())[task]
    return answers


CLEAN_REVIEW = example("recruitment", "review_application")
