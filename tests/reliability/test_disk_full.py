"""A full disk while saving an image or an animation: a clear error, nothing under the final name,
and the file that was there before left intact."""

import errno
import os

import numpy as np
import pytest

from gan_studio.core.animation import save_timelapse
from gan_studio.core.images import save_png


def _grid(value):
    return np.full((16, 16), value, np.uint8)


WRITERS = {
    "grid.png": lambda path, value: save_png(path, _grid(value), scale=2),
    "timelapse.gif": lambda path, value: save_timelapse(path, [_grid(10), _grid(value)]),
}


@pytest.mark.parametrize("name", WRITERS)
def test_a_full_disk_leaves_the_old_file_and_no_partial_one(tmp_path, name, request):
    path, write = str(tmp_path / name), WRITERS[name]
    write(path, 7)
    before = open(path, "rb").read()
    request.getfixturevalue("full_disk")
    with pytest.raises(OSError) as caught:
        write(path, 200)
    assert caught.value.errno == errno.ENOSPC
    assert open(path, "rb").read() == before  # the previous file, whole
    assert os.listdir(tmp_path) == [name]  # no temporary left behind
