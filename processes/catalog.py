"""Parse and check a process definition: BPMN + DMN + JSON-Schema forms.

A definition is a bundle of files (``name -> bytes``). Every XML file goes through
``xmlsafe`` first, then the XSD, then our own structural checks (``checks``), and only
then ``SpiffBpmnParser``. Every failure becomes one ``ModelError`` line naming file,
line and element; nothing SpiffWorkflow raises reaches the caller as-is.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from . import checks, xmlsafe
from .errors import HostileInput, ModelError, ProcessError, one_line

FORM_PROPERTY = "formJsonSchemaFilename"
DUE_PROPERTY = "dueIn"
ARTICLE_RE = re.compile(r"Art\.\s*(\d+)")
MAX_SCHEMA_ERRORS = 3  # libxml2 cascades; the first few name the real problem

# lxml keeps a schema's error log on the schema object, so concurrent validations
# (webapp threads) would read each other's errors without this lock.
_SCHEMA_LOCK = threading.Lock()


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

    @cached_property
    def field_labels(self) -> dict[str, str]:
        """Data variable -> the label its form gives it (forms name the case's data)."""
        labels: dict[str, str] = {}
        for schema in self.forms.values():
            for name, prop in (schema.get("properties") or {}).items():
                if isinstance(prop, dict) and isinstance(prop.get("title"), str):
                    labels.setdefault(name, prop["title"])
        return labels

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
            if name.endswith(XML_SUFFIXES):
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

    def locate(self, element_id: str) -> tuple[str, int | None, str]:
        """(file, line, label) of an element, for a ``ModelError`` that names it."""
        found = self.elements.get(element_id)
        if found is None:
            return checks.main_file(self), None, element_id
        name, node = found
        return name, node.sourceline, xmlsafe.describe(node)


XML_SUFFIXES = (".bpmn", ".dmn", ".xml")


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


# ------------------------------------------------------------------ reading files


def read_model_file(path: Path) -> bytes:
    """The bytes of one model file, reading at most one byte past the size cap.

    A bigger file is refused by ``xmlsafe`` (or the form check) without being loaded,
    and a device or FIFO is refused instead of being read forever.
    """
    if not path.is_file():
        raise ModelError("not a regular file", file=str(path))
    with path.open("rb") as handle:
        return handle.read(xmlsafe.MAX_MODEL_BYTES + 1)


def read_directory(path: Path) -> dict[str, bytes]:
    """The files of one process directory: ``*.bpmn``, ``*.dmn`` and ``forms/*.json``."""
    files: dict[str, bytes] = {}
    for item in sorted(path.iterdir()):
        if item.suffix in (".bpmn", ".dmn") and item.is_file():
            files[item.name] = read_model_file(item)
    forms = path / "forms"
    if forms.is_dir():
        for item in sorted(forms.glob("*.json")):
            files[f"forms/{item.name}"] = read_model_file(item)
    return files


def load_directory(path: Path) -> ProcessDefinition:
    return load_definition(read_directory(path))


# ---------------------------------------------------------------------- loading


@dataclass
class _Prepared:
    """A bundle after every check that runs before SpiffWorkflow sees it."""

    trees: dict[str, Any] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    blocking: list[ModelError] = field(default_factory=list)  # SpiffWorkflow must not run
    advisory: list[ModelError] = field(default_factory=list)  # refused, but keep checking

    def of_kind(self, kind: str) -> dict[str, Any]:
        return {name: tree for name, tree in self.trees.items() if self.kinds[name] == kind}


def load_definition(
    files: Mapping[str, bytes], *, process_id: str | None = None
) -> ProcessDefinition:
    """Parse a bundle into a runnable definition, or raise one clear ``ModelError``."""
    prepared = _prepare(files)
    if prepared.blocking:
        raise prepared.blocking[0]
    return _build(files, prepared, process_id)


def _prepare(files: Mapping[str, bytes]) -> _Prepared:
    prepared = _Prepared()
    for name, data in files.items():
        if name.endswith(XML_SUFFIXES):
            try:
                tree = xmlsafe.parse_model_xml(data, name)
                prepared.kinds[name] = xmlsafe.kind_of(tree, name)
            except ModelError as exc:
                prepared.blocking.append(exc)
                continue
            prepared.trees[name] = tree
    prepared.forms, form_problems = parse_forms(files)
    prepared.blocking.extend(form_problems)
    if prepared.blocking:
        return prepared
    for name, tree in prepared.trees.items():
        prepared.blocking.extend(_schema_problems(name, tree, prepared.kinds[name]))
    if not prepared.blocking:
        _structure(prepared, files)
    return prepared


def _structure(prepared: _Prepared, files: Mapping[str, bytes]) -> None:
    bpmn, dmn = prepared.of_kind("bpmn"), prepared.of_kind("dmn")
    if not bpmn:
        listed = ", ".join(files) or "<empty bundle>"
        prepared.blocking.append(ModelError("the bundle has no BPMN file", file=listed))
        return
    prepared.blocking.extend(_process_problems(bpmn))
    if prepared.blocking:
        return  # descriptive-only models: nothing below matters
    for name, tree in dmn.items():
        prepared.blocking.extend(checks.dmn_tree_problems(name, tree))
        prepared.blocking.extend(_dmn_prefix_problems(name, tree))
    blocking, advisory = checks.bpmn_tree_problems(bpmn, dmn)
    prepared.blocking.extend(blocking)
    prepared.advisory.extend(advisory)


def _process_problems(bpmn: Mapping[str, Any]) -> list[ModelError]:
    """A file with no process, or none SpiffWorkflow would run, is never a silent 'ok'."""
    processes = [
        (name, node) for name, tree in bpmn.items() for node in tree.iter(checks.bpmn("process"))
    ]
    if not processes:
        name, tree = next(iter(bpmn.items()))
        return [
            ModelError(
                "the file defines no process (a diagram with no <bpmn:process> cannot be run)",
                file=name,
                line=tree.getroot().sourceline,
                element=xmlsafe.describe(tree.getroot()),
            )
        ]
    if not any(checks.is_executable(node) for _, node in processes):
        name, node = processes[0]
        return [
            ModelError(
                'no process is marked executable (isExecutable="true"); '
                "this model is descriptive only and cannot be run",
                file=name,
                line=node.sourceline,
                element=xmlsafe.describe(node),
            )
        ]
    return []


def _dmn_prefix_problems(name: str, tree: Any) -> list[ModelError]:
    """SpiffWorkflow binds 'dmn' to a DMN file's default namespace when it has one, so a
    file that writes DMN with a prefix while declaring another default cannot be read."""
    root = tree.getroot()
    default = root.nsmap.get(None)
    if default is None or default == etree.QName(root).namespace:
        return []
    return [
        ModelError(
            f"DMN elements use a prefix while the default namespace is {default}; "
            "this engine reads DMN only from the default namespace or the 'dmn:' prefix",
            file=name,
            line=root.sourceline,
        )
    ]


def _add_dmn(parser: SpiffBpmnParser, name: str, tree: Any) -> None:
    """Add a DMN tree, binding 'dmn' to its namespace: SpiffWorkflow finds DMN elements
    through that prefix only, and a file may use another one ('semantic:')."""
    root = tree.getroot()
    saved = parser.namespaces
    parser.namespaces = {**saved, "dmn": etree.QName(root).namespace}
    try:
        parser.add_dmn_xml(root, filename=name)
    finally:
        parser.namespaces = saved


# ------------------------------------------------------------------ XSD checking


@lru_cache(maxsize=8)
def _dmn_schema(path: str) -> Any:
    return BpmnValidator(path).validator


def _schema_problems(name: str, tree: Any, kind: str) -> list[ModelError]:
    if kind == "bpmn":
        VALIDATOR.preprocess(tree)  # SpiffWorkflow's own fix-up for bpmn-js output
        schema, label = VALIDATOR.validator, "BPMN 2.0"
    else:
        path = DMN_SCHEMAS.get(etree.QName(tree.getroot()).namespace)
        if path is None:
            # SpiffWorkflow ships no DMN 1.4/1.5 schema. Such files are not refused for
            # their namespace alone: the structure checks and the cell checks (cells must
            # be Python, FEEL is refused) decide instead.
            return []
        schema, label = _dmn_schema(path), "DMN"
    with _SCHEMA_LOCK:
        if schema.validate(tree):
            return []
        errors = list(schema.error_log)
    problems = [_schema_error(name, tree, error, label) for error in errors[:MAX_SCHEMA_ERRORS]]
    if len(errors) > MAX_SCHEMA_ERRORS:
        more = len(errors) - MAX_SCHEMA_ERRORS
        problems.append(ModelError(f"… and {more} more schema errors", file=name))
    return problems


_XSD_PATTERNS = (
    (
        re.compile(r"^Element '([^']+)': The attribute '([^']+)' is required but missing\.?$"),
        "<{0}> is missing the required attribute '{1}'",
    ),
    (
        re.compile(r"^Element '([^']+)': This element is not expected\. Expected is (.*)\.$"),
        "<{0}> is not allowed here; expected {1}",
    ),
    (
        re.compile(r"^Element '([^']+)': This element is not expected\.$"),
        "<{0}> is not allowed here",
    ),
    (
        re.compile(r"^Element '([^']+)': Missing child element\(s\)\. Expected is (.*)\.$"),
        "<{0}> is missing a required child element: {1}",
    ),
    (
        re.compile(r"^Element '([^']+)', attribute '([^']+)': The attribute .* is not allowed\.$"),
        "<{0}> does not allow the attribute '{1}'",
    ),
    (
        re.compile(
            r"^Element '([^']+)', attribute '([^']+)': '(.*)' is not a valid value of the "
            r"atomic type 'xs:ID'\.$"
        ),
        "<{0}> has id '{2}', which is used twice or is not a valid id (ids are unique and "
        "start with a letter or '_')",
    ),
    (
        re.compile(
            r"^Element '([^']+)', attribute '([^']+)': '(.*)' is not a valid value of the "
            r"(?:atomic|union|list) type '([^']+)'\.$"
        ),
        "attribute '{1}' of <{0}> has the invalid value '{2}' (expected {3})",
    ),
)


def _schema_error(name: str, tree: Any, error: Any, label: str) -> ModelError:
    text = " ".join(str(error.message).split())
    tag = ""
    for pattern, template in _XSD_PATTERNS:
        match = pattern.match(text)
        if match:
            tag = match.group(1)
            groups = [_shorten_names(g) for g in match.groups()]
            text = template.format(*groups)
            break
    else:
        text = _shorten_names(text)
    line = error.line if isinstance(error.line, int) and error.line > 0 else None
    return ModelError(
        f"does not follow the {label} schema: {text}",
        file=name,
        line=line,
        element=_element_at(tree, line, tag),
    )


def _shorten_names(text: str) -> str:
    return re.sub(r"\{[^}]*\}\w+", lambda m: xmlsafe.short_tag(m.group(0)), text)


def _element_at(tree: Any, line: int | None, tag: str) -> str:
    """Name the element an XSD error is about: the one with that tag on that line, or
    its nearest ancestor with an id."""
    if line is None or not tag:
        return ""
    for node in tree.iter(tag if tag.startswith("{") else etree.Element):
        if node.sourceline != line:
            continue
        holder = node
        while holder is not None and not holder.get("id"):
            holder = holder.getparent()
        if holder is None:
            return ""
        if holder is node:
            return xmlsafe.describe(node)
        return f"{etree.QName(node).localname} in {xmlsafe.describe(holder)}"
    return ""


# ------------------------------------------------------------ SpiffWorkflow parse


def _build(
    files: Mapping[str, bytes], prepared: _Prepared, process_id: str | None
) -> ProcessDefinition:
    # Validation already ran (with every error listed), so the parser does not repeat it.
    parser = SpiffBpmnParser(validator=None)
    for name, tree in prepared.trees.items():
        with _spiff_errors(prepared.trees, name):
            if prepared.kinds[name] == "dmn":
                _add_dmn(parser, name, tree)
            else:
                parser.add_bpmn_xml(tree, filename=name)
    bpmn_names = list(prepared.of_kind("bpmn"))
    with _spiff_errors(prepared.trees, bpmn_names[0]):
        chosen = process_id or _choose_process(parser, prepared.trees)
        spec, subprocess_specs = _build_spec(parser, chosen)
    return ProcessDefinition(
        process_id=chosen,
        name=spec.description or chosen,
        files=dict(files),
        spec=spec,
        subprocess_specs=subprocess_specs,
        forms=prepared.forms,
        decisions=dict(parser.dmn_parsers),
    )


@contextmanager
def _spiff_errors(trees: Mapping[str, Any], default_file: str) -> Iterator[None]:
    """Turn anything SpiffWorkflow raises into one ``ModelError`` that names the element."""
    try:
        yield
    except ModelError:
        raise
    except Exception as exc:
        raise spiff_error(exc, trees, default_file) from None


def _choose_process(parser: SpiffBpmnParser, trees: Mapping[str, Any]) -> str:
    executable = parser.get_process_ids()
    called = _called_processes(trees)
    roots = [pid for pid in executable if pid not in called] or executable
    if len(roots) > 1 and parser.collaborations:
        return str(next(iter(parser.collaborations)))
    return str(roots[0])


def _called_processes(trees: Mapping[str, Any]) -> set[str]:
    called: set[str] = set()
    for tree in trees.values():
        for node in tree.iter(checks.bpmn("callActivity")):
            if node.get("calledElement"):
                called.add(node.get("calledElement", ""))
    return called


def _build_spec(parser: SpiffBpmnParser, chosen: str) -> tuple[Any, dict[str, Any]]:
    if chosen in parser.collaborations:
        return parser.get_collaboration(chosen)  # type: ignore[no-any-return]
    spec = parser.get_spec(chosen)
    return spec, parser.get_subprocess_specs(chosen)


# Messages SpiffWorkflow raises, in plain words (matched by their start).
_SPIFF_MESSAGES = (
    (
        "When looking for a task spec, we found two items",
        "an outgoing sequence flow points to an element that is not in the process",
    ),
    (
        "Multiple outgoing flows are not supported for tasks of type",
        "this element has several outgoing sequence flows; only gateways may split the flow here "
        "(add a parallel or exclusive gateway after it)",
    ),
    ("No start event found", "the process has no start event, so it cannot be started"),
    (
        "There is no support implemented for this task type",
        "this kind of element is not supported by the engine",
    ),
    ("A Service Task must have an operator", checks.SERVICE_TASK_MESSAGE),
    (
        "Non-default exclusive outgoing sequence flow without condition",
        "this sequence flow leaves a gateway without a condition and is not the gateway's "
        "default flow; give it a condition or make it the default",
    ),
)


def spiff_error(exc: Exception, trees: Mapping[str, Any], default_file: str) -> ModelError:
    """One plain ``ModelError`` for an exception raised inside SpiffWorkflow."""
    if not isinstance(exc, ValidationException):
        if isinstance(exc, SpiffWorkflowException):
            return ModelError(_plain(exc), file=default_file)
        return unreadable(exc, file=default_file)
    file = exc.file_name or default_file
    tree = trees.get(file)
    node = xmlsafe.find_by_id(tree, exc.id) if tree is not None and exc.id else None
    line = exc.line_number if isinstance(exc.line_number, int) else None
    element = exc.id or ""
    if node is not None:
        line, element = line or node.sourceline, xmlsafe.describe(node)
    message = _plain(exc)
    cause = exc.__context__
    if isinstance(cause, Exception) and message.startswith(f"{type(cause).__name__}("):
        # SpiffWorkflow re-raises any crash of a task parser as ValidationException(repr)
        message = unreadable(cause).detail
    else:
        message = _translate(message)
    return ModelError(message, file=file, line=line, element=element)


def _translate(message: str) -> str:
    for start, plain in _SPIFF_MESSAGES:
        if message.startswith(start):
            return plain
    return message


def _plain(exc: BaseException) -> str:
    text = str(exc.args[0]) if exc.args else type(exc).__name__
    return " ".join(text.split())


def unreadable(exc: BaseException, *, file: str = "", line: int | None = None) -> ModelError:
    """Plain words for an exception nobody expected: the class is only a detail."""
    detail = f"{type(exc).__name__}: {one_line(str(exc), 120)}".rstrip(": ")
    if isinstance(exc, RecursionError):
        message = (
            "the engine cannot read this model: its sequence flows chain more elements in a "
            "row than the parser can follow (a few hundred); split it into sub-processes"
        )
    elif isinstance(exc, MemoryError):
        message = "the engine cannot read this model: it needs more memory than allowed"
    else:
        message = "the engine cannot read this model"
    return ModelError(f"{message} (detail: {detail})", file=file, line=line)


# ------------------------------------------------------------------------- forms


def parse_forms(files: Mapping[str, bytes]) -> tuple[dict[str, dict[str, Any]], list[ModelError]]:
    """The bundle's JSON-Schema forms by short name, and a problem per bad form."""
    forms: dict[str, dict[str, Any]] = {}
    problems: list[ModelError] = []
    for name, data in files.items():
        if not name.endswith(".json"):
            continue
        try:
            forms[name.rsplit("/", 1)[-1]] = _parse_form(name, data)
        except ModelError as exc:
            problems.append(exc)
    return forms, problems


def _parse_form(name: str, data: bytes) -> dict[str, Any]:
    if len(data) > xmlsafe.MAX_MODEL_BYTES:
        raise HostileInput(f"form is over the {xmlsafe.MAX_MODEL_BYTES:,}-byte limit", file=name)
    try:
        schema = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ModelError("form is not UTF-8 text", file=name) from None
    except json.JSONDecodeError as exc:
        raise ModelError(f"form is not valid JSON: {exc.msg}", file=name, line=exc.lineno) from None
    except RecursionError:
        raise HostileInput("form is nested too deeply to read", file=name) from None
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise ModelError('a form schema must be an object with "type": "object"', file=name)
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.path)
        at = f" at {where}" if where else ""
        raise ModelError(f"form is not a valid JSON Schema{at}: {exc.message}", file=name) from None
    except RecursionError:
        raise HostileInput("form is nested too deeply to check", file=name) from None
    external = next(_external_refs(schema), None)
    if external is not None:
        raise HostileInput(
            f"form refers to another schema ({external!r}); a form must be self-contained",
            file=name,
        )
    return schema


def _external_refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if (
                key in ("$ref", "$dynamicRef")
                and isinstance(item, str)
                and not item.startswith("#")
            ):
                yield item
            yield from _external_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _external_refs(item)


# ------------------------------------------------------------------------ checks


def iter_problems(
    definition: ProcessDefinition,
    *,
    roles: Iterable[str] | None = None,
    operators: Iterable[str] | None = None,
) -> list[ModelError]:
    """Everything a deploy refuses beyond parsing: roles, forms, decisions, operators, scripts."""
    return checks.definition_problems(
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
        prepared = _prepare(files)
        if prepared.blocking:
            return [*prepared.blocking, *prepared.advisory]
        try:
            definition = _build(files, prepared, None)
        except ModelError as exc:
            return [exc, *prepared.advisory]
        return [*prepared.advisory, *iter_problems(definition, roles=roles, operators=operators)]
    except ProcessError as exc:
        return [exc if isinstance(exc, ModelError) else ModelError(str(exc), file=_names(files))]
    except Exception as exc:  # a check must answer, never crash: see check_path
        return [unreadable(exc, file=_names(files))]


def _names(files: Mapping[str, bytes]) -> str:
    return ", ".join(files) or "<empty bundle>"


def bundle_for(path: Path) -> dict[str, bytes]:
    """The files a deploy of ``path`` would include: itself, the DMN files its business
    rule tasks call (from the same directory) and that directory's ``forms/``."""
    data = read_model_file(path)
    files = {path.name: data}
    if path.suffix == ".dmn":
        return files
    try:
        tree = xmlsafe.parse_model_xml(data, path.name)
    except ModelError:
        return files
    wanted = {
        (node.text or "").strip() for node in tree.iter(f"{{{xmlsafe.SPIFF_NS}}}calledDecisionId")
    }
    for sibling in sorted(path.parent.glob("*.dmn")):
        if wanted and sibling != path and _defines_decision(sibling, wanted):
            files[sibling.name] = read_model_file(sibling)
    forms = path.parent / "forms"
    if forms.is_dir():
        for item in sorted(forms.glob("*.json")):
            files[f"forms/{item.name}"] = read_model_file(item)
    return files


def _defines_decision(path: Path, wanted: set[str]) -> bool:
    try:
        tree = xmlsafe.parse_model_xml(read_model_file(path), path.name)
    except ModelError:
        return False
    return any(node.get("id") in wanted for node in tree.iter("{*}decision"))


def check_decision_file(name: str, data: bytes) -> list[ModelError]:
    """Check a DMN file on its own: hardened parse, schema, structure, cells."""
    try:
        tree = xmlsafe.parse_model_xml(data, name)
        if xmlsafe.kind_of(tree, name) != "dmn":
            return [ModelError("expected a DMN file", file=name, line=tree.getroot().sourceline)]
        problems = _schema_problems(name, tree, "dmn")
        problems = problems or checks.dmn_tree_problems(name, tree)
        problems = problems or _dmn_prefix_problems(name, tree)
        if problems:
            return problems
        parser = SpiffBpmnParser(validator=None)
        with _spiff_errors({name: tree}, name):
            _add_dmn(parser, name, tree)
    except ModelError as exc:
        return [exc]
    except Exception as exc:  # see check_path
        return [unreadable(exc, file=name)]
    return checks.decision_problems(dict(parser.dmn_parsers), name)


def check_path(
    path: Path,
    *,
    roles: Iterable[str] | None = None,
    operators: Iterable[str] | None = None,
) -> list[ModelError]:
    """What ``bpmn_check`` reports for one path. Never raises: every file gets an answer."""
    try:
        return _check_path(path, roles, operators)
    except ModelError as exc:
        return [exc]
    except OSError as exc:
        return [ModelError(f"cannot read the file: {exc.strerror or exc}", file=str(path))]
    except Exception as exc:
        return [unreadable(exc, file=path.name)]


def _check_path(
    path: Path, roles: Iterable[str] | None, operators: Iterable[str] | None
) -> list[ModelError]:
    if path.is_dir():
        return _check_directory(path, roles, operators)
    data = read_model_file(path)
    if path.suffix == ".json":
        return parse_forms({path.name: data})[1]
    tree = xmlsafe.parse_model_xml(data, path.name)
    if xmlsafe.kind_of(tree, path.name) == "dmn":
        return check_decision_file(path.name, data)
    return check_files(bundle_for(path), roles=roles, operators=operators)


def _check_directory(
    path: Path, roles: Iterable[str] | None, operators: Iterable[str] | None
) -> list[ModelError]:
    """A process directory is checked as its bundle; a forms/ directory form by form."""
    if any(path.glob("*.bpmn")):
        return check_files(read_directory(path), roles=roles, operators=operators)
    problems: list[ModelError] = []
    dmn_files = sorted(path.glob("*.dmn"))
    for item in dmn_files:
        problems.extend(check_decision_file(item.name, read_model_file(item)))
    forms = sorted(path.glob("*.json"))
    problems.extend(parse_forms({f.name: read_model_file(f) for f in forms})[1])
    if not dmn_files and not forms:
        return [
            ModelError("a directory with no .bpmn, .dmn or .json file to check", file=str(path))
        ]
    return problems
