"""The API's one parser: JSON read through ``processes.jsonsafe``, bounded before it is read.

DRF's ``JSONParser`` reads the whole body and hands it to ``json.load``: JSON nested
~1,000 deep raised ``RecursionError`` (a 500, for 2 KB sent by anyone), a charset it
does not know raised ``LookupError``, and a lone surrogate came through as text that
then failed the history hash or the response's own encoding. Here the body is read up to
``FUZHI_API_MAX_BODY`` bytes and refused past it (413), must be UTF-8, at most
``jsonsafe.MAX_DEPTH`` deep and hold only storable text (400), each said in the caller's
language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.http import parse_header_parameters
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import BaseParser

from processes.jsonsafe import JsonRefused, load_json
from webapp.errors import body_refused

DEFAULT_MAX_BODY = 262_144  # bytes; an API call carries one form's data, not files


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"


def max_body() -> int:
    return int(getattr(settings, "FUZHI_API_MAX_BODY", DEFAULT_MAX_BODY))


class BoundedJSONParser(BaseParser):
    media_type = "application/json"

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        _type, params = parse_header_parameters(media_type or self.media_type)
        charset = params.get("charset", "utf-8").strip().lower()
        if charset not in ("utf-8", "utf8"):
            raise exceptions.UnsupportedMediaType(
                media_type or "",
                detail=_("Send JSON as UTF-8 (charset=utf-8), not %(charset)s.")
                % {"charset": charset[:40]},
            )
        limit = max_body()
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise RequestTooLarge(
                _("The request is too large (over %(limit)s bytes).") % {"limit": f"{limit:,}"}
            )
        try:
            return load_json(data, max_bytes=limit)
        except JsonRefused as exc:
            raise exceptions.ParseError(body_refused(exc).message) from None
