"""Progress bars (epochs, or the time of a run whose length is a time, and steps), throughput,
elapsed time, ETA and the latest losses."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGridLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from gan_studio.core.runs.run_model import QUALITY, SAVED, RunModel
from gan_studio.core.training.events import ENDING
from gan_studio.core.training.progress import Progress, format_duration
from gan_studio.core.training.session_states import IDLE, PAUSED, STARTING, STOPPING, TRAINING

STATE_TEXT = {
    IDLE: "Idle",
    STARTING: "Preparing data and models…",
    TRAINING: "Training",
    PAUSED: "Paused",
    STOPPING: "Stopping (saving a checkpoint)…",
}


class ProgressPanel(QWidget):
    """Shows how far training has come and how fast it goes.

    Args:
        session: a `TrainingSession`; the panel follows its `progress` and `state_changed`.
        run: the window's `RunModel`: the Quality line shows its newest evaluation, and a run
            opened from its folder shows where it stands (default: a model of its own).
        parent: the parent widget.
    """

    def __init__(self, session=None, run: RunModel | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._run = run if run is not None else RunModel()
        self._unmeasured = ""  # why the run ended without the final measurement it wanted
        self._state = QLabel(STATE_TEXT[IDLE])
        font = self._state.font()
        font.setBold(True)
        self._state.setFont(font)
        self.epoch_bar = QProgressBar()
        self.step_bar = QProgressBar()
        for bar in (self.epoch_bar, self.step_bar):
            bar.setRange(0, 1)
            bar.setValue(0)
            bar.setTextVisible(True)
        self._values: dict[str, QLabel] = {}
        stats = QGridLayout()
        names = [("Images/s", "speed"), ("Elapsed", "elapsed"), ("ETA", "eta"),
                 ("G loss", "g_loss"), ("D loss", "d_loss"), ("D(x) / D(G(z))", "d_out")]
        for i, (title, key) in enumerate(names):
            value = QLabel("–")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._values[key] = value
            row, col = divmod(i, 3)
            stats.addWidget(QLabel(title + ":"), row, col * 2)
            stats.addWidget(value, row, col * 2 + 1)
        for col in (1, 3, 5):
            stats.setColumnStretch(col, 1)
        bars = QFormLayout()
        self._length_title = QLabel("Epoch")  # "Time" for a run whose length is a time
        bars.addRow(self._length_title, self.epoch_bar)
        bars.addRow("Step", self.step_bar)
        self._quality_line = QLabel("–")
        self._quality_line.setWordWrap(True)
        self._quality_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        quality_row = QFormLayout()
        quality_row.addRow("Quality", self._quality_line)
        layout = QVBoxLayout(self)
        layout.addWidget(self._state)
        layout.addLayout(bars)
        layout.addLayout(stats)
        layout.addLayout(quality_row)
        layout.addStretch(1)
        self._run.observe(self._on_run_changed)
        if session is not None:
            session.progress.connect(self.update_progress)
            session.state_changed.connect(self.set_state)
            session.event.connect(self._on_event)

    def text(self, key: str) -> str:
        """The displayed value of `speed`, `elapsed`, `eta`, `g_loss`, `d_loss` or `d_out`."""
        return self._values[key].text()

    @property
    def quality_text(self) -> str:
        """The Quality line: the newest evaluation's numbers, with its step."""
        return self._quality_line.text()

    @property
    def state_text(self) -> str:
        """The state line ("Training", "Paused"...)."""
        return self._state.text()

    def set_state(self, state: str) -> None:
        """Shows the training state (`idle`, `starting`, `training`, `paused`, `stopping`)."""
        self._state.setText(STATE_TEXT.get(state, state))
        if state == STARTING:
            self._set_unmeasured("")
        if state == IDLE:
            self._values["eta"].setText("–")
            self._values["speed"].setText("–")

    @property
    def length_title(self) -> str:
        """The first bar's title: `Epoch`, or `Time` for a run whose length is a time."""
        return self._length_title.text()

    def update_progress(self, p: Progress) -> None:
        """Shows a progress report."""
        per_epoch = max(1, p.steps_per_epoch)
        in_epoch = p.step - p.epoch * per_epoch
        if p.budget_seconds:
            self._show_time(p)
            steps = f"step {p.step:,} of about {max(p.total_steps, p.step):,}"
        else:
            self._show_epochs(p, per_epoch)
            steps = f"step {p.step:,}"
        self.step_bar.setRange(0, per_epoch)
        self.step_bar.setValue(max(0, min(in_epoch, per_epoch)))
        self.step_bar.setFormat(f"{max(0, in_epoch):,} / {per_epoch:,}  ({steps})")
        self._values["speed"].setText(f"{p.images_per_sec:,.0f}")
        # A time budget counts the run's earlier sessions too: so does what it shows trained.
        elapsed = p.trained_seconds if p.budget_seconds else p.elapsed_seconds
        self._values["elapsed"].setText(format_duration(elapsed))
        self._values["eta"].setText(format_duration(p.eta_seconds))
        self._values["g_loss"].setText(_number(p.g_loss))
        self._values["d_loss"].setText(_number(p.d_loss))
        self._values["d_out"].setText(f"{_number(p.d_real, 2)} / {_number(p.d_fake, 2)}")

    def show_saved(self, p: Progress) -> None:
        """Shows where a run opened from its folder stands (`saved_progress`): its bars, the
        time it trained and its last losses; no speed or ETA, as nothing is training."""
        self.update_progress(p)
        for key in ("speed", "eta"):
            self._values[key].setText("–")
        if not p.trained_seconds:  # a run saved before its time trained was noted
            self._values["elapsed"].setText("–")
        for bar, known, text in ((self.step_bar, p.steps_per_epoch, f"step {p.step:,}"),
                                 (self.epoch_bar, p.total_steps or p.budget_seconds,
                                  f"epoch {p.epoch + 1}")):
            if not known:  # data of a size the log does not tell yet (its first epoch)
                bar.setRange(0, 1)
                bar.setValue(0)
                bar.setFormat(text)

    def _show_epochs(self, p: Progress, per_epoch: int) -> None:
        epochs = max(1, math.ceil(p.total_steps / per_epoch)) if p.total_steps else p.epoch + 1
        self._length_title.setText("Epoch")
        self.epoch_bar.setRange(0, max(1, p.total_steps))
        self.epoch_bar.setValue(min(p.step, max(1, p.total_steps)))
        self.epoch_bar.setFormat(f"{min(p.epoch + 1, epochs)} / {epochs}  (%p%)")

    def _show_time(self, p: Progress) -> None:
        budget = max(1, int(p.budget_seconds))
        self._length_title.setText("Time")
        self.epoch_bar.setRange(0, budget)
        self.epoch_bar.setValue(max(0, min(int(p.trained_seconds), budget)))
        self.epoch_bar.setFormat(f"{format_duration(p.trained_seconds)} / "
                                 f"{format_duration(p.budget_seconds)}  (%p%, epoch {p.epoch + 1})")

    def _on_run_changed(self, what: frozenset) -> None:
        if SAVED in what:
            self.reset()
            saved = self._run.saved
            if saved is not None and saved.progress is not None:
                self.show_saved(saved.progress)
        if QUALITY in what:
            self._show_quality()

    def _show_quality(self) -> None:
        report = self._run.latest_report()
        if report is not None:
            self._quality_line.setText(f"{report.summary()} (step {report.step:,})")
        else:
            self._quality_line.setText(f"– (not measured: {self._unmeasured})"
                                       if self._unmeasured else "–")

    def _on_event(self, event) -> None:
        if event.kind in ENDING:
            self._set_unmeasured(event.data.get("unmeasured") or "")

    def _set_unmeasured(self, reason: str) -> None:
        if reason != self._unmeasured:
            self._unmeasured = reason
            self._show_quality()

    def reset(self) -> None:
        """Clears the bars and values (a new run)."""
        self._length_title.setText("Epoch")
        for bar in (self.epoch_bar, self.step_bar):
            bar.setRange(0, 1)
            bar.setValue(0)
            bar.resetFormat()
        for label in self._values.values():
            label.setText("–")
        self._set_unmeasured("")


def _number(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}f}" if math.isfinite(value) else "NaN"
