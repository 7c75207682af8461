"""A form field of kind attachment (``x-attachment``): declared in the form schema, its
limits bounded, checked at deploy, and the engine's validator checks what a step stores
in it (references to stored files, each with its SHA-256)."""

from __future__ import annotations

import pytest

from processes import catalog
from processes.attachments import MAX_FILES, MAX_SIZE, attachment_fields, attachment_problems
from processes.engine import validate_form
from processes.errors import InvalidTaskData

from .test_form_patterns import bundle, form

SHA = "a" * 64


def files(**limits: object) -> dict:
    return {"type": "array", "title": "学历证书", "x-attachment": limits}


def test_a_declared_field_gets_its_limits_bounded_by_the_installation() -> None:
    schema = form(diploma=files(accept=["pdf"], maxFiles=2, maxSize=1024), note={"type": "string"})
    spec = attachment_fields(schema)["diploma"]
    assert (spec.accept, spec.max_files, spec.max_size) == (("pdf",), 2, 1024)
    assert list(attachment_fields(schema)) == ["diploma"]
    assert attachment_fields(form(d=files()))["d"].max_files == 1


@pytest.mark.parametrize(
    ("prop", "words"),
    [
        ({"type": "string", "x-attachment": {}}, '"type": "array"'),
        (files(accept=["zip", "svg"]), "unknown kinds"),
        (files(maxFiles=MAX_FILES + 1), "maxFiles"),
        (files(maxSize=MAX_SIZE + 1), "maxSize"),
        (files(maxFiles=True), "maxFiles"),
    ],
)
def test_a_bad_declaration_is_refused_at_deploy(prop: dict, words: str) -> None:
    assert any(words in p for p in attachment_problems(form(f=prop)))
    problems = catalog.check_files(bundle(form(f=prop)))
    assert any(words in p.detail for p in problems), problems


def test_the_engine_checks_what_a_step_stores_in_the_field() -> None:
    schema = {**form(diploma=files(maxFiles=2)), "required": ["diploma"]}
    definition = catalog.load_definition(bundle(schema))
    ref = {
        "attachment": 7,
        "name": "学历.pdf",
        "sha256": SHA,
        "size": 10,
        "type": "application/pdf",
    }
    validate_form(definition, "f.json", {"diploma": [ref]})
    for bad in ([], [ref] * 3, [{**ref, "sha256": "forged"}], [{"name": "x", "path": "/etc"}]):
        with pytest.raises(InvalidTaskData):
            validate_form(definition, "f.json", {"diploma": bad})
