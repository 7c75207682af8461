// The Fuzhi properties panel: edits exactly what Fuzhi's engine reads from a model
// (docs/modelling.md): lane = role, user-task form (JSON Schema file) and dueIn,
// documentation citing the article, gateway conditions, timers, the decision a
// business-rule task calls, the operator (and its parameters) a service task calls.
import { readableId } from "./ids.js";
import { ATTACHMENT, attachmentLimits, fieldDetails, newAttachment } from "./fields.js";
import { el, t } from "./util.js";

const FORM = "formJsonSchemaFilename";
const DUE = "dueIn";
const FIELD_TYPES = ["string", "integer", "number", "boolean", "attachment"];
// What a field of kind attachment may accept, and its default limits (processes/attachments.py
// holds the ceilings the deploy checks: 10 files, 20 MB each).
const ARTICLE = /Art\.\s*\d+/;
const ID = /^[A-Za-z_][\w.-]*$/;
const EVENT_REFS = { "bpmn:MessageEventDefinition": ["messageRef", "bpmn:Message"], "bpmn:SignalEventDefinition": ["signalRef", "bpmn:Signal"], "bpmn:ErrorEventDefinition": ["errorRef", "bpmn:Error"], "bpmn:EscalationEventDefinition": ["escalationRef", "bpmn:Escalation"] };
const LOOP = "bpmn:MultiInstanceLoopCharacteristics";

export class FuzhiPanel {
  constructor({ container, modeler, config, bundle }) {
    this.container = container;
    this.modeler = modeler;
    this.config = config;
    this.bundle = bundle; // { files, changed() }: forms live beside the BPMN file
    this.element = null;
    const events = modeler.get("eventBus");
    events.on("selection.changed", (event) => this.show(event.newSelection[0] || null));
    events.on(["commandStack.shape.create.postExecuted", "commandStack.connection.create.postExecuted"], (event) => {
      const element = event.context.shape || event.context.connection;
      if (element) this.readableId(element);
    });
    events.on("commandStack.changed", () => {
      // Re-render after an edit made on the canvas (or undo), not while typing here.
      if (!this.container.contains(document.activeElement)) this.show(this.element);
    });
    this.show(null);
  }

  get modeling() {
    return this.modeler.get("modeling");
  }

  get moddle() {
    return this.modeler.get("moddle");
  }

  show(element) {
    this.element = element && this.modeler.get("elementRegistry").get(element.id) ? element : null;
    this.container.replaceChildren();
    if (!this.element) {
      this.container.append(el("p", { class: "help" }, t("nothing_selected")));
      return;
    }
    const bo = this.element.businessObject;
    const type = bo.$type;
    this.container.append(el("h3", {}, `${this.kindLabel(type)} `, el("code", { "data-testid": "panel-id" }, bo.id)));
    this.container.append(this.idField(bo));
    if (type === "bpmn:Lane") return this.container.append(this.laneRole(bo));
    if (type !== "bpmn:Process" && type !== "bpmn:Collaboration") this.container.append(this.nameField(bo));
    this.container.append(this.documentationField(bo));
    if (type === "bpmn:ScriptTask") this.container.append(this.script(bo));
    if (type === "bpmn:CallActivity") this.container.append(this.calledElement(bo));
    if (/Task$|SubProcess$|CallActivity$/.test(type)) this.container.append(...this.multiInstance(bo));
    for (const definition of bo.eventDefinitions || []) {
      if (EVENT_REFS[definition.$type]) this.container.append(this.eventRef(definition));
    }
    if (type === "bpmn:UserTask" || type === "bpmn:ManualTask") this.container.append(...this.userTask(bo));
    if (type === "bpmn:SequenceFlow") this.container.append(...this.condition(bo));
    if (type === "bpmn:BusinessRuleTask") this.container.append(this.decision(bo));
    if (type === "bpmn:ServiceTask") this.container.append(...this.operator(bo));
    const timer = (bo.eventDefinitions || []).find((d) => d.$type === "bpmn:TimerEventDefinition");
    if (timer) this.container.append(...this.timer(timer));
  }

  // ------------------------------------------------------------------ fields

  field(key, label, input, hint) {
    return el("div", { class: "field", "data-panel-field": key }, el("label", {}, label, input), hint || null);
  }

  kindLabel(type) {
    // "bpmn:UserTask" -> "User task", as bpmn-js's own menus name it (so it is translated).
    const words = type.replace(/^\w+:/, "").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
    const label = words.charAt(0).toUpperCase() + words.slice(1);
    return this.modeler.get("translate")(label.replace("Sub process", "Sub-process"));
  }

  nameField(bo) {
    const input = el("input", { value: bo.name || "", "data-testid": "panel-name" });
    input.addEventListener("change", () => {
      this.modeling.updateProperties(this.element, { name: input.value });
      this.readableId(this.element);
    });
    return this.field("name", t("element_name"), input);
  }

  idField(bo) {
    // Ids appear in case histories and migration reasons: editable, checked, unique.
    const input = el("input", { value: bo.id, "data-testid": "panel-id-input", spellcheck: "false" });
    const error = el("p", { class: "error", hidden: true });
    input.addEventListener("change", () => {
      const next = input.value.trim();
      const taken = next !== bo.id && this.modeler.get("elementRegistry").get(next);
      error.hidden = ID.test(next) && !taken;
      error.textContent = taken ? t("id_taken", next) : t("id_invalid");
      if (!error.hidden) return;
      this.modeling.updateProperties(this.element, { id: next });
      this.show(this.element);
    });
    return this.field("id", t("id"), input, error);
  }

  readableId(element) {
    readableId(this.modeler, element);
  }

  script(bo) {
    // Checked by the server's sandbox policy as you type (the same check a deploy runs).
    const input = el("textarea", { rows: 8, spellcheck: "false", class: "code", "data-testid": "panel-script" }, bo.script || "");
    const write = () => this.modeling.updateProperties(this.element, { script: input.value, scriptFormat: "python" });
    input.addEventListener("input", () => {
      clearTimeout(this.scriptTimer);
      this.scriptTimer = setTimeout(() => {
        write();
        this.container.dispatchEvent(new CustomEvent("fz-check", { bubbles: true }));
      }, 700);
    });
    input.addEventListener("change", write);
    return this.field("script", t("script"), input, el("p", { class: "help" }, t("script_help")));
  }

  calledElement(bo) {
    const input = el("input", { value: bo.calledElement || "", "data-testid": "panel-called-element" });
    input.addEventListener("change", () => this.modeling.updateProperties(this.element, { calledElement: input.value.trim() || undefined }));
    return this.field("called-element", t("called_element"), input);
  }

  multiInstance(bo) {
    const loop = bo.loopCharacteristics?.$type === LOOP ? bo.loopCharacteristics : null;
    const kind = el(
      "select",
      { "data-testid": "panel-multi-instance" },
      ["", "parallel", "sequential"].map((k) => el("option", { value: k, selected: (loop ? (loop.isSequential ? "sequential" : "parallel") : "") === k }, t(`mi_${k || "none"}`))),
    );
    kind.addEventListener("change", () => {
      const loopCharacteristics = kind.value ? this.moddle.create(LOOP, { isSequential: kind.value === "sequential" }) : undefined;
      if (loopCharacteristics && loop) {
        loopCharacteristics.loopCardinality = loop.loopCardinality;
        loopCharacteristics.completionCondition = loop.completionCondition;
      }
      this.modeling.updateProperties(this.element, { loopCharacteristics });
      this.show(this.element);
    });
    const parts = [this.field("multi-instance", t("multi_instance"), kind)];
    if (!loop) return parts;
    for (const [key, label] of [["loopCardinality", "mi_cardinality"], ["completionCondition", "mi_completion"]]) {
      const input = el("input", { value: loop[key]?.body || "", spellcheck: "false" });
      input.addEventListener("change", () => {
        const value = input.value.trim() ? this.moddle.create("bpmn:FormalExpression", { body: input.value.trim() }) : undefined;
        this.modeling.updateModdleProperties(this.element, loop, { [key]: value });
      });
      parts.push(this.field(key, t(label), input));
    }
    return parts;
  }

  eventRef(definition) {
    // Messages, signals, errors and escalations are root elements the event points to.
    const [attr, type] = EVENT_REFS[definition.$type];
    const definitions = this.modeler.getDefinitions();
    const roots = definitions.get("rootElements").filter((r) => r.$type === type);
    const current = definition[attr];
    const select = el(
      "select",
      { "data-testid": `panel-${attr}` },
      el("option", { value: "" }, "—"),
      roots.map((r) => el("option", { value: r.id, selected: r === current }, r.name ? `${r.name} (${r.id})` : r.id)),
      el("option", { value: "__new__" }, t("new_reference")),
    );
    select.addEventListener("change", () => {
      let target = roots.find((r) => r.id === select.value);
      if (select.value === "__new__") {
        const name = (window.prompt(t("reference_name"), "") || "").trim();
        if (!name) return this.show(this.element);
        const words = name.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "").toLowerCase();
        let id = /^[a-z]/.test(words) ? words : `${type.slice(5).toLowerCase()}_${roots.length + 1}`;
        while (this.modeler.get("elementRegistry").get(id) || definitions.get("rootElements").some((r) => r.id === id)) id = `${id}_1`;
        target = this.moddle.create(type, { id, name });
        target.$parent = definitions;
        definitions.get("rootElements").push(target);
      }
      this.modeling.updateModdleProperties(this.element, definition, { [attr]: target || undefined });
      this.show(this.element);
    });
    return this.field(attr, t(attr), select);
  }

  documentationField(bo) {
    const text = (bo.documentation || []).map((d) => d.text).join("\n");
    const warning = el("p", { class: "error", hidden: ARTICLE.test(text) || !text ? true : null }, t("no_article"));
    const input = el("textarea", { rows: 4 }, text);
    input.addEventListener("input", () => (warning.hidden = !input.value || ARTICLE.test(input.value)));
    input.addEventListener("change", () => {
      const documentation = input.value ? [this.moddle.create("bpmn:Documentation", { text: input.value })] : [];
      this.modeling.updateProperties(this.element, { documentation });
    });
    return this.field("documentation", t("documentation"), input, warning);
  }

  laneRole(bo) {
    const select = el(
      "select",
      {},
      this.config.roles.some((r) => r.code === bo.name) ? null : el("option", { value: bo.name || "" }, bo.name || "—"),
      this.config.roles.map((r) => el("option", { value: r.code, selected: r.code === bo.name }, `${r.label} (${r.code})`)),
    );
    select.addEventListener("change", () => this.modeling.updateProperties(this.element, { name: select.value }));
    return this.field("lane-role", t("lane_role"), select);
  }

  // ---------------------------------------------------- extension properties

  extension(bo, type) {
    return (bo.extensionElements?.values || []).find((v) => v.$type === type) || null;
  }

  ensureExtension(bo, type, attrs = {}) {
    let ext = bo.extensionElements;
    if (!ext) {
      ext = this.moddle.create("bpmn:ExtensionElements", { values: [] });
      ext.$parent = bo;
    }
    let found = ext.get("values").find((v) => v.$type === type);
    if (!found) {
      found = this.moddle.create(type, attrs);
      found.$parent = ext;
      ext.get("values").push(found);
    }
    return { ext, found };
  }

  property(bo, name) {
    const props = this.extension(bo, "spiffworkflow:Properties");
    return props?.get("properties").find((p) => p.name === name)?.value || "";
  }

  setProperty(name, value) {
    const bo = this.element.businessObject;
    const { ext, found: props } = this.ensureExtension(bo, "spiffworkflow:Properties");
    const list = props.get("properties");
    const existing = list.find((p) => p.name === name);
    if (value && existing) existing.value = value;
    else if (value) list.push(this.moddle.create("spiffworkflow:Property", { name, value }));
    else if (existing) list.splice(list.indexOf(existing), 1);
    this.modeling.updateProperties(this.element, { extensionElements: ext });
  }

  // -------------------------------------------------------------- user task

  userTask(bo) {
    const formName = this.property(bo, FORM);
    const forms = Object.keys(this.bundle.files).filter((n) => n.startsWith("forms/")).map((n) => n.slice(6));
    const select = el(
      "select",
      {},
      el("option", { value: "" }, t("no_form")),
      forms.map((name) => el("option", { value: name, selected: name === formName }, name)),
      el("option", { value: "__new__" }, t("new_form")),
    );
    select.addEventListener("change", () => {
      let name = select.value;
      if (name === "__new__") {
        name = (window.prompt(t("form"), `${bo.id}.json`) || "").trim();
        if (!/^[\w.-]+\.json$/.test(name)) return this.show(this.element);
        if (!this.bundle.files[`forms/${name}`]) this.bundle.files[`forms/${name}`] = newForm(bo.name || bo.id);
        this.bundle.changed();
      }
      this.setProperty(FORM, name);
      this.show(this.element);
    });
    const due = el("input", { value: this.property(bo, DUE), placeholder: "P3D" });
    due.addEventListener("change", () => this.setProperty(DUE, due.value.trim()));
    const parts = [this.field("form", t("form"), select), this.field("due-in", t("due_in"), due)];
    if (formName && this.bundle.files[`forms/${formName}`] !== undefined) parts.push(this.formEditor(`forms/${formName}`));
    return parts;
  }

  formEditor(path) {
    let schema;
    try {
      schema = JSON.parse(this.bundle.files[path]);
    } catch (error) {
      return el("p", { class: "error" }, `${path}: ${error.message}`);
    }
    schema.properties = schema.properties || {};
    const save = () => {
      this.bundle.files[path] = `${JSON.stringify(schema, null, 2)}\n`;
      this.bundle.changed();
    };
    const rows = Object.entries(schema.properties).flatMap(([name, prop]) => this.fieldRow(schema, name, prop, save));
    const add = el("button", { type: "button", "data-testid": "form-add-field" }, t("add_field"));
    add.addEventListener("click", () => {
      let n = 1;
      while (schema.properties[`field_${n}`]) n += 1;
      schema.properties[`field_${n}`] = { type: "string", title: `field_${n}`, maxLength: 200 };
      save();
      this.show(this.element);
    });
    return el(
      "div",
      { class: "field form-editor", "data-panel-field": "form-fields", "data-form": path },
      el("label", {}, `${t("form_fields")} (${path})`),
      el(
        "table",
        { class: "changes" },
        el("tr", {}, el("th", {}, t("field_name")), el("th", {}, t("field_label")), el("th", {}, t("field_type")), el("th", {}, t("field_required")), el("th")),
        rows,
      ),
      add,
    );
  }

  fieldRow(schema, name, prop, save) {
    const required = new Set(schema.required || []);
    const label = el("input", { value: prop.title || "", "data-form-label": name, title: prop.title || "" });
    label.addEventListener("input", () => {
      prop.title = label.value;
      save();
    });
    const kind = prop[ATTACHMENT] ? "attachment" : prop.type;
    const type = el("select", { "data-form-type": name }, FIELD_TYPES.map((ft) => el("option", { value: ft, selected: ft === kind }, t(`type_${ft}`))));
    type.addEventListener("change", () => {
      if (type.value === "attachment") {
        prop.type = "array";
        prop[ATTACHMENT] = newAttachment();
      } else {
        prop.type = type.value;
        delete prop[ATTACHMENT];
        delete prop.items;
      }
      if (prop.type !== "string") delete prop.maxLength;
      save();
      this.show(this.element);
    });
    const req = el("input", { type: "checkbox", checked: required.has(name) });
    req.addEventListener("change", () => {
      if (req.checked) required.add(name);
      else required.delete(name);
      schema.required = [...required];
      save();
    });
    const rename = el("input", { value: name, size: 12, title: name });
    rename.addEventListener("change", () => {
      const next = rename.value.trim();
      if (!/^[a-z_][a-z0-9_]*$/.test(next) || schema.properties[next]) return (rename.value = name);
      schema.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k === name ? next : k, v]));
      schema.required = (schema.required || []).map((r) => (r === name ? next : r));
      save();
      this.show(this.element);
    });
    const remove = el("button", { type: "button", title: t("remove"), "aria-label": t("remove") }, "×");
    remove.addEventListener("click", () => {
      delete schema.properties[name];
      schema.required = (schema.required || []).filter((r) => r !== name);
      save();
      this.show(this.element);
    });
    const main = el("tr", { "data-form-field": name }, el("td", {}, rename), el("td", {}, label), el("td", {}, type), el("td", {}, req), el("td", {}, remove));
    const rows = [main, fieldDetails(name, prop, save)];
    return prop[ATTACHMENT] ? [...rows, attachmentLimits(name, prop[ATTACHMENT], save)] : rows;
  }


  // ------------------------------------------------- flows, timers, calls

  condition(bo) {
    const source = bo.sourceRef;
    if (!source || !/Gateway$/.test(source.$type)) return [];
    const input = el("textarea", { rows: 2, "data-testid": "panel-condition" }, bo.conditionExpression?.body || "");
    input.addEventListener("change", () => {
      const value = input.value.trim();
      const conditionExpression = value ? this.moddle.create("bpmn:FormalExpression", { body: value }) : undefined;
      this.modeling.updateProperties(this.element, { conditionExpression });
    });
    return [this.field("condition", t("condition"), input)];
  }

  timer(definition) {
    const kinds = ["timeDuration", "timeDate", "timeCycle"];
    const current = kinds.find((k) => definition[k]) || "timeDuration";
    const kind = el("select", {}, kinds.map((k) => el("option", { value: k, selected: k === current }, t(k))));
    const expression = el("input", { value: definition[current]?.body || "" });
    const write = () => {
      const props = Object.fromEntries(kinds.map((k) => [k, undefined]));
      props[kind.value] = this.moddle.create("bpmn:FormalExpression", { body: expression.value.trim() });
      this.modeler.get("modeling").updateModdleProperties(this.element, definition, props);
    };
    kind.addEventListener("change", write);
    expression.addEventListener("change", write);
    return [this.field("timer-kind", t("timer_kind"), kind), this.field("timer-expression", t("timer_expression"), expression)];
  }

  decision(bo) {
    const current = this.extension(bo, "spiffworkflow:CalledDecisionId")?.value || "";
    const local = Object.entries(this.bundle.files)
      .filter(([name]) => name.endsWith(".dmn"))
      .flatMap(([, text]) => [...text.matchAll(/<(?:\w+:)?decision\b[^>]*\bid="([^"]+)"/g)].map((m) => m[1]));
    const choices = [...new Set([...local, ...this.config.decisions, current].filter(Boolean))].sort();
    const select = el("select", {}, el("option", { value: "" }, "—"), choices.map((d) => el("option", { value: d, selected: d === current }, d)));
    select.addEventListener("change", () => {
      const { ext, found } = this.ensureExtension(bo, "spiffworkflow:CalledDecisionId");
      found.value = select.value;
      this.modeling.updateProperties(this.element, { extensionElements: ext });
    });
    return this.field("decision", t("decision"), select);
  }

  operator(bo) {
    const call = this.extension(bo, "spiffworkflow:ServiceTaskOperator");
    const current = call?.id || "";
    const known = this.config.operators.some((o) => o.name === current);
    const select = el(
      "select",
      { "data-testid": "panel-operator" },
      el("option", { value: "" }, "—"),
      current && !known ? el("option", { value: current, selected: true }, `${current} (?)`) : null,
      this.config.operators.map((o) => el("option", { value: o.name, selected: o.name === current }, `${o.name}: ${o.label}`)),
    );
    const result = el("input", { value: call?.resultVariable || "" });
    const write = () => {
      const { ext, found } = this.ensureExtension(bo, "spiffworkflow:ServiceTaskOperator");
      found.id = select.value;
      found.resultVariable = result.value.trim() || undefined;
      this.modeling.updateProperties(this.element, { extensionElements: ext });
    };
    select.addEventListener("change", write);
    result.addEventListener("change", write);
    return [
      this.field("operator", t("operator"), select),
      this.field("result-variable", t("result_variable"), result),
      this.parameters(bo, call),
    ];
  }

  parameters(bo, call) {
    const params = call?.parameterList?.get("parameters") || [];
    const write = () => this.modeling.updateProperties(this.element, { extensionElements: bo.extensionElements });
    const rows = params.map((param) => {
      const inputs = ["id", "type", "value"].map((key) => {
        const input = el("input", { value: param[key] || "", size: key === "value" ? 18 : 8 });
        input.addEventListener("change", () => {
          param[key] = input.value.trim();
          write();
        });
        return el("td", {}, input);
      });
      return el("tr", {}, inputs);
    });
    const add = el("button", { type: "button" }, t("add_parameter"));
    add.addEventListener("click", () => {
      const { found } = this.ensureExtension(bo, "spiffworkflow:ServiceTaskOperator");
      if (!found.parameterList) {
        found.parameterList = this.moddle.create("spiffworkflow:Parameters", { parameters: [] });
        found.parameterList.$parent = found;
      }
      found.parameterList.get("parameters").push(this.moddle.create("spiffworkflow:Parameter", { id: "name", type: "str", value: "''" }));
      write();
      this.show(this.element);
    });
    return el("div", { class: "field", "data-panel-field": "parameters" }, el("label", {}, t("parameters")), el("table", { class: "changes" }, rows), add);
  }
}

function newForm(title) {
  const schema = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title,
    type: "object",
    properties: {},
    required: [],
    additionalProperties: false,
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
