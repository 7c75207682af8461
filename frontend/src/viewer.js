// Read-only BPMN diagram for case pages: the path taken and the current tasks highlighted.
// Pages embed <div data-bpmn-viewer data-xml-url="..." data-done='[ids]' data-active='[ids]'>.
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";

async function mount(element) {
  const viewer = new NavigatedViewer({ container: element });
  const response = await fetch(element.dataset.xmlUrl, { credentials: "same-origin" });
  await viewer.importXML(await response.text());
  viewer.get("canvas").zoom("fit-viewport");
  const canvas = viewer.get("canvas");
  for (const id of JSON.parse(element.dataset.done || "[]")) canvas.addMarker(id, "fz-done");
  for (const id of JSON.parse(element.dataset.active || "[]")) canvas.addMarker(id, "fz-active");
  element.fuzhiViewer = viewer;
  element.dispatchEvent(new CustomEvent("fuzhi:diagram-ready", { bubbles: true }));
}

document.querySelectorAll("[data-bpmn-viewer]").forEach((element) => {
  mount(element).catch((error) => {
    element.textContent = String(error.message || error);
    element.classList.add("diagram-error");
  });
});
