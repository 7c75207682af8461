"""Business-key prefixes come from the model: declared, or taken from the process id."""

from __future__ import annotations

import pytest

from processes import catalog
from processes.definition import default_key_prefix

from .test_catalog import model, only, problems_of, user_task


def with_prefix(data: bytes, value: str) -> bytes:
    """The model with ``businessKeyPrefix`` declared on its process element."""
    opening = b'isExecutable="true">\n'
    declared = (
        "<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property "
        f'name="businessKeyPrefix" value="{value}" /></spiffworkflow:properties>'
        "</bpmn:extensionElements>\n"
    ).encode()
    return data.replace(opening, opening + declared, 1)


def test_it_takes_the_prefix_the_model_declares():
    data = with_prefix(model(user_task(), process="overtime_pay"), "JB")
    assert problems_of(data) == []
    assert catalog.load_definition({"m.bpmn": data}).key_prefix == "JB"


def test_a_process_without_one_gets_letters_of_its_id_not_a_shared_default():
    definition = catalog.load_definition({"m.bpmn": model(user_task(), process="overtime_pay")})
    assert definition.key_prefix == "OP"


@pytest.mark.parametrize(
    ("process_id", "prefix"),
    [("usage_plan", "UP"), ("inspection", "IN"), ("a_b_c_d_e", "ABCD"), ("巡查", "AJ")],
)
def test_the_default_prefix_is_capital_ascii_letters(process_id, prefix):
    assert default_key_prefix(process_id) == prefix


@pytest.mark.parametrize("value", ["zp", "招聘", "ZP-1", "ABCDE", ""])
def test_a_declared_prefix_that_is_not_one_to_four_capitals_is_refused(value):
    problem = only(problems_of(with_prefix(model(user_task()), value)))
    assert "businessKeyPrefix" in problem.one_line() and problem.element == "p"


def test_every_process_in_bpmn_declares_its_own_prefix(bpmn_dir):
    prefixes = {}
    for directory in sorted(bpmn_dir.iterdir()):
        if directory.is_dir() and any(directory.glob("*.bpmn")):
            definition = catalog.load_directory(directory)
            assert "businessKeyPrefix" in definition.process_properties, directory.name
            prefixes[definition.process_id] = definition.key_prefix
    assert prefixes["recruitment"] == "ZP" and prefixes["complaint"] == "TS"
    assert len(set(prefixes.values())) == len(prefixes)  # no two processes share one
