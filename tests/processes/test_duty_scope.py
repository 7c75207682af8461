"""bpmn/decisions/duty_scope.dmn (Art. 7, 13, 14), evaluated standalone as the webapp does.

The table is parsed with SpiffWorkflow's own parser (XSD-validated) and run by its
``DMNEngine`` against a stand-in task that carries ``.data`` and a workflow whose script
engine is the restricted one, so every cell is evaluated exactly as in production.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from processes import catalog
from processes.sandbox.environment import RestrictedScriptEngine
from processes.xmlsafe import parse_model_xml

ROOT = Path(__file__).resolve().parents[2]
DMN = ROOT / "bpmn" / "decisions" / "duty_scope.dmn"
ART_14 = re.compile(r"Art\. 14")

ALONE = {
    "clerical": ("第（一）项第1目", "Art. 14(1)", "事务性工作"),
    "technical": ("第（一）项第2目", "Art. 14(1)", "纯技术性工作"),
    "support": ("第（一）项第3目", "Art. 14(1)", "保障性工作"),
    "publicity": ("第（一）项第4目", "Art. 14(1)", "宣传"),
}
WITH_OFFICER = {
    "inspection_patrol": ("第（二）项第1目", "Art. 14(2)", "巡查"),
    "dissuasion": ("第（二）项第2目", "Art. 14(2)", "劝阻"),
    "site_order": ("第（二）项第3目", "Art. 14(2)", "现场秩序"),
    "investigation_evidence": ("第（二）项第4目", "Art. 14(2)", "调查取证"),
    "serving_documents": ("第（二）项第5目", "Art. 14(2)", "送达"),
    "urging_correction": ("第（二）项第6目", "Art. 14(2)", "改正违法行为"),
    "other_assigned": ("第（二）项第7目", "Art. 14(2)", "交办"),
}
NEVER = {
    "case_filing": ("第十四条第二款", "Art. 14", "立案"),
    "case_acceptance": ("第十四条第二款", "Art. 14", "受理"),
    "investigation_alone": ("第十四条第二款", "Art. 14", "单独调查"),
    "legal_review": ("第十四条第二款", "Art. 14", "法制审核"),
    "coercive_measures": ("第十四条第二款", "Art. 14", "行政强制措施"),
    "enforcement_decision": ("第十四条第二款", "Art. 14", "执法决定"),
}
EXPECTED = {
    **{code: ("alone", *rest) for code, rest in ALONE.items()},
    **{code: ("with_officer", *rest) for code, rest in WITH_OFFICER.items()},
    **{code: ("never", *rest) for code, rest in NEVER.items()},
}
UNKNOWN = ["", "patrol", "CLERICAL", " clerical", "clerical,legal_review", None, 14, ["clerical"]]


def load_engine() -> Any:
    tree = parse_model_xml(DMN.read_bytes(), DMN.name)
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_dmn_xml(tree.getroot(), filename=DMN.name)
    return parser.get_engine("duty_scope", None)


@pytest.fixture(scope="module")
def duty_scope() -> Any:
    return load_engine()


def fake_task(duty: Any) -> SimpleNamespace:
    return SimpleNamespace(
        data={"duty": duty},
        workflow=SimpleNamespace(script_engine=RestrictedScriptEngine()),
    )


def decide(decision: Any, duty: Any) -> dict[str, Any]:
    return dict(decision.result(fake_task(duty)))


@pytest.fixture(scope="module")
def all_matches() -> Any:
    """The same table with hit policy COLLECT: every matching rule, not just the first."""
    collecting = load_engine()
    collecting.decision_table.hit_policy = "COLLECT"

    def matches(duty: Any) -> list[str]:
        task = fake_task(duty)
        return [rule.id for rule in collecting.decide(task)]

    return matches


# ------------------------------------------------------------------- the rows


def test_it_covers_exactly_the_codes_of_art_14():
    assert len(EXPECTED) == 17
    assert set(ALONE) | set(WITH_OFFICER) | set(NEVER) == set(EXPECTED)


@pytest.mark.parametrize("duty", sorted(EXPECTED))
def test_it_gives_each_art_14_duty_its_scope_and_clause(duty_scope, duty):
    scope, clause, art, words = EXPECTED[duty]

    result = decide(duty_scope, duty)

    assert set(result) == {"scope", "scope_reason", "duty_label"}
    assert result["scope"] == scope
    assert clause in result["scope_reason"]
    assert f"（{art}）" in result["scope_reason"]
    assert "第十四条" in result["scope_reason"]
    assert words in result["duty_label"] or words in result["scope_reason"]
    assert not result["duty_label"].isascii()


@pytest.mark.parametrize("duty", sorted(ALONE))
def test_it_lets_clerical_technical_support_and_publicity_work_be_done_alone(duty_scope, duty):
    result = decide(duty_scope, duty)

    assert result["scope"] == "alone"
    assert result["scope_reason"].startswith("可以独立承担")


@pytest.mark.parametrize("duty", sorted(WITH_OFFICER))
def test_it_requires_an_enforcement_officer_for_assisting_duties(duty_scope, duty):
    result = decide(duty_scope, duty)

    assert result["scope"] == "with_officer"
    assert "协助" in result["scope_reason"] and "不得单独" in result["scope_reason"]


@pytest.mark.parametrize("duty", sorted(NEVER))
def test_it_never_assigns_what_art_14_reserves_to_enforcement_officers(duty_scope, duty):
    result = decide(duty_scope, duty)

    assert result["scope"] == "never"
    assert result["scope_reason"].startswith("不得指派")
    assert "不得单独从事" in result["scope_reason"]


def test_it_tells_assisting_evidence_collection_from_doing_it_alone(duty_scope):
    assisting = decide(duty_scope, "investigation_evidence")
    alone = decide(duty_scope, "investigation_alone")

    assert (assisting["scope"], alone["scope"]) == ("with_officer", "never")


@pytest.mark.parametrize("duty", UNKNOWN, ids=repr)
def test_it_never_assigns_a_duty_art_14_does_not_list(duty_scope, duty):
    result = decide(duty_scope, duty)

    assert result == {
        "scope": "never",
        "scope_reason": "不得指派：未列入《办法》第十四条的事项不得指派（Art. 14）",
        "duty_label": "未列入第十四条的事项",
    }


# ------------------------------------------------------- hit policy UNIQUE


@pytest.mark.parametrize("duty", [*sorted(EXPECTED), *UNKNOWN], ids=repr)
def test_it_matches_exactly_one_rule_for_every_input(all_matches, duty):
    assert len(all_matches(duty)) == 1


def test_it_is_a_unique_table_with_a_cited_description_on_every_rule(duty_scope):
    table = duty_scope.decision_table
    assert table.hit_policy == "UNIQUE"
    assert len(table.rules) == 18
    for rule in table.rules:
        assert ART_14.search(rule.description), rule.id
    for code in EXPECTED:
        assert sum(rule.inputEntries[0].lhs == [f'"{code}"'] for rule in table.rules) == 1


# ---------------------------------------------------------- deploy checks


def test_it_passes_the_deploy_checks():
    assert catalog.check_path(DMN) == []


def test_it_says_ok_in_bpmn_check():
    result = subprocess.run(
        [sys.executable, "manage.py", "bpmn_check", "bpmn/decisions/duty_scope.dmn"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "bpmn/decisions/duty_scope.dmn: ok"
