"""The certificate's QR code as an SVG image for the member's phone (Art. 18, 19): the same
verification address the printed card carries."""

from __future__ import annotations

from reportlab.graphics import renderSVG
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing

SIZE = 200


def qr_svg(url: str) -> str:
    widget = QrCodeWidget(url, barLevel="M", barBorder=2)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(SIZE, SIZE, transform=[SIZE / (x1 - x0), 0, 0, SIZE / (y1 - y0), 0, 0])
    drawing.add(widget)
    return str(renderSVG.drawToString(drawing))
