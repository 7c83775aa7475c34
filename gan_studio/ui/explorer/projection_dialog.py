"""The Find Image in Latent Space window: the picture, the best image found so far, progress."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from gan_studio.ui.explorer.preview import LatentPreview


class ProjectionDialog(QDialog):
    """Shows a search for a picture's latent as it runs; Cancel asks it to stop.

    Not modal: the window (training, the explorer) stays usable while it searches.

    Signals:
        cancel_requested(): the user wants the search stopped.

    Args:
        name: what is searched for (a file name), for the title.
        parent: the main window.
    """

    cancel_requested = Signal()

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Find {name} in Latent Space")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.target = LatentPreview(4, "Reading the picture…")
        self.found = LatentPreview(4, "Loading the generator…")
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until the first step
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self._on_button)
        self._running = True
        images = QGridLayout()
        for column, (title, view) in enumerate((("Picture", self.target),
                                                ("Best found", self.found))):
            label = QLabel(title)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            images.addWidget(label, 0, column)
            images.addWidget(view, 1, column)
        layout = QVBoxLayout(self)
        layout.addLayout(images, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.info)
        layout.addWidget(self.buttons)

    @property
    def running(self) -> bool:
        """Whether the search is still going (Cancel, not Close)."""
        return self._running

    def set_target(self, image) -> None:
        """The picture as the generator sees it (resized, cropped, its channels)."""
        self.target.set_image(image)

    def show_progress(self, progress) -> None:
        """A `ProjectionProgress`: the best image so far and its error."""
        self.bar.setRange(0, progress.steps)
        self.bar.setValue(progress.step)
        self.found.set_image(progress.image)
        self.info.setText(f"Step {progress.step} of {progress.steps}: mean pixel error "
                          f"{progress.error:.4f}")

    def show_result(self, result) -> None:
        """The search ended: its image, error and speed; the button becomes Close."""
        self.found.set_image(result.image)
        self.bar.setRange(0, max(1, result.steps))
        self.bar.setValue(result.steps)
        rate = result.steps / result.seconds if result.seconds > 0 else 0.0
        found = "" if result.class_index is None else f" in class {result.class_index}"
        self.info.setText(
            "Cancelled: nothing changed in the explorer." if result.stopped else
             f"Found{found}: mean pixel error {result.error:.4f} of the pixel range "
             f"({result.steps} steps in {result.seconds:.1f} s, {rate:.0f} steps/s"
             + (f", comparing {result.loss}" if getattr(result, "loss", "") else "")
             + "). The explorer shows it now.")
        self._finish()

    def add_note(self, note: str) -> None:
        """Adds a line under the result (e.g. the edits that showing it undid)."""
        self.info.setText(f"{self.info.text()}\n{note}")

    def show_failure(self, message: str) -> None:
        """The search could not start (the generator or the picture): one line."""
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.info.setText(message)
        self._finish()

    def _finish(self) -> None:
        self._running = False
        self.buttons.setStandardButtons(QDialogButtonBox.StandardButton.Close)

    def _on_button(self) -> None:
        if self._running:
            self.info.setText("Stopping…")
            self.cancel_requested.emit()
        else:
            self.close()

    def reject(self) -> None:  # Escape, or the title bar's close button
        if self._running:
            self.cancel_requested.emit()
        super().reject()
