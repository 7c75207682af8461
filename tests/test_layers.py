"""The layering `make lint` enforces is real: an upward import or a bare local import fails."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def copy_of_the_code(tmp_path: Path) -> Path:
    for package in ("processes", "webapp"):
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "static", "locale", "templates"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=where,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_the_code_keeps_its_layers(tmp_path):
    result = lint_imports(copy_of_the_code(tmp_path))
    assert result.returncode == 0, result.stdout


def test_staff_importing_cases_breaks_the_build(tmp_path):
    where = copy_of_the_code(tmp_path)
    models = where / "webapp" / "staff" / "models.py"
    models.write_text(models.read_text() + "\nfrom webapp.cases import services  # noqa\n")
    result = lint_imports(where)
    assert result.returncode == 1
    assert "webapp.staff is not allowed to import webapp.cases" in result.stdout


def test_processes_importing_django_breaks_the_build(tmp_path):
    where = copy_of_the_code(tmp_path)
    errors = where / "processes" / "errors.py"
    errors.write_text(errors.read_text() + "\nimport django  # noqa\n")
    result = lint_imports(where)
    assert result.returncode == 1 and "processes is not allowed to import django" in result.stdout


def test_an_import_inside_a_function_must_say_why(tmp_path):
    module = tmp_path / "pkg" / "mod.py"
    module.parent.mkdir()
    module.write_text(
        "def bare():\n    import json\n\n\n"
        "def explained():\n    # loaded only on this rare path\n    import csv\n\n\n"
        "def inline():\n    import re  # cycle: re imports this module\n"
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_local_imports.py"), str(tmp_path / "pkg")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{module}:2: import inside a function with no comment saying why"
    ]
