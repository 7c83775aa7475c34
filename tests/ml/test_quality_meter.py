"""The quality meter on tiny data: feature networks, their cache, step-wise preparation, scores."""

import gc
import os
import weakref

import numpy as np
import pytest

from gan_studio.ml.quality import FeatureBudget, QualityMeter
from gan_studio.ml.quality.features import NetworkTrainer
from gan_studio.ml.quality.networks import build_autoencoder, build_classifier
from gan_studio.ml.runtime.custom_gradients import traced_graphs

TINY = FeatureBudget(epochs=1, max_batches=2, batch_size=16)


def _data(count=60, seed=0, side=28, channels=1):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (count, side, side, channels), dtype=np.uint8)
    return images, rng.integers(0, 3, count)


def _meter(images, labels=None, **kwargs):
    kwargs.setdefault("samples", 20)
    return QualityMeter(images, labels, budget=TINY, name="tiny", **kwargs)


def _generator(side=28, channels=1, latent=4):
    import keras

    return keras.Sequential([keras.Input((latent,)), keras.layers.Dense(side * side * channels),
                             keras.layers.Reshape((side, side, channels)),
                             keras.layers.Activation("tanh")])


@pytest.mark.parametrize("side,channels", [(28, 1), (32, 3), (64, 3), (128, 1)])
def test_networks_build_for_every_side(side, channels):
    features, logits = build_classifier(side, side, channels, classes=10).outputs
    assert features.shape[-1] == 128 and logits.shape[-1] == 10
    features, image = build_autoencoder(side, side, channels).outputs
    assert features.shape[-1] == 128 and tuple(image.shape[1:]) == (side, side, channels)


def test_cache_is_keyed_by_the_data(tmp_path):
    images, labels = _data()
    first = _meter(images, labels, cache_dir=str(tmp_path))
    first.prepare()
    assert not first.from_cache and os.path.isfile(first.cache_path)
    assert os.path.dirname(first.cache_path) == str(tmp_path / "gan-studio-features")
    assert os.path.basename(first.cache_path).startswith("classifier-")

    again = _meter(images, labels, cache_dir=str(tmp_path))
    again.prepare()
    assert again.from_cache and again.cache_path == first.cache_path
    a, b = first.floor(), again.floor()  # the same network: the same numbers
    assert (a.fd, a.kid, a.diversity) == pytest.approx((b.fd, b.kid, b.diversity), rel=1e-4)

    changed = images.copy()
    changed[0, 0, 0, 0] ^= 1  # one pixel of one image
    other = _meter(changed, labels, cache_dir=str(tmp_path))
    other.prepare()
    assert not other.from_cache and other.cache_path != first.cache_path


def test_a_corrupt_cache_file_is_retrained_and_overwritten(tmp_path):
    images, _ = _data()
    first = _meter(images, cache_dir=str(tmp_path))
    first.prepare()
    with open(first.cache_path, "wb") as f:
        f.write(b"not a keras archive")
    retrained = _meter(images, cache_dir=str(tmp_path))
    retrained.prepare()
    assert not retrained.from_cache and retrained.ready
    loaded = _meter(images, cache_dir=str(tmp_path))
    loaded.prepare()
    assert loaded.from_cache


def test_labelled_and_unlabelled_reports():
    images, labels = _data()
    labelled = _meter(images, labels, classes=("a", "b", "c"))
    report = labelled.evaluate_images(images[:20])
    assert labelled.labelled and labelled.kind == "classifier"
    assert report.labelled and report.classes == 3 and 1 <= report.score <= 3
    assert 0 <= report.rarest_class <= report.commonest_class <= 1

    for unlabelled in (_meter(images), _meter(images, np.zeros(len(images), int))):
        report = unlabelled.evaluate_images(images[:20])
        assert not unlabelled.labelled and unlabelled.kind == "autoencoder"
        assert report.score is None and report.classes == 0 and report.rarest_class is None
        assert np.isfinite([report.fd, report.kid, report.kid_error, report.diversity]).all()


def test_labelled_images_are_scored_within_their_classes():
    """Images drawn for given classes: how often the classifier names the class, and how
    varied each class is against the held-out images the classifier puts in it."""
    images, labels = _data()
    heldout = _data(40, seed=1)[0]
    meter = _meter(images, labels, classes=3, heldout=heldout)
    assert meter.evaluate_images(heldout).class_diversity is None  # no classes asked for
    seen = np.argmax(meter.features(heldout)[1], axis=-1)
    itself = meter.evaluate_images(heldout, labels=seen)  # the held-out images, as their class
    assert itself.class_accuracy == 1.0
    counts = np.bincount(seen, minlength=3)
    for count, ratio in zip(counts, itself.class_diversity):
        assert ratio == pytest.approx(1.0) if count >= 2 else np.isnan(ratio)
    one = np.repeat(heldout[:1], 40, axis=0)  # each class one image, whatever was asked
    collapsed = meter.evaluate_images(one, labels=np.arange(40) % 3)
    assert all(ratio == 0.0 for count, ratio in zip(counts, collapsed.class_diversity)
               if count >= 2)
    with pytest.raises(ValueError, match="class labels"):
        meter.evaluate_images(one, labels=np.arange(40))


def test_prepare_step_makes_progress_until_ready():
    images, labels = _data()
    meter = _meter(images, labels)
    assert not meter.ready and meter.feature_seconds == 0
    calls = 1
    while not meter.prepare_step():
        calls += 1
        assert calls < 100
    assert meter.ready and calls > 3 and meter.feature_seconds > 0
    assert meter.prepare_step()  # nothing left to do

    seen = []
    fresh = _meter(images, labels)
    fresh.prepare(lambda done, total: seen.append((done, total)))
    assert fresh.ready and seen[-1][0] == seen[-1][1]
    assert all(0 <= done <= total for done, total in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_training_is_seeded_and_leaves_the_global_random_state_alone():
    import random

    import keras

    images, labels = _data()
    keras.utils.set_random_seed(123)
    before = (random.getstate(), np.random.get_state()[1].copy())
    first = _meter(images, labels).floor()
    assert (random.getstate(), np.random.get_state()[1].tolist()) == (before[0],
                                                                      before[1].tolist())
    second = _meter(images, labels).floor()
    assert (first.fd, first.kid) == pytest.approx((second.fd, second.kid), rel=1e-3)


def test_the_held_out_images_are_never_trained_on(monkeypatch):
    import gan_studio.ml.quality.meter as meter_module

    trained = []

    class Recording(meter_module.NetworkTrainer):
        def __init__(self, images, labels, classes, budget, seed=0, index=None):
            super().__init__(images, labels, classes, budget, seed, index)
            trained.append(images if index is None else images[index])

    monkeypatch.setattr(meter_module, "NetworkTrainer", Recording)
    images, labels = _data()
    heldout, _ = _data(count=10, seed=1)
    given = _meter(images, labels, heldout=heldout)
    given.prepare()
    assert given.heldout_count == 10 and np.array_equal(trained[-1], images)

    split = _meter(images, labels)
    split.prepare()
    rows = {image.tobytes() for image in trained[-1]}
    assert split.heldout_count == 6 and len(rows) == 60 - 6  # 10 % held out, the rest trained
    assert {image.tobytes() for image in images} > rows


def test_evaluate_a_generator():
    images, labels = _data()
    meter, generator = _meter(images, labels), _generator()
    report = meter.evaluate(generator, step=7, epoch=2, count=30)
    assert (report.step, report.epoch, report.samples) == (7, 2, 30)
    assert report.seconds > 0 and report.time > 0 and np.isfinite(report.fd)
    assert meter.evaluate(generator, count=30).fd == pytest.approx(report.fd)  # seeded
    assert meter.floor().samples == 20


def test_a_generator_of_another_shape_is_refused_in_one_line():
    images, _ = _data()
    meter = _meter(images)
    message = "^the generator makes 32×32×3 images; tiny has 28×28×1$"
    with pytest.raises(ValueError, match=message):
        meter.evaluate(_generator(32, 3))
    assert not meter.ready  # refused before any feature training
    with pytest.raises(ValueError, match="28×28×1"):
        meter.evaluate_images(np.zeros((5, 32, 32, 3), np.uint8))


def test_a_feature_network_s_step_graph_goes_with_it_trained_or_not():
    """Its Adam step traces a custom gradient, which TensorFlow's gradient registry kept, with
    the step's graph, for the rest of the process: also where a run ended mid-training."""
    images, labels = _data()
    trainer = NetworkTrainer(images, labels, 3, FeatureBudget(epochs=2, batch_size=16))
    assert not trainer.step() and trainer.total > 1
    graphs = [weakref.ref(graph) for graph in traced_graphs(trainer._train)]
    assert graphs
    del trainer
    gc.collect()
    assert [graph() for graph in graphs] == [None] * len(graphs)
