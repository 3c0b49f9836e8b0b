"""What an uploaded file must be before any app keeps it: its type (by its name and, for teaching and
catalog material, by what it begins with) and its size. The apps' forms and actions ask here, so a
file refused on one page is refused on every page and in the API alike."""

from __future__ import annotations

import os

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

#: Material (a training's, a catalog item's blank form or sample): the file types county offices
#: use, and how large one may be.
MATERIAL_EXTENSIONS = ("pdf", "doc", "docx", "ppt", "pptx", "xls", "xlsx", "jpg", "png")
MATERIAL_MAX_BYTES = 20 * 1024 * 1024

#: What each type's file begins with: an Office 97–2003 compound file, a zip (Office Open XML),
#: a PDF, a JPEG or a PNG. A renamed file of another kind is refused.
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
MAGIC = {
    "pdf": (b"%PDF-",),
    "doc": (_OLE,),
    "ppt": (_OLE,),
    "xls": (_OLE,),
    "docx": (_ZIP,),
    "pptx": (_ZIP,),
    "xlsx": (_ZIP,),
    "jpg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}

#: A scanned document (an applicant's signed 委托书): PDF or a photo, as large as material.
SCAN_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")
SCAN_MAX_BYTES = 20 * 1024 * 1024


def check_material(upload) -> None:
    """Refuse material of another type, a renamed file, or one larger than 20 MB (a form field's
    validator: raises `forms.ValidationError`)."""
    extension = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
    if extension == "jpeg":
        extension = "jpg"
    if extension not in MATERIAL_EXTENSIONS:
        raise forms.ValidationError(
            _("不支持该文件类型，请上传 %(types)s 文件。")
            % {"types": "、".join(MATERIAL_EXTENSIONS)}
        )
    if upload.size > MATERIAL_MAX_BYTES:
        raise forms.ValidationError(
            _("文件过大（%(size)s），不能超过 20 MB。") % {"size": filesizeformat(upload.size)}
        )
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in MAGIC[extension]):
        raise forms.ValidationError(_("文件内容与扩展名不符，或文件已损坏。"))


def scan_problem(scan) -> str:
    """Why a scanned document is not acceptable (its type or size), or ""."""
    if (
        not str(scan.name).lower().endswith(SCAN_EXTENSIONS)
        or not 0 < (scan.size or 0) <= SCAN_MAX_BYTES
    ):
        return _("扫描件应为不超过 20 MB 的 PDF、JPG 或 PNG 文件。")
    return ""
