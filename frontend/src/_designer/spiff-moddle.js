// The spiffworkflow extension elements Fuzhi's engine reads (docs/modelling.md), so the
// modeler keeps them typed: properties (form, dueIn), calledDecisionId, serviceTaskOperator.
export default {
  name: "SpiffWorkflow",
  prefix: "spiffworkflow",
  uri: "http://spiffworkflow.org/bpmn/schema/1.0/core",
  xml: { tagAlias: "lowerCase" },
  associations: [],
  types: [
    {
      name: "Properties",
      superClass: ["Element"],
      properties: [{ name: "properties", type: "Property", isMany: true }],
    },
    {
      name: "Property",
      superClass: ["Element"],
      properties: [
        { name: "name", isAttr: true, type: "String" },
        { name: "value", isAttr: true, type: "String" },
      ],
    },
    {
      name: "CalledDecisionId",
      superClass: ["Element"],
      properties: [{ name: "value", isBody: true, type: "String" }],
    },
    {
      name: "ServiceTaskOperator",
      superClass: ["Element"],
      properties: [
        { name: "id", isAttr: true, type: "String" },
        { name: "resultVariable", isAttr: true, type: "String" },
        { name: "parameterList", type: "Parameters" },
      ],
    },
    {
      name: "Parameters",
      superClass: ["Element"],
      properties: [{ name: "parameters", type: "Parameter", isMany: true }],
    },
    {
      name: "Parameter",
      superClass: ["Element"],
      properties: [
        { name: "id", isAttr: true, type: "String" },
        { name: "type", isAttr: true, type: "String" },
        { name: "value", isAttr: true, type: "String" },
      ],
    },
  ],
};
