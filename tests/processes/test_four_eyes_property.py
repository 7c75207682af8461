"""``fourEyes`` on a user task: read into the definition, and a deploy refuses a value that
names no user task of the model (docs/modelling.md §4)."""

from __future__ import annotations

from pathlib import Path

from processes import catalog

from .test_catalog import model, only, problems_of

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def task(ident: str, four_eyes: str = "") -> str:
    props = f'<spiffworkflow:property name="fourEyes" value="{four_eyes}" />' if four_eyes else ""
    ext = (
        f"<bpmn:extensionElements><spiffworkflow:properties>{props}"
        "</spiffworkflow:properties></bpmn:extensionElements>"
        if props
        else ""
    )
    return f'<bpmn:userTask id="{ident}" name="{ident}">{ext}</bpmn:userTask>'


def test_it_reads_the_steps_a_task_is_kept_apart_from() -> None:
    data = model(task("nominate"), task("review"), task("approve", "nominate, review nominate"))
    definition = catalog.load_definition({"m.bpmn": data})
    assert definition.tasks["approve"].four_eyes == ("nominate", "review")
    assert definition.tasks["nominate"].four_eyes == ()


def test_a_star_means_every_step() -> None:
    definition = catalog.load_definition({"m.bpmn": model(task("a"), task("b", "a,*"))})
    assert definition.tasks["b"].four_eyes == ("*",)
    assert problems_of(model(task("a"), task("b", "*"))) == []


def test_it_refuses_a_step_the_model_does_not_have() -> None:
    problem = only(problems_of(model(task("nominate"), task("approve", "nominee"))))
    assert "fourEyes names 'nominee', which is not a user task of this model" in problem.detail
    assert problem.element.startswith("userTask approve")


def test_it_refuses_a_task_kept_apart_from_itself() -> None:
    problem = only(problems_of(model(task("approve", "approve"))))
    assert "fourEyes names the task itself" in problem.detail


def test_the_shipped_commendation_keeps_nomination_and_approval_apart() -> None:
    definition = catalog.load_directory(BPMN / "commendation")
    assert definition.tasks["approve_commendation"].four_eyes == ("nominate",)
    recruitment = catalog.load_directory(BPMN / "recruitment")
    assert "review_application" in recruitment.tasks["approve_hire"].four_eyes
