import numpy as np

from gan_studio.core.training.callbacks import TrainingCallbacks
from gan_studio.core.training.events import EventKind
from gan_studio.core.training.progress import Event, Progress, SampleGrid


def test_every_hook_does_nothing_until_overridden():
    callbacks = TrainingCallbacks()
    progress = Progress(step=1, epoch=0, steps_per_epoch=1, total_steps=1, g_loss=1.0,
                        d_loss=1.0, d_real=0.5, d_fake=0.5, images_per_sec=1.0,
                        eta_seconds=0.0, elapsed_seconds=1.0)
    grid = SampleGrid(1, 0, np.zeros((2, 2, 1), np.uint8), np.zeros((1, 2, 2, 1), np.uint8))
    assert callbacks.on_progress(progress) is None
    assert callbacks.on_grid(grid) is None
    assert callbacks.on_event(Event(EventKind.FINISHED, "done")) is None
    assert callbacks.on_download(10, 100) is None
    assert callbacks.on_generator(object()) is None
    # The headless defaults: 20 progress reports a second, and no generator snapshots.
    assert callbacks.progress_interval == 0.05 and not callbacks.wants_generator


def test_a_subclass_overrides_only_what_it_needs():
    class Steps(TrainingCallbacks):
        progress_interval = 0.25

        def __init__(self):
            self.steps = []

        def on_progress(self, progress):
            self.steps.extend(progress.steps)

    callbacks = Steps()
    callbacks.on_progress(Progress(step=2, epoch=0, steps_per_epoch=2, total_steps=2,
                                   g_loss=1.0, d_loss=1.0, d_real=0.5, d_fake=0.5,
                                   images_per_sec=1.0, eta_seconds=0.0, elapsed_seconds=1.0,
                                   steps=[1, 2]))
    callbacks.on_event(Event(EventKind.FINISHED, "done"))
    assert callbacks.steps == [1, 2] and callbacks.progress_interval == 0.25
    assert TrainingCallbacks.progress_interval == 0.05
