"""XSD validation of BPMN and DMN trees, each libxml2 error said in plain words.

BPMN files are validated against SpiffWorkflow's BPMN 2.0 schema (after its own fix-up
for bpmn-js output), DMN files against the schema of their namespace when SpiffWorkflow
ships one. Only the first few errors are kept: libxml2 cascades.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from . import xmlsafe
from .errors import ModelError

MAX_SCHEMA_ERRORS = 3  # libxml2 cascades; the first few name the real problem

# lxml keeps a schema's error log on the schema object, so concurrent validations
# (webapp threads) would read each other's errors without this lock.
_SCHEMA_LOCK = threading.Lock()


@lru_cache(maxsize=8)
def _dmn_schema(path: str) -> Any:
    return BpmnValidator(path).validator


def schema_problems(name: str, tree: Any, kind: str) -> list[ModelError]:
    """Where a BPMN or DMN tree breaks its XSD: the first few errors, in plain words."""
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
