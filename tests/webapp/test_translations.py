"""Chinese is the default language: the catalogue has no untranslated or fuzzy entry, and
every article a message cites is still cited in its translation."""

from __future__ import annotations

import json
import re

from tests.conftest import ROOT

PO = ROOT / "webapp" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


def entries() -> list[tuple[str, str, str]]:
    """(msgid, msgstr, raw entry) for every message but the header."""
    found = []
    for raw in PO.read_text(encoding="utf-8").split("\n\n"):
        if all(line.startswith("#") for line in raw.strip().splitlines()):
            continue  # obsolete (#~) entries are kept only as history
        head, _, tail = raw.partition("\nmsgstr ")
        if "msgid " not in head:
            continue
        msgid = "".join(json.loads(q) for q in QUOTED.findall(head.split("msgid ", 1)[1]))
        msgstr = "".join(json.loads(q) for q in QUOTED.findall(tail))
        if msgid:
            found.append((msgid, msgstr, raw))
    return found


def test_it_translates_every_message_into_chinese():
    messages = entries()
    assert len(messages) > 300
    assert [m for m, s, _ in messages if not s] == []
    assert [m for m, _, raw in messages if "#, fuzzy" in raw] == []


def test_it_keeps_article_citations_in_the_translation():
    for msgid, msgstr, _ in entries():
        for article in re.findall(r"Art\. \d+", msgid):
            assert article in msgstr, (msgid, msgstr)
