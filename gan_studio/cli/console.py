"""Training shown on a terminal: tqdm bars for steps, downloads and the reading of images."""

from __future__ import annotations

from gan_studio.core.quality.collapse import CollapseWarning
from gan_studio.core.quality.copy_rate import copy_warning
from gan_studio.core.quality.report import QualityReport
from gan_studio.core.runs.layout import checkpoint_at_or_before, checkpoint_step
from gan_studio.core.training.callbacks import TrainingCallbacks
from gan_studio.core.training.events import ENDING, EventKind
from gan_studio.core.training.progress import Event, Progress, format_duration

# The kinds the terminal prints as their bare message (`image_size` and `skipped` it words
# itself; it leaves the others out).
MESSAGE_KINDS = frozenset({
    EventKind.DEVICE, EventKind.RECIPE, EventKind.DATA, EventKind.CHECKPOINT, EventKind.BEST,
    EventKind.EPOCH_END, EventKind.STOPPED, EventKind.FINISHED, EventKind.QUALITY_OFF,
    EventKind.COLLAPSE_CLEARED})


class ConsoleProgress(TrainingCallbacks):
    """Shows training on the terminal: a tqdm bar for steps and a bar for downloads.

    It keeps the default `progress_interval` (0.05 s) and wants no generator snapshots: the
    smallest `TrainingCallbacks` subclass, a model for others.
    """

    def __init__(self):
        from tqdm import tqdm

        self._tqdm = tqdm
        self.run_dir = "RUN_DIR"  # the trainer's, once it exists
        self.dataset = None  # the run's, once the trainer exists: what on_download counts
        self.bar = None
        self.download = None
        self.batch_split = ""  # "batch 64 = 2×32" when the batch is split over replicas
        self._reports: list[QualityReport] = []  # this session's, for the copy warning

    def on_progress(self, p: Progress) -> None:
        if self.bar is None:
            self.bar = self._tqdm(total=p.total_steps, initial=p.step - len(p.steps), unit="step",
                                  dynamic_ncols=True)
        if self.bar.total != p.total_steps:  # a time budget's steps, re-estimated as it trains
            self.bar.total = p.total_steps
        self.bar.update(len(p.steps))
        self.bar.set_postfix_str(
            f"epoch {p.epoch + 1}{self.batch_split} G {p.g_loss:.3f} D {p.d_loss:.3f} D(x) {p.d_real:.2f} "
            f"D(G(z)) {p.d_fake:.2f} {p.images_per_sec:.0f} img/s ETA {format_duration(p.eta_seconds)}",
            refresh=False)

    def on_event(self, e: Event) -> None:
        replicas, batch = e.data.get("replicas", 1), e.data.get("batch", 0)
        if e.kind == EventKind.DEVICE and replicas > 1:
            self.batch_split = f" batch {batch} = {replicas}×{batch // replicas}"
        if e.kind in MESSAGE_KINDS:
            self._write(e.message)
        elif e.kind == EventKind.IMAGE_SIZE:
            self._write(f"{e.message} (pass --image-size to change)")
        elif e.kind == EventKind.SKIPPED:
            self._write(skipped_lines(e.data))
        if e.kind in ENDING and e.data.get("unmeasured"):
            self._write(f"No final quality measurement: {e.data['unmeasured']}.")

    def on_quality(self, report: QualityReport) -> None:
        self._write(f"Quality at step {report.step}: {report.summary()}")
        self._reports.append(report)
        warning = copy_warning(self._reports)
        if warning is not None:
            kept = (checkpoint_at_or_before(self.run_dir, warning.before_step)
                    if warning.before_step is not None else None)
            back = (f" Roll back with: gan-studio resume {self.run_dir} --checkpoint "
                    f"{checkpoint_step(kept)}" if kept else "")
            self._write(f"Warning: the generator may be copying training images. "
                        f"{warning.message}{back}")

    def on_collapse(self, warning: CollapseWarning) -> None:
        self._write(f"Warning: the generator may be collapsing. {warning.message} "
                    f"Roll back with: gan-studio resume {self.run_dir} --checkpoint best")

    def _write(self, line: str) -> None:
        (self.bar.write if self.bar is not None else print)(line)

    def on_download(self, done: int, total: int) -> None:
        if self.download is None:
            from gan_studio.data import is_builtin_source

            # A folder or a .zip reports the images it has decoded, a built-in the bytes.
            counts = ({"desc": "Reading images", "unit": "img"}
                      if self.dataset is not None and not is_builtin_source(self.dataset)
                      else {"desc": "Downloading", "unit": "B", "unit_scale": True})
            self.download = self._tqdm(total=total or None, dynamic_ncols=True, **counts)
        self.download.update(done - self.download.n)
        if total and done >= total:
            self.download.close()
            self.download = None

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def skipped_lines(data: dict, shown: int = 5) -> str:
    """The `skipped` event's files on a terminal: the first `shown`, each with why, and
    where the full list is."""
    files, count = data.get("files", ()), data.get("count", 0)
    lines = [f"{count:,} image file{'s' if count != 1 else ''} skipped:"]
    lines += [f"  {f.path}: {f.message}" for f in files[:shown]]
    if count > shown:
        lines.append(f"  … and {count - shown:,} more")
    lines.append(f"The full list: {data.get('path')}")
    return "\n".join(lines)
