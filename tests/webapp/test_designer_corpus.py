"""Every file of the shared corpus (real files from other tools, hostile ones) opens in the
designer: imported as a draft, shown with the checks' answer; the ones the engine can run
deploy, the others are refused with the reason bpmn_check gives."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from processes import catalog
from tests.processes.test_corpus import FAILS, PASSES, corpus_files, corpus_path
from webapp.accounts.roles import Role
from webapp.cases.models import Definition
from webapp.designer import services
from webapp.designer.models import Draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def designer(city: Any) -> Any:
    from tests.fixtures import _user

    return _user("designer", city, Role.DESIGNER)


def upload(client: Client, path: Path) -> Any:
    """What a designer selects: the file, with the decision tables and forms it calls."""
    bundle = catalog.bundle_for(path) if path.suffix != ".dmn" else {path.name: path.read_bytes()}
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = [SimpleUploadedFile(name.rsplit("/", 1)[-1], data) for name, data in bundle.items()]
    return client.post("/designer/import/", {"files": files})


@pytest.mark.parametrize("name", corpus_files() or ["<corpus missing>"])
def test_it_opens_every_corpus_file_and_gives_the_checks_answer(designer: Any, name: str) -> None:
    client = Client()
    client.force_login(designer)
    response = upload(client, corpus_path(name))
    draft = Draft.objects.get()
    assert response.status_code == 302 and response.url == f"/designer/drafts/{draft.pk}/"
    page = client.get(response.url)
    assert page.status_code == 200
    config = page.context["config"]
    assert name in config["files"]
    texts = "\n".join(p["text_en"] for p in config["problems"])
    # The designer reads each problem in Chinese (the English stays with it).
    assert all(re.search(r"[\u4e00-\u9fff]", p["message"]) for p in config["problems"])
    if name in PASSES:
        assert config["problems"] == []
    else:
        assert config["problems"], f"{name} must not pass silently"
        for words in FAILS[name]:
            assert words in texts, f"{words!r} not in:\n{texts}"


@pytest.mark.parametrize("name", sorted(n for n in PASSES if not n.endswith(".dmn")))
def test_it_deploys_the_corpus_files_the_engine_can_run(designer: Any, name: str) -> None:
    draft = services.draft_import(user=designer, uploads=catalog.bundle_for(corpus_path(name)))
    definition = services.draft_deploy(draft_id=draft.pk, revision=draft.revision, user=designer)
    assert definition.version == 1 and definition.deployed_by == designer


@pytest.mark.parametrize("name", sorted(FAILS))
def test_it_refuses_to_deploy_the_others_and_says_why(designer: Any, name: str) -> None:
    path = corpus_path(name)
    uploads = catalog.bundle_for(path) if path.suffix != ".dmn" else {name: path.read_bytes()}
    draft = services.draft_import(user=designer, uploads=uploads)
    with translation.override("en"), pytest.raises(services.StepRefused) as refused:
        services.draft_deploy(draft_id=draft.pk, revision=draft.revision, user=designer)
    assert "cannot be deployed" in refused.value.message
    assert not Definition.objects.exists()


def test_it_opens_a_decision_table_alone_but_deploys_it_only_with_a_process(designer: Any) -> None:
    # The corpus's one readable table has overlapping rules; Fuzhi's own tables have none.
    table = Path(__file__).resolve().parents[2] / "bpmn" / "recruitment" / "eligibility.dmn"
    draft = services.draft_import(user=designer, uploads={table.name: table.read_bytes()})
    assert draft.problems == []
    with translation.override("en"), pytest.raises(services.StepRefused, match="Only a process"):
        services.draft_deploy(draft_id=draft.pk, revision=draft.revision, user=designer)
