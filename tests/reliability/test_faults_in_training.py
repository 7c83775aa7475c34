"""A checkpoint that cannot be written (here: a file-size limit, as a full disk behaves): one
line naming the folder, nothing torn left behind, the previous checkpoint intact."""

import os
import resource
import signal

import pytest
from helpers import Recorder, refuse_grids

from gan_studio.core.runs.layout import list_checkpoints
from gan_studio.ml.runs.checkpoints import readable_checkpoint
from gan_studio.ml.training.trainer import Trainer, TrainingError

LIMIT = 64 * 1024  # bytes: metrics, events and grids fit; a checkpoint (MBs) does not


@pytest.fixture
def file_size_limit():
    """Sets RLIMIT_FSIZE on demand (`limit()`), restored after the test."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, hard))

    yield limit
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    signal.signal(signal.SIGXFSZ, previous)


def test_a_checkpoint_that_cannot_be_written_stops_the_run_in_one_line(tiny_config,
                                                                       file_size_limit):
    tiny_config.max_steps = 3
    first = Trainer.create(tiny_config)
    first.run()  # ckpt-3, whole

    def report(progress):
        if progress.step >= 5:
            file_size_limit()  # the final save, at step 5, hits the limit

    resumed = Trainer.resume(first.run_dir, max_steps=5, callbacks=Recorder(report))
    with pytest.raises(TrainingError) as caught:
        resumed.run()
    message = str(caught.value)
    folder = os.path.join(first.run_dir, "checkpoints")
    assert "\n" not in message
    assert message.startswith(f"Cannot save the checkpoint of step 5 in {folder}")
    assert "last checkpoint is kept" in message
    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY,) * 2)
    assert [step for step, _ in list_checkpoints(first.run_dir)] == [3]
    assert not [name for name in os.listdir(folder) if "-5" in name or "_temp" in name]
    assert readable_checkpoint(first.run_dir)[0].endswith("ckpt-3")


def test_a_milestone_of_a_step_already_saved_never_rewrites_its_checkpoint(tiny_config,
                                                                          monkeypatch):
    """Save Checkpoint Now at step N, then the epoch's milestone at N: rewriting ckpt-N could
    only lose it (a failed rewrite removes the files it tore), so the store writes the
    milestone alone."""
    from gan_studio.ml.runs import checkpoints
    from gan_studio.ml.training.gan import GAN

    gan = GAN(tiny_config.resolved(), (28, 28, 1))
    run_dir = os.path.join(tiny_config.runs_dir, "run")
    store = checkpoints.CheckpointStore(run_dir, gan.checkpoint)
    first = store.save(6)
    written, real_write = [], checkpoints.CheckpointStore._write

    def write(self, manager, name, step):
        written.append(name)
        if name == "ckpt":
            raise checkpoints.CheckpointError("the disk is full")
        return real_write(self, manager, name, step)

    monkeypatch.setattr(checkpoints.CheckpointStore, "_write", write)
    assert store.save(6, milestone=True) == first
    assert written == ["epoch"]
    assert readable_checkpoint(run_dir)[0] == first
    assert os.path.isfile(os.path.join(run_dir, "checkpoints", "milestones", "epoch-6.index"))
    with pytest.raises(checkpoints.CheckpointError):
        store.save(7)  # a new step is written (and here refused)

    # A store that restored ckpt-6 knows it is on disk too.
    reopened = checkpoints.CheckpointStore(run_dir, gan.checkpoint)
    reopened.restore()
    written.clear()
    assert reopened.save(6) == first and written == []


def test_a_grid_the_disk_refuses_pauses_the_run_in_the_window_and_resume_goes_on(
        tiny_config, monkeypatch):
    from gan_studio.core.training.control import TrainControl

    full = refuse_grids(monkeypatch)
    control = TrainControl()

    def report(progress):
        if progress.step >= 4 and not recorder.events_of("write_failed"):
            full[0] = True

    def on_event(event):
        recorder.events.append(event)
        if event.kind == "paused":  # the user makes room, then resumes
            full[0] = False
            control.resume()

    recorder = Recorder(report)
    recorder.progress_interval = 0  # a report after every step
    recorder.on_event = on_event
    trainer = Trainer.create(tiny_config, callbacks=recorder, control=control)
    assert trainer.run() == "finished"
    failed = recorder.events_of("write_failed")
    assert len(failed) == 1
    message = failed[0].message
    samples = os.path.join(trainer.run_dir, "samples")
    assert "\n" not in message
    assert message.startswith(f"Cannot write the sample grid {os.path.join(samples, 'last.png')}:"
                              " No space left on device.")
    assert "paused" in message
    kinds = [e.kind for e in recorder.events]
    assert kinds.index("write_failed") < kinds.index("paused") < kinds.index("resumed")
    assert readable_checkpoint(trainer.run_dir)[0].endswith("ckpt-6")  # trained to the end
    assert not [name for name in os.listdir(samples) if name.endswith(".tmp")]


def test_headless_a_grid_the_disk_refuses_ends_the_run_in_one_line(tiny_config, monkeypatch):
    full = refuse_grids(monkeypatch)
    tiny_config.epochs, tiny_config.max_steps = 2, 6
    first = Trainer.create(tiny_config)
    first.run()

    def report(progress):
        full[0] = progress.step > 6

    recorder = Recorder(report)
    recorder.progress_interval = 0
    resumed = Trainer.resume(first.run_dir, max_steps=12, callbacks=recorder, on_fault="raise")
    with pytest.raises(TrainingError) as caught:
        resumed.run()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("Cannot write the sample grid ")
    assert message.endswith("The run stopped; its last checkpoint is kept.")
    assert readable_checkpoint(first.run_dir)[0].endswith("ckpt-6")
