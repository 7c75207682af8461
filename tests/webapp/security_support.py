"""Support for the security tests: walk every URL pattern; fill its parameters."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    route: str  # the pattern text, e.g. "cases/<int:case_id>/"
    params: tuple[str, ...]

    @property
    def namespace(self) -> str:
        return self.name.split(":", 1)[0] if ":" in self.name else ""


def routes() -> Iterator[Route]:
    """Every named URL pattern of the project (admin left out: Django's own, staff-only)."""

    def walk(resolver: URLResolver, prefix: str, namespace: str | None) -> Iterator[Route]:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                text = prefix + str(pattern.pattern)
                params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", text))
                yield Route(name, text, params)

    for route in walk(get_resolver(), "", None):
        if not route.name.startswith("admin:"):
            yield route


def body_text(response) -> str:
    """The readable text of a response: HTML/JSON as is, xlsx unzipped, PDF extracted."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(
                archive.read(n).decode("utf-8", "replace")
                for n in archive.namelist()
                if n.endswith(".xml")
            )
    if content[:4] == b"%PDF" or "pdf" in kind:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(content))
        return "".join(page.extract_text() or "" for page in reader.pages)
    return content.decode("utf-8", "replace")


class _Markup(HTMLParser):
    """Collects what a browser would run from injected payloads: handlers, scripts, images."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on") and "alert(" in (value or ""):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.found.append("<img src=x>")
        if tag == "script":
            kind = dict(attrs).get("type") or "text/javascript"
            self._script = kind if "json" not in kind else None

    def handle_data(self, data: str) -> None:
        if self._script is not None and "alert(" in data:
            self.found.append(f"<script>{data[:60]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


def live_markup(html: str) -> list[str]:
    """Injected markup that is live in this page (parsed as a browser would, not grepped)."""
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser.found
