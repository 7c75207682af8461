"""Process definitions: deploy model files as versions and parse them once per process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from processes import catalog
from processes.definition import ProcessDefinition, content_hash
from processes.errors import ModelError
from webapp.accounts.routing import routable_roles

from .models import Definition, DefinitionFile, DefinitionState
from .operators import REGISTRY

_PARSED: dict[str, ProcessDefinition] = {}


def parsed(definition: Definition) -> ProcessDefinition:
    """The engine's view of a stored definition, parsed once per content hash."""
    cached = _PARSED.get(definition.content_hash)
    if cached is None:
        files = {f.name: bytes(f.content) for f in definition.files.all()}
        cached = catalog.load_definition(files)
        _PARSED[definition.content_hash] = cached
    return cached


def check_bundle(files: dict[str, bytes]) -> list[ModelError]:
    """Exactly the checks a deploy runs: parse, schema, engine load, roles, scripts, refs.
    A lane must name a role some routing rule routes, or its tasks would reach nobody."""
    return catalog.check_files(files, roles=routable_roles(), operators=REGISTRY.names())


@transaction.atomic
def definition_deploy(*, files: dict[str, bytes], user: Any = None) -> Definition:
    """Store ``files`` as the next deployed version, unless the newest already has them."""
    parsed_definition = _PARSED.get(content_hash(files)) or catalog.load_definition(files)
    problems = catalog.iter_problems(
        parsed_definition, roles=routable_roles(), operators=REGISTRY.names()
    )
    if problems:
        raise problems[0]
    process_id = parsed_definition.process_id
    latest = (
        Definition.objects.select_for_update()
        .filter(process_id=process_id)
        .order_by("-version")
        .first()
    )
    if latest is not None and latest.content_hash == parsed_definition.content_hash:
        return latest
    version = (
        Definition.objects.filter(process_id=process_id).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    definition = Definition.objects.create(
        process_id=process_id,
        version=version,
        name=parsed_definition.name,
        content_hash=parsed_definition.content_hash,
    )
    DefinitionFile.objects.bulk_create(
        DefinitionFile(definition=definition, name=name, content=data)
        for name, data in sorted(files.items())
    )
    definition.deploy()
    definition.deployed_by = user
    definition.deployed_at = timezone.now()
    definition.save()
    _PARSED[definition.content_hash] = parsed_definition
    return definition


def deploy_directory(root: Path, user: Any = None) -> list[Definition]:
    """Deploy every process directory under ``root`` (``bpmn/<process>/``)."""
    return [
        definition_deploy(files=catalog.read_directory(path), user=user)
        for path in sorted(root.iterdir())
        if path.is_dir() and any(path.glob("*.bpmn"))
    ]


def latest_deployed(process_id: str) -> Definition:
    """The version new cases start on (raises Definition.DoesNotExist when none)."""
    return Definition.objects.filter(process_id=process_id, state=DefinitionState.DEPLOYED).latest(
        "version"
    )
