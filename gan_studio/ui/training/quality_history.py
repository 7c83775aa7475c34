"""The quality evaluations of the run shown: the one record the window's views read them from."""

from __future__ import annotations

import bisect

from PySide6.QtCore import QObject, Signal

from gan_studio.core.quality.report import QualityReport
from gan_studio.core.training.progress import Progress


class QualityHistory(QObject):
    """The run's `QualityReport`s, oldest first; the Quality plot, the sample grid's caption and
    the progress panel all read them here, so each number is kept once.

    Given a session, it adds each `quality` report, and drops the evaluations a run went back
    past: those after the step a run starts from, and after a step that progress reports again
    (the run continued from an earlier checkpoint).

    Signals:
        changed(): the reports were added to, replaced, cut or cleared.

    Args:
        session: a `TrainingSession` to follow (optional).
        parent: the owning QObject.
    """

    changed = Signal()

    def __init__(self, session=None, parent: QObject | None = None):
        super().__init__(parent)
        self._reports: list[QualityReport] = []
        self._progress_step: int | None = None  # the newest step the running run reported
        if session is not None:
            session.quality.connect(self.add)
            session.progress.connect(self._on_progress)
            session.run_started.connect(self._on_run_started)

    @property
    def reports(self) -> tuple[QualityReport, ...]:
        """Every report, oldest first."""
        return tuple(self._reports)

    def latest(self) -> QualityReport | None:
        """The newest report, or None."""
        return self._reports[-1] if self._reports else None

    def add(self, report: QualityReport) -> None:
        """Appends a report, replacing those at its step or later (a run that went back)."""
        self._cut_after(report.step - 1)
        self._reports.append(report)
        self.changed.emit()

    def set_reports(self, reports: list[QualityReport]) -> None:
        """Replaces every report (e.g. with a run's quality.csv), sorted by step."""
        self._reports = sorted(reports, key=lambda r: r.step)
        self.changed.emit()

    def clear(self) -> None:
        """Forgets every report (a new run)."""
        if self._reports:
            self._reports = []
            self.changed.emit()

    def truncate(self, last_step: int) -> None:
        """Drops the reports after `last_step`."""
        if self._cut_after(last_step):
            self.changed.emit()

    def report_at(self, step: int | None) -> QualityReport | None:
        """The evaluation made at exactly `step`, or None."""
        report = self.report_before(step)
        return report if report is not None and report.step == step else None

    def report_before(self, step: int | None) -> QualityReport | None:
        """The newest evaluation made at or before `step`, or None."""
        if step is None:
            return None
        index = bisect.bisect_right([r.step for r in self._reports], step)
        return self._reports[index - 1] if index else None

    def caption_at(self, step: int | None) -> str:
        """A few words on the quality at `step`, for the sample grid's caption.

        Returns:
            "FD 12.3 · score 8.1" when `step` was evaluated; "FD 14.0 at step 500" from the
            newest evaluation before it; "" when there is none.
        """
        report = self.report_before(step)
        if report is None:
            return ""
        text = f"FD {short_number(report.fd)}"
        if report.step != step:
            return f"{text} at step {report.step:,}"
        if report.labelled:
            text += f" · score {short_number(report.score)}"
        return text

    def _cut_after(self, last_step: int) -> bool:
        if not self._reports or self._reports[-1].step <= last_step:
            return False
        self._reports = [r for r in self._reports if r.step <= last_step]
        return True

    def _on_run_started(self, *_args) -> None:
        self._progress_step = None

    def _on_progress(self, progress: Progress) -> None:
        # Only where the run starts or goes back: an evaluation may arrive before the
        # (throttled) progress report that covers its step, and must survive it.
        first = progress.steps[0] if progress.steps else progress.step
        if self._progress_step is None or first <= self._progress_step:
            self.truncate(first - 1)
        self._progress_step = progress.steps[-1] if progress.steps else progress.step


def short_number(value: float) -> str:
    """Three significant digits, without an exponent for large values (12.3, 0.0123, 1,234)."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
