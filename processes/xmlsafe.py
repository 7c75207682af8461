"""The only way XML enters the engine: a locked-down lxml parse.

SpiffWorkflow parses with lxml's defaults, which expand internal entities (billion
laughs) and will read a DTD. Every model file is parsed here first and refused if it
carries a DOCTYPE, an entity, an external reference or is oversized; SpiffWorkflow is
then handed the tree, never the bytes.

The parse itself is bounded: lxml never expands entities or loads a DTD here, and
without ``huge_tree`` libxml2 stops at 256 levels of nesting, so a hostile file costs
at most one linear pass over ``MAX_MODEL_BYTES``.

Attributes are bounded too, per element and in total, and counted in linear time before
anything reads them: libxml2 parses 100,000 attributes on one element in 50 ms, but
lxml's ``attrib.items()`` over them is quadratic (91 s to import such a 1 MB model).
Namespace declarations are counted in the bytes, before the parse, for the same reason
(lxml walks them quadratically).
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from .errors import HostileInput, ModelError, one_line

MAX_MODEL_BYTES = 2 * 1024 * 1024
XML_SUFFIXES = (".bpmn", ".dmn", ".xml")  # the files of a bundle that are parsed here
MAX_DEPTH = 256  # libxml2's limit without huge_tree; named here so messages can say it
MAX_ATTRIBUTES_PER_ELEMENT = 50  # the models in bpmn/ use at most 4
MAX_ATTRIBUTES = 50_000  # per file; the largest model in bpmn/ has under 800
MAX_NAMESPACES = 200  # "xmlns" in a file; a model declares about ten
# "xmlns" as it appears in the bytes of a file in each encoding a model may use.
_XMLNS = (b"xmlns", "xmlns".encode("utf-16-le"), "xmlns".encode("utf-16-be"))

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
XINCLUDE_NAMESPACES = frozenset(
    {"http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude"}
)
DMN_NAMESPACES = frozenset(
    {
        "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
        "http://www.omg.org/spec/DMN/20180521/MODEL/",
        "https://www.omg.org/spec/DMN/20191111/MODEL/",
        "https://www.omg.org/spec/DMN/20211108/MODEL/",
        "https://www.omg.org/spec/DMN/20230324/MODEL/",
    }
)
# Prefixes for messages: '{http://...MODEL}serviceTask' reads as 'bpmn:serviceTask'.
PREFIXES = {
    BPMN_NS: "bpmn",
    "http://www.omg.org/spec/BPMN/20100524/DI": "bpmndi",
    "http://www.omg.org/spec/DD/20100524/DC": "dc",
    "http://www.omg.org/spec/DD/20100524/DI": "di",
    SPIFF_NS: "spiffworkflow",
    "http://camunda.org/schema/1.0/bpmn": "camunda",
    "http://activiti.org/bpmn": "activiti",
    **{ns: "dmn" for ns in DMN_NAMESPACES},
}

# URL schemes that name something on this machine or a non-web service. Web URLs are
# everywhere in models (namespaces, xsi:schemaLocation) and nothing here fetches them.
_LOCAL_SCHEME = re.compile(r"(?i)^\s*(file|ftp|jar|netdoc|gopher|smb|nfs):(/|\\|file:)")
# Attributes whose value points at another document (DMN requirements, BPMN imports).
_REFERENCE_ATTRIBUTES = frozenset({"href", "location", "locationURI"})


def _parser() -> Any:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        # SpiffWorkflow walks children with ``child.tag.endswith(...)``; a comment's tag
        # is a function, so one comment inside a script task or decision table crashes
        # it. Comments carry no meaning in BPMN/DMN, so they are dropped here.
        remove_comments=True,
        remove_pis=True,
    )


def parse_model_xml(data: bytes, filename: str) -> Any:
    """Parse untrusted model bytes into an lxml ElementTree, refusing anything that is
    not plain XML.

    The encoding comes from the XML declaration or byte-order mark, so legal UTF-16
    and Latin-1 files are read as their authors wrote them.
    """
    if len(data) > MAX_MODEL_BYTES:
        raise HostileInput(
            f"file is {len(data):,} bytes, over the {MAX_MODEL_BYTES:,}-byte limit for a model",
            file=filename,
        )
    if not data.strip():
        raise ModelError("file is empty", file=filename)
    declarations = max(data.count(marker) for marker in _XMLNS)
    if declarations > MAX_NAMESPACES:
        raise HostileInput(
            f"file declares namespaces {declarations:,} times; at most {MAX_NAMESPACES} may be",
            file=filename,
        )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, filename) from None
    except (etree.LxmlError, ValueError) as exc:
        raise ModelError(
            f"file cannot be read as XML (detail: {type(exc).__name__}: {exc})", file=filename
        ) from None
    tree = root.getroottree()
    _refuse_many_attributes(tree, filename)
    _refuse_dtd(tree, filename)
    _refuse_external(tree, filename)
    return tree


def _syntax_error(exc: etree.XMLSyntaxError, filename: str) -> ModelError:
    message = str(exc.msg or exc).split(", line ")[0]
    lowered = message.lower()
    line = exc.lineno
    if "excessive depth" in lowered:
        return HostileInput(
            f"elements are nested more than {MAX_DEPTH} levels deep; a model never needs "
            "that, so the file is refused",
            file=filename,
            line=line,
        )
    if "doctype" in lowered or "dtd" in lowered or "entitydecl" in lowered:
        return HostileInput(
            f"a DOCTYPE or entity declaration is not allowed in a model ({message})",
            file=filename,
            line=line,
        )
    if "entity" in lowered:
        return HostileInput(
            f"entity references are not allowed in a model ({message}); only &amp; &lt; "
            "&gt; &quot; &apos; and numeric character references may be used",
            file=filename,
            line=line,
        )
    if "huge" in lowered:
        return HostileInput(
            f"the file exceeds the XML parser's size limits ({message})", file=filename, line=line
        )
    return ModelError(f"not well-formed XML: {message}", file=filename, line=line)


def _refuse_many_attributes(tree: Any, filename: str) -> None:
    """Count attributes with ``len`` (linear) before anything reads them (quadratic)."""
    total = 0
    for node in tree.iter(tag=etree.Element):
        count = len(node.attrib)
        total += count
        if count > MAX_ATTRIBUTES_PER_ELEMENT:
            raise HostileInput(
                f"an element has {count:,} attributes; at most {MAX_ATTRIBUTES_PER_ELEMENT} "
                "are allowed on one element",
                file=filename,
                line=node.sourceline,
                element=etree.QName(node).localname,
            )
        if total > MAX_ATTRIBUTES:
            raise HostileInput(
                f"the file has more than {MAX_ATTRIBUTES:,} attributes; a model never needs that",
                file=filename,
                line=node.sourceline,
            )


def _refuse_dtd(tree: Any, filename: str) -> None:
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise HostileInput(
            "a DOCTYPE is not allowed in a model (entities and external references are refused)",
            file=filename,
            line=1,
        )
    for node in tree.iter(etree.Entity):
        raise HostileInput(
            "entity references are not allowed in a model",
            file=filename,
            line=node.sourceline,
        )


def _refuse_external(tree: Any, filename: str) -> None:
    for node in tree.iter(tag=etree.Element):
        qname = etree.QName(node)
        if qname.namespace in XINCLUDE_NAMESPACES:
            raise HostileInput(
                "XInclude is not allowed in a model (a model cannot pull in other files)",
                file=filename,
                line=node.sourceline,
                element=describe(node),
            )
        for key, value in node.attrib.items():
            if _LOCAL_SCHEME.match(value) or (
                etree.QName(key).localname in _REFERENCE_ATTRIBUTES and _is_external(value)
            ):
                raise HostileInput(
                    f"external reference {_short(value)!r} is not allowed; a model must be "
                    "self-contained",
                    file=filename,
                    line=node.sourceline,
                    element=describe(node),
                )


def _is_external(value: str) -> bool:
    """True unless ``value`` points inside this document (``#id``) or is empty."""
    text = value.strip()
    return bool(text) and not text.startswith("#")


def kind_of(tree: Any, filename: str) -> str:
    """'bpmn' or 'dmn' from the root element's namespace, else a clear ModelError."""
    root = tree.getroot()
    qname = etree.QName(root)
    if qname.namespace == BPMN_NS and qname.localname == "definitions":
        return "bpmn"
    if qname.namespace in DMN_NAMESPACES and qname.localname == "definitions":
        return "dmn"
    raise ModelError(
        f"not a BPMN 2.0 or DMN document: the root element is <{qname.localname}> in "
        f"namespace {qname.namespace or '(none)'}; a BPMN file's root is <definitions> in "
        f"namespace {BPMN_NS}",
        file=filename,
        line=root.sourceline,
        element=describe(root),
    )


# --------------------------------------------------------------- naming elements


def short_tag(tag: str) -> str:
    """'{http://www.omg.org/spec/BPMN/20100524/MODEL}userTask' -> 'bpmn:userTask'."""
    if not tag.startswith("{"):
        return tag
    namespace, _, local = tag[1:].partition("}")
    prefix = PREFIXES.get(namespace)
    return f"{prefix}:{local}" if prefix else local


def _short(value: str) -> str:
    return one_line(value, 80)


def describe(node: Any) -> str:
    """How a message names an element: 'userTask review (报名资格审查)'."""
    label: str = etree.QName(node).localname
    ident = node.get("id")
    if ident:
        label = f"{label} {one_line(ident, 80)}"
    name = node.get("name")
    if name and name.strip() and name != ident:
        label = f"{label} ({one_line(name)})"
    return label


def find_by_id(tree: Any, element_id: str) -> Any | None:
    """The element with ``id == element_id`` (XPath variable, so any id is safe)."""
    if not element_id:
        return None
    found = tree.xpath("//*[@id=$id]", id=element_id)
    return found[0] if found else None


def line_of(tree: Any, element_id: str) -> int | None:
    """The source line of the element with that id, for a message that points at it."""
    node = find_by_id(tree, element_id)
    line = node.sourceline if node is not None else None
    return line if isinstance(line, int) else None
