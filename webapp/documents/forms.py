"""Form fields for files: several at once, with the limits shown beside the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy

from processes.attachments import AttachmentSpec

from .files import EXTENSIONS, accepted_text, effective_size, size_text


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentField(forms.FileField):
    """Files for an ``x-attachment`` field; what they are is judged when they are stored
    (``webapp.documents``), the count here so the person sees it beside the field."""

    widget = MultipleFileInput

    def __init__(self, spec: AttachmentSpec, **kwargs: Any) -> None:
        self.spec = spec
        accept = ",".join(ext for kind in spec.accept for ext in EXTENSIONS[kind])
        help_text = lazy(_hint, str)(spec, kwargs.pop("help_text", ""))
        super().__init__(
            widget=MultipleFileInput(attrs={"accept": accept}), help_text=help_text, **kwargs
        )

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if not items and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(items) > self.spec.max_files:
            raise forms.ValidationError(
                gettext_lazy("At most %(count)d files may be attached here.")
                % {"count": self.spec.max_files}
            )
        return [super(AttachmentField, self).clean(item, initial) for item in items]


def _hint(spec: AttachmentSpec, description: str) -> str:
    """The field's own description and its limits, in the reader's language."""
    limits = gettext("%(kinds)s; at most %(count)d file(s) of %(size)s each.") % {
        "kinds": accepted_text(spec.accept),
        "count": spec.max_files,
        "size": size_text(effective_size(spec.max_size)),
    }
    return " ".join(str(t) for t in (description, limits) if t)
