"""The modelling conventions every process in bpmn/ follows (docs/modelling.md).

One parametrised set of checks over every directory of bpmn/ that holds a ``.bpmn``:
lanes are roles and every node sits in exactly one of them, names are Chinese, tasks,
gateways, forms and decision rules cite ``Art. N``, the diagram is complete and readable
(lanes as bands, fixed sizes, no overlaps, orthogonal edges that do not cross shapes),
exclusive gateways have a default flow and conditions on every other one, and forms
refuse unknown fields. The process-specific behaviour stays in ``test_<process>_model.py``.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from processes import catalog
from processes.definition import DATA_SHEET, ProcessDefinition

from .test_corpus import ROLES

BPMN_ROOT = Path(__file__).resolve().parents[2] / "bpmn"
PROCESS_DIRS = sorted(d for d in BPMN_ROOT.iterdir() if d.is_dir() and any(d.glob("*.bpmn")))
ART = re.compile(r"Art\. \d+")

# The lanes (roles) each process is drawn with.
LANES = {
    "appeal": {"legal_reviewer", "approver", "hr_officer"},
    "assessment": {"hr_officer", "approver"},
    "commendation": {"hr_officer", "approver"},
    "complaint": {"hr_officer", "approver"},
    "correction_order": {"justice_bureau", "approver"},
    "discipline": {"hr_officer", "approver", "legal_reviewer"},
    "liability": {"hr_officer", "approver", "legal_reviewer"},
    "measures_filing": {"staffing_office", "hrss", "justice_bureau", "hr_officer"},
    "recruitment": {"hr_officer", "approver"},
    "renewal": {"hr_officer", "approver"},
    "separation": {"hr_officer", "approver"},
    "suggestion": {"approver"},
    "training": {"trainer", "hr_officer", "approver"},
    "usage_plan": {"hr_officer", "approver", "staffing_office", "hrss"},
}

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
DI = "{http://www.omg.org/spec/DD/20100524/DI}"
CITED = ("userTask", "scriptTask", "serviceTask", "businessRuleTask", "exclusiveGateway")
FLOW_NODES = (*CITED, "startEvent", "endEvent", "intermediateCatchEvent", "boundaryEvent")
TASK_SIZE, EVENT_SIZE = (100, 80), (36, 36)
SIZES = {kind: TASK_SIZE for kind in CITED[:4]} | {"exclusiveGateway": (50, 50)}
SIZES |= {kind: EVENT_SIZE for kind in FLOW_NODES[5:]}


@dataclass(frozen=True)
class Model:
    """One process directory: its loaded definition and its parsed diagram."""

    directory: Path
    definition: ProcessDefinition
    root: etree._Element

    @property
    def name(self) -> str:
        return self.directory.name

    @property
    def process(self) -> etree._Element:
        return self.root.find(f"{BPMN}process")

    @property
    def lanes(self) -> dict[str, etree._Element]:
        return {lane.get("name"): lane for lane in self.process.iter(f"{BPMN}lane")}

    @property
    def nodes(self) -> dict[str, etree._Element]:
        return {n.get("id"): n for kind in FLOW_NODES for n in self.process.iter(f"{BPMN}{kind}")}

    @property
    def flows(self) -> dict[str, etree._Element]:
        return {f.get("id"): f for f in self.process.iter(f"{BPMN}sequenceFlow")}

    @property
    def shapes(self) -> dict[str, etree._Element]:
        return {s.get("bpmnElement"): s for s in self.root.iter(f"{BPMNDI}BPMNShape")}

    @property
    def edges(self) -> dict[str, etree._Element]:
        return {e.get("bpmnElement"): e for e in self.root.iter(f"{BPMNDI}BPMNEdge")}

    def box(self, ident: str) -> tuple[float, float, float, float]:
        shape = self.shapes.get(ident)
        assert shape is not None, f"no DI shape for {ident}"
        bounds = shape.find(f"{DC}Bounds")
        assert bounds is not None, f"no bounds for {ident}"
        return tuple(float(bounds.get(key)) for key in ("x", "y", "width", "height"))  # type: ignore[return-value]


@pytest.fixture(scope="module", params=PROCESS_DIRS, ids=lambda d: d.name)
def model(request) -> Model:
    directory = request.param
    (bpmn,) = directory.glob("*.bpmn")
    return Model(directory, catalog.load_directory(directory), etree.parse(str(bpmn)).getroot())


def test_it_covers_every_process_directory():
    assert {d.name for d in PROCESS_DIRS} == set(LANES)


def test_it_passes_the_deploy_check(model):
    (bpmn,) = model.directory.glob("*.bpmn")
    assert catalog.check_path(bpmn, roles=LANES[model.name]) == []


# ------------------------------------------------------------------- lanes


def test_it_draws_one_documented_lane_per_role(model):
    lanes = model.lanes
    assert set(lanes) == LANES[model.name]
    assert set(lanes) <= ROLES
    assert model.definition.lanes == LANES[model.name]
    for name, lane in lanes.items():
        assert lane.findtext(f"{BPMN}documentation"), name


def test_it_puts_every_node_in_exactly_one_lane(model):
    refs = [ref.text for lane in model.lanes.values() for ref in lane.iter(f"{BPMN}flowNodeRef")]
    assert len(refs) == len(set(refs)), "a node stands in two lanes"
    assert set(refs) == set(model.nodes)
    for info in model.definition.tasks.values():
        assert info.lane in LANES[model.name], info.bpmn_id


# ----------------------------------------------------- names and citations


def test_it_names_every_node_in_chinese_and_cites_an_article(model):
    assert ART.search(model.process.findtext(f"{BPMN}documentation") or "")
    for ident, node in model.nodes.items():
        assert not node.get("name", "").isascii(), f"{ident} has no Chinese name"
        doc = node.findtext(f"{BPMN}documentation") or ""
        assert doc.startswith("依据《办法》"), ident
        if etree.QName(node).localname in CITED:
            assert ART.search(doc), f"{ident} does not cite Art. N"
    for info in model.definition.tasks.values():
        assert info.name and not info.name.isascii(), info.bpmn_id
        assert ART.search(info.documentation), info.bpmn_id


def test_it_cites_an_article_on_every_decision_and_rule(model):
    for path in sorted(model.directory.glob("*.dmn")):
        dmn = etree.parse(str(path)).getroot()
        for decision in dmn.iter("{*}decision"):
            assert ART.search(decision.findtext("{*}description") or ""), decision.get("id")
        for rule in dmn.iter("{*}rule"):
            assert ART.search(rule.findtext("{*}description") or ""), rule.get("id")


# ---------------------------------------------------------------- gateways


def test_it_gives_every_exclusive_gateway_a_default_and_named_conditions(model):
    flows = model.flows
    for gateway in model.process.iter(f"{BPMN}exclusiveGateway"):
        outgoing = [f for f in flows.values() if f.get("sourceRef") == gateway.get("id")]
        default = gateway.get("default")
        assert default in {f.get("id") for f in outgoing}, gateway.get("id")
        for flow in outgoing:
            has_condition = flow.find(f"{BPMN}conditionExpression") is not None
            assert has_condition == (flow.get("id") != default), flow.get("id")
            if len(outgoing) > 1:  # a branch is labelled; a join's single way out needs none
                assert flow.get("name") and not flow.get("name").isascii(), flow.get("id")


# ------------------------------------------------------------------- forms


def test_it_uses_every_form_and_each_refuses_unknown_fields_with_its_own_names(model):
    # case_data.json is no task's form: it labels the data no form asks (names, values).
    forms = {n: f for n, f in model.definition.forms.items() if n != DATA_SHEET}
    used = {info.form_name for info in model.definition.tasks.values() if info.form_name}
    assert used == set(forms)
    for name, form in forms.items():
        assert form["additionalProperties"] is False, name
        assert ART.search(form["description"]), name
        for field, prop in form["properties"].items():
            assert prop.get("title"), f"{name}: {field}"
            if prop["type"] == "string":
                assert "maxLength" in prop or "enum" in prop or "format" in prop, field
    fields = [field for form in forms.values() for field in form["properties"]]
    assert len(fields) == len(set(fields)), "two forms share a field name"
    sheet = model.definition.forms.get(DATA_SHEET, {}).get("properties", {})
    assert not set(sheet) & set(fields), "case_data.json relabels a form's field"
    json.dumps(forms, allow_nan=False)


def test_every_user_task_names_the_facts_its_decider_sees_and_each_has_a_label(model):
    for info in model.definition.tasks.values():
        if info.kind == "UserTask":
            assert info.facts, info.bpmn_id
            for fact in info.facts:
                assert model.definition.data_schema(fact), f"{info.bpmn_id}: {fact}"


# ----------------------------------------------------------------- diagram


def _inside(point, box) -> bool:
    """Strictly inside the box (not on its border)."""
    x, y, w, h = box
    return x < point[0] < x + w and y < point[1] < y + h


def _on_border(point, box) -> bool:
    x, y, w, h = box
    px, py = point
    vertical = px in (x, x + w) and y <= py <= y + h
    horizontal = py in (y, y + h) and x <= px <= x + w
    return vertical or horizontal


def _crosses(p, q, box) -> bool:
    """An orthogonal segment p-q passes through the inside of box."""
    x, y, w, h = box
    if p[1] == q[1]:
        return y < p[1] < y + h and max(p[0], q[0]) > x and min(p[0], q[0]) < x + w
    return x < p[0] < x + w and max(p[1], q[1]) > y and min(p[1], q[1]) < y + h


def test_it_draws_every_node_lane_and_flow(model):
    lanes = model.lanes.values()
    assert set(model.nodes) | {lane.get("id") for lane in lanes} <= set(model.shapes)
    assert set(model.flows) == set(model.edges)
    for ident in model.flows:
        assert ident.startswith("flow_"), ident


def test_it_draws_lanes_as_touching_bands_across_the_pool(model):
    pool = model.box(model.root.find(f"{BPMN}collaboration/{BPMN}participant").get("id"))
    bands = sorted((model.box(lane.get("id")) for lane in model.lanes.values()), key=lambda b: b[1])
    assert bands[0][1] == pool[1] and bands[-1][1] + bands[-1][3] == pool[1] + pool[3]
    for upper, lower in itertools.pairwise(bands):
        assert upper[1] + upper[3] == lower[1], "lanes must touch, not overlap"
    for x, _, w, _ in bands:
        assert (x, x + w) == (pool[0] + 30, pool[0] + pool[2])


def test_it_draws_each_node_at_its_size_inside_its_lane_without_overlaps(model):
    lane_of = {
        ref.text: lane.get("id")
        for lane in model.lanes.values()
        for ref in lane.iter(f"{BPMN}flowNodeRef")
    }
    nodes = model.nodes
    boxes = {ident: model.box(ident) for ident in nodes}
    for ident, node in nodes.items():
        x, y, w, h = boxes[ident]
        assert (w, h) == SIZES[etree.QName(node).localname], ident
        lx, ly, lw, lh = model.box(lane_of[ident])
        assert lx < x and x + w < lx + lw and ly < y and y + h < ly + lh, (
            f"{ident} outside its lane"
        )
    hosts = {i: n.get("attachedToRef") for i, n in nodes.items() if n.get("attachedToRef")}
    for one, other in itertools.combinations(boxes, 2):
        if hosts.get(one) == other or hosts.get(other) == one:
            continue
        a, b = boxes[one], boxes[other]
        apart = a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0] or a[1] + a[3] <= b[1]
        assert apart or b[1] + b[3] <= a[1], f"{one} overlaps {other}"


def test_it_draws_orthogonal_edges_from_border_to_border_around_other_shapes(model):
    nodes = model.nodes
    boxes = {ident: model.box(ident) for ident in nodes}
    hosts = {i: n.get("attachedToRef") for i, n in nodes.items() if n.get("attachedToRef")}
    edges = model.edges
    for ident, flow in model.flows.items():
        points = [
            (float(w.get("x")), float(w.get("y"))) for w in edges[ident].iter(f"{DI}waypoint")
        ]
        assert len(points) >= 2, ident
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        assert _on_border(points[0], boxes[source]), f"{ident} starts off {source}"
        assert _on_border(points[-1], boxes[target]), f"{ident} ends off {target}"
        for p, q in itertools.pairwise(points):
            assert p[0] == q[0] or p[1] == q[1], f"{ident} has a diagonal segment"
            for other, box in boxes.items():
                if other not in (source, target, hosts.get(source)):
                    assert not _crosses(p, q, box), f"{ident} passes through {other}"
        assert not any(_inside(point, boxes[target]) for point in points), ident
