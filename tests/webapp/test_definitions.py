"""Definitions are versions: unchanged files redeploy to the same version, cases keep theirs."""

from __future__ import annotations

import pytest

from processes import catalog
from processes.definition import content_hash
from processes.errors import ModelError
from tests.processes.test_catalog import model, user_task
from webapp.cases.definitions import definition_deploy, latest_deployed, parsed
from webapp.cases.models import Definition
from webapp.cases.openings import recruitment_open
from webapp.cases.services import case_start

from .flows import application

pytestmark = pytest.mark.django_db


def recruitment_files(bpmn_dir):
    return catalog.read_directory(bpmn_dir / "recruitment")


def test_it_keeps_one_version_for_unchanged_files(bpmn_dir, hr):
    first = definition_deploy(files=recruitment_files(bpmn_dir), user=hr)
    again = definition_deploy(files=recruitment_files(bpmn_dir), user=hr)
    assert first.pk == again.pk and first.version == 1
    assert first.deployed_by == hr and first.state == "deployed"
    assert first.content_hash == content_hash(recruitment_files(bpmn_dir))


def test_it_keeps_running_cases_on_their_version(bpmn_dir, hr, agency):
    v1 = definition_deploy(files=recruitment_files(bpmn_dir))
    case = recruitment_open(user=hr, fields=application(agency))
    files = recruitment_files(bpmn_dir)
    files["recruitment.bpmn"] = files["recruitment.bpmn"].replace(
        "报名资格审查".encode(), "报名资格审核".encode(), 1
    )
    v2 = definition_deploy(files=files)
    assert v2.version == 2 and latest_deployed("recruitment") == v2
    case.refresh_from_db()
    assert case.definition == v1
    assert parsed(case.definition).content_hash == v1.content_hash


def test_it_refuses_a_bundle_with_an_unknown_lane_and_stores_nothing(bpmn_dir):
    files = recruitment_files(bpmn_dir)
    files["recruitment.bpmn"] = files["recruitment.bpmn"].replace(
        b'name="approver"', b'name="boss"', 1
    )
    with pytest.raises(ModelError) as refused:
        definition_deploy(files=files)
    assert "boss" in str(refused.value)
    assert not Definition.objects.exists()


def test_it_refuses_a_hostile_bundle(bpmn_dir):
    files = recruitment_files(bpmn_dir)
    files["recruitment.bpmn"] = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + files["recruitment.bpmn"][40:]
    )
    with pytest.raises(ModelError):
        definition_deploy(files=files)
    assert not Definition.objects.exists()


def test_a_case_key_begins_with_the_prefix_its_model_declares(bpmn_dir, hr, agency):
    definition_deploy(files=recruitment_files(bpmn_dir))
    case = recruitment_open(user=hr, fields=application(agency))
    assert case.business_key.startswith("ZP-") and case.business_key.endswith(f"{case.pk:06d}")


def test_a_process_a_designer_adds_names_its_cases_itself(hr, agency):
    added = definition_deploy(files={"m.bpmn": model(user_task(), process="overtime_pay")})
    case = case_start(definition=added, agency=agency, title="加班费", data={}, actor=hr)
    assert case.business_key.startswith("OP-")
