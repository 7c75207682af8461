"""Shared fixtures. Only the world outside the machine is mocked (mail); never the DB or engine."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BPMN_DIR = ROOT / "bpmn"
CORPUS_DIR = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def bpmn_dir() -> Path:
    return BPMN_DIR


pytest_plugins = ["tests.fixtures"]
