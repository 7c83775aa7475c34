"""The discriminator's verdict: a run's own D, restored from its checkpoint, scores an image
as the trained D in memory does."""

import numpy as np
import pytest

from gan_studio.ml.generators.export import ModelLoadError
from gan_studio.ml.generators.verdict import Verdict
from gan_studio.ml.training.trainer import Trainer


def test_the_verdict_is_the_trained_discriminator_s(tiny_config):
    import tensorflow as tf

    tiny_config.max_steps = 3
    trainer = Trainer.create(tiny_config)
    trainer.run()
    verdict = Verdict(trainer.run_dir)
    assert verdict.step == 3 and verdict.num_classes == 0 and verdict.shape == (28, 28, 1)
    images = np.random.default_rng(0).integers(0, 256, (4, 28, 28, 1), dtype=np.uint8)
    # The trained weights in a float32 copy of D: the run may have trained in bfloat16, and
    # the verdict computes in float32.
    from gan_studio.ml.networks.models import discriminator_for

    discriminator = discriminator_for(trainer.gan.config, (28, 28, 1))
    discriminator.set_weights(trainer.gan.discriminator.get_weights())
    trained = discriminator(tf.constant(images / 127.5 - 1.0, tf.float32), training=False)
    expected = tf.sigmoid(tf.cast(trained, tf.float32)).numpy().reshape(-1)
    np.testing.assert_allclose(verdict(images), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(verdict(images[..., 0]), expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="takes images of"):
        verdict(np.zeros((1, 32, 32, 3), np.uint8))


def test_a_conditional_run_s_verdict_takes_the_class(tiny_config):
    tiny_config.max_steps, tiny_config.conditional = 1, True
    trainer = Trainer.create(tiny_config)
    trainer.run()
    verdict = Verdict(trainer.run_dir)
    assert verdict.num_classes >= 2
    image = np.zeros((1, 28, 28, 1), np.uint8)
    scores = [float(verdict(image, [c])[0]) for c in range(verdict.num_classes)]
    assert all(0 <= s <= 1 for s in scores) and len(set(scores)) > 1  # the class counts
    with pytest.raises(ValueError, match="one class"):
        verdict(image)


def test_a_folder_without_a_run_has_no_verdict(tmp_path):
    with pytest.raises(ModelLoadError):
        Verdict(str(tmp_path))


@pytest.mark.parametrize("conditional", [False, True])
def test_each_grid_carries_d_s_score_of_its_tiles(tiny_config, conditional):
    from tests.helpers import Recorder

    tiny_config.max_steps, tiny_config.conditional = 4, conditional
    recorder = Recorder()
    trainer = Trainer.create(tiny_config, callbacks=recorder)
    trainer.run()
    last = recorder.grids[-1]
    assert last.step == 4 and last.scores.shape == (len(last.tiles),)
    assert np.all((0 <= last.scores) & (last.scores <= 1))
    verdict = Verdict(trainer.run_dir)  # D from the checkpoint saved at the same step
    assert verdict.step == 4
    # Float32 either way, but other kernels' order of sums: measured within 7e-6, where two
    # steps of training move a score by 3e-4 to 1e-3.
    np.testing.assert_allclose(last.scores, verdict(last.tiles, last.labels), rtol=0,
                               atol=2e-5)
    # D's scores change as D trains: the first grid's differ from the last one's.
    assert not np.allclose(recorder.grids[0].scores, last.scores)
