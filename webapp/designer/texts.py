"""The words the designer's script shows, in the user's language (the script has none)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def js_texts() -> dict[str, str]:
    return {
        "saved": _("Saved: revision %s."),
        "saved_with_problems": _(
            "Saved as a draft with %s problem(s); it cannot be deployed until they are fixed."
        ),
        "checked_ok": _("No problems: the model can be deployed."),
        "checked_problems": _("%s problem(s) found."),
        "deployed": _("Deployed as version %s."),
        "compare": _("Compare with the previous version"),
        "migrate": _("Move running cases"),
        "conflict_download": _("Download my version"),
        "failed": _("The request failed: %s"),
        "lint": _("lint"),
        "check": _("check"),
        "no_problems": _("No problems."),
        "element_name": _("Element name"),
        "id": _("Id"),
        "documentation": _("Documentation (cite the article, e.g. Art. 10)"),
        "no_article": _("The documentation cites no article (Art. N)."),
        "lane_role": _("Lane role"),
        "form": _("Form (JSON Schema file)"),
        "new_form": _("New form…"),
        "no_form": _("(no form)"),
        "form_fields": _("Form fields"),
        "field_name": _("Field"),
        "field_label": _("Label"),
        "field_type": _("Type"),
        "field_required": _("Required"),
        "add_field": _("Add field"),
        "remove": _("Remove"),
        "due_in": _("Due in (P3D, PT4H or 3WD)"),
        "condition": _("Condition (Python expression on the case data)"),
        "timer_kind": _("Timer"),
        "timer_expression": _("Timer expression (Python, e.g. 'P5D' or notice_period)"),
        "decision": _("Decision table"),
        "operator": _("Operator"),
        "result_variable": _("Result variable"),
        "parameters": _("Parameters (name, type, Python expression)"),
        "add_parameter": _("Add parameter"),
        "id_taken": _("The id %s is already used by another element."),
        "id_invalid": _("An id starts with a letter and holds letters, digits, _ . or -."),
        "script": _("Script (restricted Python)"),
        "script_help": _("Checked as you type by the same rules a deploy applies."),
        "called_element": _("Called process (its process id)"),
        "multi_instance": _("Multi-instance"),
        "mi_none": _("none"),
        "mi_parallel": _("parallel"),
        "mi_sequential": _("sequential"),
        "mi_cardinality": _("How many times (Python expression)"),
        "mi_completion": _("Completion condition (Python expression)"),
        "messageRef": _("Message"),
        "signalRef": _("Signal"),
        "errorRef": _("Error"),
        "escalationRef": _("Escalation"),
        "new_reference": _("New…"),
        "reference_name": _("Name of the new message, signal, error or escalation"),
        "timeDuration": _("duration"),
        "timeDate": _("date and time"),
        "timeCycle": _("cycle"),
        "field_choices": _("Choices, separated by commas"),
        "field_description": _("Help text shown under the field"),
        "format_none": _("(any text)"),
        "format_date": _("date"),
        "format_date-time": _("date and time"),
        "format_email": _("email address"),
        "xml": _("XML"),
        "nothing_selected": _("Select an element to edit what the engine reads from it."),
        "start_data": _("Sample start data (JSON)"),
        "start_run": _("Start test run"),
        "complete_task": _("Complete this task"),
        "fire_timers": _("Fire the timers now"),
        "run_completed": _("The test run reached an end event."),
        "run_waiting": _("Waiting for:"),
        "operator_calls": _("What the operators would have done (nothing was changed):"),
        "path": _("Path taken:"),
        "bad_json": _("The sample data is not valid JSON."),
        "added": _("added"),
        "removed": _("removed"),
        "changed": _("changed"),
        "layout": _("moved"),
        "moved_group": _("%s elements only moved (layout)"),
        "no_changes": _("The two versions are the same."),
        "unsaved": _("You have unsaved changes."),
        "not_a_model": _("not a BPMN 2.0 or DMN document, so it is shown as text"),
        "laid_out": _(
            "the file had no diagram (BPMNDI); a layout was drawn for it and is saved with "
            "the draft"
        ),
        "no_diagram": _(
            "the file has no diagram (BPMNDI) to draw, so it is shown as XML text; "
            "it can be edited and checked as text"
        ),
        "import_warnings": _("the editor could not read %s part(s) of the file and left them out:"),
        "xml_view": _(
            "The file's XML: edit it and press XML view again to read it back into the diagram."
        ),
        "export_bpmn_only": _("Only a BPMN diagram can be exported as an image."),
        "dmn_converted": _(
            "This decision table uses a newer DMN version; the editor shows it, and saves "
            "it, as DMN 1.3."
        ),
    }
