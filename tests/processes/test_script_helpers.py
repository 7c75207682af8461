"""The domain helpers a model's scripts may call: plain date arithmetic on JSON values."""

from __future__ import annotations

from datetime import date

import pytest

from processes.script_helpers import add_days, age_on, days_between, parse_date, today


def test_it_offers_date_helpers_that_return_json_values() -> None:
    assert today() == date.today().isoformat()
    assert parse_date("2024-01-05") == "2024-01-05"
    assert parse_date("2024-01-05T10:30:00+08:00") == "2024-01-05"
    assert parse_date("2024/1/5") == "2024-01-05"
    assert parse_date("2024年1月5日") == "2024-01-05"
    assert days_between("2024-02-28", "2024-03-01") == 2
    assert days_between("2024-03-01", "2024-02-28") == -2
    assert add_days("2024-02-28", 2) == "2024-03-01"
    assert age_on("2000-02-29", "2018-02-28") == 17
    assert age_on("2000-02-29", "2018-03-01") == 18
    assert age_on("2000-06-15", "2018-06-15") == 18
    with pytest.raises(ValueError, match="not a date"):
        parse_date("yesterday")
