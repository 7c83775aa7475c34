"""A pixel-exact image view: nearest-neighbour upscaled by the largest whole factor that fits."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from gan_studio.core.grid import drop_channel_axis, upscale_nearest


def qimage_view(image: np.ndarray) -> QImage:
    """Wraps uint8 (H, W) or (H, W, 3) pixels in a QImage without copying them.

    The caller keeps `image` alive for as long as the QImage is used.
    """
    h, w = image.shape[:2]
    if image.ndim == 2:
        return QImage(image.data, w, h, image.strides[0], QImage.Format.Format_Grayscale8)
    return QImage(image.data, w, h, image.strides[0], QImage.Format.Format_RGB888)


class LatentPreview(QWidget):
    """Shows one generated image, scaled by a whole factor so every pixel is a clean square.

    Signals:
        painted(int): the tag of the image just painted (e.g. its render request id), after
            each paint that showed a new image.
        clicked(): a left click on the image.

    Args:
        minimum_scale: the smallest factor the widget asks room for.
        placeholder: text shown while there is no image.
        parent: the parent widget.
    """

    painted = Signal(int)
    clicked = Signal()

    def __init__(self, minimum_scale: int = 4, placeholder: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._image: np.ndarray | None = None
        self._qimage: QImage | None = None
        self._tag = -1
        self._painted_tag = -1
        self._minimum_scale = minimum_scale
        self._placeholder = placeholder
        self._highlight = False
        self.last_paint_time = 0.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    # ---- contents -------------------------------------------------------------------------
    def set_image(self, image: np.ndarray | None, tag: int = -1, now: bool = False) -> None:
        """Shows uint8 (H, W) or (H, W, 3) pixels (None clears).

        Args:
            image: the pixels, or None.
            tag: reported by `painted` once the image is on screen.
            now: repaint at once rather than with the next paint (the slider's answer should
                not wait for another pass of the event loop).
        """
        if image is None:
            self._image = self._qimage = None
        else:
            image = np.ascontiguousarray(drop_channel_axis(np.asarray(image, dtype=np.uint8)))
            reshaped = self._image is None or self._image.shape != image.shape
            self._image = image
            self._qimage = qimage_view(image)
            if reshaped:
                self.updateGeometry()
        self._tag = tag
        if now and self.isVisible():
            self.repaint()
        else:
            self.update()

    def set_placeholder(self, text: str) -> None:
        """The text shown while there is no image."""
        self._placeholder = text
        self.update()

    def set_highlighted(self, on: bool) -> None:
        """Draws an accent frame around the image (e.g. the current filmstrip frame)."""
        if on != self._highlight:
            self._highlight = on
            self.update()

    def image(self) -> np.ndarray | None:
        """The image shown at 1x (uint8 (H, W) or (H, W, 3)), or None."""
        return self._image

    @property
    def tag(self) -> int:
        """The tag of the image set last."""
        return self._tag

    def scale(self) -> int:
        """The whole factor the image is drawn at now (at least 1)."""
        if self._image is None:
            return 1
        h, w = self._image.shape[:2]
        return max(1, min(self.width() // w, self.height() // h))

    def image_rect(self) -> QRect:
        """Where the image is drawn, in widget coordinates."""
        if self._image is None:
            return QRect()
        h, w = self._image.shape[:2]
        s = self.scale()
        return QRect((self.width() - w * s) // 2, (self.height() - h * s) // 2, w * s, h * s)

    def shown_pixels(self) -> np.ndarray | None:
        """Exactly the pixels on screen: the image upscaled by `scale()`."""
        return None if self._image is None else upscale_nearest(self._image, self.scale())

    # ---- Qt -------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        h, w = self._image.shape[:2] if self._image is not None else (32, 32)
        return QSize(w * self._minimum_scale, h * self._minimum_scale)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.sizeHint()

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Window))
        if self._qimage is None:
            if self._placeholder:
                painter.setPen(self.palette().color(QPalette.ColorGroup.Disabled,
                                                    QPalette.ColorRole.WindowText))
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter |
                                 Qt.TextFlag.TextWordWrap, self._placeholder)
            painter.end()
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        target = self.image_rect()
        painter.drawImage(target, self._qimage)
        if self._highlight:
            painter.setPen(QPen(QColor("#7C3AED"), 3))
            painter.drawRect(target.adjusted(-2, -2, 1, 1))
        painter.end()
        self.last_paint_time = time.perf_counter()
        if self._tag != self._painted_tag:
            self._painted_tag = self._tag
            self.painted.emit(self._tag)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton and self._image is not None:
            self.clicked.emit()
            event.accept()
        else:
            super().mousePressEvent(event)
