// bpmnlint's recommended rules, bundled: esbuild cannot follow bpmnlint's dynamic rule
// loading, so this resolver imports each rule module of config/recommended by name.
import { Linter } from "bpmnlint";
import recommended from "bpmnlint/config/recommended";
import adHocSubProcess from "bpmnlint/rules/ad-hoc-sub-process";
import conditionalFlows from "bpmnlint/rules/conditional-flows";
import endEventRequired from "bpmnlint/rules/end-event-required";
import eventBasedGateway from "bpmnlint/rules/event-based-gateway";
import eventSubProcessTypedStartEvent from "bpmnlint/rules/event-sub-process-typed-start-event";
import fakeJoin from "bpmnlint/rules/fake-join";
import global from "bpmnlint/rules/global";
import labelRequired from "bpmnlint/rules/label-required";
import linkEvent from "bpmnlint/rules/link-event";
import noBpmndi from "bpmnlint/rules/no-bpmndi";
import noComplexGateway from "bpmnlint/rules/no-complex-gateway";
import noDisconnected from "bpmnlint/rules/no-disconnected";
import noDuplicateSequenceFlows from "bpmnlint/rules/no-duplicate-sequence-flows";
import noGatewayJoinFork from "bpmnlint/rules/no-gateway-join-fork";
import noImplicitSplit from "bpmnlint/rules/no-implicit-split";
import noImplicitEnd from "bpmnlint/rules/no-implicit-end";
import noImplicitStart from "bpmnlint/rules/no-implicit-start";
import noInclusiveGateway from "bpmnlint/rules/no-inclusive-gateway";
import noOverlappingElements from "bpmnlint/rules/no-overlapping-elements";
import singleBlankStartEvent from "bpmnlint/rules/single-blank-start-event";
import singleEventDefinition from "bpmnlint/rules/single-event-definition";
import startEventRequired from "bpmnlint/rules/start-event-required";
import subProcessBlankStartEvent from "bpmnlint/rules/sub-process-blank-start-event";
import superfluousGateway from "bpmnlint/rules/superfluous-gateway";
import superfluousLabel from "bpmnlint/rules/superfluous-label";
import superfluousTermination from "bpmnlint/rules/superfluous-termination";

const RULES = {
  "ad-hoc-sub-process": adHocSubProcess,
  "conditional-flows": conditionalFlows,
  "end-event-required": endEventRequired,
  "event-based-gateway": eventBasedGateway,
  "event-sub-process-typed-start-event": eventSubProcessTypedStartEvent,
  "fake-join": fakeJoin,
  global,
  "label-required": labelRequired,
  "link-event": linkEvent,
  "no-bpmndi": noBpmndi,
  "no-complex-gateway": noComplexGateway,
  "no-disconnected": noDisconnected,
  "no-duplicate-sequence-flows": noDuplicateSequenceFlows,
  "no-gateway-join-fork": noGatewayJoinFork,
  "no-implicit-split": noImplicitSplit,
  "no-implicit-end": noImplicitEnd,
  "no-implicit-start": noImplicitStart,
  "no-inclusive-gateway": noInclusiveGateway,
  "no-overlapping-elements": noOverlappingElements,
  "single-blank-start-event": singleBlankStartEvent,
  "single-event-definition": singleEventDefinition,
  "start-event-required": startEventRequired,
  "sub-process-blank-start-event": subProcessBlankStartEvent,
  "superfluous-gateway": superfluousGateway,
  "superfluous-label": superfluousLabel,
  "superfluous-termination": superfluousTermination,
};
import { LINT_ZH, isChinese } from "./i18n-zh.js";

const resolver = {
  resolveRule(pkg, name) {
    const rule = RULES[name];
    if (!rule) throw new Error(`unknown lint rule ${pkg}/${name}`);
    return rule;
  },
  resolveConfig(pkg, name) {
    if (name === "recommended") return recommended;
    throw new Error(`unknown lint config ${pkg}/${name}`);
  },
};

// [{element_id, message, category: "error"|"warn", rule}] for a bpmn-moddle definitions root.
// A new Linter per run: the Linter caches rule instances, and some rules keep what they
// saw in the closure (no-duplicate-sequence-flows), so a reused one reports every flow
// of the second run as a duplicate of the first.
export async function lint(definitions) {
  const linter = new Linter({ config: { extends: "bpmnlint:recommended" }, resolver });
  const results = await linter.lint(definitions);
  const problems = [];
  for (const [rule, reports] of Object.entries(results)) {
    for (const report of reports) {
      if (report.category === "rule-error") continue; // a rule that crashed is not the model's fault
      const message = isChinese() && LINT_ZH[rule] ? LINT_ZH[rule] : `${report.message} (${rule})`;
      problems.push({ element_id: report.id, message, message_en: report.message, category: report.category, rule });
    }
  }
  return problems;
}
