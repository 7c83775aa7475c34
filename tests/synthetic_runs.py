"""Run folders made to show one problem each, for the training doctor's tests.

`make_run` writes a healthy run with the real writers (config.json, metrics.csv, quality.csv,
a sample grid, fake checkpoints); its arguments plant one problem at a time.
"""

import dataclasses
import os

import numpy as np

from gan_studio.core.config import TrainConfig
from gan_studio.core.grid import tile_grid
from gan_studio.core.images import save_png
from gan_studio.core.quality.report import QualityReport, append_quality
from gan_studio.core.runs.layout import CONFIG_FILE, LAST_GRID, SAMPLES_DIR
from gan_studio.core.runs.metrics_log import MetricsLog
from gan_studio.core.training.progress import StepMetrics

STEPS = 2000
TILE = 16


def natural_images(count: int, size: int = TILE, seed: int = 0) -> np.ndarray:
    """uint8 images with a natural image's 1/f amplitude spectrum and random phases."""
    rng = np.random.default_rng(seed)
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.fftfreq(size)[None, :]
    amplitude = 1.0 / np.maximum(np.hypot(fy, fx), 1.0 / size)
    phases = rng.uniform(0, 2 * np.pi, (count, size, size))
    images = np.real(np.fft.ifft2(amplitude * np.exp(1j * phases)))
    images = (images - images.mean()) / images.std()
    return np.clip(128 + 40 * images, 0, 255).astype(np.uint8)


def plant_checkerboard(images: np.ndarray, amplitude: float = 6.0) -> np.ndarray:
    """`images` with a period-2 checkerboard of ±`amplitude` grey levels over every one."""
    h, w = images.shape[1:3]
    pattern = (-1.0) ** np.add.outer(np.arange(h), np.arange(w))
    return np.clip(images + amplitude * pattern, 0, 255).astype(np.uint8)


def healthy_metrics(steps: int = STEPS, seed: int = 0) -> dict:
    """Per-step D outputs and losses of a balanced run: D(x) near 0.6, D(G(z)) near 0.4."""
    rng = np.random.default_rng(seed)
    return {"d_real": np.clip(0.6 + 0.08 * rng.standard_normal(steps), 0, 1),
            "d_fake": np.clip(0.4 + 0.08 * rng.standard_normal(steps), 0, 1),
            "g_loss": 1.0 + 0.2 * rng.standard_normal(steps),
            "d_loss": 1.2 + 0.2 * rng.standard_normal(steps)}


def report(step: int, fd: float, diversity: float = 0.9, copy_rate: float = 0.05,
           **changes) -> QualityReport:
    return dataclasses.replace(
        QualityReport(step=step, epoch=0, fd=fd, kid=fd / 1000, kid_error=0.001,
                      diversity=diversity, score=8.5, rarest_class=0.08, commonest_class=0.12,
                      classes=10, samples=2000, seconds=1.0, time=1.7e9 + step,
                      copy_rate=copy_rate, copy_floor=0.05), **changes)


# FD falling fast (the untrained start) and then slowly: the start ends with the fourth.
HEALTHY_FDS = ((250, 60.0), (500, 30.0), (1000, 16.0), (1500, 13.0), (2000, 12.0))


def make_run(folder, metrics: dict | None = None, reports=None, grid: np.ndarray | None = None,
             checkpoints=(500, 1000, 1500, 2000), best: int | None = 2000,
             **config) -> str:
    """Writes a run folder (healthy unless told otherwise) and returns its path.

    Args:
        folder: where to write it.
        metrics: per-step columns (`healthy_metrics` by default; `step`, `epoch` and `time`
            are added).
        reports: its quality evaluations (default: `HEALTHY_FDS`).
        grid: the newest sample grid (default: 8×8 natural images).
        checkpoints: the steps of its (fake) checkpoints.
        best: the step of its best checkpoint, or None.
        config: `TrainConfig` fields.
    """
    run_dir = str(folder)
    os.makedirs(os.path.join(run_dir, SAMPLES_DIR), exist_ok=True)
    settings = {"dataset": "mnist", "grid_size": 8, "kernel_size": 4, "augment": "off",
                "learning_rate": 2e-4, "d_learning_rate": 2e-4, "beta1": 0.5, **config}
    TrainConfig(**settings).save(os.path.join(run_dir, CONFIG_FILE))
    metrics = metrics if metrics is not None else healthy_metrics()
    count = len(metrics["d_real"])
    log = MetricsLog(run_dir)
    log.append([StepMetrics(i + 1, 0, metrics["g_loss"][i], metrics["d_loss"][i],
                            metrics["d_real"][i], metrics["d_fake"][i], 1.7e9 + i)
                for i in range(count)])
    log.close()
    for r in reports if reports is not None else [report(s, fd) for s, fd in HEALTHY_FDS]:
        append_quality(run_dir, r)
    if grid is None:
        grid = tile_grid(natural_images(64), columns=8)
    save_png(os.path.join(run_dir, SAMPLES_DIR, LAST_GRID), grid)
    for step in checkpoints:
        _fake_checkpoint(run_dir, "checkpoints", f"ckpt-{step}")
    if best is not None:
        _fake_checkpoint(run_dir, "best", f"best-{best}")
    return run_dir


def _fake_checkpoint(run_dir: str, folder: str, name: str) -> None:
    os.makedirs(os.path.join(run_dir, folder), exist_ok=True)
    with open(os.path.join(run_dir, folder, f"{name}.index"), "w") as f:
        f.write("fake")
