"""The nearest-images contact sheet: its size, its tiles pixel-exact, its atomic write."""

import numpy as np
import pytest
from PIL import Image

from gan_studio.core.quality import nearest_sheet
from gan_studio.core.quality.nearest_sheet import SheetRow, draw_sheet, save_sheet, sheet_size


def _rows(count, k, shape):
    rng = np.random.default_rng(0)
    return [SheetRow(rng.integers(0, 256, shape, np.uint8), f"query {r}",
                     rng.integers(0, 256, (k, *shape), np.uint8), np.arange(k) * 1000,
                     np.linspace(0.5, 2.0, k)) for r in range(count)]


@pytest.mark.parametrize("count, k, shape, scale", [(1, 8, (28, 28, 1), 3), (3, 2, (32, 32, 3), 2),
                                                   (2, 1, (28, 28), 1)])
def test_the_sheet_s_size_and_its_tiles(count, k, shape, scale):
    rows = _rows(count, k, shape)
    sheet = draw_sheet(rows, scale=scale)
    side = shape[0] * scale
    assert sheet.shape == (*sheet_size(count, k, side)[::-1], 3) and sheet.dtype == np.uint8
    # The query and each neighbour are upscaled whole, pixel for pixel.
    last = rows[-1]
    top = nearest_sheet.PAD + (count - 1) * (side + nearest_sheet.CAPTION + nearest_sheet.GAP)
    query = sheet[top:top + side, nearest_sheet.PAD:nearest_sheet.PAD + side]
    expected = np.kron(last.query.reshape(shape[0], shape[1], -1), np.ones((scale, scale, 1),
                                                                            np.uint8))
    np.testing.assert_array_equal(query, np.broadcast_to(expected, query.shape))
    left = nearest_sheet.PAD + k * (side + nearest_sheet.GAP) + nearest_sheet.SPLIT
    tile = sheet[top:top + side, left:left + side]
    expected = np.kron(last.neighbours[-1].reshape(shape[0], shape[1], -1),
                       np.ones((scale, scale, 1), np.uint8))
    np.testing.assert_array_equal(tile, np.broadcast_to(expected, tile.shape))


def test_copies_are_marked_and_the_file_is_written_whole(tmp_path):
    rows = _rows(1, 3, (28, 28, 1))
    plain, marked = draw_sheet(rows), draw_sheet(rows, threshold=1.0)
    assert not np.array_equal(plain, marked)  # the first neighbour (0.5) is red, "copy?"
    assert (marked[..., 0].astype(int) - marked[..., 1] > 100).any()
    path = tmp_path / "sheet.png"
    assert save_sheet(path, rows) == Image.open(path).size
    np.testing.assert_array_equal(np.asarray(Image.open(path).convert("RGB")), plain)
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.png"]


def test_no_rows_or_ragged_rows_are_refused():
    with pytest.raises(ValueError, match="at least one query"):
        draw_sheet([])
    rows = _rows(1, 3, (8, 8, 1)) + _rows(1, 2, (8, 8, 1))
    with pytest.raises(ValueError, match="same number of neighbours"):
        draw_sheet(rows)
