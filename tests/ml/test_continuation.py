"""A run continued from a checkpoint with levers changed (the training doctor's remedies)."""

import os

import pytest

from gan_studio.core.config import TrainConfig
from gan_studio.core.runs.layout import CONFIG_FILE, list_checkpoints
from gan_studio.ml.training.trainer import Trainer, TrainingError


def test_a_continued_run_trains_with_the_changed_levers(tiny_config):
    tiny_config.max_steps = 2
    first = Trainer.create(tiny_config)
    first.run()
    (step, checkpoint), = [c for c in list_checkpoints(first.run_dir) if c[0] == 2]
    changes = {"learning_rate": 1e-5, "d_learning_rate": 3e-5, "augment": "on", "loss": "hinge"}
    resumed = Trainer.resume(first.run_dir, max_steps=3, checkpoint=checkpoint,
                             overrides=changes)
    assert resumed.run() == "finished"
    # The checkpoint held the old learning rates: the config's replaced them after the restore.
    assert float(resumed.gan.g_optimizer.learning_rate.numpy()) == pytest.approx(1e-5)
    assert float(resumed.gan.d_optimizer.learning_rate.numpy()) == pytest.approx(3e-5)
    assert resumed.gan.augment_policy and int(resumed.gan.step.numpy()) == 3
    saved = TrainConfig.load(os.path.join(first.run_dir, CONFIG_FILE))
    assert {name: getattr(saved, name) for name in changes} == changes


def test_a_lever_the_checkpoint_cannot_take_is_one_line(tiny_config):
    tiny_config.max_steps = 1
    first = Trainer.create(tiny_config)
    first.run()
    for changes, named in (({"kernel_size": 5}, "kernel_size"),
                           ({"d_dropout": 0.3}, "turned on or off"),  # studio's grey: 0
                           ({"learning_rate": -1.0}, "learning_rate"),
                           ({"no_such_lever": 1}, "not a lever")):
        with pytest.raises(TrainingError, match=named):
            Trainer.resume(first.run_dir, overrides=changes)
    assert TrainConfig.load(os.path.join(first.run_dir, CONFIG_FILE)).kernel_size == 4
