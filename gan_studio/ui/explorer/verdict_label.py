"""The discriminator's verdict on the image shown, under the explorer's preview."""

from __future__ import annotations

import os

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget

from gan_studio.core.training.events import EventKind
from gan_studio.workers.explorer.verdict import VerdictService

TIP = ("What the run's own discriminator makes of the image shown: its probability that the "
       "image is real, D(G(z)) as in the progress line, from the run's newest checkpoint (it "
       "follows a run being trained each time it saves one)")
MEASURING = "D(G(z)): measuring…"


class VerdictLabel(QLabel):
    """Shows D(G(z)) for each new preview image (scored off the GUI thread, newest only),
    and again when the run it comes from saves a checkpoint (`follow`).

    Args:
        parent: the parent widget.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__("", parent)
        self.setToolTip(TIP)
        # The palette's own text colour on its window colour, readable in light and dark
        # palettes alike (a disabled label's grey was barely legible on either).
        self.setForegroundRole(QPalette.ColorRole.WindowText)
        self.service = VerdictService(self)
        self.service.ready.connect(self._on_ready)
        self.service.unavailable.connect(self._on_unavailable)
        self._newest = None  # the tag of the newest image asked about
        self._asked = None  # (source, image, class_index) of that image
        self._rescores = 0
        self._session = None

    def follow(self, session) -> None:
        """Asks again about the image shown each time `session` (a `TrainingSession`) saves a
        checkpoint of the run it comes from: a stop's last one is judged at once, not at the
        next render."""
        self._session = session
        session.event.connect(self._on_training_event)

    def _on_training_event(self, event) -> None:
        if event.kind == EventKind.CHECKPOINT:
            self.checkpoint_saved(self._session.run_dir)

    def show_for(self, source: str, image, class_index: int | None, tag) -> None:
        """Asks for the verdict on `image` from the run at `source` (a `.keras` file: none)."""
        if self._asked is None or self._asked[0] != source:
            self.setText(MEASURING)  # not another generator's verdict meanwhile
        self._newest, self._asked = tag, (source, image, class_index)
        self.service.score(source, image, class_index, tag)

    def checkpoint_saved(self, run_dir: str | None) -> None:
        """Asks D again about the image shown if it comes from `run_dir`, which has just saved
        a checkpoint: "measuring…" until its verdict (never the "no checkpoint yet" of before).
        """
        asked = self._asked
        if asked is None or not run_dir or not _same_folder(asked[0], run_dir):
            return
        self._rescores += 1
        self._newest = ("checkpoint", self._rescores)
        self.setText(MEASURING)
        self.service.score(*asked, self._newest)

    def _on_unavailable(self, message: str, tag) -> None:
        if tag == self._newest:  # an older image's answer (a run before its checkpoint) is moot
            self.setText(message)

    def _on_ready(self, result) -> None:
        if result.tag != self._newest:
            return  # an older image's verdict: the newest one's follows
        looks = "real" if result.score >= 0.5 else "fake"
        self.setText(f"D(G(z)) = {result.score:.2f}: the discriminator takes it for {looks} "
                     f"(its checkpoint of step {result.step:,})")

    def shutdown(self) -> None:
        """Joins the scoring thread. Blocks for at most one score."""
        self.service.shutdown()


def _same_folder(a: str, b: str) -> bool:
    return bool(a) and os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))
