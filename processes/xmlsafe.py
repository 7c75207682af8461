"""The only way XML enters the engine: a locked-down lxml parse.

SpiffWorkflow parses with lxml's defaults, which expand internal entities (billion
laughs) and will read a DTD. Every model file is parsed here first and refused if it
carries a DOCTYPE, an entity or is oversized; SpiffWorkflow is then handed the tree.
"""

from __future__ import annotations

from lxml import etree

from .errors import HostileInput, ModelError

MAX_MODEL_BYTES = 2 * 1024 * 1024

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN_NAMESPACES = frozenset(
    {
        "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
        "http://www.omg.org/spec/DMN/20180521/MODEL/",
        "https://www.omg.org/spec/DMN/20191111/MODEL/",
        "https://www.omg.org/spec/DMN/20211108/MODEL/",
        "https://www.omg.org/spec/DMN/20230324/MODEL/",
    }
)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=True,
    )


def parse_model_xml(data: bytes, filename: str) -> etree._ElementTree:
    """Parse untrusted model bytes, refusing anything that is not plain XML.

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
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, filename) from None
    _refuse_dtd(tree, filename)
    return tree


def _syntax_error(exc: etree.XMLSyntaxError, filename: str) -> ModelError:
    message = str(exc.msg or exc).split(", line ")[0]
    lowered = message.lower()
    if "entity" in lowered or "doctype" in lowered or "dtd" in lowered:
        return HostileInput(
            f"DOCTYPE/entity declarations are not allowed in a model ({message})",
            file=filename,
            line=exc.lineno,
        )
    return ModelError(f"not well-formed XML: {message}", file=filename, line=exc.lineno)


def _refuse_dtd(tree: etree._ElementTree, filename: str) -> None:
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise HostileInput(
            "a DOCTYPE is not allowed in a model (entities and external references are refused)",
            file=filename,
            line=1,
        )
    for node in tree.iter(etree.Entity, etree.ProcessingInstruction):
        raise HostileInput(
            "entity references are not allowed in a model",
            file=filename,
            line=node.sourceline,
        )
    for node in tree.iter():
        if not isinstance(node.tag, str):
            continue
        for value in node.attrib.values():
            if "://" in value and value.startswith(("file:", "ftp:")):
                raise HostileInput(
                    f"external reference {value!r} is not allowed",
                    file=filename,
                    line=node.sourceline,
                    element=node.get("id", ""),
                )


def kind_of(tree: etree._ElementTree, filename: str) -> str:
    """'bpmn' or 'dmn' from the root element's namespace, else a clear ModelError."""
    root = tree.getroot()
    qname = etree.QName(root)
    if qname.namespace == BPMN_NS and qname.localname == "definitions":
        return "bpmn"
    if qname.namespace in DMN_NAMESPACES and qname.localname == "definitions":
        return "dmn"
    raise ModelError(
        f"not a BPMN 2.0 or DMN document: the root element is <{qname.localname}> in "
        f"namespace {qname.namespace or '(none)'}",
        file=filename,
        line=root.sourceline,
    )
