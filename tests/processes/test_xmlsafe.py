"""The hardened XML parse: hostile files are refused before SpiffWorkflow sees them,
legal files in any encoding are read as their authors wrote them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from processes import catalog, xmlsafe
from processes.errors import HostileInput, ModelError

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def small_bpmn(encoding: str, task_name: str, process_name: str = "流程") -> str:
    """A valid one-task BPMN text declaring ``encoding``; encode it with the same codec."""
    return f"""<?xml version="1.0" encoding="{encoding}"?>
<bpmn:definitions xmlns:bpmn="{BPMN_NS}" id="defs" targetNamespace="http://fuzhi.test">
  <bpmn:process id="enc" name="{process_name}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="{task_name}" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def within(seconds: float, call: Callable[[], Any]) -> Any:
    """``call()``'s result, failing the test if it takes longer than ``seconds``.

    The call runs in a thread, so a hang fails this test instead of stalling the run.
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = call()
        except BaseException as exc:  # handed back to the test below
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"did not finish within {seconds} s"
    if "error" in box:
        raise box["error"]
    return box.get("result")


def refusal(data: bytes) -> ModelError:
    with pytest.raises(ModelError) as caught:
        within(5, lambda: xmlsafe.parse_model_xml(data, "evil.bpmn"))
    return caught.value


# -------------------------------------------------------------------- refused


def test_it_refuses_a_doctype() -> None:
    error = refusal(b'<?xml version="1.0"?>\n<!DOCTYPE definitions>\n<definitions/>')
    assert isinstance(error, HostileInput)
    assert "DOCTYPE" in error.one_line()
    assert error.one_line().startswith("evil.bpmn, line")


def test_it_refuses_billion_laughs_quickly() -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    data = f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]><lolz>&lol9;</lolz>'.encode()
    started = time.monotonic()
    error = refusal(data)
    assert isinstance(error, HostileInput)
    assert time.monotonic() - started < 1


def test_it_refuses_an_external_entity_without_reading_it() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><d>&xxe;</d>'
    )
    error = refusal(data)
    assert isinstance(error, HostileInput)
    assert "root:" not in error.one_line()


def test_it_refuses_an_external_dtd_and_parameter_entities() -> None:
    for data in (
        b'<?xml version="1.0"?><!DOCTYPE d SYSTEM "http://example.com/evil.dtd"><d/>',
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><d/>',
    ):
        assert isinstance(refusal(data), HostileInput)


def test_it_refuses_an_undeclared_entity_reference() -> None:
    error = refusal(b"<definitions>&nbsp;</definitions>")
    assert isinstance(error, HostileInput)
    assert "entity" in error.detail


def test_it_refuses_xinclude() -> None:
    data = (
        b'<definitions xmlns:xi="http://www.w3.org/2001/XInclude">\n'
        b'  <xi:include href="secrets.xml" parse="text"/>\n</definitions>'
    )
    error = refusal(data)
    assert isinstance(error, HostileInput)
    assert "XInclude" in error.detail
    assert error.line == 2


@pytest.mark.parametrize(
    "attribute",
    [
        'href="file:///etc/passwd"',
        'location="other-model.bpmn"',
        'name="jar:file:/tmp/x.jar!/a"',
        'href="http://example.com/other.dmn#decision"',
    ],
)
def test_it_refuses_an_external_reference(attribute: str) -> None:
    data = f'<definitions xmlns="{BPMN_NS}"><import id="i" {attribute}/></definitions>'
    error = refusal(data.encode())
    assert isinstance(error, HostileInput)
    assert "external reference" in error.detail


def test_it_accepts_local_references_and_schema_locations() -> None:
    data = (
        b'<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"'
        b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        b' xsi:schemaLocation="https://www.omg.org/spec/DMN/20191111/MODEL/ dmn.xsd">'
        b'<requiredInput href="#input_1"/><x name="File: notes"/></definitions>'
    )
    assert xmlsafe.parse_model_xml(data, "ok.dmn").getroot() is not None


def test_it_refuses_an_oversize_file_quickly() -> None:
    data = b"<a>" + b"x" * xmlsafe.MAX_MODEL_BYTES + b"</a>"
    started = time.monotonic()
    error = refusal(data)
    assert isinstance(error, HostileInput)
    assert "limit" in error.detail
    assert time.monotonic() - started < 1


def test_it_refuses_deep_nesting_without_hanging() -> None:
    data = b"<a>" * 10_000 + b"</a>" * 10_000
    error = refusal(data)
    assert isinstance(error, HostileInput)
    assert "nested" in error.detail
    assert error.line == 1


def test_it_refuses_a_hundred_thousand_attributes_on_one_element_in_linear_time() -> None:
    attributes = " ".join(f'a{i}="x"' for i in range(100_000))  # 1.09 MB: 91.5 s before
    data = small_bpmn("UTF-8", "审批").replace(
        '<bpmn:userTask id="review"', f'<bpmn:userTask {attributes} id="review"'
    )
    started = time.monotonic()
    error = refusal(data.encode())
    assert isinstance(error, HostileInput)
    assert "100,002 attributes" in error.detail and error.element == "userTask"
    assert time.monotonic() - started < 5  # 91.5 s before
    # Through every path a deploy takes, too.
    problems = within(5, lambda: catalog.check_files({"big.bpmn": data.encode()}))
    assert len(problems) == 1 and "attributes" in problems[0].detail


def test_it_refuses_too_many_attributes_in_a_file_and_too_many_namespaces() -> None:
    many = "".join(f'<bpmn:dataObject id="d{i}" name="n" a="1" b="2"/>' for i in range(13_000))
    data = small_bpmn("UTF-8", "审批").replace("<bpmn:startEvent", many + "<bpmn:startEvent")
    error = refusal(data.encode())
    assert "more than 50,000 attributes" in error.detail
    declared = " ".join(f'xmlns:p{i}="urn:p{i}"' for i in range(60_000))
    error = refusal(f"<a {declared}/>".encode())
    assert "namespaces 60,000 times" in error.detail
    error = refusal(f"<a {declared[:600_000]}/>".encode("utf-16"))
    assert "namespaces" in error.detail


def test_it_reads_a_huge_attribute_under_the_cap_quickly() -> None:
    name = "长" * 600_000  # 1.8 MB of UTF-8 in one attribute
    data = small_bpmn("UTF-8", name).encode("utf-8")
    assert len(data) < xmlsafe.MAX_MODEL_BYTES
    problems = within(30, lambda: catalog.check_files({"big.bpmn": data}))
    assert problems == []


def test_it_refuses_an_oversize_file_on_disk_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "huge.bpmn"
    with path.open("wb") as handle:
        handle.write(b"<a>")
        handle.seek(50 * 1024 * 1024)
        handle.write(b"</a>")
    [problem] = within(5, lambda: catalog.check_path(path))
    assert isinstance(problem, HostileInput)
    assert "limit" in problem.detail


def test_it_refuses_an_empty_file() -> None:
    for data in (b"", b"  \n\t"):
        error = refusal(data)
        assert error.detail == "file is empty"


def test_it_names_the_line_of_malformed_xml() -> None:
    error = refusal(b"<definitions>\n  <process>\n  </definitions>\n")
    assert error.line == 3
    assert error.detail.startswith("not well-formed XML")
    assert error.one_line().startswith("evil.bpmn, line 3: ")


def test_it_refuses_bytes_that_contradict_the_declared_encoding() -> None:
    data = small_bpmn("UTF-8", "Prüfung", "Bewerbung").encode("latin-1")
    error = refusal(data)
    assert not isinstance(error, HostileInput)
    assert "not well-formed XML" in error.detail


def test_it_refuses_a_document_that_is_neither_bpmn_nor_dmn() -> None:
    tree = xmlsafe.parse_model_xml(b'<definitions xmlns="http://not-bpmn"/>', "x.bpmn")
    with pytest.raises(ModelError, match=r"not a BPMN 2\.0 or DMN document"):
        xmlsafe.kind_of(tree, "x.bpmn")


# ---------------------------------------------------------------- read right


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-16-le"])
def test_it_reads_utf16_files(codec: str) -> None:
    text = small_bpmn("UTF-16", "报名资格审查")
    data = text.encode(codec)
    if codec != "utf-16":  # the plain codec writes a BOM itself; add one to the others
        data = "\ufeff".encode(codec) + data
    definition = catalog.load_definition({"u16.bpmn": data})
    assert definition.tasks["review"].name == "报名资格审查"
    assert definition.name == "流程"
    assert catalog.check_files({"u16.bpmn": data}) == []


def test_it_reads_latin1_files() -> None:
    data = small_bpmn("ISO-8859-1", "Prüfung der Unterlagen", "Bewerbung über Ämter").encode(
        "latin-1"
    )
    definition = catalog.load_definition({"latin.bpmn": data})
    assert definition.tasks["review"].name == "Prüfung der Unterlagen"
    assert definition.name == "Bewerbung über Ämter"


def test_it_drops_comments_that_would_crash_spiffworkflow() -> None:
    data = small_bpmn("UTF-8", "审查").replace(
        '<bpmn:userTask id="review" name="审查" />',
        '<bpmn:scriptTask id="review"><!-- note --><bpmn:script>x = 1</bpmn:script>'
        "</bpmn:scriptTask>",
    )
    assert catalog.check_files({"c.bpmn": data.encode()}) == []
