"""What a file is, judged from its bytes, and the form it is kept in.

Every uploaded file passes ``inspect`` before anything is stored: its name must be a
plain file name, its size within the field's limit, its type is sniffed from the
content (the name's extension must agree), archives, web pages and SVG are refused, a
PDF may not carry scripts or embedded files, and an image is decoded (within a pixel
budget) and re-encoded, which drops its EXIF block with any GPS position. What comes out
is the exact bytes that will be stored, with their SHA-256.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from processes.attachments import KINDS
from webapp.errors import StepRefused

MAX_NAME = 120
SNIFF_BYTES = 2048
PHOTO_EDGE = 1200  # a staff photo is scaled down to this many pixels on its longer side

CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
EXTENSIONS = {"pdf": (".pdf",), "jpeg": (".jpg", ".jpeg"), "png": (".png",)}
KIND_LABELS = {
    "pdf": gettext_lazy("PDF document"),
    "jpeg": gettext_lazy("JPEG photo"),
    "png": gettext_lazy("PNG image"),
}
SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)
ARCHIVES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")
MARKUP = re.compile(rb"<\s*(!doctype\s+html|html|svg|script|body|iframe|\?xml)", re.IGNORECASE)
# PDF names that run code or carry other files (the reader would act on them).
PDF_ACTIVE = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|OpenAction\s*<<\s*/S\s*/JavaScript)\b"
)


class FileRefused(StepRefused):
    """An uploaded file was refused; nothing of it is stored."""


@dataclass(frozen=True)
class Upload:
    """A file that passed every check: the bytes to store and what to record of them."""

    name: str
    kind: str
    data: bytes
    sha256: str
    original_sha256: str

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.kind][0]


def inspect(
    uploaded: Any,
    *,
    accept: tuple[str, ...] = KINDS,
    max_size: int | None = None,
    field: str = "",
) -> Upload:
    """Check one uploaded file and return what will be stored; ``FileRefused`` if not."""
    name = clean_name(getattr(uploaded, "name", "") or "", field)
    limit = effective_size(max_size)
    data = _read(uploaded, limit, name, field)
    kind = sniff(data, name, field)
    if kind not in accept:
        raise FileRefused(
            _("%(name)s is a %(kind)s; this field accepts %(accepted)s.")
            % {"name": name, "kind": KIND_LABELS[kind], "accepted": accepted_text(accept)},
            field=field,
        )
    _extension_agrees(name, kind, field)
    stored = _safe_pdf(data, name, field) if kind == "pdf" else reencode(data, kind, name, field)
    return Upload(
        name=name,
        kind=kind,
        data=stored,
        sha256=hashlib.sha256(stored).hexdigest(),
        original_sha256=hashlib.sha256(data).hexdigest(),
    )


def kind_label(content_type: str) -> str:
    """A stored file's type in words (PDF 文档, JPEG 照片...)."""
    kind = next((k for k, v in CONTENT_TYPES.items() if v == content_type), "")
    return str(KIND_LABELS[kind]) if kind else content_type


def effective_size(max_size: int | None) -> int:
    """A field's per-file limit, never above the installation's (FUZHI_ATTACHMENT_MAX_SIZE)."""
    ceiling = int(settings.FUZHI_ATTACHMENT_MAX_SIZE)
    return min(max_size or ceiling, ceiling)


def accepted_text(accept: tuple[str, ...]) -> str:
    return "、".join(str(KIND_LABELS[kind]) for kind in accept)


def clean_name(raw: str, field: str = "") -> str:
    """The file's name as people will read it; a name that could be taken for a path or
    that hides characters is refused rather than silently changed."""
    name = unicodedata.normalize("NFC", raw).strip()
    if not name or name in (".", ".."):
        raise FileRefused(_("The file has no name."), field=field)
    if any(sep in name for sep in ("/", "\\")):
        raise FileRefused(
            _("The file name %(name)s contains a path (/ or \\); rename the file.")
            % {"name": _printable(name)},
            field=field,
        )
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp") for ch in name):
        raise FileRefused(
            _("The file name %(name)s contains control characters; rename the file.")
            % {"name": _printable(name)},
            field=field,
        )
    if len(name) > MAX_NAME:
        raise FileRefused(
            _("The file name is too long: at most %(limit)d characters.") % {"limit": MAX_NAME},
            field=field,
        )
    return name


def _printable(name: str) -> str:
    shown = "".join(
        ch if unicodedata.category(ch)[0] not in "CZ" or ch == " " else "?" for ch in name
    )
    return f"“{shown[:60]}”"


def _read(uploaded: Any, limit: int, name: str, field: str) -> bytes:
    declared = getattr(uploaded, "size", None)
    if declared is not None and declared > limit:
        raise _too_large(name, limit, field)
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    data = bytes(uploaded.read(limit + 1))
    if len(data) > limit:
        raise _too_large(name, limit, field)
    if not data:
        raise FileRefused(_("%(name)s is empty.") % {"name": name}, field=field)
    return data


def _too_large(name: str, limit: int, field: str) -> FileRefused:
    return FileRefused(
        _("%(name)s is too large: at most %(limit)s per file.")
        % {"name": name, "limit": size_text(limit)},
        field=field,
    )


def size_text(size: int) -> str:
    if size >= 2**20:
        return f"{size / 2**20:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


def sniff(data: bytes, name: str, field: str = "") -> str:
    """The file's kind from its first bytes; archives, web pages and SVG are refused."""
    head = data[:SNIFF_BYTES]
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    if head.startswith(ARCHIVES):
        raise FileRefused(
            _(
                "%(name)s is an archive (zip, rar, docx...); archives are not accepted, "
                "attach the documents themselves as PDF or photos."
            )
            % {"name": name},
            field=field,
        )
    if MARKUP.search(head.lstrip(b"\xef\xbb\xbf \t\r\n")[:SNIFF_BYTES]):
        script = b"script" in data.lower() or b"javascript:" in data.lower()
        message = (
            _("%(name)s is a web page or SVG image with a script; it is not accepted.")
            if script
            else _("%(name)s is a web page or SVG image; such files are not accepted.")
        )
        raise FileRefused(message % {"name": name}, field=field)
    raise FileRefused(
        _("The type of %(name)s cannot be recognised; attach a PDF, JPEG or PNG file.")
        % {"name": name},
        field=field,
    )


def _extension_agrees(name: str, kind: str, field: str) -> None:
    if not name.lower().endswith(EXTENSIONS[kind]):
        raise FileRefused(
            _(
                "The name %(name)s does not match its content, which is a %(kind)s; "
                "rename the file to end in %(extension)s."
            )
            % {"name": name, "kind": KIND_LABELS[kind], "extension": EXTENSIONS[kind][0]},
            field=field,
        )


def _safe_pdf(data: bytes, name: str, field: str) -> bytes:
    if PDF_ACTIVE.search(data) or MARKUP.search(data[:SNIFF_BYTES]):
        raise FileRefused(
            _("%(name)s contains scripts or embedded files; print it to a plain PDF first.")
            % {"name": name},
            field=field,
        )
    if b"%%EOF" not in data[-2048:]:
        raise FileRefused(_("%(name)s is not a complete PDF file.") % {"name": name}, field=field)
    return data


def reencode(data: bytes, kind: str, name: str, field: str = "", edge: int = 0) -> bytes:
    """The picture decoded and saved again: EXIF (camera, GPS), comments and any bytes
    hidden after the image are dropped; the orientation EXIF asked for is applied first.
    ``edge`` scales a picture down to that many pixels on its longer side."""
    image = _open(data, kind, name, field)
    image = ImageOps.exif_transpose(image) or image
    if edge:
        image.thumbnail((edge, edge))
    out = io.BytesIO()
    if kind == "jpeg":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _open(data: bytes, kind: str, name: str, field: str) -> Image.Image:
    """Decode within the pixel budget: a bomb is refused from its header, before the
    pixels are decoded."""
    broken = FileRefused(_("%(name)s is damaged and cannot be read.") % {"name": name}, field=field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind.upper()])
            width, height = image.size
            if width * height > settings.FUZHI_IMAGE_MAX_PIXELS or max(width, height) > 20_000:
                raise _bomb(name, field)
            image.load()
    except FileRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb(name, field) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise broken from None
    return image


def _bomb(name: str, field: str) -> FileRefused:
    return FileRefused(
        _(
            "%(name)s declares a picture of more than %(limit)s million pixels (an image "
            "bomb); send a smaller photo."
        )
        % {"name": name, "limit": settings.FUZHI_IMAGE_MAX_PIXELS // 1_000_000},
        field=field,
    )


def photo(uploaded: Any, field: str = "photo") -> Upload:
    """A staff member's photo: a JPEG or PNG, kept as a JPEG of at most PHOTO_EDGE
    pixels on its longer side (enough for the certificate and the verification page)."""
    checked = inspect(uploaded, accept=("jpeg", "png"), field=field)
    image = Image.open(io.BytesIO(checked.data))  # already checked and re-encoded
    image.thumbnail((PHOTO_EDGE, PHOTO_EDGE))
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    data = out.getvalue()
    return Upload(
        name=checked.name,
        kind="jpeg",
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        original_sha256=checked.original_sha256,
    )
