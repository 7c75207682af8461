"""Fill or replace msgstr entries of a .po file from a JSON map {msgid: msgstr}.

Used when a few strings change; clears the fuzzy flag of every entry it fills.
Usage: python scripts/po_fill.py webapp/locale/zh_Hans/LC_MESSAGES/django.po map.json [map.json ...]
"""

from __future__ import annotations

import json
import re
import sys


def unquote(block: str, key: str) -> str | None:
    match = re.search(rf'^{key} ((?:".*"\n?)+)', block, re.M)
    if not match:
        return None
    return "".join(json.loads(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', match.group(1)))


def fill(text: str, translations: dict[str, str]) -> tuple[str, int]:
    blocks = text.split("\n\n")
    filled = 0
    for i, block in enumerate(blocks):
        msgid = unquote(block, "msgid")
        if msgid is None or msgid not in translations:
            continue
        head = [
            line
            for line in block.splitlines()
            if line.startswith("#") and not line.startswith("#|")
        ]
        head = [re.sub(r"fuzzy, |, fuzzy|#, fuzzy$", "", line) for line in head]
        head = [line for line in head if line.strip() not in ("#,", "")]
        body = f"msgid {json.dumps(msgid, ensure_ascii=False)}\n"
        body += f"msgstr {json.dumps(translations[msgid], ensure_ascii=False)}"
        blocks[i] = "\n".join([*head, body])
        filled += 1
    return "\n\n".join(blocks), filled


if __name__ == "__main__":
    po, mappings = sys.argv[1], sys.argv[2:]
    translations: dict[str, str] = {}
    for mapping in mappings:
        with open(mapping, encoding="utf-8") as handle:
            translations.update(json.load(handle))
    with open(po, encoding="utf-8") as handle:
        text, count = fill(handle.read(), translations)
    with open(po, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"{count} entries filled")
