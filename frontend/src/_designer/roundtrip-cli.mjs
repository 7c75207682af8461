// Test helper (tests/webapp/test_designer_roundtrip.py): read each BPMN file given on the
// command line with the modeler's moddle (bpmn-moddle + the spiffworkflow descriptor) and
// write it back to stdout as JSON {path: {xml, warnings}}, as the designer would save it.
import { BpmnModdle } from "bpmn-moddle";
import { readFileSync } from "node:fs";
import spiff from "./spiff-moddle.js";

const moddle = new BpmnModdle({ spiffworkflow: spiff });
const out = {};
for (const path of process.argv.slice(2)) {
  const { rootElement, warnings } = await moddle.fromXML(readFileSync(path, "utf8"));
  const { xml } = await moddle.toXML(rootElement, { format: true });
  out[path] = { xml, warnings: warnings.map((w) => String(w.message)) };
}
process.stdout.write(JSON.stringify(out));
