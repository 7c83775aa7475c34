"""The projection's feature loss comes from the quality meter's cached network of the run's
data set: found without training anything, differentiable, and it changes the search."""

import numpy as np
import pytest

from gan_studio.ml.latent.projection_features import compared, meter_features
from gan_studio.ml.quality import features as feature_module


@pytest.fixture
def tiny_budgets(monkeypatch):
    for kind in list(feature_module.DEFAULT_BUDGETS):
        monkeypatch.setitem(feature_module.DEFAULT_BUDGETS, kind,
                            feature_module.FeatureBudget(epochs=1, max_batches=2, batch_size=16))


@pytest.fixture
def run(tiny_config, tiny_budgets):
    from gan_studio.ml.training.trainer import Trainer

    tiny_config.max_steps = 1
    trainer = Trainer.create(tiny_config)
    trainer.run()
    return trainer


def test_a_run_without_a_cached_network_searches_pixels_only(run, tmp_path):
    assert meter_features(run.run_dir) is None  # the meter never ran: nothing is trained now
    assert meter_features(str(tmp_path / "g.keras")) is None  # a .keras file names no data
    assert compared(None) == "pixels"


def test_the_meter_s_network_gives_differentiable_features_that_change_the_search(run):
    import tensorflow as tf

    from gan_studio.ml.generators.export import load_generator
    from gan_studio.ml.latent.projection import Projector
    from gan_studio.ml.quality.meter_factory import meter_for_config

    meter = meter_for_config(run.config)
    meter.prepare()  # trains and caches the (tiny) classifier, as the live meter does
    network = meter_features(run.run_dir)
    assert network is not None and network.name == "the quality meter's mnist classifier"
    assert compared(network) == "pixels and the quality meter's mnist classifier's features"
    digits = np.load(f"{run.config.data_dir}/mnist.npz")["x_test"][:4, ..., None]
    # The same features as the meter computes from uint8 pixels, from images in [-1, 1].
    expected, _ = meter.features(digits)
    images = tf.constant(digits / 127.5 - 1.0, tf.float32)
    np.testing.assert_allclose(network.features(images).numpy(), expected, rtol=1e-4, atol=1e-5)
    with tf.GradientTape() as tape:
        tape.watch(images)
        loss = tf.reduce_sum(tf.square(network.features(images)))
    assert float(tf.reduce_max(tf.abs(tape.gradient(loss, images)))) > 0
    generator = load_generator(run.run_dir)
    plain = Projector(generator, restarts=2).project(digits[0], steps=20)
    with_features = Projector(generator, restarts=2, features=network.features,
                              feature_weight=10.0).project(digits[0], steps=20)
    assert not np.allclose(plain.latent, with_features.latent)
