"""Regenerates the app icon's PNG, ICO and ICNS files from its SVG sources.

Usage: `python resources/make_icons.py` (from any folder). It needs only the app's own
dependencies: PySide6's QtSvg renders the SVG, Pillow writes the PNG, ICO and ICNS files.
Sizes below `SMALL_BELOW` are rendered from `gan-studio-small.svg`, a pixel-hinted copy of
`gan-studio.svg`; the rest from `gan-studio.svg` itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PIL import Image

ICONS = Path(__file__).resolve().parent / "icons"
NAME = "gan-studio"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (32, 64, 128, 256, 512, 1024)
SMALL_BELOW = 24


def render_svg(svg: Path, size: int) -> Image.Image:
    """Renders an SVG file to a square RGBA image.

    Args:
        svg: the SVG file.
        size: width and height of the image, in pixels.

    Returns:
        The rendered `PIL.Image.Image`, mode "RGBA".

    Raises:
        ValueError: if Qt cannot parse the SVG.
    """
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"Qt could not parse {svg}")
    image = QImage(size, size, QImage.Format.Format_RGBA8888_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    data = bytes(image.constBits())
    return Image.frombuffer("RGBA", (size, size), data, "raw", "RGBA", image.bytesPerLine(), 1)


def render_icon(size: int) -> Image.Image:
    """Renders the app icon at `size` px from the SVG made for that size."""
    source = f"{NAME}-small.svg" if size < SMALL_BELOW else f"{NAME}.svg"
    return render_svg(ICONS / source, size)


def main() -> None:
    """Writes `icons/gan-studio-<N>.png`, `icons/gan-studio.ico` and `icons/gan-studio.icns`."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # alive while rendering
    images = {size: render_icon(size) for size in sorted({*PNG_SIZES, *ICNS_SIZES})}
    for size in PNG_SIZES:
        images[size].save(ICONS / f"{NAME}-{size}.png", optimize=True)
    ico = [images[size] for size in ICO_SIZES]
    ico[-1].save(ICONS / f"{NAME}.ico", sizes=[im.size for im in ico], append_images=ico[:-1])
    icns = [images[size] for size in ICNS_SIZES]
    icns[-1].save(ICONS / f"{NAME}.icns", append_images=icns[:-1])
    print(f"Wrote {len(PNG_SIZES)} PNGs, {NAME}.ico and {NAME}.icns to {ICONS}")


if __name__ == "__main__":
    main()
