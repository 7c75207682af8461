"""docs/compliance.md covers all 28 articles and every article cited in bpmn/ and the code."""

from __future__ import annotations

import re

from tests.conftest import ROOT

ARTICLE = re.compile(r"Art\.\s*(\d+)")
MATRIX = ROOT / "docs" / "compliance.md"


def matrix_rows() -> dict[int, str]:
    rows: dict[int, str] = {}
    for line in MATRIX.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*Art\.\s*(\d+)\s*\|", line)
        if match:
            rows[int(match.group(1))] = line
    return rows


def cited_articles() -> dict[int, set[str]]:
    cited: dict[int, set[str]] = {}
    patterns = (
        "bpmn/**/*.bpmn",
        "bpmn/**/*.dmn",
        "bpmn/**/*.json",
        "processes/**/*.py",
        "webapp/**/*.py",
        "webapp/**/*.html",
    )
    for pattern in patterns:
        for path in ROOT.glob(pattern):
            if "migrations" in path.parts:
                continue
            for number in ARTICLE.findall(path.read_text(encoding="utf-8", errors="replace")):
                cited.setdefault(int(number), set()).add(str(path.relative_to(ROOT)))
    return cited


def test_it_has_one_row_for_each_of_the_28_articles():
    assert sorted(matrix_rows()) == list(range(1, 29))


def test_it_covers_every_article_cited_in_models_and_code():
    rows = matrix_rows()
    cited = cited_articles()
    assert cited, "no article citations found at all"
    missing = {n: sorted(paths) for n, paths in cited.items() if n not in rows}
    assert not missing, f"cited but not in docs/compliance.md: {missing}"


def test_it_names_real_files_in_the_code_column():
    for number, row in matrix_rows().items():
        for path in re.findall(r"`((?:webapp|processes|bpmn|tests)/[^`\s:]+)", row):
            assert (ROOT / path).exists(), f"Art. {number}: {path} does not exist"


def test_it_names_tests_that_exist():
    for number, row in matrix_rows().items():
        for path, names in re.findall(r"`(tests/[^`:\s]+)((?:::[\w]+)?)`", row):
            if names:
                text = (ROOT / path).read_text(encoding="utf-8")
                assert f"def {names[2:]}(" in text, f"Art. {number}: {path}{names} not found"
        for extra in re.findall(r", `::(\w+)`", row):
            assert any(
                f"def {extra}(" in (ROOT / p).read_text(encoding="utf-8")
                for p in re.findall(r"`(tests/[^`:\s]+)", row)
            ), (number, extra)
