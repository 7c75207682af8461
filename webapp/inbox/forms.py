"""Django forms built from a user task's JSON Schema.

Django's fields give typed cleaning and messages in the user's language; the schema
is then checked once more as a whole (``if``/``then`` rules) by the engine's own
validator, so the browser form and an API caller meet exactly the same rules.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from processes.attachments import attachment_spec
from processes.definition import ProcessDefinition
from processes.engine import validate_form
from processes.errors import InvalidTaskData
from webapp.cases.form_messages import schema_message
from webapp.documents.forms import AttachmentField

BOOL_CHOICES = [("", "—"), ("true", gettext_lazy("Yes")), ("false", gettext_lazy("No"))]


def _field(name: str, prop: dict[str, Any], required: bool) -> forms.Field:
    label = prop.get("title", name)
    help_text = prop.get("description", "")
    common: dict[str, Any] = {"label": label, "required": required, "help_text": help_text}
    kind = prop.get("type")
    spec = attachment_spec(prop)
    if spec is not None:
        return AttachmentField(spec, **common)
    if "enum" in prop:
        labels = prop.get("x-enumLabels") or prop["enum"]
        choices = [
            ("", "—"),
            *((str(v), str(lbl)) for v, lbl in zip(prop["enum"], labels, strict=False)),
        ]
        return forms.ChoiceField(choices=choices, **common)
    if kind == "boolean":
        return forms.TypedChoiceField(
            choices=BOOL_CHOICES, coerce=lambda v: v == "true", empty_value=None, **common
        )
    if kind == "integer":
        return forms.IntegerField(
            min_value=prop.get("minimum"), max_value=prop.get("maximum"), **common
        )
    if kind == "number":
        return forms.DecimalField(
            min_value=prop.get("minimum"), max_value=prop.get("maximum"), **common
        )
    if prop.get("format") == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    max_length = prop.get("maxLength")
    if max_length and max_length <= 200:
        return forms.CharField(max_length=max_length, **common)
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=max_length, **common
    )


class SchemaForm(forms.Form):
    """A task form: the schema's fields plus the comment that goes into the history."""

    def __init__(
        self,
        schema: dict[str, Any],
        *args: Any,
        definition: ProcessDefinition,
        form_name: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.schema = schema
        self.definition = definition
        self.form_name = form_name
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            self.fields[name] = _field(name, prop, name in required)
        self.fields["_comment"] = forms.CharField(
            label=gettext_lazy("Comment (goes into the case history)"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            validate_form(
                self.definition, self.form_name, {**self.task_data(), **self._placeholders()}
            )
        except InvalidTaskData as exc:
            for field in exc.errors:
                target = field if field in self.fields else None
                code, limit = exc.codes.get(field, ""), exc.limits.get(field)
                self.add_error(target, _localised(field, code, limit, self))
        return cleaned

    def task_data(self) -> dict[str, Any]:
        """The cleaned values as JSON (dates as ISO strings), empty optional ones left out;
        files are not data: ``files()`` hands them to the step that stores them."""
        data: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if name == "_comment" or value is None or value == "" or name in self.files_by_field():
                continue
            data[name] = _json_value(value, self.schema["properties"].get(name, {}))
        return data

    @property
    def comment(self) -> str:
        return str(self.cleaned_data.get("_comment", ""))

    def attachment_names(self) -> list[str]:
        return [n for n, f in self.fields.items() if isinstance(f, AttachmentField)]

    def files_by_field(self) -> dict[str, list[Any]]:
        """The uploaded files of each attachment field (empty lists before cleaning)."""
        cleaned = getattr(self, "cleaned_data", {})
        return {name: list(cleaned.get(name) or []) for name in self.attachment_names()}

    def _placeholders(self) -> dict[str, Any]:
        # The schema's rules see a reference per chosen file, as the stored step will.
        zero = "0" * 64
        return {
            name: [{"attachment": 1, "name": f.name[:200] or "-", "sha256": zero} for f in items]
            for name, items in self.files_by_field().items()
            if items
        }


def _json_value(value: Any, prop: dict[str, Any]) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if "enum" in prop and prop.get("type") in ("integer", "number"):
        return type(prop["enum"][0])(value)
    return value


def _localised(field: str, code: str, limit: Any, form: SchemaForm) -> str:
    """The engine's schema verdict in the user's language (never the validator's English)."""
    if field in form.fields and schema_message(code, limit) == schema_message("required"):
        # The schema's conditional rules mostly say "this field is required now".
        return str(form.fields[field].error_messages["required"])
    return schema_message(code, limit)


def confirmations(form: SchemaForm) -> list[str]:
    """The chosen values the model marks as needing a second look before they are
    submitted (``x-confirm`` on a choice: a refusal, a termination...), by their names."""
    chosen: list[str] = []
    for name, prop in form.schema.get("properties", {}).items():
        value = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
        if value is None or str(value) not in [str(v) for v in prop.get("x-confirm") or []]:
            continue
        codes = [str(v) for v in prop.get("enum") or []]
        labels = prop.get("x-enumLabels") or codes
        label = labels[codes.index(str(value))] if str(value) in codes else str(value)
        chosen.append(f"{prop.get('title', name)}：{label}")
    return chosen


DUE_CHOICES = [
    ("", gettext_lazy("Any due date")),
    ("overdue", gettext_lazy("Overdue")),
    ("today", gettext_lazy("Due within a day")),
    ("week", gettext_lazy("Due within a week")),
    ("none", gettext_lazy("No due date")),
]
SORT_CHOICES = [
    ("", gettext_lazy("Overdue first, then by due date")),
    ("oldest", gettext_lazy("Waiting longest")),
    ("newest", gettext_lazy("Newest")),
    ("case", gettext_lazy("By business key")),
]


class InboxFilterForm(forms.Form):
    """The inbox's filters: what the list narrows to and how it is sorted."""

    q = forms.CharField(
        required=False,
        max_length=100,
        label=gettext_lazy("Search"),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": gettext_lazy("Business key, staff name or task"),
            }
        ),
    )
    process = forms.ChoiceField(required=False, label=gettext_lazy("Process"), choices=[])
    kind = forms.ChoiceField(required=False, label=gettext_lazy("Task"), choices=[])
    agency = forms.ChoiceField(required=False, label=gettext_lazy("Agency"), choices=[])
    due = forms.ChoiceField(required=False, label=gettext_lazy("Due"), choices=DUE_CHOICES)
    mine = forms.BooleanField(required=False, label=gettext_lazy("Claimed by me"))
    sort = forms.ChoiceField(required=False, label=gettext_lazy("Sort"), choices=SORT_CHOICES)

    def __init__(
        self,
        *args: Any,
        processes: list[tuple[str, str]],
        kinds: list[tuple[str, str]],
        agencies: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        everything = ("", "—")
        for name, choices in (("process", processes), ("kind", kinds), ("agency", agencies)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [everything, *choices]

    def filters(self) -> dict[str, Any]:
        """The valid filters (an unknown value is no filter)."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
