"""What a user task declares its decider sees (``facts``), the data sheet's labels and the
model's warnings, read from the models with no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from processes import catalog
from processes.facts import raised_warnings

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


@pytest.fixture(scope="module")
def usage_plan():
    return catalog.load_directory(BPMN / "usage_plan")


def test_a_task_names_its_facts_in_order(usage_plan):
    facts = usage_plan.tasks["review_quota"].facts
    assert facts[:3] == ("agency_name", "post", "headcount")
    assert "quota_check.available" in facts


def test_a_fact_inside_an_object_has_its_own_label(usage_plan):
    assert usage_plan.data_schema("quota_check.available")["title"] == "可用数"
    assert usage_plan.data_schema("quota_check.nothing") is None
    assert usage_plan.data_schema("headcount")["title"] == "计划聘用人数"  # from plan.json


def test_it_warns_by_how_much_a_plan_exceeds_the_quota(usage_plan):
    data = {"agency_quota": 10, "planned_headcount": 9, "headcount": 4}
    (warning,) = raised_warnings(usage_plan, data)
    assert "超出核定数量 3 人" in warning.text and "Art. 9" in warning.text
    assert "by 3" in warning.text_en


def test_it_does_not_warn_within_the_quota_or_before_the_data_exists(usage_plan):
    assert (
        raised_warnings(usage_plan, {"agency_quota": 10, "planned_headcount": 6, "headcount": 4})
        == []
    )
    assert raised_warnings(usage_plan, {"agency_quota": 10}) == []
