"""The weight average of the generator: its update, and that samples, exports and resumes use it."""

import numpy as np
from helpers import Recorder

from gan_studio.core.grid import to_uint8
from gan_studio.core.runs.layout import list_checkpoints
from gan_studio.ml.generators.export import generator_from_run
from gan_studio.ml.training.trainer import Trainer


def assert_same_weights(a, b):
    for x, y in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(x, y)


def test_the_average_moves_by_the_ramped_decay(tiny_config):
    tiny_config.generator_ema = 0.9
    tiny_config.max_steps = 1
    trainer = Trainer.create(tiny_config)
    trainer._build((28, 28, 1), 48)
    start = trainer.gan.generator_ema.get_weights()
    assert_same_weights(trainer.gan.generator, trainer.gan.generator_ema)  # starts equal
    trainer.gan.train_steps(np.zeros((1, 8, 28, 28, 1), np.uint8))
    trained = trainer.gan.generator.get_weights()
    decay = min(0.9, (1 + 1) / (10 + 1))  # after the first step: ramped, not yet 0.9
    moved = 0
    for before, after, average in zip(start, trained, trainer.gan.generator_ema.get_weights()):
        np.testing.assert_allclose(average, decay * before + (1 - decay) * after,
                                   rtol=1e-5, atol=1e-6)
        moved += not np.array_equal(average, before)
    assert moved > 0  # the step changed the weights, and the average followed


def test_samples_snapshots_and_exports_come_from_the_average(tiny_config):
    tiny_config.max_steps = 4
    snapshots = []
    trainer = Trainer.create(tiny_config, callbacks=Recorder(on_generator=snapshots.append))
    trainer.run()
    gan = trainer.gan
    assert gan.generator_ema is not None and gan.ema_decay == 0.999  # the default preset's
    assert trainer.generator is gan.generator_ema and snapshots[-1] is gan.generator_ema
    assert not all(np.array_equal(a, b) for a, b in
                   zip(gan.generator.get_weights(), gan.generator_ema.get_weights()))
    assert_same_weights(generator_from_run(trainer.run_dir), gan.generator_ema)
    tiles = gan.sample_grid_tiles().astype(int)
    from_average = to_uint8(gan.generator_ema(gan.sample_noise, training=False).numpy())
    from_trained = to_uint8(gan.generator(gan.sample_noise, training=False).numpy())
    off_average = np.abs(tiles - from_average).mean()
    assert off_average <= 1.0 and off_average < np.abs(tiles - from_trained).mean()


def test_resume_restores_the_average(tiny_config):
    tiny_config.max_steps = 3
    first = Trainer.create(tiny_config)
    first.run()
    resumed = Trainer.resume(first.run_dir, checkpoint=list_checkpoints(first.run_dir)[-1][1])
    resumed._build((28, 28, 1), 48)
    assert int(resumed.gan.step.numpy()) == 3
    assert_same_weights(resumed.gan.generator_ema, first.gan.generator_ema)


def test_the_tutorial_preset_samples_from_the_trained_weights(tiny_config):
    tiny_config.preset = "tutorial"
    tiny_config.batch_size = 8
    tiny_config.max_steps = 2
    trainer = Trainer.create(tiny_config)
    trainer.run()
    assert trainer.gan.generator_ema is None and trainer.generator is trainer.gan.generator
    assert_same_weights(generator_from_run(trainer.run_dir), trainer.gan.generator)
