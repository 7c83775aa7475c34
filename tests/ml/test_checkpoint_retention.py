"""Which checkpoints a run keeps: the last few, one for good every N epochs, and one on request."""

import os

import pytest
from helpers import Recorder

from gan_studio.core.runs.layout import list_checkpoints
from gan_studio.core.training.control import TrainControl
from gan_studio.ml.training.trainer import Trainer

pytestmark = pytest.mark.slow


def test_recent_milestone_and_requested_checkpoints(tiny_config, monkeypatch):
    import gan_studio.core.config as config_module

    # 48 tiny images: with ROUND_IMAGES at 48 every epoch ends with its checkpoint (as a
    # 50,000-image data set's do), instead of one per 1,041 epochs
    monkeypatch.setattr(config_module, "ROUND_IMAGES", 48)
    tiny_config.epochs, tiny_config.keep_checkpoints, tiny_config.keep_every_epochs = 6, 2, 2
    control = TrainControl()
    control.request_checkpoint()  # File -> Save Checkpoint Now: taken after the next step
    recorder = Recorder()
    trainer = Trainer.create(tiny_config, callbacks=recorder, control=control)
    assert trainer.run() == "finished"
    saved = [(e.data["step"], e.message) for e in recorder.events if e.kind == "checkpoint"]
    assert saved[0] == (1, "Checkpoint saved (step 1)")
    assert [step for step, _ in saved[1:]] == [6, 12, 18, 24, 30, 36]  # each epoch's end
    run = trainer.run_dir
    recent = sorted(int(name[5:].split(".")[0]) for name in
                    os.listdir(os.path.join(run, "checkpoints")) if name.startswith("ckpt-")
                    and name.endswith(".index"))
    milestones = sorted(int(name[6:].split(".")[0]) for name in
                        os.listdir(os.path.join(run, "checkpoints", "milestones"))
                        if name.endswith(".index"))
    assert recent == [30, 36]  # keep_checkpoints=2: the last two epoch ends (6 steps each)
    assert milestones == [12, 24, 36]  # every second epoch, never pruned
    assert [step for step, _ in list_checkpoints(run)] == [12, 24, 30, 36]
