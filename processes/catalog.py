"""Load and check a process definition: BPMN + DMN + JSON-Schema forms.

A definition is a bundle of files (``name -> bytes``). Every XML file goes through
``xmlsafe`` first, then the XSD (``schema``), then our own structural checks
(``checks``), and only then ``SpiffBpmnParser``. Every failure becomes one ``ModelError``
line naming file, line and element (``spiff_errors``); nothing SpiffWorkflow raises
reaches the caller as-is. The result is a ``definition.ProcessDefinition``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from . import salvage, xmlsafe
from .checks import nodes, structure, tasks
from .checks.dmn import decision_problems, dmn_tree_problems
from .checks.dmn_overlap import overlap_problems
from .checks.live import live_problems
from .definition import ProcessDefinition
from .errors import ModelError, ProcessError
from .forms import parse_forms
from .schema import schema_problems
from .spiff_errors import model_errors, unreadable

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
    files.update(_read_forms(path))
    return files


def _read_forms(directory: Path) -> dict[str, bytes]:
    """The ``forms/*.json`` next to a model, named as a bundle holds them."""
    forms = directory / "forms"
    if not forms.is_dir():
        return {}
    return {f"forms/{item.name}": read_model_file(item) for item in sorted(forms.glob("*.json"))}


def load_directory(path: Path) -> ProcessDefinition:
    """The definition in one process directory of ``bpmn/`` (see :func:`read_directory`)."""
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
    fatal: bool = False  # no process to check at all
    unreadable_dmn: set[str] = field(default_factory=set)  # SpiffWorkflow would crash on them

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
    """Every check that runs before SpiffWorkflow, in the order a deploy reports them
    (XML, forms, schema, structure); each runs on every file it can read."""
    prepared = _Prepared()
    for name, data in files.items():
        if name.endswith(xmlsafe.XML_SUFFIXES):
            try:
                tree = xmlsafe.parse_model_xml(data, name)
                prepared.kinds[name] = xmlsafe.kind_of(tree, name)
            except ModelError as exc:
                prepared.blocking.append(exc)
                continue
            prepared.trees[name] = tree
    prepared.forms, form_problems = parse_forms(files)
    prepared.blocking.extend(form_problems)
    for name, tree in prepared.trees.items():
        prepared.blocking.extend(schema_problems(name, tree, prepared.kinds[name]))
    _structure(prepared, files)
    return prepared


def _structure(prepared: _Prepared, files: Mapping[str, bytes]) -> None:
    bpmn, dmn = prepared.of_kind("bpmn"), prepared.of_kind("dmn")
    if not bpmn:
        prepared.fatal = True
        refused = [n for n in files if n.endswith(xmlsafe.XML_SUFFIXES) and n not in prepared.trees]
        if not refused:  # a BPMN file refused above is not "no BPMN file"
            prepared.blocking.append(ModelError("the bundle has no BPMN file", file=_names(files)))
        return
    process_problems = _process_problems(bpmn)
    if process_problems:
        prepared.fatal = True  # descriptive-only models: nothing below matters
        prepared.blocking.extend(process_problems)
        return
    for name, tree in dmn.items():
        own = [*dmn_tree_problems(name, tree), *_dmn_prefix_problems(name, tree)]
        prepared.blocking.extend(own)
        if own:
            prepared.unreadable_dmn.add(name)
    try:
        blocking, advisory = structure.bpmn_tree_problems(bpmn, dmn)
    except Exception as exc:  # a tree the schema refused may confuse them: say so, go on
        blocking, advisory = [unreadable(exc, file=", ".join(bpmn))], []
    prepared.blocking.extend(blocking)
    prepared.advisory.extend(advisory)


def _process_problems(bpmn: Mapping[str, Any]) -> list[ModelError]:
    """A file with no process, or none SpiffWorkflow would run, is never a silent 'ok'."""
    processes = [
        (name, node) for name, tree in bpmn.items() for node in tree.iter(nodes.bpmn("process"))
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
    if not any(nodes.is_executable(node) for _, node in processes):
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


# ------------------------------------------------------------ SpiffWorkflow parse


def _build(
    files: Mapping[str, bytes], prepared: _Prepared, process_id: str | None
) -> ProcessDefinition:
    # Validation already ran (with every error listed), so the parser does not repeat it.
    parser = SpiffBpmnParser(validator=None)
    for name, tree in prepared.trees.items():
        with model_errors(prepared.trees, name):
            if prepared.kinds[name] == "dmn":
                _add_dmn(parser, name, tree)
            else:
                parser.add_bpmn_xml(tree, filename=name)
    bpmn_names = list(prepared.of_kind("bpmn"))
    with model_errors(prepared.trees, bpmn_names[0]):
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
        for node in tree.iter(nodes.bpmn("callActivity")):
            if node.get("calledElement"):
                called.add(node.get("calledElement", ""))
    return called


def _build_spec(parser: SpiffBpmnParser, chosen: str) -> tuple[Any, dict[str, Any]]:
    if chosen in parser.collaborations:
        return parser.get_collaboration(chosen)  # type: ignore[no-any-return]
    spec = parser.get_spec(chosen)
    return spec, parser.get_subprocess_specs(chosen)


# ------------------------------------------------------------------------ checks


def iter_problems(
    definition: ProcessDefinition,
    *,
    roles: Iterable[str] | None = None,
    operators: Iterable[str] | None = None,
) -> list[ModelError]:
    """Everything a deploy refuses beyond parsing: roles, forms, decisions, operators,
    scripts, and what would break a live case (lanes, splits, data flow, overlaps)."""
    trees = definition.trees
    kinds = {name: xmlsafe.kind_of(tree, name) for name, tree in trees.items()}
    return [
        *tasks.definition_problems(
            definition,
            roles=set(roles) if roles is not None else None,
            operators=set(operators) if operators is not None else None,
        ),
        *live_problems(
            {n: t for n, t in trees.items() if kinds[n] == "bpmn"},
            {n: t for n, t in trees.items() if kinds[n] == "dmn"},
            definition.forms,
            check_lanes=roles is not None,
        ),
    ]


def check_files(
    files: Mapping[str, bytes],
    *,
    roles: Iterable[str] | None = None,
    operators: Iterable[str] | None = None,
) -> list[ModelError]:
    """Load a bundle as a deploy would and list **every** problem (empty when valid).

    Fuzhi's own checks run on the XML whatever SpiffWorkflow makes of it, and
    SpiffWorkflow's parse runs element by element (``salvage``): each element it or an
    earlier check refuses is set aside and the parse goes on, so one save shows them all.
    """
    try:
        prepared = _prepare(files)
        if prepared.fatal:
            return [*prepared.blocking, *prepared.advisory]
        problems = [
            *prepared.blocking,
            *prepared.advisory,
            *live_problems(
                prepared.of_kind("bpmn"),
                {
                    n: t
                    for n, t in prepared.of_kind("dmn").items()
                    if n not in prepared.unreadable_dmn
                },
                prepared.forms,
                check_lanes=roles is not None,
            ),
        ]
        definition, refused = _parse_each(files, prepared)
        named = {(p.file, p.element) for p in problems if p.element}
        problems.extend(p for p in refused if (p.file, p.element) not in named)
        if definition is not None:
            problems.extend(
                tasks.definition_problems(
                    definition,
                    roles=set(roles) if roles is not None else None,
                    operators=set(operators) if operators is not None else None,
                )
            )
        return _unique(problems)
    except ProcessError as exc:
        return [exc if isinstance(exc, ModelError) else ModelError(str(exc), file=_names(files))]
    except Exception as exc:  # a check must answer, never crash: see check_path
        return [unreadable(exc, file=_names(files))]


def _parse_each(
    files: Mapping[str, bytes], prepared: _Prepared
) -> tuple[ProcessDefinition | None, list[ModelError]]:
    """SpiffWorkflow's parse of a scratch copy with every element already refused set
    aside (``salvage``), then element by element."""
    scratch = salvage.Scratch(prepared.trees, prepared.kinds)
    scratch.skipped |= prepared.unreadable_dmn
    for name in prepared.unreadable_dmn:  # its callers are refused with it
        decisions = {n.get("id") for n in prepared.trees[name].iter("{*}decision")}
        for bpmn_name, tree in prepared.of_kind("bpmn").items():
            for ref in tree.iter(f"{{{xmlsafe.SPIFF_NS}}}calledDecisionId"):
                task = ref.getparent().getparent()
                if (ref.text or "").strip() in decisions and task is not None:
                    scratch.neutralise(bpmn_name, task.get("id", ""))
    for problem in prepared.blocking:  # what SpiffWorkflow would stop at
        scratch.neutralise_problem(problem)

    def build(parser: SpiffBpmnParser, scratch: salvage.Scratch) -> ProcessDefinition:
        chosen = _choose_process(parser, scratch.trees)
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

    return salvage.parse_each(scratch, build, add_dmn=_add_dmn)


def _unique(problems: list[ModelError]) -> list[ModelError]:
    seen: set[tuple[str, int | None, str]] = set()
    kept: list[ModelError] = []
    for problem in problems:
        key = (problem.file, problem.line, problem.detail)
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept


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
    files.update(_read_forms(path.parent))
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
        problems = schema_problems(name, tree, "dmn")
        problems = problems or dmn_tree_problems(name, tree)
        problems = problems or _dmn_prefix_problems(name, tree)
        if problems:
            return problems
        overlaps = overlap_problems(name, tree)
        parser = SpiffBpmnParser(validator=None)
        with model_errors({name: tree}, name):
            _add_dmn(parser, name, tree)
    except ModelError as exc:
        return [exc]
    except Exception as exc:  # see check_path
        return [unreadable(exc, file=name)]
    return [*decision_problems(dict(parser.dmn_parsers), name), *overlaps]


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
