"""The meter's copy rate and nearest training images, on tiny data with a tiny feature network."""

import os

import numpy as np
import pytest

from gan_studio.core.quality.copy_rate import copy_warning
from gan_studio.ml.quality import FeatureBudget, QualityMeter
from gan_studio.ml.quality.training_bank import bank_path

TINY = FeatureBudget(epochs=1, max_batches=3, batch_size=16)


def _blobs(count, seed, side=16):
    """Images around a few smooth prototypes: new draws are near, not equal, to old ones."""
    rng = np.random.default_rng(99)  # the same prototypes in every draw
    yy, xx = np.mgrid[0:side, 0:side] / side
    prototypes = [np.sin((a * xx + b * yy) * 6.0) for a, b in rng.normal(size=(6, 2))]
    picks = np.random.default_rng(seed + 100).integers(0, 6, count)
    noise = np.random.default_rng(seed + 200).normal(scale=0.35, size=(count, side, side))
    images = 127.5 + 100 * (np.stack([prototypes[i] for i in picks]) + noise)
    return np.clip(images, 0, 255).astype(np.uint8)[..., None]


def _meter(images, **kwargs):
    return QualityMeter(images, budget=TINY, name="blobs", samples=200, seed=0, **kwargs)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("features"))
    train, heldout = _blobs(600, 0), _blobs(400, 1)
    meter = _meter(train, heldout=heldout, cache_dir=folder)
    meter.prepare()
    return meter, train, heldout, folder


def test_copies_score_near_one_new_images_the_floor_noise_zero(prepared):
    meter, train, heldout, _ = prepared
    assert meter.complete and meter.calibration is not None
    copies = meter.evaluate_images(train[np.arange(0, 600, 3)])
    fresh = meter.evaluate_images(_blobs(400, 7))
    noise = meter.evaluate_images(
        np.random.default_rng(3).integers(0, 256, (200, 16, 16, 1), dtype=np.uint8))
    assert copies.copy_rate == 1.0
    assert copy_warning([copies]) is not None and copy_warning([fresh]) is None
    assert copy_warning([noise]) is None
    assert fresh.copy_rate < 0.2 and abs(fresh.copy_rate - fresh.copy_floor) < 0.1
    assert noise.copy_rate == 0.0
    assert 0 < meter.calibration.floor < 0.15  # about copy_rate.PERCENTILE, on 200 images
    floor = meter.floor()
    assert floor.copy_rate == meter.calibration.floor  # training images are not the floor


def test_a_training_image_finds_itself_first_in_both_spaces(prepared):
    meter, train, _, _ = prepared
    for space in ("features", "pixels"):
        found = meter.nearest(train[[5, 41]], k=4, space=space)
        assert list(found.indices[:, 0]) == [5, 41], space
        assert found.distances.shape == (2, 4) and np.all(np.diff(found.distances) >= 0)
    assert meter.nearest(train[5, :, :, 0], k=1).indices.shape == (1, 1)  # one grey image


def test_bad_nearest_requests_get_one_line(prepared):
    meter, train, _, _ = prepared
    with pytest.raises(ValueError, match="the image is 8×8×1; blobs has 16×16×1"):
        meter.nearest(np.zeros((8, 8, 1), np.uint8))
    with pytest.raises(ValueError, match="k must be between 1 and 600, got 0"):
        meter.nearest(train[:1], k=0)
    with pytest.raises(ValueError, match="space must be"):
        meter.nearest(train[:1], space="latent")


def test_the_training_features_are_cached_beside_the_network(prepared):
    meter, train, heldout, folder = prepared
    cached = bank_path(meter.cache_path)
    assert os.path.isfile(cached)
    again = _meter(train, heldout=heldout, cache_dir=folder)
    again.prepare()
    assert again.from_cache and again._bank.from_cache
    assert again.calibration == meter.calibration
    good = np.load(cached, allow_pickle=False)
    for bad in (b"not numpy", good[:10], np.array([{"a": 1}], dtype=object)):
        with open(cached, "wb") as f:
            if isinstance(bad, bytes):
                f.write(bad)
            else:
                np.save(f, bad, allow_pickle=True)
        third = _meter(train, heldout=heldout, cache_dir=folder)
        third.prepare()  # a damaged file is computed again and replaced
        assert not third._bank.from_cache and third.calibration == meter.calibration
        np.testing.assert_array_equal(np.load(cached, allow_pickle=False), good)


def test_copies_off_and_the_first_number_never_waits_for_the_bank():
    train = _blobs(120, 0)
    meter = _meter(train)
    while not meter.ready:
        meter.prepare_step()
    assert not meter.complete
    assert meter.evaluate_images(train[:20]).copy_rate is None  # ready, bank not yet
    off = _meter(train, copies=False)
    off.prepare()
    assert off.complete and off.evaluate_images(train[:20]).copy_rate is None


def test_a_folder_is_calibrated_on_each_image_against_all_the_others():
    """Without a test split the GAN trains on every image (the meter's held-out 10 % too): a
    held-out image would find itself at distance 0, and 10 % of a small folder is too few."""
    train = _blobs(400, 0)
    meter = _meter(train)
    meter.prepare()
    assert meter.calibration.threshold > 0 and meter.calibration.heldout == 400
    assert 0 < meter.calibration.floor < 0.15
    assert meter.evaluate_images(train[:100]).copy_rate == 1.0
    assert meter.evaluate_images(_blobs(300, 5)).copy_rate < 0.2
