"""A model problem in the designer's language: ``processes`` says it in English with a
code (``processes/messages.py``); here the code's text is filled in, nested messages
first. In English the original sentence is shown (it says more than the template)."""

from __future__ import annotations

import re

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from processes.errors import ModelError
from processes.messages import UNKNOWN, Explained, explain

from .problem_texts_table import LOCATIONS, TEXTS, WORDS

# An element kind as ``xmlsafe.describe`` names it: first, or after "in"/"of"
# ("userTask review (审查)", "rule r1 (row 3) of decision d").
_KIND = re.compile(r"(^|\b(?:in|of) )([a-z][A-Za-z]+)\b")
_ROW = re.compile(r"\(row (\d+)\)")


def in_english() -> bool:
    return (get_language() or "en").startswith("en")


def message(problem: ModelError) -> str:
    """What is wrong, without where, in the active language."""
    if in_english():
        return problem.detail
    return render(explain(problem.detail))


def text(english: str) -> str:
    """Any message of the engine seam (a test run's stop) in the active language."""
    return english if in_english() else render(explain(english))


def located(problem: ModelError) -> str:
    """Where and what, as ``ModelError.one_line`` says it, in the active language."""
    if in_english():
        return problem.one_line()
    values = {
        "file": problem.file or "<input>",
        "line": problem.line or "",
        "element": element(problem.element),
        "message": message(problem),
    }
    key = (0 if problem.element else 1) if problem.line else (2 if problem.element else 3)
    return str(LOCATIONS[key]) % values


def render(explained: Explained) -> str:
    """One explained message in the active language (the English when no code reads it)."""
    template = TEXTS.get(explained.code)
    if template is None:
        return explained.text if explained.code == UNKNOWN else str(TEXTS["truncated"])
    values: dict[str, str] = {name: word(value) for name, value in explained.params.items()}
    for name, parts in explained.nested.items():
        values[name] = "；".join(_with_line(part) for part in parts)
    return str(template) % _Defaulting(values)


def _with_line(part: Explained) -> str:
    text = render(part)
    return str(LOCATIONS[4]) % {"line": part.line, "message": text} if part.line else text


def word(value: str) -> str:
    """A code word of a message ('condition', "operator parameter 'x'") in the language."""
    if value in WORDS:
        return str(WORDS[value])
    for english, translated in WORDS.items():
        if value.startswith(f"{english} "):
            return f"{translated}{value[len(english) :]}"
    if value.endswith("EventDefinition expression"):
        return str(WORDS["event expression"])
    return value


def element(text: str) -> str:
    """An element's description with its kind in words: 'userTask a' -> '用户任务 a'."""
    if not text:
        return ""
    described = _ROW.sub(lambda m: _("(row %(n)s)") % {"n": m.group(1)}, text)
    return _KIND.sub(_kind_in_words, described)


def _kind_in_words(found: re.Match[str]) -> str:
    connector, kind = found.group(1).strip(), found.group(2)
    if kind not in ELEMENT_KINDS:
        return found.group(0)
    joined = f"{CONNECTORS[connector]} " if connector else ""
    return f"{joined}{ELEMENT_KINDS[kind]}"


class _Defaulting(dict[str, str]):
    """A value a template names but the message lacks is left empty, never a KeyError."""

    def __missing__(self, key: str) -> str:
        return ""


ELEMENT_KINDS = {
    "userTask": gettext_lazy("user task"),
    "manualTask": gettext_lazy("manual task"),
    "scriptTask": gettext_lazy("script task"),
    "serviceTask": gettext_lazy("service task"),
    "businessRuleTask": gettext_lazy("business rule task"),
    "sendTask": gettext_lazy("send task"),
    "receiveTask": gettext_lazy("receive task"),
    "task": gettext_lazy("task"),
    "callActivity": gettext_lazy("call activity"),
    "subProcess": gettext_lazy("sub-process"),
    "startEvent": gettext_lazy("start event"),
    "endEvent": gettext_lazy("end event"),
    "boundaryEvent": gettext_lazy("boundary event"),
    "intermediateCatchEvent": gettext_lazy("intermediate catch event"),
    "intermediateThrowEvent": gettext_lazy("intermediate throw event"),
    "exclusiveGateway": gettext_lazy("exclusive gateway"),
    "parallelGateway": gettext_lazy("parallel gateway"),
    "inclusiveGateway": gettext_lazy("inclusive gateway"),
    "eventBasedGateway": gettext_lazy("event-based gateway"),
    "complexGateway": gettext_lazy("complex gateway"),
    "sequenceFlow": gettext_lazy("sequence flow"),
    "lane": gettext_lazy("lane"),
    "process": gettext_lazy("process"),
    "dataStore": gettext_lazy("data store"),
    "rule": gettext_lazy("rule"),
    "input": gettext_lazy("input"),
    "output": gettext_lazy("output"),
    "decision": gettext_lazy("decision"),
    "decisionTable": gettext_lazy("decision table"),
}
CONNECTORS = {"in": gettext_lazy("in"), "of": gettext_lazy("of")}


# What ``processes/compare.py`` names a change by.
COMPARE_WORDS = {
    "hit_policy": gettext_lazy("hit policy"),
    "input": gettext_lazy("input column"),
    "output": gettext_lazy("output column"),
    "rule": gettext_lazy("rule"),
    "decision": gettext_lazy("decision table"),
    "dueIn": gettext_lazy("due in (dueIn)"),
    "formJsonSchemaFilename": gettext_lazy("form"),
    "calledDecisionId": gettext_lazy("decision called"),
    "operator": gettext_lazy("operator"),
    "resultVariable": gettext_lazy("result variable"),
    "script": gettext_lazy("script"),
    "preScript": gettext_lazy("pre-script"),
    "postScript": gettext_lazy("post-script"),
    "conditionExpression": gettext_lazy("condition"),
    "timeDuration": gettext_lazy("timer duration"),
    "timeDate": gettext_lazy("timer date"),
    "timeCycle": gettext_lazy("timer cycle"),
    "calledElement": gettext_lazy("called process"),
    "default": gettext_lazy("default flow"),
    "attachedToRef": gettext_lazy("attached to"),
    "lane": gettext_lazy("lane (role)"),
    "fourEyes": gettext_lazy("four eyes (fourEyes)"),
    "facts": gettext_lazy("facts shown"),
}


def compare_word(key: str) -> str:
    """A property or part of a table in words ("parameter x" keeps its name)."""
    if key in COMPARE_WORDS:
        return str(COMPARE_WORDS[key])
    if key.startswith("parameter "):
        return _("parameter %(name)s") % {"name": key[len("parameter ") :]}
    return key
