"""The Django fixtures live in tests/fixtures.py (shared with the browser tests)."""

from tests.fixtures import PASSWORD, make_id

__all__ = ["PASSWORD", "make_id"]
