"""The discriminator's verdict on the image shown, under the explorer's preview."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from gan_studio.workers.explorer.verdict import VerdictService

TIP = ("What the run's own discriminator makes of the image shown: its probability that the "
       "image is real, D(G(z)) as in the progress line, from the run's newest checkpoint (it "
       "follows a run being trained each time it saves one)")


class VerdictLabel(QLabel):
    """Shows D(G(z)) for each new preview image (scored off the GUI thread, newest only).

    Args:
        parent: the parent widget.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__("", parent)
        self.setToolTip(TIP)
        self.setEnabled(False)  # secondary text
        self.service = VerdictService(self)
        self.service.ready.connect(self._on_ready)
        self.service.unavailable.connect(self.setText)
        self._newest = None  # the tag of the newest image asked about

    def show_for(self, source: str, image, class_index: int | None, tag) -> None:
        """Asks for the verdict on `image` from the run at `source` (a `.keras` file: none)."""
        self._newest = tag
        self.service.score(source, image, class_index, tag)

    def _on_ready(self, result) -> None:
        if result.tag != self._newest:
            return  # an older image's verdict: the newest one's follows
        looks = "real" if result.score >= 0.5 else "fake"
        self.setText(f"D(G(z)) = {result.score:.2f}: the discriminator takes it for {looks} "
                     f"(its checkpoint of step {result.step:,})")

    def shutdown(self) -> None:
        """Joins the scoring thread. Blocks for at most one score."""
        self.service.shutdown()
