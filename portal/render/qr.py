"""QR codes for page addresses, as SVG (segno)."""

from __future__ import annotations

import io
from functools import lru_cache

import segno

# Every mask pattern gives a valid code that phones read; letting segno score all eight for the
# "best" one costs eight encodings per page, which dominated the build time of large sites.
MASK = 4


@lru_cache(maxsize=4096)
def _code(url: str) -> segno.QRCode:
    return segno.make(url, error="m", micro=False, mask=MASK)


def qr_svg(url: str, title: str, standalone: bool = False) -> str:
    """The URL as a QR code in SVG; inline in a page, or a file of its own with an XML declaration."""
    out = io.BytesIO()
    _code(url).save(out, kind="svg", scale=10, border=4, title=title, svgclass="portal-qr",
                    lineclass=None, xmldecl=standalone, svgns=True, nl=standalone,
                    omitsize=not standalone)
    return out.getvalue().decode("utf-8")
