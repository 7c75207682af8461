"""``processes`` is the engine seam: importing any of it must not pull in Django or the
webapp, so it stays usable (and testable) on its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Every module of the package, found on disk, so a new one cannot be forgotten here.
MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for path in (ROOT / "processes").rglob("*.py")
)
PROBE = f"""
import importlib, json, sys
for name in {MODULES!r}:
    importlib.import_module(name)
print(json.dumps(sorted(sys.modules)))
"""


def test_it_imports_the_engine_seam_without_django_or_the_webapp() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(MODULES) <= set(loaded)
    assert "django" not in loaded
    assert [m for m in loaded if m.startswith("django.")] == []
    assert [m for m in loaded if m == "webapp" or m.startswith("webapp.")] == []
