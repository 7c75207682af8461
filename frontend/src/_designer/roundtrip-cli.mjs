// Test helper (tests/webapp/test_designer_roundtrip.py): read each BPMN or DMN file given
// on the command line with the moddle the designer's modelers use (bpmn-moddle with the
// spiffworkflow descriptor; dmn-moddle, as dmn-js) and write it back as the designer would
// save it. Prints JSON {path: {xml, warnings}}.
import { BpmnModdle } from "bpmn-moddle";
import { DmnModdle } from "dmn-moddle";
import { readFileSync } from "node:fs";
import spiff from "./spiff-moddle.js";

const bpmn = new BpmnModdle({ spiffworkflow: spiff });
const dmn = new DmnModdle();
const out = {};
for (const path of process.argv.slice(2)) {
  const moddle = path.endsWith(".dmn") ? dmn : bpmn;
  const { rootElement, warnings } = await moddle.fromXML(readFileSync(path, "utf8"));
  const { xml } = await moddle.toXML(rootElement, { format: true });
  out[path] = { xml, warnings: warnings.map((w) => String(w.message)) };
}
process.stdout.write(JSON.stringify(out));
