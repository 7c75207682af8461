// The process designer (issue 5): the draft editor and the version compare page.
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css";
import "dmn-js/dist/assets/dmn-js-shared.css";
import "dmn-js/dist/assets/dmn-js-drd.css";
import "dmn-js/dist/assets/dmn-js-decision-table.css";
import "dmn-js/dist/assets/dmn-js-decision-table-controls.css";
import "dmn-js/dist/assets/dmn-js-literal-expression.css";
import "dmn-js/dist/assets/dmn-font/css/dmn-embedded.css";
import "./_designer/designer.css";
import { Editor } from "./_designer/editor.js";
import { mountCompare } from "./_designer/compare.js";

function fail(root, error) {
  root.dataset.error = String(error.message || error);
  root.prepend(Object.assign(document.createElement("p"), { className: "error", textContent: root.dataset.error }));
}

const editorRoot = document.querySelector("[data-designer-editor]");
if (editorRoot) {
  const editor = new Editor(editorRoot);
  window.fuzhiDesigner = editor;
  editor.start().catch((error) => fail(editorRoot, error));
}
const compareRoot = document.querySelector("[data-designer-compare]");
if (compareRoot) mountCompare(compareRoot).catch((error) => fail(compareRoot, error));
