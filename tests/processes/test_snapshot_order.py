"""Stored state survives a store that reorders object keys (PostgreSQL jsonb sorts them)."""

from __future__ import annotations

import json

from processes import engine


def sorted_keys(state):
    """As jsonb gives it back: keys sorted, and the task map leaf-first for certainty."""
    state = json.loads(json.dumps(state, sort_keys=True))
    state["tasks"] = dict(reversed(list(state["tasks"].items())))
    return state


def test_it_keeps_task_data_when_the_store_sorts_keys(recruitment, recorder, sample):
    outcome = engine.start(recruitment, sample.applicant(), operators=recorder.registry)
    task = outcome.human_tasks[0]
    for _ in range(3):
        reloaded = engine.human_task_data(recruitment, sorted_keys(outcome.state), task.id)
        assert reloaded["education"] == sample.applicant()["education"]
    outcome = engine.complete_task(
        recruitment,
        sorted_keys(outcome.state),
        task.id,
        sample.review(),
        operators=recorder.registry,
    )
    assert [t.bpmn_id for t in outcome.human_tasks] == ["record_scores"]
