"""What a training session tells the window's `RunModel`: its quality evaluations, and where the
run went back past them."""

from __future__ import annotations

from PySide6.QtCore import QObject

from gan_studio.core.runs.run_model import RunModel
from gan_studio.core.training.progress import Progress


class RunFeed(QObject):
    """Feeds a session's quality reports into a `RunModel`, and drops the evaluations a run went
    back past: those after the step a run starts from, and after a step that progress reports
    again (the run continued from an earlier checkpoint).

    Args:
        session: the `TrainingSession` to follow.
        run: the window's `RunModel`.
        parent: the owning QObject.
    """

    def __init__(self, session, run: RunModel, parent: QObject | None = None):
        super().__init__(parent)
        self._run = run
        self._progress_step: int | None = None  # the newest step the running run reported
        session.quality.connect(run.add_report)
        session.progress.connect(self._on_progress)
        session.run_started.connect(self._on_run_started)

    def _on_run_started(self, *_args) -> None:
        self._progress_step = None

    def _on_progress(self, progress: Progress) -> None:
        # Only where the run starts or goes back: an evaluation may arrive before the
        # (throttled) progress report that covers its step, and must survive it.
        first = progress.steps[0] if progress.steps else progress.step
        if self._progress_step is None or first <= self._progress_step:
            self._run.truncate_reports(first - 1)
        self._progress_step = progress.steps[-1] if progress.steps else progress.step


def short_number(value: float) -> str:
    """Three significant digits, without an exponent for large values (12.3, 0.0123, 1,234)."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def quality_caption(run: RunModel, step: int | None) -> str:
    """A few words on the quality at `step`, for the sample grid's caption.

    Returns:
        "FD 12.3 · score 8.1" when `step` was evaluated; "FD 14.0 at step 500" from the
        newest evaluation before it; "" when there is none.
    """
    report = run.report_before(step)
    if report is None:
        return ""
    text = f"FD {short_number(report.fd)}"
    if report.step != step:
        return f"{text} at step {report.step:,}"
    if report.labelled:
        text += f" · score {short_number(report.score)}"
    return text
