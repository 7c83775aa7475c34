"""The spectrum check flags a planted checkerboard, and not natural or smooth images."""

import numpy as np
import pytest
from synthetic_runs import natural_images, plant_checkerboard

from gan_studio.core.grid import tile_grid
from gan_studio.core.health.checkerboard import (
    CHECKERBOARD_RATIO,
    checkerboard_score,
    split_grid,
)


def test_a_planted_checkerboard_is_flagged_and_natural_images_are_not():
    natural = natural_images(64, size=32)
    clean = checkerboard_score(natural)
    assert not clean.flagged and clean.score < CHECKERBOARD_RATIO / 2
    planted = checkerboard_score(plant_checkerboard(natural, amplitude=4.0))
    assert planted.flagged and planted.peak == (16, 16) and planted.flagged_share > 0.9


def test_the_period_4_pattern_of_the_layer_before_is_flagged_too():
    natural = natural_images(64, size=32, seed=1).astype(float)
    x = np.arange(32)
    stripes = np.where(x % 4 < 2, 8.0, -8.0)[None, None, :]  # period 4 across, every row
    result = checkerboard_score(np.clip(natural + stripes, 0, 255))
    assert result.flagged and result.peak == (0, 8)


@pytest.mark.parametrize("images", [
    np.tile(np.linspace(0, 255, 28)[None, None, :], (16, 28, 1)),  # smooth ramps
    np.zeros((16, 28, 28)),  # blank: no power anywhere
    np.random.default_rng(0).normal(128, 30, (16, 28, 28)),  # white noise: flat spectrum
])
def test_smooth_blank_and_noisy_images_are_not_flagged(images):
    assert not checkerboard_score(images).flagged


def test_a_grid_is_cut_into_its_tiles_colour_or_grey():
    tiles = natural_images(12, size=16)
    colour = np.repeat(tiles[..., None], 3, axis=-1)
    grid = tile_grid(plant_checkerboard(colour.transpose(3, 0, 1, 2).reshape(-1, 16, 16))
                     .reshape(3, 12, 16, 16).transpose(1, 2, 3, 0), columns=4)
    assert grid.shape == (48, 64, 3)
    np.testing.assert_array_equal(split_grid(tile_grid(tiles, columns=4), 3, 4)[..., 0],
                                  tiles)
    assert checkerboard_score(grid, rows=3, columns=4).flagged
    with pytest.raises(ValueError, match="does not hold"):
        split_grid(grid, 5, 4)
    with pytest.raises(ValueError, match="8×8 pixels or more"):
        checkerboard_score(np.zeros((4, 6, 6)))
