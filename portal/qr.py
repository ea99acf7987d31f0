"""QR codes for page addresses, as SVG (segno)."""

from __future__ import annotations

import io

import segno


def qr_svg(url: str, title: str, standalone: bool = False) -> str:
    """The URL as a QR code in SVG; inline in a page, or a file of its own with an XML declaration."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=10, border=4, title=title, svgclass="portal-qr",
              lineclass=None, xmldecl=standalone, svgns=True, nl=standalone, omitsize=not standalone)
    return out.getvalue().decode("utf-8")
