// The Fuzhi properties panel: edits exactly what Fuzhi's engine reads from a model
// (docs/modelling.md): lane = role, user-task form (JSON Schema file) and dueIn,
// documentation citing the article, gateway conditions, timers, the decision a
// business-rule task calls, the operator (and its parameters) a service task calls.
import { el, t } from "./util.js";

const FORM = "formJsonSchemaFilename";
const DUE = "dueIn";
const FIELD_TYPES = ["string", "integer", "number", "boolean", "attachment"];
// What a field of kind attachment may accept, and its default limits (processes/attachments.py
// holds the ceilings the deploy checks: 10 files, 20 MB each).
const FILE_KINDS = ["pdf", "jpeg", "png"];
const ATTACHMENT = "x-attachment";
const newAttachment = () => ({ accept: [...FILE_KINDS], maxFiles: 3, maxSize: 10 * 1024 * 1024 });
const ARTICLE = /Art\.\s*\d+/;

export class FuzhiPanel {
  constructor({ container, modeler, config, bundle }) {
    this.container = container;
    this.modeler = modeler;
    this.config = config;
    this.bundle = bundle; // { files, changed() }: forms live beside the BPMN file
    this.element = null;
    const events = modeler.get("eventBus");
    events.on("selection.changed", (event) => this.show(event.newSelection[0] || null));
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
    this.container.append(
      el("h3", {}, `${type.replace("bpmn:", "")} `, el("code", { "data-testid": "panel-id" }, bo.id)),
    );
    if (type === "bpmn:Lane") return this.container.append(this.laneRole(bo));
    if (type !== "bpmn:Process" && type !== "bpmn:Collaboration") this.container.append(this.nameField(bo));
    this.container.append(this.documentationField(bo));
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

  nameField(bo) {
    const input = el("input", { value: bo.name || "" });
    input.addEventListener("change", () => this.modeling.updateProperties(this.element, { name: input.value }));
    return this.field("name", t("element_name"), input);
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
    const row = el("tr", { "data-form-field": name }, el("td", {}, rename), el("td", {}, label), el("td", {}, type), el("td", {}, req), el("td", {}, remove));
    return prop[ATTACHMENT] ? [row, this.attachmentLimits(name, prop[ATTACHMENT], save)] : row;
  }

  // The limits of a field of kind attachment: what it accepts, how many files, how large.
  attachmentLimits(name, limits, save) {
    const kinds = FILE_KINDS.map((kind) => {
      const box = el("input", { type: "checkbox", checked: (limits.accept || FILE_KINDS).includes(kind), "data-accept": kind });
      box.addEventListener("change", () => {
        const chosen = new Set(limits.accept || FILE_KINDS);
        if (box.checked) chosen.add(kind);
        else chosen.delete(kind);
        limits.accept = FILE_KINDS.filter((k) => chosen.has(k));
        save();
      });
      return el("label", { class: "inline" }, box, ` ${t(`kind_${kind}`)} `);
    });
    const count = el("input", { type: "number", min: 1, max: 10, value: limits.maxFiles || 1, "data-max-files": name, size: 3 });
    count.addEventListener("change", () => {
      limits.maxFiles = Math.min(10, Math.max(1, parseInt(count.value, 10) || 1));
      save();
    });
    const size = el("input", { type: "number", min: 1, max: 20, value: Math.round((limits.maxSize || 10485760) / 1048576), "data-max-size": name, size: 3 });
    size.addEventListener("change", () => {
      limits.maxSize = Math.min(20, Math.max(1, parseInt(size.value, 10) || 10)) * 1048576;
      save();
    });
    return el(
      "tr",
      { "data-attachment-limits": name },
      el("td", { colspan: 5 }, t("accepts"), " ", kinds, el("label", { class: "inline" }, ` ${t("max_files")} `, count), el("label", { class: "inline" }, ` ${t("max_size_mb")} `, size)),
    );
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
    const kind = el("select", {}, kinds.map((k) => el("option", { value: k, selected: k === current }, k)));
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
