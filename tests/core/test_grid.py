import numpy as np
import pytest

from gan_studio.core.grid import tile_at, tile_grid, to_uint8, upscale_nearest


def test_to_uint8_maps_the_tanh_range():
    out = to_uint8(np.array([-1.0, 0.0, 1.0, 2.0, np.nan]))
    assert out.dtype == np.uint8
    assert list(out) == [0, 128, 255, 255, 128]


def test_tile_grid_places_tiles_row_major_with_padding():
    tiles = np.arange(5)[:, None, None, None] * np.ones((5, 2, 3, 1), np.uint8)
    grid = tile_grid(tiles, columns=3, padding=1, pad_value=9)
    assert grid.shape == (2 * 2 + 1, 3 * 3 + 2, 1)
    assert grid[0, 0, 0] == 0 and grid[0, 4, 0] == 1 and grid[3, 4, 0] == 4
    assert grid[2, 0, 0] == 9  # padding row
    assert grid[3, 8, 0] == 9  # the empty sixth cell


def test_tile_at_inverts_tile_grid():
    tiles = np.zeros((7, 4, 4, 1), np.uint8)
    grid = tile_grid(tiles, columns=3, padding=2)
    for index in range(7):
        r, c = divmod(index, 3)
        assert tile_at(grid.shape[:2], (4, 4), 3, 7, r * 6 + 1, c * 6 + 3, padding=2) == index
    assert tile_at(grid.shape[:2], (4, 4), 3, 7, 4.5, 0, padding=2) is None  # in the padding
    assert tile_at(grid.shape[:2], (4, 4), 3, 7, 13, 8, padding=2) is None  # empty cell 8
    assert tile_at(grid.shape[:2], (4, 4), 3, 7, -1, 0, padding=2) is None


def test_upscale_nearest_repeats_pixels():
    image = np.array([[1, 2], [3, 4]], np.uint8)
    big = upscale_nearest(image, 3)
    assert big.shape == (6, 6) and big[2, 2] == 1 and big[3, 3] == 4
    with pytest.raises(ValueError):
        upscale_nearest(image, 0)
    with pytest.raises(ValueError):
        tile_grid(np.zeros((0, 2, 2)))


def test_drop_channel_axis_only_drops_a_single_channel():
    from gan_studio.core.grid import drop_channel_axis

    assert drop_channel_axis(np.zeros((4, 5, 1))).shape == (4, 5)
    assert drop_channel_axis(np.zeros((4, 5, 3))).shape == (4, 5, 3)
    assert drop_channel_axis(np.zeros((2, 4, 5, 1)), batch=True).shape == (2, 4, 5)
    assert drop_channel_axis(np.zeros((2, 4, 1)), batch=True).shape == (2, 4, 1)  # gray batch
    assert drop_channel_axis(np.zeros((4, 5))).shape == (4, 5)
