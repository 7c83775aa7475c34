"""The run's best checkpoint: one kept in best/, never pruned, restorable and exportable."""

import os

import numpy as np
import pytest

from gan_studio.core.runs.layout import (
    BEST_DIR,
    checkpoint_step,
    list_checkpoints,
    resolve_checkpoint,
)
from gan_studio.ml.generators.export import generator_from_run
from gan_studio.ml.runs.checkpoints import CheckpointStore
from gan_studio.ml.training.trainer import Trainer


def _best_files(run_dir):
    return sorted(n for n in os.listdir(os.path.join(run_dir, BEST_DIR)) if n.endswith(".index"))


@pytest.mark.slow
def test_one_best_is_kept_across_many_saves_and_loads_as_best(tiny_config):
    tiny_config.keep_checkpoints = 2
    trainer = Trainer.create(tiny_config)
    trainer._build((28, 28, 1), 48)
    gan, store = trainer.gan, trainer.store
    best_weights = None
    for step in range(1, 9):
        for weight in gan.sampler.weights:  # a different generator at every step
            weight.assign(weight + 0.01)
        gan.step.assign(step)
        store.save(step)
        if step in (2, 5):
            assert store.save_best(step).endswith(os.path.join(BEST_DIR, f"best-{step}"))
            best_weights = gan.sampler.get_weights()
    assert _best_files(trainer.run_dir) == ["best-5.index"]  # exactly one
    assert [s for s, _ in list_checkpoints(trainer.run_dir)] == [5, 7, 8]  # recent ones pruned

    best = resolve_checkpoint(trainer.run_dir, "best")
    assert checkpoint_step(best) == 5
    for got, want in zip(generator_from_run(trainer.run_dir, best).get_weights(), best_weights,
                         strict=True):
        np.testing.assert_array_equal(got, want)

    assert store.restore(best) == best and int(gan.step.numpy()) == 5

    # A resumed run's store replaces the old best, too.
    again = CheckpointStore(trainer.run_dir, gan.checkpoint, keep=2)
    again.save_best(9)
    assert _best_files(trainer.run_dir) == ["best-9.index"]
