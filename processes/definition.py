"""A parsed process definition: the specs, the forms, and what the model says per task.

``ProcessDefinition`` is what ``catalog`` builds from a bundle and what the engine, the
checks and the webapp read; it holds no parsing or checking of its own, so every module
that needs it depends on this one alone.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from lxml import etree

from . import xmlsafe
from .errors import ModelError

FORM_PROPERTY = "formJsonSchemaFilename"
DUE_PROPERTY = "dueIn"
# The case data a user task's decider must see, in order: names (``quota_check.quota`` for
# an item inside an object), labelled by the forms (``forms/case_data.json`` labels what
# no form asks).
FACTS_PROPERTY = "facts"
# Top-level key of a form listing warnings shown beside a decision when their condition
# holds: [{"when": expr, "amount": expr, "text": "...{amount}...", "text_en": "..."}].
WARNINGS_KEY = "x-warnings"
# The bundle's data sheet: a form no task uses, labelling the data no form asks.
DATA_SHEET = "case_data.json"
# Four eyes as a rule of the model: whoever completed the named steps of a case (a comma
# list of task ids, or "*" for any step, the case's opening included) may not complete
# this one (docs/modelling.md §4).
FOUR_EYES_PROPERTY = "fourEyes"
ANY_STEP = "*"
ARTICLE_RE = re.compile(r"Art\.\s*(\d+)")
# The letters a process's business keys begin with (ZP-2026-000123), declared on the
# process element so a process a designer adds names its own cases.
KEY_PREFIX_PROPERTY = "businessKeyPrefix"
KEY_PREFIX_RE = re.compile(r"^[A-Z]{1,4}$")


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
    facts: tuple[str, ...] = ()
    # Task ids whose completers may not complete this task; ("*",) for every step.
    four_eyes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FactWarning:
    """A warning a model declares: shown when ``when`` holds over the case data."""

    when: str
    text: str
    text_en: str = ""
    amount: str = ""
    file: str = ""


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

    @cached_property
    def field_schemas(self) -> dict[str, dict[str, Any]]:
        """Data variable -> the first titled schema a form gives it (forms name the case's
        data; ``case_data.json`` names what no form asks)."""
        schemas: dict[str, dict[str, Any]] = {}
        for schema in self.forms.values():
            for name, prop in (schema.get("properties") or {}).items():
                if isinstance(prop, dict) and isinstance(prop.get("title"), str):
                    schemas.setdefault(name, prop)
        return schemas

    @cached_property
    def field_labels(self) -> dict[str, str]:
        """Data variable -> the label its form gives it."""
        return {name: str(prop["title"]) for name, prop in self.field_schemas.items()}

    def data_schema(self, path: str) -> dict[str, Any] | None:
        """The titled schema of ``path`` (``quota_check.quota`` inside an object), if any."""
        head, *rest = path.split(".")
        prop: Any = self.field_schemas.get(head)
        for part in rest:
            nested = prop.get("properties") if isinstance(prop, dict) else None
            prop = nested.get(part) if isinstance(nested, dict) else None
        if isinstance(prop, dict) and isinstance(prop.get("title"), str):
            return prop
        return None

    @cached_property
    def warnings(self) -> list[FactWarning]:
        """Every warning the forms declare (``x-warnings``), in file order."""
        found: list[FactWarning] = []
        for name, schema in self.forms.items():
            for item in schema.get(WARNINGS_KEY) or []:
                if isinstance(item, dict):
                    found.append(
                        FactWarning(
                            when=str(item.get("when", "")),
                            text=str(item.get("text", "")),
                            text_en=str(item.get("text_en", "")),
                            amount=str(item.get("amount", "")),
                            file=f"forms/{name}",
                        )
                    )
        return found

    @property
    def main_file(self) -> str:
        """The file of the main process: where a message about a missing element points."""
        return getattr(self.spec, "file", None) or next(
            (n for n in self.files if n.endswith(".bpmn")), ""
        )

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

    @cached_property
    def trees(self) -> dict[str, Any]:
        """The model files as hardened lxml trees, for messages that need a line.

        Parsed again on demand (only checks ask) rather than kept from the load, so a
        cached definition does not hold every tree in memory.
        """
        trees: dict[str, Any] = {}
        for name, data in self.files.items():
            if name.endswith(xmlsafe.XML_SUFFIXES):
                try:
                    trees[name] = xmlsafe.parse_model_xml(data, name)
                except ModelError:
                    continue
        return trees

    @cached_property
    def elements(self) -> dict[str, tuple[str, Any]]:
        """Every element with an id: id -> (file, lxml node). Built once, so naming many
        elements in a large model stays linear."""
        index: dict[str, tuple[str, Any]] = {}
        for name, tree in self.trees.items():
            for node in tree.iter(tag=etree.Element):
                ident = node.get("id")
                if ident and ident not in index:
                    index[ident] = (name, node)
        return index

    @cached_property
    def flows(self) -> dict[tuple[str, str], tuple[str, Any]]:
        """Sequence flows by (sourceRef, targetRef): a gateway's condition is named by its flow."""
        index: dict[tuple[str, str], tuple[str, Any]] = {}
        for name, tree in self.trees.items():
            for node in tree.iter(f"{{{xmlsafe.BPMN_NS}}}sequenceFlow"):
                index.setdefault(
                    (node.get("sourceRef", ""), node.get("targetRef", "")), (name, node)
                )
        return index

    @cached_property
    def process_properties(self) -> dict[str, str]:
        """The ``spiffworkflow:property`` values on the main process element."""
        found = self.elements.get(self.process_id)
        if found is None:
            return {}
        bpmn, spiff = f"{{{xmlsafe.BPMN_NS}}}", f"{{{xmlsafe.SPIFF_NS}}}"
        path = f"{bpmn}extensionElements/{spiff}properties/{spiff}property"
        return {
            str(node.get("name")): str(node.get("value") or "")
            for node in found[1].iterfind(path)
            if node.get("name")
        }

    @property
    def key_prefix(self) -> str:
        """What this process's business keys begin with: its ``businessKeyPrefix``
        property, else letters taken from its id (``overtime_pay`` -> ``OP``)."""
        declared = self.process_properties.get(KEY_PREFIX_PROPERTY, "")
        return declared if KEY_PREFIX_RE.match(declared) else default_key_prefix(self.process_id)

    def locate(self, element_id: str) -> tuple[str, int | None, str]:
        """(file, line, label) of an element, for a ``ModelError`` that names it."""
        found = self.elements.get(element_id)
        if found is None:
            return self.main_file, None, element_id
        name, node = found
        return name, node.sourceline, xmlsafe.describe(node)


def content_hash(files: Mapping[str, bytes]) -> str:
    """SHA-256 over the bundle's names and bytes in name order: one hash per version."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return digest.hexdigest()


def default_key_prefix(process_id: str) -> str:
    """The initials of the id's words, or the first two letters of a one-word id,
    in capitals; ``AJ`` (案件, case) when the id has no ASCII letters."""
    words = [w for w in re.split(r"[^A-Za-z]+", process_id) if w]
    letters = "".join(w[0] for w in words) if len(words) > 1 else "".join(words)[:2]
    return letters[:4].upper() or "AJ"


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
        facts=tuple(name for name in re.split(r"[\s,，]+", props.get(FACTS_PROPERTY, "")) if name),
        four_eyes=four_eyes_steps(props.get(FOUR_EYES_PROPERTY, "")),
    )


def four_eyes_steps(value: str) -> tuple[str, ...]:
    """The task ids a ``fourEyes`` value names, in order, once each; ("*",) for any step."""
    names = [n.strip() for n in re.split(r"[,\s]+", value) if n.strip()]
    if ANY_STEP in names:
        return (ANY_STEP,)
    return tuple(dict.fromkeys(names))
