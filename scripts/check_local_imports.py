"""Lint: an import inside a function must say why on the line above or at its end.

Imports belong at the top of a module, where the layering check (lint-imports) sees
them and a reader finds a module's dependencies in one place. The few exceptions (a
Django AppConfig.ready() wiring signals, a heavy library loaded only when a rare path
needs it) carry a comment so the next reader knows they are deliberate.

Usage: python scripts/check_local_imports.py DIR...; exits 1 naming each bare import.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
IMPORTS = ("from ", "import ")


def local_imports(tree: ast.AST) -> Iterator[ast.stmt]:
    for node in ast.walk(tree):
        if isinstance(node, FUNCTIONS):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    yield inner


def explained(lines: list[str], node: ast.stmt) -> bool:
    """A comment at the end of the import, or above it (above a run of imports counts
    for each of them)."""
    if "#" in lines[(node.end_lineno or node.lineno) - 1]:
        return True
    row = node.lineno - 2
    while row >= 0 and (not lines[row].strip() or lines[row].lstrip().startswith(IMPORTS)):
        row -= 1
    return row >= 0 and lines[row].lstrip().startswith("#")


def bare_imports(path: Path) -> Iterator[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    seen: set[int] = set()
    for node in local_imports(ast.parse(source, str(path))):
        if node.lineno not in seen and not explained(lines, node):
            seen.add(node.lineno)
            yield f"{path}:{node.lineno}: import inside a function with no comment saying why"


def main(roots: list[str]) -> int:
    problems = [
        problem
        for root in roots
        for path in sorted(Path(root).rglob("*.py"))
        if "migrations" not in path.parts
        for problem in bare_imports(path)
    ]
    print("\n".join(problems) or "local imports: ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["processes", "webapp"]))
