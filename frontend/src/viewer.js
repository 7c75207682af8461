// Read-only BPMN diagram for case pages: the path taken and the current tasks highlighted,
// kept in step with the case timeline.
//
// Markup: <div data-bpmn-viewer data-xml-url="..." data-marks="<id of a json_script with
// {done: [ids], active: [ids]}>" data-timeline="<id of the timeline's container>">.
// Timeline entries carry data-bpmn="<element id>". Selecting an entry (click, Enter) marks
// its element on the diagram; clicking an element highlights its entries in the timeline.
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "./_viewer.css";

const SELECTED = "fz-selected";

function readMarks(element) {
  const source = element.dataset.marks && document.getElementById(element.dataset.marks);
  const marks = source ? JSON.parse(source.textContent) : {};
  return { done: marks.done || [], active: marks.active || [] };
}

// A flow is on the path when both its ends were passed (or wait now).
function markPath(viewer, marks) {
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  const passed = new Set([...marks.done, ...marks.active]);
  for (const id of marks.done) if (registry.get(id)) canvas.addMarker(id, "fz-done");
  for (const id of marks.active) if (registry.get(id)) canvas.addMarker(id, "fz-active");
  registry
    .filter((shape) => shape.type === "bpmn:SequenceFlow")
    .filter((flow) => passed.has(flow.source?.id) && passed.has(flow.target?.id))
    .forEach((flow) => canvas.addMarker(flow.id, "fz-done"));
}

function linkTimeline(element, viewer) {
  const timeline = document.getElementById(element.dataset.timeline || "");
  if (!timeline) return;
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  let selectedShape = null;

  function selectShape(id) {
    if (selectedShape) canvas.removeMarker(selectedShape, SELECTED);
    selectedShape = id && registry.get(id) ? id : null;
    if (selectedShape) {
      canvas.addMarker(selectedShape, SELECTED);
      canvas.scrollToElement(registry.get(selectedShape));
    }
    element.dataset.selected = selectedShape || "";
  }

  function highlightEntries(id, scroll) {
    const entries = timeline.querySelectorAll("[data-bpmn]");
    let first = null;
    entries.forEach((entry) => {
      const hit = Boolean(id) && entry.dataset.bpmn === id;
      entry.classList.toggle("fz-hit", hit);
      entry.setAttribute("aria-selected", hit ? "true" : "false");
      if (hit && !first) first = entry;
    });
    if (first && scroll) first.scrollIntoView({ block: "nearest" });
    return first;
  }

  function fromTimeline(event) {
    const entry = event.target.closest("[data-bpmn]");
    if (!entry || !entry.dataset.bpmn || event.target.closest("summary, a")) return;
    selectShape(entry.dataset.bpmn);
    highlightEntries(entry.dataset.bpmn, false);
  }

  timeline.addEventListener("click", fromTimeline);
  timeline.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      fromTimeline(event);
    }
  });
  viewer.get("eventBus").on("element.click", ({ element: shape }) => {
    const id = shape && shape.type !== "bpmn:Process" ? shape.id : null;
    selectShape(id);
    highlightEntries(id, true);
  });
}

async function mount(element) {
  const viewer = new NavigatedViewer({ container: element });
  const response = await fetch(element.dataset.xmlUrl, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
  await viewer.importXML(await response.text());
  viewer.get("canvas").zoom("fit-viewport");
  markPath(viewer, readMarks(element));
  linkTimeline(element, viewer);
  element.fuzhiViewer = viewer;
  element.dataset.ready = "true";
  element.dispatchEvent(new CustomEvent("fuzhi:diagram-ready", { bubbles: true }));
}

document.querySelectorAll("[data-bpmn-viewer]").forEach((element) => {
  mount(element).catch((error) => {
    element.textContent = `${element.dataset.error || ""} ${error.message || error}`;
    element.classList.add("diagram-error");
  });
});
