"""The training loop: config in, progress out through callbacks; knows nothing of Qt."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import numpy as np

from gan_studio.core.config import TrainConfig
from gan_studio.core.control import TrainControl
from gan_studio.core.progress import Event, Progress, SampleGrid, StepMetrics
from gan_studio.core.progress_meter import ProgressMeter
from gan_studio.core.runs.layout import CONFIG_FILE, epoch_grid_name, new_run_dir
from gan_studio.ml.run_outputs import RunOutputs

__all__ = ["Trainer", "TrainControl", "TrainingError"]

REPORT_INTERVAL = 0.05  # seconds: at most ~20 progress reports a second
GENERATOR_INTERVAL = 5.0  # seconds between generator snapshots for the latent explorer


class TrainingError(RuntimeError):
    """Raised when training cannot go on (non-finite losses, bad run folder...)."""


def _noop(*_args):
    pass


class Trainer:
    """Trains a DCGAN for a run folder, reporting through callbacks.

    Use `Trainer.create` for a new run and `Trainer.resume` to continue one; then `run()`.

    Args:
        config: the run's resolved configuration.
        run_dir: the run folder (already holding config.json).
        checkpoint: checkpoint prefix to start from (None: the latest, if any).
        report: called with a `Progress` at most ~20 times a second.
        on_grid: called with a `SampleGrid` every `sample_every_steps` steps or
            `sample_every_seconds` seconds, whichever comes first.
        on_event: called with an `Event` for one-off notices.
        control: pause/resume/stop flags.
        download_progress: called with (bytes done, bytes total) while a data set downloads.
        on_nan: `pause` (emit a `nan` event and pause, for the window) or `raise`.
        on_generator: called on the training thread with the sampling generator, between steps,
            at most every `GENERATOR_INTERVAL` seconds and at each epoch's end, so that a
            latent explorer can copy fresh weights without stopping training.
    """

    def __init__(self, config: TrainConfig, run_dir: str, checkpoint: str | None = None,
                 report: Callable[[Progress], None] | None = None,
                 on_grid: Callable[[SampleGrid], None] | None = None,
                 on_event: Callable[[Event], None] | None = None,
                 control: TrainControl | None = None,
                 download_progress: Callable[[int, int], None] | None = None,
                 on_nan: str = "pause",
                 on_generator: Callable | None = None):
        self.config = config
        self.run_dir = run_dir
        self._checkpoint = checkpoint
        self.report = report or _noop
        self.on_grid = on_grid or _noop
        self.on_event = on_event or _noop
        self.control = control or TrainControl()
        self.download_progress = download_progress
        self.on_nan = on_nan
        self.on_generator = on_generator
        self._last_snapshot = float("-inf")
        self._fresh_run = False  # set by `create`: a folder made for this run alone
        self._poisoned = False  # set once losses went non-finite: no checkpoint may follow
        self.gan = None
        self.device = None

    @classmethod
    def create(cls, config: TrainConfig, **kwargs) -> Trainer:
        """Starts a new run: resolves the config and makes `runs_dir/<dataset>-<timestamp>/`."""
        config = config.resolved()
        if not os.path.isabs(config.dataset) and os.path.exists(config.dataset):
            config.dataset = os.path.abspath(config.dataset)
        run_dir = new_run_dir(config)
        config.save(os.path.join(run_dir, CONFIG_FILE))
        trainer = cls(config, run_dir, **kwargs)
        trainer._fresh_run = True
        return trainer

    @classmethod
    def resume(cls, run_dir: str, epochs: int | None = None, max_steps: int | None = None,
               checkpoint: str | None = None, **kwargs) -> Trainer:
        """Continues a run from its latest checkpoint (or `checkpoint`), with its config.json.

        Args:
            run_dir: the run folder.
            epochs: new epoch target (None: keep).
            max_steps: new step limit (None: keep, unless the run already reached it, in
                which case it is lifted so that training goes on to the epoch target).
            checkpoint: a checkpoint prefix to roll back to.

        Raises:
            TrainingError: if `run_dir` is not a run folder or has no checkpoint.
        """
        from gan_studio.core.runs.layout import checkpoint_step, load_run

        config, checkpoint = load_run(run_dir, checkpoint, TrainingError,
                                      "has no checkpoint to resume from")
        if epochs is not None:
            config.epochs = epochs
        if max_steps is not None:
            config.max_steps = max_steps
        elif 0 < config.max_steps <= checkpoint_step(checkpoint):
            config.max_steps = 0
        config.validate()
        config.save(os.path.join(run_dir, CONFIG_FILE))
        return cls(config, os.path.abspath(run_dir), checkpoint=checkpoint, **kwargs)

    # -- set-up ---------------------------------------------------------------------------
    def _load_data(self):
        from gan_studio.data import load_dataset

        cfg = self.config
        self.on_event(Event("data", f"Loading {cfg.dataset}…"))
        data = load_dataset(cfg.dataset, data_dir=cfg.data_dir, image_size=cfg.image_size,
                            channels=cfg.channels, progress=self.download_progress,
                            cancel=self.control.stop_event)
        if len(data.images) < cfg.batch_size:
            raise TrainingError(f"{cfg.dataset} has {len(data.images)} images, fewer than one "
                                f"batch of {cfg.batch_size}; lower the batch size")
        skipped = f" ({data.skipped} unreadable files skipped)" if data.skipped else ""
        self.on_event(Event("data", f"{len(data.images)} images of {data.images.shape[1:]}"
                            f"{skipped}", {"count": len(data.images), "skipped": data.skipped}))
        return data.images

    def _build(self, shape):
        from gan_studio.ml.checkpoints import CheckpointStore
        from gan_studio.ml.device import configure_device
        from gan_studio.ml.gan import GAN

        self.device = configure_device()
        self.gan = GAN(self.config, shape)
        precision = {"mixed_bfloat16": "bfloat16 mixed precision"}.get(self.gan.precision,
                                                                         self.gan.precision)
        self.on_event(Event("device", f"{self.device}, {precision}",
                            {"device": self.device, "precision": self.gan.precision}))
        self.store = CheckpointStore(self.run_dir, self.gan.checkpoint, self.config.keep_checkpoints)
        try:
            restored = self.store.restore(self._checkpoint)
        except (FileNotFoundError, AssertionError, ValueError) as exc:
            raise TrainingError(f"cannot restore checkpoint: {exc}") from exc
        if restored:
            self.on_event(Event("checkpoint", f"Resumed from step {int(self.gan.step.numpy())}",
                                {"path": restored, "restored": True}))

    @property
    def generator(self):
        """The Keras generator that draws samples, the weight average if the run keeps one
        (None until `run` has built it)."""
        return self.gan.sampler if self.gan else None

    # -- the loop -------------------------------------------------------------------------
    def run(self) -> str:
        """Trains until the epoch target or step limit is reached, or a stop is requested.

        Returns:
            `finished` or `stopped`.

        Raises:
            DatasetError: if the data cannot be loaded.
            TrainingError: on non-finite losses with `on_nan="raise"`, or a bad checkpoint.
        """
        try:
            images = self._load_data()
            if self.config.channels is None or self.config.image_size != images.shape[1]:
                self.config.channels = int(images.shape[-1])
                if images.shape[1] in (28, 32, 64, 128):
                    self.config.image_size = int(images.shape[1])
                self.config.save(os.path.join(self.run_dir, CONFIG_FILE))
            self._build(images.shape[1:])
        except BaseException:
            self._discard_if_empty()
            raise
        from gan_studio.ml.device import import_tensorflow

        tf = import_tensorflow()
        with tf.device("/CPU:0"):
            # The data set lives in host memory; batches are gathered there and copied over.
            tf_images = tf.constant(images)
        outputs = RunOutputs(self.run_dir, int(self.gan.step.numpy()))
        try:
            return self._loop(tf_images, len(images), outputs)
        finally:
            outputs.close()

    def _discard_if_empty(self) -> None:
        """Removes a new run's folder when it failed before training (offline, bad data)."""
        import shutil

        from gan_studio.core.runs.layout import list_checkpoints

        if self._fresh_run and not list_checkpoints(self.run_dir):
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def _total_steps(self, steps_per_epoch: int) -> int:
        total = self.config.epochs * steps_per_epoch
        return min(total, self.config.max_steps) if self.config.max_steps else total

    def _loop(self, tf_images, count: int, outputs: RunOutputs) -> str:
        from gan_studio.ml.pipeline import epoch_dataset, epoch_order

        cfg, gan = self.config, self.gan
        steps_per_epoch = count // cfg.batch_size
        total = self._total_steps(steps_per_epoch)
        step = int(gan.step.numpy())
        meter = ProgressMeter(step, total, cfg.batch_size)
        self._emit_grid(outputs, step, step // steps_per_epoch)
        pending = []
        while step < total:
            epoch, done_in_epoch = divmod(step, steps_per_epoch)
            order = epoch_order(count, cfg.batch_size, cfg.seed, epoch)
            due = min(steps_per_epoch - done_in_epoch, total - step)
            order = order[done_in_epoch: done_in_epoch + due]
            gan.epoch.assign(epoch)
            for batches in epoch_dataset(tf_images, order, cfg.steps_per_call):
                if not self._wait_if_paused(meter):
                    return self._stop(outputs, pending, meter, steps_per_epoch)
                metrics = gan.train_steps(batches).numpy()
                rows = self._rows(step, epoch, metrics)
                step += len(metrics)
                meter.add(len(metrics))
                pending.extend(rows)
                if not np.all(np.isfinite(metrics)):
                    self._flush(outputs, pending, meter, steps_per_epoch, force=True)
                    self._handle_nan(step)
                    continue
                self._flush(outputs, pending, meter, steps_per_epoch)
                if meter.grid_due(cfg.sample_every_steps, cfg.sample_every_seconds, step):
                    self._emit_grid(outputs, step, epoch)
                if self.control.take_checkpoint_request():
                    self._save(step, "Checkpoint saved")
            self._flush(outputs, pending, meter, steps_per_epoch, force=True)
            if step % steps_per_epoch == 0:
                self._end_epoch(outputs, step, epoch)
            elif self.control.stopping:
                return self._stop(outputs, pending, meter, steps_per_epoch)
        self._flush(outputs, pending, meter, steps_per_epoch, force=True)
        if step % steps_per_epoch:
            self._save(step, "Checkpoint saved")
        self._emit_grid(outputs, step, (step - 1) // steps_per_epoch)
        self.on_event(Event("finished", f"Training finished at step {step}",
                            {"step": step, "run_dir": self.run_dir}))
        return "finished"

    @staticmethod
    def _rows(step: int, epoch: int, metrics: np.ndarray) -> list[StepMetrics]:
        now = time.time()
        return [StepMetrics(step + i + 1, epoch, *map(float, m), now)
                for i, m in enumerate(metrics)]

    def _wait_if_paused(self, meter: ProgressMeter) -> bool:
        """Blocks while paused; returns False when the loop must stop."""
        if self.control.paused and not self.control.stopping:
            self.on_event(Event("paused", "Paused"))
            meter.pause()
            while not self.control.wait_while_paused(0.1):
                if self.control.take_checkpoint_request():
                    self._save(int(self.gan.step.numpy()), "Checkpoint saved")
            meter.unpause()
            if not self.control.stopping:
                self.on_event(Event("resumed", "Resumed"))
        return not self.control.stopping

    def _flush(self, outputs: RunOutputs, pending: list, meter: ProgressMeter, steps_per_epoch: int,
               force: bool = False) -> None:
        if not pending or not (force or meter.report_due(REPORT_INTERVAL)):
            return
        progress = meter.progress(pending, steps_per_epoch)
        outputs.write_metrics(pending)
        pending.clear()
        self.report(progress)

    def _handle_nan(self, step: int) -> None:
        self._poisoned = True
        message = (f"The losses became NaN or infinite at step {step}. "
                   "Roll back to the last good checkpoint, or lower the learning rate.")
        if self.on_nan == "raise":
            raise TrainingError(message)
        self.on_event(Event("nan", message, {"step": step}))
        self.control.pause()

    def _save(self, step: int, message: str, milestone: bool = False) -> str | None:
        if self._poisoned:
            return None  # never let weights with NaNs become the latest checkpoint
        path = self.store.save(step, milestone=milestone)
        self.on_event(Event("checkpoint", f"{message} (step {step})", {"path": path, "step": step}))
        return path

    def _emit_grid(self, outputs: RunOutputs, step: int, epoch: int, name: str | None = None):
        tiles = self.gan.sample_grid_tiles()
        grid = outputs.save_grid(tiles, self.config.grid_size, step, name)
        self.on_grid(SampleGrid(step=step, epoch=epoch, image=grid, tiles=tiles,
                               latents=self.gan.sample_noise.numpy().copy()))
        self._snapshot_generator(force=name is not None)

    def _snapshot_generator(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.on_generator and (force or now - self._last_snapshot >= GENERATOR_INTERVAL):
            self._last_snapshot = now
            self.on_generator(self.gan.sampler)

    def _end_epoch(self, outputs: RunOutputs, step: int, epoch: int) -> None:
        self._emit_grid(outputs, step, epoch, name=epoch_grid_name(epoch))
        milestone = (epoch + 1) % self.config.keep_every_epochs == 0
        self._save(step, f"Epoch {epoch + 1} done, checkpoint saved", milestone=milestone)
        self.on_event(Event("epoch_end", f"Epoch {epoch + 1} finished", {"epoch": epoch + 1}))

    def _stop(self, outputs, pending, meter, steps_per_epoch) -> str:
        self._flush(outputs, pending, meter, steps_per_epoch, force=True)
        step = int(self.gan.step.numpy())
        self._save(step, "Stopped; checkpoint saved")
        self.on_event(Event("stopped", f"Stopped at step {step}", {"step": step}))
        return "stopped"
