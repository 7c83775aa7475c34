"""Dialogs of the latent explorer's exports: scale, formats, animation options."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from gan_studio.core.animation import video_supported
from gan_studio.ui.widgets.save_dialogs import ScaleDialog

MAX_SCALE = 16
IMAGE_FORMATS = {"PNG images (*.png)": ".png", "JPEG images (*.jpg *.jpeg)": ".jpg"}
ANIMATION_FILTERS = {"GIF animations (*.gif)": ".gif",
                     "Animated PNG, lossless (*.png)": ".png",
                     "Animated WebP, lossless (*.webp)": ".webp"}
VIDEO_FILTER = {"MP4 video, H.264 (*.mp4)": ".mp4"}


def animation_filters() -> dict[str, str]:
    """The formats an interpolation can be exported to (MP4 where PyAV is installed)."""
    return {**ANIMATION_FILTERS, **(VIDEO_FILTER if video_supported() else {})}


def ask_scale(parent: QWidget | None, size: tuple[int, int], scale: int, title: str) -> int | None:
    """Asks for a whole scale factor from 1 to 16; returns it, or None if cancelled."""
    dialog = ScaleDialog(size, min(max(1, scale), MAX_SCALE), title, parent)
    dialog.spin.setMaximum(MAX_SCALE)
    return dialog.spin.value() if dialog.exec() == QDialog.DialogCode.Accepted else None


@dataclass
class AnimationOptions:
    """How to export an interpolation.

    Attributes:
        fps: frames per second.
        repeat: loop forever (False plays once).
        bounce: play the path forward then back, so that a loop has no jump.
        scale: whole nearest-neighbour factor.
    """

    fps: int = 12
    repeat: bool = True
    bounce: bool = True
    scale: int = 4


class AnimationDialog(QDialog):
    """Asks for an interpolation export's speed, looping and scale.

    Args:
        options: the initial values.
        frames: the path's frame count.
        size: (width, height) of one frame at 1x.
        parent: the parent widget.
    """

    def __init__(self, options: AnimationOptions, frames: int, size: tuple[int, int],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export Interpolation")
        self._frames, self._size = frames, size
        self.fps = QSpinBox()
        self.fps.setRange(1, 50)
        self.fps.setSuffix(" fps")
        self.fps.setValue(min(options.fps, 50))
        self.repeat = QCheckBox("Loop forever")
        self.repeat.setChecked(options.repeat)
        self.bounce = QCheckBox("Forward, then back (loops without a jump)")
        self.bounce.setChecked(options.bounce)
        self.scale = QSpinBox()
        self.scale.setRange(1, MAX_SCALE)
        self.scale.setSuffix(" ×")
        self.scale.setValue(min(max(1, options.scale), MAX_SCALE))
        self._summary = QLabel()
        for signal in (self.fps.valueChanged, self.scale.valueChanged, self.bounce.toggled):
            signal.connect(self._summarise)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Speed", self.fps)
        form.addRow("", self.repeat)
        form.addRow("", self.bounce)
        form.addRow("Scale (nearest neighbour)", self.scale)
        form.addRow("Result", self._summary)
        form.addRow(buttons)
        self._summarise()

    def options(self) -> AnimationOptions:
        """The values chosen."""
        return AnimationOptions(self.fps.value(), self.repeat.isChecked(),
                                self.bounce.isChecked(), self.scale.value())

    def _summarise(self, *_args) -> None:
        count = bounced_count(self._frames, self.bounce.isChecked())
        w, h = self._size
        s = self.scale.value()
        self._summary.setText(f"{count} frames, {count / self.fps.value():.1f} s, "
                              f"{w * s} × {h * s} pixels")

    @classmethod
    def ask(cls, parent: QWidget | None, options: AnimationOptions, frames: int,
            size: tuple[int, int]) -> AnimationOptions | None:
        """Shows the dialog; returns the options, or None if cancelled."""
        dialog = cls(options, frames, size, parent)
        return dialog.options() if dialog.exec() == QDialog.DialogCode.Accepted else None


def bounced_count(frames: int, bounce: bool) -> int:
    """Frames of an animation that plays `frames` forward, and back when `bounce`.

    The way back skips both ends, so that looping repeats no frame.
    """
    return frames + max(0, frames - 2) if bounce else frames
