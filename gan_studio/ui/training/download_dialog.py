"""Shows a data set's download (bytes, speed, time left), or the reading of an image folder
(images), with a Cancel button."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QProgressBar, QVBoxLayout, QWidget

from gan_studio.core.training.progress import format_duration

SPEED_WINDOW = 3.0  # seconds of history behind the speed shown


def format_bytes(count: float) -> str:
    """Formats a byte count as `512 B`, `11.5 MB`... (decimal units, as browsers show them)."""
    for unit in ("B", "kB", "MB", "GB"):
        if abs(count) < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} GB"


class DownloadDialog(QDialog):
    """A non-modal dialog following a download; Cancel emits `cancelled` and closes it.

    Signals:
        cancelled(): the user cancelled the download.

    Args:
        what: what is downloaded or read, e.g. "MNIST" or a folder's path.
        parent: the parent widget.
        images: the progress counts images read from local files, not bytes downloaded.
    """

    cancelled = Signal()

    def __init__(self, what: str, parent: QWidget | None = None, images: bool = False):
        super().__init__(parent)
        self._images = images
        self.setWindowTitle("Reading Images" if images else "Downloading Data")
        self.setModal(False)
        self.setMinimumWidth(420)
        self._history: list[tuple[float, int]] = []
        self._title = QLabel(f"Reading the images of {what}…" if images else
                             f"Downloading {what}…")
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.details = QLabel("Listing files…" if images else "Connecting…")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self._title)
        layout.addWidget(self.bar)
        layout.addWidget(self.details)
        layout.addWidget(buttons)

    def update_progress(self, done: int, total: int) -> None:
        """Shows `done` of `total` bytes or images (total 0: unknown) and the recent speed."""
        now = time.monotonic()
        self._history.append((now, done))
        while len(self._history) > 2 and now - self._history[0][0] > SPEED_WINDOW:
            self._history.pop(0)
        (t0, d0) = self._history[0]
        speed = (done - d0) / (now - t0) if now > t0 else 0.0
        if total > 0:
            # QProgressBar holds ints; per-mille keeps it exact for files of any size.
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * min(done, total) / total))
            left = (total - done) / speed if speed > 0 else float("nan")
            text = f"{self._amount(done)} of {self._amount(total)}"
        else:
            self.bar.setRange(0, 0)
            left = float("nan")
            text = self._amount(done)
        if speed > 0:
            text += f" · {speed:,.0f} images/s" if self._images else f" · {format_bytes(speed)}/s"
        if total > 0 and speed > 0:
            text += f" · {format_duration(left)} left"
        self.details.setText(text)

    def _amount(self, count: float) -> str:
        return f"{count:,.0f} images" if self._images else format_bytes(count)

    def reject(self) -> None:
        """Cancel button, Escape or the close box: cancels the download."""
        self.cancelled.emit()
        super().reject()

    def finish(self) -> None:
        """Closes the dialog without cancelling (the download completed or failed)."""
        super().accept()
