"""Compare sees what the visual diff cannot: a DMN table's hit policy, columns and rules,
and the properties the engine reads (dueIn, a task's lane), each before and after."""

from __future__ import annotations

from pathlib import Path

from processes import catalog, compare

ROOT = Path(__file__).resolve().parents[2]


def recruitment() -> dict[str, bytes]:
    return catalog.read_directory(ROOT / "bpmn" / "recruitment")


def edited(files: dict[str, bytes], name: str, old: str, new: str) -> dict[str, bytes]:
    text = files[name].decode()
    assert old in text
    return {**files, name: text.replace(old, new, 1).encode()}


def test_a_changed_due_date_is_shown_with_both_values() -> None:
    old = recruitment()
    new = edited(old, "recruitment.bpmn", 'name="dueIn" value="P3D"', 'name="dueIn" value="5WD"')
    [change] = compare.bundle_changes(old, new)
    assert (change.what, change.before, change.after) == ("dueIn", "P3D", "5WD")
    assert change.element.startswith("userTask review_application")


def test_a_task_moved_to_another_lane_is_a_change_of_role() -> None:
    old = recruitment()
    text = old["recruitment.bpmn"].decode()
    text = text.replace("<bpmn:flowNodeRef>review_application</bpmn:flowNodeRef>", "", 1)
    text = text.replace(
        "<bpmn:flowNodeRef>approve_hire</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>approve_hire</bpmn:flowNodeRef>"
        "<bpmn:flowNodeRef>review_application</bpmn:flowNodeRef>",
        1,
    )
    changes = compare.bundle_changes(old, {**old, "recruitment.bpmn": text.encode()})
    assert [(c.what, c.before, c.after) for c in changes] == [("lane", "hr_officer", "approver")]


def test_a_decision_tables_hit_policy_and_rules_are_compared() -> None:
    old = recruitment()
    new = edited(old, "disqualification.dmn", 'hitPolicy="UNIQUE"', 'hitPolicy="FIRST"')
    changes = compare.bundle_changes(old, new)
    assert [(c.what, c.before, c.after) for c in changes] == [("hit_policy", "UNIQUE", "FIRST")]
    text = new["disqualification.dmn"].decode()
    start = text.index("<rule ")
    end = text.index("</rule>", start) + len("</rule>")
    dropped = {**new, "disqualification.dmn": (text[:start] + text[end:]).encode()}
    [removed] = [c for c in compare.bundle_changes(new, dropped) if c.what == "rule"]
    assert removed.kind == "removed" and removed.element.startswith("rule 1 of decision")
    assert "→" in removed.before and removed.after == ""


def test_identical_bundles_have_no_changes() -> None:
    assert compare.bundle_changes(recruitment(), recruitment()) == []
