"""Pages of at most 200 rows, so one request cannot ask for the whole register."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination


class Page(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200
