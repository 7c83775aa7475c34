"""`RunModel`: the run the window shows, the one model its training views and the explorer follow."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

import numpy as np

from gan_studio.core.observers import Observable
from gan_studio.core.quality.report import QualityReport

if TYPE_CHECKING:
    from gan_studio.core.config import TrainConfig
    from gan_studio.core.runs.history import RunHistory

RUN = "run"  # which run is shown (`run_dir`, `config`), or the new-run form (None)
SAVED = "saved"  # what was read of it from disk (`saved`): curves, grids, progress
QUALITY = "quality"  # its quality evaluations (`reports`)
TILE = "tile"  # the sample grid's selected tile (`selected_tile`)
TILE_LATENTS = "tile_latents"  # the latents behind the grid's tiles (`tile_latent`)


class RunModel(Observable):
    """The run the window shows: its folder and settings, what was read of it, its quality
    evaluations and the sample grid's selected tile.

    Observers (`observe`) get the kinds that changed: `RUN`, `SAVED`, `QUALITY`, `TILE`,
    `TILE_LATENTS`. The views hold none of these facts themselves: they change the model through its methods
    and follow it, each redrawing what the kinds of change it is told about concern (as
    napari's `ViewerModel` and its Qt views). It needs no Qt, so it is tested without a
    `QApplication`; every call comes from the GUI thread.

    Example:

    ```python
    model = RunModel()
    model.observe(lambda what: print(sorted(what)))
    model.show_saved(load_run_history("runs/mnist-2026-12-07"))  # ['quality', 'run', ...]
    model.set_tile_latents(loaded.grid_latents)                 # ['tile_latents']
    model.select_tile(3)                                        # ['tile']
    latent = model.tile_latent(model.selected_tile)             # the noise behind tile 3
    model.add_report(report)                                    # ['quality']: a live run's
    ```

    Attributes:
        run_dir: the run folder shown, or None (the form sets up a new run).
        config: that run's settings, when they could be read.
        saved: what File → Open Run read of it (`RunHistory`), or None for a run that
            trains in this window (its curves and grids come live).
        selected_tile: the index of the sample grid's selected tile, -1 for none.
    """

    def __init__(self):
        super().__init__()
        self.run_dir: str | None = None
        self.config: TrainConfig | None = None
        self.saved: RunHistory | None = None
        self._reports: list[QualityReport] = []
        self.selected_tile = -1
        self._tile_latents: np.ndarray | None = None

    # ---- the run ------------------------------------------------------------------------
    def show_run(self, run_dir: str, config: TrainConfig | None) -> None:
        """Shows the run in `run_dir` (one that starts training here, or was opened)."""
        self.run_dir, self.config = run_dir, config
        self._emit({RUN})

    def clear_run(self) -> None:
        """Back to the new-run form: no run is shown (its curves stay until a run starts)."""
        if self.run_dir is not None or self.config is not None:
            self.run_dir, self.config = None, None
            self._emit({RUN})

    def show_saved(self, history: RunHistory) -> None:
        """Shows a run read from its folder (`load_run_history`): its settings, curves, grids,
        progress and quality evaluations; no tile is selected."""
        self.run_dir, self.config, self.saved = history.run_dir, history.config, history
        self._reports = sorted(history.quality, key=lambda r: r.step)
        self.selected_tile, self._tile_latents = -1, None
        self._emit({RUN, SAVED, QUALITY, TILE, TILE_LATENTS})

    def start_afresh(self) -> None:
        """Forgets what was shown of another run (a different run starts training): no saved
        curves or grids, no evaluations, no tiles."""
        self.saved, self._reports = None, []
        self.selected_tile, self._tile_latents = -1, None
        self._emit({SAVED, QUALITY, TILE, TILE_LATENTS})

    # ---- quality ------------------------------------------------------------------------
    @property
    def reports(self) -> tuple[QualityReport, ...]:
        """Every quality evaluation, oldest first."""
        return tuple(self._reports)

    def latest_report(self) -> QualityReport | None:
        """The newest evaluation, or None."""
        return self._reports[-1] if self._reports else None

    def set_reports(self, reports) -> None:
        """Replaces every evaluation (sorted by step)."""
        self._reports = sorted(reports, key=lambda r: r.step)
        self._emit({QUALITY})

    def add_report(self, report: QualityReport) -> None:
        """Appends an evaluation, replacing those at its step or later (a run that went back)."""
        self._cut_after(report.step - 1)
        self._reports.append(report)
        self._emit({QUALITY})

    def truncate_reports(self, last_step: int) -> None:
        """Drops the evaluations after `last_step` (the run continues from an earlier step)."""
        if self._cut_after(last_step):
            self._emit({QUALITY})

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

    def _cut_after(self, last_step: int) -> bool:
        if not self._reports or self._reports[-1].step <= last_step:
            return False
        self._reports = [r for r in self._reports if r.step <= last_step]
        return True

    # ---- the sample grid's tiles --------------------------------------------------------
    def select_tile(self, index: int) -> None:
        """Selects tile `index` of the sample grid (-1: none)."""
        index = max(-1, int(index))
        if index != self.selected_tile:
            self.selected_tile = index
            self._emit({TILE})

    def set_tile_latents(self, latents) -> None:
        """The fixed noise behind the grid's tiles ((tiles, latent size)), or None."""
        latents = None if latents is None else np.array(latents, np.float32)
        old = self._tile_latents
        if (latents is None and old is None) or (latents is not None and old is not None
                                                 and np.array_equal(latents, old)):
            return  # each grid of a run carries the same noise
        self._tile_latents = latents
        self._emit({TILE_LATENTS})

    def tile_latent(self, index: int) -> np.ndarray | None:
        """The latent behind tile `index`, or None when it is unknown."""
        latents = self._tile_latents
        if latents is None or not 0 <= index < len(latents):
            return None
        return latents[index].copy()
