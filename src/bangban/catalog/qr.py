"""QR codes as inline SVG, made in-process with the `qrcode` package (no image files, no binaries):
the printed one-time notice list carries one linking to the public item page."""

from __future__ import annotations

import re

import qrcode
import qrcode.image.svg
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def qr_matrix(data: str) -> list[list[bool]]:
    """The modules of the QR code for `data` (border included), for tests and checks."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def qr_svg(data: str, *, label: str, size_mm: int = 30) -> SafeString:
    """An inline <svg> QR code encoding `data`, `size_mm` wide, announced to screen readers as
    `label`; `data-qr` carries the encoded text so a page can be checked without decoding."""
    code = qrcode.QRCode(
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    code.add_data(data)
    code.make(fit=True)
    svg = code.make_image().to_string(encoding="unicode")
    # No id (two codes on a page must not clash), sized in millimetres for print.
    svg = svg.replace(' id="qr-path"', "")
    svg = re.sub(
        r'^<svg width="[^"]*" height="[^"]*"', f'<svg width="{size_mm}mm" height="{size_mm}mm"', svg
    )
    extra = f'class="qr-code" role="img" aria-label="{escape(label)}" data-qr="{escape(data)}"'
    return mark_safe(svg.replace("<svg ", f"<svg {extra} ", 1))
