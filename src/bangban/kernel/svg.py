"""Drawing standalone SVG 1.1 files with our own code (no external binaries), for the charts that
are downloaded, printed and pasted into Word or WPS: the architecture chart (`network.chart`) and
the workflow chart (`cases.chart`)."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

#: Fonts with the Chinese glyphs, in the order a reader's machine most likely has them.
FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'SimSun', sans-serif"


class Canvas:
    """The shapes of a drawing, in order, as SVG elements."""

    def __init__(self):
        self.parts: list[str] = []

    def rect(self, x, y, w, h, fill, stroke, *, rx=4, width=1.2, dash=None):
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{rx}" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"{extra}/>'
        )

    def line(self, x1, y1, x2, y2, colour="#5b6b82", *, width=1.2, dash=None, marker=None):
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        if marker:
            extra += f' marker-end="url(#{marker})"'
        self.parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{colour}" stroke-width="{width}"{extra}/>'
        )

    def polyline(self, points, colour="#5b6b82", *, width=1.2, dash=None, marker=None):
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        if marker:
            extra += f' marker-end="url(#{marker})"'
        coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        self.parts.append(
            f'<polyline points="{coordinates}" fill="none" stroke="{colour}" '
            f'stroke-width="{width}" stroke-linejoin="round"{extra}/>'
        )

    def circle(self, cx, cy, r, fill):
        self.parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r}" fill="{fill}"/>')

    def text(self, x, y, text, *, size, colour, weight="normal", anchor="middle"):
        self.parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{colour}" '
            f'font-weight="{weight}" text-anchor="{anchor}">{escape(text)}</text>'
        )

    def document(self, width: float, height: float, title: str, defs: str = "") -> str:
        """The whole file: a white page of `width` × `height` with a title, `defs` (markers)."""
        return '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + self.element(
            width, height, title, defs
        )

    def element(
        self, width: float, height: float, title: str, defs: str = "", *, attrs: str = ""
    ) -> str:
        """The `<svg>` element alone, for a page (with `attrs`, e.g. a class)."""
        width, height = int(round(width)), int(round(height))
        body = "\n".join(self.parts)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f"aria-label={quoteattr(title)}{attrs}>\n"
            f"<title>{escape(title)}</title>\n"
            + (f"<defs>{defs}</defs>\n" if defs else "")
            + f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>\n'
            f"<g font-family={quoteattr(FONT)}>\n{body}\n</g>\n</svg>\n"
        )
