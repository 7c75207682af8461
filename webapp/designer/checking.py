"""The checks a draft gets on every save: exactly what a deploy (and ``bpmn_check``) runs,
each problem tied to the diagram element it concerns so the editor can mark it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lxml import etree

from processes import catalog, forms, xmlsafe
from processes.errors import HostileInput, ModelError
from webapp.cases.definitions import check_bundle

from . import problem_texts

# "userTask review (报名资格审查)", "linkEventDefinition in intermediateThrowEvent X (…)"
_DESCRIBED = re.compile(r"(?:^|\bin )([A-Za-z]+) (\S+)")


def is_process_file(name: str, text: str) -> bool:
    return name.endswith((".bpmn", ".xml")) and "BPMN/20100524/MODEL" in text[:4000]


def draft_problems(files: Mapping[str, str]) -> list[ModelError]:
    """What a deploy would refuse. A bundle of decision tables alone is checked table by
    table (it opens and checks like any model, but only a process can be deployed)."""
    data = {name: text.encode("utf-8") for name, text in files.items()}
    if any(is_process_file(name, text) for name, text in files.items()):
        return check_bundle(data)
    problems: list[ModelError] = []
    for name, content in data.items():
        if name.endswith(".dmn"):
            problems.extend(catalog.check_decision_file(name, content))
        elif name.endswith(xmlsafe.XML_SUFFIXES):
            # Neither BPMN nor DMN: the deploy check says what the file is not.
            problems.extend(check_bundle({name: content}))
    problems.extend(forms.parse_forms(data)[1])
    if not problems and not any(name.endswith(".dmn") for name in data):
        problems = check_bundle(data)  # forms alone: "the bundle has no BPMN file"
    return problems


def hostile(problems: list[ModelError]) -> list[ModelError]:
    return [p for p in problems if isinstance(p, HostileInput)]


def as_dict(problem: ModelError, trees: Mapping[str, Any]) -> dict[str, Any]:
    """A problem for the editor: message, file, line, and the element id to mark."""
    return {
        "file": problem.file,
        "line": problem.line,
        "element": problem.element,
        "element_id": element_id(problem, trees),
        "message": problem_texts.message(problem),
        "text": problem_texts.located(problem),
        "message_en": problem.detail,
        "text_en": problem.one_line(),
    }


def element_id(problem: ModelError, trees: Mapping[str, Any]) -> str:
    """The id of the element a problem names, or of the element at its line."""
    tree = trees.get(problem.file)
    matches = _DESCRIBED.findall(problem.element or "")
    for _kind, ident in reversed(matches):
        ident = ident.strip("'\"")
        if tree is None or xmlsafe.find_by_id(tree, ident) is not None:
            return str(ident)
    if tree is None or not problem.line:
        return ""
    for node in tree.iter(etree.Element):
        if node.sourceline == problem.line:
            while node is not None and not node.get("id"):
                node = node.getparent()
            return node.get("id", "") if node is not None else ""
    return ""


def trees_of(files: Mapping[str, str]) -> dict[str, Any]:
    trees: dict[str, Any] = {}
    for name, text in files.items():
        if name.endswith(xmlsafe.XML_SUFFIXES):
            try:
                trees[name] = xmlsafe.parse_model_xml(text.encode("utf-8"), name)
            except ModelError:
                continue
    return trees


def report(files: Mapping[str, str]) -> list[dict[str, Any]]:
    trees = trees_of(files)
    return [as_dict(problem, trees) for problem in draft_problems(files)]
