"""A form's refusals in the user's language: what the JSON Schema of a task's form said,
keyword by keyword, without the validator's English ("0.0 is less than or equal to the
minimum of 0") reaching a Chinese page or an API caller."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from processes.errors import InvalidTaskData

# A pattern that only asks for something other than blanks means "required" to a person.
NOT_BLANK_PATTERNS = frozenset({"\\S", "\\S+", ".*\\S.*", "[^\\s]"})


def schema_message(code: str, limit: Any = None) -> str:
    """One field's refusal for the schema keyword ``code`` with its value ``limit``."""
    if code == "required" or (code == "minLength" and limit in (None, 1)):
        return _("This field is required.")
    if code == "pattern" and limit in NOT_BLANK_PATTERNS:
        return _("This field is required.")
    numbered = {
        "minimum": _("Enter a value of at least %(limit)s."),
        "exclusiveMinimum": _("Enter a value greater than %(limit)s."),
        "maximum": _("Enter a value of at most %(limit)s."),
        "exclusiveMaximum": _("Enter a value less than %(limit)s."),
        "minLength": _("Enter at least %(limit)s characters."),
        "maxLength": _("Enter at most %(limit)s characters."),
    }
    if code in numbered and isinstance(limit, int | float):
        return numbered[code] % {"limit": limit}
    worded = {
        "enum": _("Choose one of the options offered."),
        "const": _("Choose one of the options offered."),
        "format": _("Enter a date as YYYY-MM-DD.")
        if limit == "date"
        else _("This value does not have the expected form."),
        "pattern": _("This value does not have the expected form."),
        "type": _("This value is of the wrong kind for this field."),
        "additionalProperties": _("The form contains a field this step does not accept."),
    }
    return worded.get(code, _("This value is not accepted here."))


def localised_errors(exc: InvalidTaskData) -> dict[str, str]:
    """Every field's refusal of ``exc`` in the user's language."""
    return {
        field: schema_message(exc.codes.get(field, ""), exc.limits.get(field))
        for field in exc.errors
    }
