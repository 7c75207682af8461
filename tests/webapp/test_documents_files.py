"""What a file is judged to be from its bytes, and the bad files refused in Chinese."""

from __future__ import annotations

import io

import pytest
from django.test import override_settings
from PIL import Image

from webapp.documents import files
from webapp.documents.files import FileRefused

from .documents_support import (
    HTML_WITH_SCRIPT,
    PDF_WITH_JAVASCRIPT,
    SVG_WITH_SCRIPT,
    RawNamed,
    jpeg_with_gps,
    pdf_bytes,
    png_bomb,
    png_bytes,
    upload,
    zip_bytes,
)


def refusal(name: str, data: bytes, **kwargs: object) -> str:
    with pytest.raises(FileRefused) as caught:
        files.inspect(RawNamed(name, data), **kwargs)  # type: ignore[arg-type]
    return caught.value.message


def test_it_keeps_a_pdf_byte_for_byte_with_its_sha256() -> None:
    data = pdf_bytes()
    checked = files.inspect(upload("学历证书.pdf", data))
    assert (checked.kind, checked.data, checked.content_type) == ("pdf", data, "application/pdf")
    assert checked.sha256 == checked.original_sha256 and len(checked.sha256) == 64


def test_it_reencodes_a_photo_without_its_exif_and_gps_position() -> None:
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # it had a position
    checked = files.inspect(upload("现场.jpg", original))
    stored = Image.open(io.BytesIO(checked.data))
    assert not stored.getexif() and b"PhoneMaker" not in checked.data
    assert stored.size == (64, 48) and checked.sha256 != checked.original_sha256


def test_it_judges_the_type_by_content_not_by_the_browser() -> None:
    checked = files.inspect(upload("scan.png", png_bytes(), content_type="application/pdf"))
    assert checked.content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "data", "kwargs", "words"),
    [
        ("big.pdf", pdf_bytes(), {"max_size": 100}, "过大"),
        ("photo.png", png_bytes(), {"accept": ("pdf",)}, "本栏只接受"),
        ("diploma.pdf", png_bytes(), {}, "与内容不符"),
        ("bomb.png", png_bomb(), {}, "图像炸弹"),
        ("just-over.png", png_bomb(8000, 6000), {}, "图像炸弹"),
        ("evidence.zip", zip_bytes(), {}, "压缩文件"),
        ("evidence.pdf", zip_bytes(), {}, "压缩文件"),
        ("page.html", HTML_WITH_SCRIPT, {}, "脚本"),
        ("logo.svg", SVG_WITH_SCRIPT, {}, "脚本"),
        ("logo.png", SVG_WITH_SCRIPT, {}, "脚本"),
        ("form.pdf", PDF_WITH_JAVASCRIPT, {}, "脚本"),
        ("a\\b.pdf", pdf_bytes(), {}, "路径"),
        ("dir/b.pdf", pdf_bytes(), {}, "路径"),
        ("bad\x00name.pdf", pdf_bytes(), {}, "控制字符"),
        ("invoice\u202efdp.exe.pdf", pdf_bytes(), {}, "控制字符"),
        ("line\nbreak.pdf", pdf_bytes(), {}, "控制字符"),
        ("empty.pdf", b"", {}, "空文件"),
        ("notes.txt", b"just some words", {}, "无法识别"),
        ("cut.jpg", jpeg_with_gps()[:120], {}, "已损坏"),
    ],
)
def test_it_refuses_a_bad_file_in_chinese(
    name: str, data: bytes, kwargs: dict[str, object], words: str
) -> None:
    assert words in refusal(name, data, **kwargs)


@override_settings(FUZHI_ATTACHMENT_MAX_SIZE=1000)
def test_the_installations_limit_caps_what_a_form_declares() -> None:
    assert "1000 B" in refusal("d.pdf", pdf_bytes(), max_size=10_000_000)


def test_a_staff_photo_is_kept_as_a_small_jpeg() -> None:
    out = io.BytesIO()
    Image.new("RGB", (3000, 2000), (0, 0, 0)).save(out, "PNG")
    photo = files.photo(upload("me.png", out.getvalue()))
    image = Image.open(io.BytesIO(photo.data))
    assert (image.format, max(image.size)) == ("JPEG", files.PHOTO_EDGE)


def test_a_staff_photo_must_be_a_picture() -> None:
    with pytest.raises(FileRefused):
        files.photo(upload("me.pdf", pdf_bytes()))
