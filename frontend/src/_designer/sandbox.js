// Test run of the draft in the server's sandbox: the run is replayed from the start with
// the inputs chosen so far, operators only record what they would do, nothing is stored.
import { el, postJSON, t } from "./util.js";

export class Sandbox {
  constructor({ editor, container }) {
    this.editor = editor;
    this.container = container;
    this.inputs = [];
    this.data = JSON.stringify(editor.config.sample || {}, null, 2);
    this.result = null;
  }

  toggle() {
    this.container.hidden = !this.container.hidden;
    if (!this.container.hidden) this.render();
    else this.clearMarkers();
  }

  async replay() {
    let start;
    try {
      start = JSON.parse(this.data || "{}");
    } catch (error) {
      return this.render(t("bad_json"));
    }
    await this.editor.sync();
    const { ok, data } = await postJSON(this.editor.urls.test_run, { files: this.editor.files, data: start, inputs: this.inputs });
    if (!ok) {
      this.result = null;
      return this.render(data.error);
    }
    if (data.error && this.inputs.length) this.inputs.pop(); // let the person correct that input
    this.result = data;
    this.render(data.error);
  }

  clearMarkers() {
    if (!this.editor.bpmnOpen) return;
    const canvas = this.editor.modeler.get("canvas");
    const registry = this.editor.modeler.get("elementRegistry");
    for (const id of this.marked || []) ["fz-path", "fz-active"].forEach((m) => registry.get(id) && canvas.removeMarker(id, m));
    this.marked = [];
  }

  mark() {
    this.clearMarkers();
    if (!this.result || !this.editor.bpmnOpen) return;
    const canvas = this.editor.modeler.get("canvas");
    const registry = this.editor.modeler.get("elementRegistry");
    const path = new Set(this.result.path);
    // The flows between two steps taken are part of the path too.
    registry.filter((e) => e.type === "bpmn:SequenceFlow").forEach((flow) => {
      if (path.has(flow.businessObject.sourceRef?.id) && path.has(flow.businessObject.targetRef?.id)) path.add(flow.id);
    });
    this.marked = [];
    for (const id of path) if (registry.get(id)) (canvas.addMarker(id, "fz-path"), this.marked.push(id));
    for (const task of this.result.waiting) if (registry.get(task.bpmn_id)) (canvas.addMarker(task.bpmn_id, "fz-active"), this.marked.push(task.bpmn_id));
  }

  render(error = "") {
    const textarea = el("textarea", { rows: 6, "data-testid": "sandbox-data", spellcheck: "false" }, this.data);
    textarea.addEventListener("input", () => (this.data = textarea.value));
    const startButton = el("button", { type: "button", class: "primary", "data-testid": "sandbox-start" }, t("start_run"));
    startButton.addEventListener("click", () => {
      this.inputs = [];
      this.replay();
    });
    const parts = [el("h2", {}, t("start_run")), el("label", {}, t("start_data"), textarea), startButton];
    if (error) parts.push(el("p", { class: "error", "data-testid": "sandbox-error" }, error));
    const result = this.result;
    if (result) {
      parts.push(el("p", { "data-testid": "sandbox-path" }, t("path"), " ", result.path.join(" → ")));
      if (result.completed) parts.push(el("p", { class: "ok", "data-testid": "sandbox-completed" }, t("run_completed")));
      for (const task of result.waiting) parts.push(this.taskForm(task, result.field_errors || {}));
      if (result.timers) {
        const fire = el("button", { type: "button", "data-testid": "sandbox-fire-timers" }, t("fire_timers"));
        fire.addEventListener("click", () => {
          this.inputs.push({ timer: true });
          this.replay();
        });
        parts.push(fire);
      }
      if (result.operator_calls.length) {
        parts.push(
          el("p", {}, t("operator_calls")),
          el("ul", { "data-testid": "sandbox-operators" }, result.operator_calls.map((c) => el("li", {}, el("code", {}, c.operator), ` @ ${c.task}: ${JSON.stringify(c.params)}`))),
        );
      }
    }
    this.container.replaceChildren(...parts);
    this.mark();
  }

  taskForm(task, errors) {
    const props = task.form?.properties || {};
    const inputs = {};
    const fields = Object.entries(props).map(([name, prop]) => {
      const input = fieldInput(prop);
      inputs[name] = [input, prop];
      return el("div", { class: "field", "data-sandbox-field": name }, el("label", {}, prop.title || name, input), errors[name] ? el("span", { class: "field-error" }, errors[name]) : null);
    });
    const submit = el("button", { type: "button", "data-testid": `sandbox-complete-${task.bpmn_id}` }, t("complete_task"));
    submit.addEventListener("click", () => {
      const data = {};
      for (const [name, [input, prop]] of Object.entries(inputs)) {
        const value = readValue(input, prop);
        if (value !== undefined) data[name] = value;
      }
      this.inputs.push({ task: task.bpmn_id, data });
      this.replay();
    });
    return el("fieldset", { class: "card", "data-sandbox-task": task.bpmn_id }, el("legend", {}, `${t("run_waiting")} ${task.name} (${task.lane})`), fields, submit);
  }
}

function fieldInput(prop) {
  if (prop.type === "boolean") return el("select", {}, el("option", { value: "" }, "—"), el("option", { value: "true" }, "true"), el("option", { value: "false" }, "false"));
  if (Array.isArray(prop.enum)) {
    const labels = prop["x-enumLabels"] || prop.enum;
    return el("select", {}, el("option", { value: "" }, "—"), prop.enum.map((v, i) => el("option", { value: JSON.stringify(v) }, labels[i] ?? v)));
  }
  if (prop.type === "integer" || prop.type === "number") return el("input", { type: "number", step: prop.type === "integer" ? "1" : "any" });
  return el("input", { type: prop.format === "date" ? "date" : "text" });
}

function readValue(input, prop) {
  const raw = input.value;
  if (raw === "") return undefined;
  if (prop.type === "boolean") return raw === "true";
  if (Array.isArray(prop.enum)) return JSON.parse(raw);
  if (prop.type === "integer" || prop.type === "number") return Number(raw);
  return raw;
}
