"""The nearest-row search and the copy rate's calibration and warning (no TensorFlow)."""

import numpy as np
import pytest

from gan_studio.core.quality import copy_rate, nearest
from gan_studio.core.quality.report import QualityReport


def _brute(queries, bank, k):
    d = np.sqrt(((queries[:, None, :] - bank[None, :, :]) ** 2).sum(-1))
    order = np.argsort(d, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(d, order, axis=1)


@pytest.mark.parametrize("blocks", [(512, 8192), (3, 7)])
def test_nearest_matches_brute_force_across_blocks(monkeypatch, blocks):
    monkeypatch.setattr(nearest, "QUERY_BLOCK", blocks[0])
    monkeypatch.setattr(nearest, "BANK_BLOCK", blocks[1])
    rng = np.random.default_rng(0)
    bank, queries = rng.normal(size=(50, 6)), rng.normal(size=(11, 6))
    found = nearest.nearest(queries, bank, k=4)
    index, distance = _brute(queries, bank, 4)
    np.testing.assert_array_equal(found.indices, index)
    np.testing.assert_allclose(found.distances, distance, rtol=1e-4, atol=1e-5)


def test_a_bank_image_finds_itself_first_in_pixel_space(monkeypatch):
    monkeypatch.setattr(nearest, "BANK_BLOCK", 16)
    images = np.random.default_rng(1).integers(0, 256, (40, 5, 5, 3), dtype=np.uint8)
    found = nearest.nearest(images[[3, 27]], images, k=3, vectors=nearest.pixel_vectors)
    assert list(found.indices[:, 0]) == [3, 27]
    assert np.all(found.distances[:, 0] < 1e-3) and np.all(found.distances[:, 1] > 0.5)


def test_rows_limit_the_search_and_bad_k_is_refused():
    bank = np.arange(10, dtype=np.float32)[:, None]
    found = nearest.nearest(np.array([[2.0]]), bank, k=2, rows=np.array([5, 6, 7]))
    assert list(found.indices[0]) == [5, 6]
    with pytest.raises(ValueError, match="k must be 1 or more"):
        nearest.nearest(bank, bank, k=0)
    with pytest.raises(ValueError, match="asked for 4 nearest of 3"):
        nearest.nearest(bank, bank, k=4, rows=np.array([1, 2, 3]))


def test_copies_score_near_one_real_images_the_floor_noise_zero():
    rng = np.random.default_rng(2)
    centres = rng.normal(size=(20, 8))
    train = centres[rng.integers(0, 20, 2000)] + rng.normal(scale=0.3, size=(2000, 8))
    heldout = centres[rng.integers(0, 20, 1000)] + rng.normal(scale=0.3, size=(1000, 8))
    fresh = centres[rng.integers(0, 20, 1000)] + rng.normal(scale=0.3, size=(1000, 8))

    def distances(x):
        return nearest.nearest(x, train, k=1).distances[:, 0]

    calibration = copy_rate.calibrate(distances(heldout))
    assert abs(calibration.floor - copy_rate.PERCENTILE) < 0.03
    assert abs(calibration.rate(distances(fresh)) - copy_rate.PERCENTILE) < 0.03
    assert calibration.rate(distances(train[:500])) == 1.0
    assert calibration.rate(distances(rng.normal(scale=5, size=(500, 8)))) == 0.0
    with pytest.raises(ValueError, match="4 held-out images or more"):
        copy_rate.calibrate(np.ones(3))


def _report(step, rate, floor=0.05):
    return QualityReport(step=step, epoch=0, fd=1.0, kid=0.0, kid_error=0.0, diversity=1.0,
                         copy_rate=rate, copy_floor=floor)


def test_warning_names_the_evaluation_before_the_climb():
    history = [_report(100, 0.04), _report(200, 0.06), _report(300, 0.2), _report(400, 0.6)]
    warning = copy_rate.copy_warning(history)
    assert warning is not None and warning.step == 400 and warning.before_step == 200
    assert "60% of the samples" in warning.message
    assert copy_rate.copy_warning(history[:3]) is None  # 20 %: under the warning rate
    assert copy_rate.copy_warning([_report(5, 0.3, floor=0.17)]) is not None  # a tiny folder's
    assert copy_rate.copy_warning([_report(5, 0.9)]).before_step is None
    assert copy_rate.copy_warning(history + [_report(500, None)]) is None  # not measured


def test_the_console_warns_with_the_checkpoint_to_resume_from(tmp_path, capsys):
    from gan_studio.cli.console import ConsoleProgress

    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "ckpt-150.index").write_text("fake")
    console = ConsoleProgress()
    console.run_dir = str(tmp_path)
    console.on_quality(_report(100, 0.04))
    console.on_quality(_report(200, 0.05))
    assert "Warning" not in capsys.readouterr().out
    console.on_quality(_report(300, 0.5))
    out = capsys.readouterr().out
    assert "Warning: the generator may be copying training images. 50% of the samples" in out
    assert f"gan-studio resume {tmp_path} --checkpoint 150" in out
