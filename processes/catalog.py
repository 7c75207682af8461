"""Parse and check a process definition: BPMN + DMN + JSON-Schema forms.

A definition is a bundle of files (``name -> bytes``). Everything is parsed through
``xmlsafe`` first, then by ``SpiffBpmnParser`` with XSD validation. Every failure
becomes one ``ModelError`` line naming file, line and element.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from . import xmlsafe
from .errors import ModelError, ProcessError

FORM_PROPERTY = "formJsonSchemaFilename"
DUE_PROPERTY = "dueIn"
ARTICLE_RE = re.compile(r"Art\.\s*(\d+)")


@dataclass(frozen=True)
class TaskInfo:
    """What the model says about one task spec, read once per definition."""

    bpmn_id: str
    name: str
    kind: str
    lane: str
    documentation: str
    form_name: str
    due_in: str
    manual: bool


@dataclass
class ProcessDefinition:
    """A parsed, immutable-in-practice process definition shared by all its cases."""

    process_id: str
    name: str
    files: Mapping[str, bytes]
    spec: Any
    subprocess_specs: dict[str, Any]
    forms: dict[str, dict[str, Any]]
    decisions: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def content_hash(self) -> str:
        return content_hash(self.files)

    @cached_property
    def tasks(self) -> dict[str, TaskInfo]:
        """Every task spec of the process and its subprocesses, by BPMN id."""
        infos: dict[str, TaskInfo] = {}
        for spec in [self.spec, *self.subprocess_specs.values()]:
            for task_spec in spec.task_specs.values():
                bpmn_id = getattr(task_spec, "bpmn_id", None)
                if bpmn_id:
                    infos[bpmn_id] = _task_info(task_spec)
        return infos

    @property
    def lanes(self) -> set[str]:
        return {t.lane for t in self.tasks.values() if t.lane}

    @property
    def articles(self) -> set[int]:
        """Articles of the regulation cited in task documentation."""
        cited: set[int] = set()
        for info in self.tasks.values():
            cited.update(int(n) for n in ARTICLE_RE.findall(info.documentation))
        return cited


def content_hash(files: Mapping[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return digest.hexdigest()


def _task_info(task_spec: Any) -> TaskInfo:
    props = (getattr(task_spec, "extensions", None) or {}).get("properties", {}) or {}
    return TaskInfo(
        bpmn_id=task_spec.bpmn_id,
        name=task_spec.bpmn_name or task_spec.bpmn_id,
        kind=type(task_spec).__name__,
        lane=task_spec.lane or "",
        documentation=(task_spec.documentation or "").strip(),
        form_name=props.get(FORM_PROPERTY, ""),
        due_in=props.get(DUE_PROPERTY, ""),
        manual=bool(getattr(task_spec, "manual", False)),
    )


def read_directory(path: Path) -> dict[str, bytes]:
    """The files of one process directory: ``*.bpmn``, ``*.dmn`` and ``forms/*.json``."""
    files: dict[str, bytes] = {}
    for item in sorted(path.iterdir()):
        if item.suffix in (".bpmn", ".dmn") and item.is_file():
            files[item.name] = item.read_bytes()
    forms = path / "forms"
    if forms.is_dir():
        for item in sorted(forms.glob("*.json")):
            files[f"forms/{item.name}"] = item.read_bytes()
    return files


def load_directory(path: Path) -> ProcessDefinition:
    return load_definition(read_directory(path))


def load_definition(
    files: Mapping[str, bytes], *, process_id: str | None = None
) -> ProcessDefinition:
    """Parse a bundle into a runnable definition, or raise one clear ``ModelError``."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    trees: dict[str, etree._ElementTree] = {}
    for name, data in files.items():
        if name.endswith((".bpmn", ".dmn", ".xml")):
            trees[name] = xmlsafe.parse_model_xml(data, name)
    bpmn_names = [n for n, t in trees.items() if xmlsafe.kind_of(t, n) == "bpmn"]
    if not bpmn_names:
        raise ModelError("the bundle has no BPMN file", file=", ".join(files) or "<empty>")
    for name, tree in trees.items():
        _add_to_parser(parser, name, tree)
    chosen = process_id or _choose_process(parser, bpmn_names, trees)
    spec, subprocess_specs = _build_spec(parser, chosen, trees)
    forms = _load_forms(files)
    return ProcessDefinition(
        process_id=chosen,
        name=spec.description or chosen,
        files=dict(files),
        spec=spec,
        subprocess_specs=subprocess_specs,
        forms=forms,
        decisions=dict(parser.dmn_parsers),
    )


def _add_to_parser(parser: SpiffBpmnParser, name: str, tree: etree._ElementTree) -> None:
    try:
        if xmlsafe.kind_of(tree, name) == "dmn":
            parser.add_dmn_xml(tree.getroot(), filename=name)
        else:
            parser.add_bpmn_xml(tree, filename=name)
    except ValidationException as exc:
        raise _from_validation(exc, name, tree) from None
    except SpiffWorkflowException as exc:
        raise ModelError(_plain(exc), file=name) from None
    except (KeyError, AttributeError, TypeError, ValueError, IndexError) as exc:
        raise ModelError(_explain_crash(exc), file=name) from None


def _choose_process(
    parser: SpiffBpmnParser, bpmn_names: list[str], trees: Mapping[str, etree._ElementTree]
) -> str:
    executable = parser.get_process_ids()
    if not parser.process_parsers:
        raise ModelError(
            "the file defines no process (a diagram with no <bpmn:process> cannot be run)",
            file=", ".join(bpmn_names),
        )
    if not executable:
        raise ModelError(
            'no process is marked executable (isExecutable="true"); '
            "this model is descriptive only and cannot be run",
            file=", ".join(bpmn_names),
        )
    called = _called_processes(trees)
    roots = [pid for pid in executable if pid not in called] or executable
    if len(roots) > 1 and parser.collaborations:
        return str(next(iter(parser.collaborations)))
    return str(roots[0])


def _called_processes(trees: Mapping[str, etree._ElementTree]) -> set[str]:
    called: set[str] = set()
    for tree in trees.values():
        for node in tree.iter(f"{{{xmlsafe.BPMN_NS}}}callActivity"):
            if node.get("calledElement"):
                called.add(node.get("calledElement", ""))
    return called


def _build_spec(
    parser: SpiffBpmnParser, chosen: str, trees: Mapping[str, etree._ElementTree]
) -> tuple[Any, dict[str, Any]]:
    try:
        if chosen in parser.collaborations:
            return parser.get_collaboration(chosen)  # type: ignore[no-any-return]
        spec = parser.get_spec(chosen)
        return spec, parser.get_subprocess_specs(chosen)
    except ValidationException as exc:
        name = exc.file_name or ""
        raise _from_validation(exc, name, trees.get(name)) from None
    except SpiffWorkflowException as exc:
        raise ModelError(_plain(exc), file=", ".join(trees)) from None
    except (KeyError, AttributeError, TypeError, ValueError, IndexError) as exc:
        raise ModelError(_explain_crash(exc), file=", ".join(trees)) from None


def _from_validation(
    exc: ValidationException, name: str, tree: etree._ElementTree | None
) -> ModelError:
    element = exc.id or ""
    line = exc.line_number if isinstance(exc.line_number, int) else None
    if line is None and element and tree is not None:
        found = tree.xpath("//*[@id=$id]", id=element)
        if found:
            line = found[0].sourceline
    if exc.tag and element:
        element = f"{exc.tag} {element}" + (f" ({exc.name})" if exc.name else "")
    return ModelError(_plain(exc), file=exc.file_name or name, line=line, element=element)


def _plain(exc: Exception) -> str:
    text = str(exc.args[0]) if exc.args else type(exc).__name__
    return " ".join(text.split())


def _explain_crash(exc: Exception) -> str:
    """Plain words for an exception the parser raised instead of a validation error."""
    if isinstance(exc, KeyError):
        return f"a required attribute or reference {exc.args[0]!r} is missing or points nowhere"
    return f"the engine cannot read this model ({type(exc).__name__}: {_plain(exc)})"


def _load_forms(files: Mapping[str, bytes]) -> dict[str, dict[str, Any]]:
    forms: dict[str, dict[str, Any]] = {}
    for name, data in files.items():
        if not name.endswith(".json"):
            continue
        short = name.rsplit("/", 1)[-1]
        try:
            schema = json.loads(data.decode("utf-8"))
            jsonschema.Draft202012Validator.check_schema(schema)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError(f"form is not valid JSON: {exc}", file=name) from None
        except jsonschema.SchemaError as exc:
            raise ModelError(f"form is not a valid JSON Schema: {exc.message}", file=name) from None
        if schema.get("type") != "object":
            raise ModelError('a form schema must have "type": "object"', file=name)
        forms[short] = schema
    return forms


def iter_problems(
    definition: ProcessDefinition,
    *,
    roles: Iterable[str] | None = None,
    operators: Iterable[str] | None = None,
) -> list[ModelError]:
    """Everything a deploy refuses beyond parsing: roles, forms, decisions, operators, scripts."""
    from .checks import definition_problems

    return definition_problems(
        definition,
        roles=set(roles) if roles is not None else None,
        operators=set(operators) if operators is not None else None,
    )


def check_files(
    files: Mapping[str, bytes],
    *,
    roles: Iterable[str] | None = None,
    operators: Iterable[str] | None = None,
) -> list[ModelError]:
    """Load a bundle exactly as a deploy would and list every problem (empty when valid)."""
    try:
        definition = load_definition(files)
    except ModelError as exc:
        return [exc]
    except ProcessError as exc:
        return [ModelError(str(exc), file=", ".join(files))]
    return iter_problems(definition, roles=roles, operators=operators)


def bundle_for(path: Path) -> dict[str, bytes]:
    """The files a deploy of ``path`` would include: itself, the DMN files its business
    rule tasks call (from the same directory) and that directory's ``forms/``."""
    data = path.read_bytes()
    files = {path.name: data}
    if path.suffix == ".dmn":
        return files
    try:
        tree = xmlsafe.parse_model_xml(data, path.name)
    except ModelError:
        return files
    wanted = {
        (node.text or "").strip()
        for node in tree.iter("{http://spiffworkflow.org/bpmn/schema/1.0/core}calledDecisionId")
    }
    for sibling in sorted(path.parent.glob("*.dmn")):
        if wanted and _defines_decision(sibling, wanted):
            files[sibling.name] = sibling.read_bytes()
    forms = path.parent / "forms"
    if forms.is_dir():
        for item in sorted(forms.glob("*.json")):
            files[f"forms/{item.name}"] = item.read_bytes()
    return files


def _defines_decision(path: Path, wanted: set[str]) -> bool:
    try:
        tree = xmlsafe.parse_model_xml(path.read_bytes(), path.name)
    except ModelError:
        return False
    return any(node.get("id") in wanted for node in tree.iter("{*}decision"))


def check_decision_file(name: str, data: bytes) -> list[ModelError]:
    """Check a DMN file on its own: hardened parse, schema, decision tables, cells."""
    from .checks import decision_problems

    try:
        tree = xmlsafe.parse_model_xml(data, name)
        if xmlsafe.kind_of(tree, name) != "dmn":
            return [ModelError("expected a DMN file", file=name)]
        parser = SpiffBpmnParser(validator=VALIDATOR)
        _add_to_parser(parser, name, tree)
    except ModelError as exc:
        return [exc]
    if not parser.dmn_parsers:
        return [ModelError("the file defines no decision", file=name)]
    return decision_problems(dict(parser.dmn_parsers), name)


def check_path(
    path: Path,
    *,
    roles: Iterable[str] | None = None,
    operators: Iterable[str] | None = None,
) -> list[ModelError]:
    """What ``bpmn_check`` reports for one file."""
    try:
        if path.suffix == ".dmn":
            return check_decision_file(path.name, path.read_bytes())
        return check_files(bundle_for(path), roles=roles, operators=operators)
    except OSError as exc:
        return [ModelError(f"cannot read the file: {exc.strerror}", file=str(path))]
