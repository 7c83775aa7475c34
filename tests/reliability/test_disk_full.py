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


def test_a_full_disk_while_exporting_a_keras_file_is_one_line_and_leaves_nothing(
        tiny_config, tmp_path, monkeypatch):
    """Keras' own error names no file (`[Errno 27] File too large`); the export names the
    user's file, and neither it nor a temporary one is left."""
    import keras

    from gan_studio.ml.generators.export import ModelLoadError, export_generator
    from gan_studio.ml.training.trainer import Trainer

    tiny_config.max_steps = 1
    trainer = Trainer.create(tiny_config)
    trainer.run()
    real_save = keras.Model.save

    def save(self, filepath, *args, **kwargs):
        real_save(self, filepath, *args, **kwargs)
        with open(filepath, "r+b") as f:
            f.truncate(os.path.getsize(filepath) // 2)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(keras.Model, "save", save)
    out = tmp_path / "models" / "g.keras"
    with pytest.raises(ModelLoadError) as caught:
        export_generator(trainer.run_dir, str(out))
    assert str(caught.value) == f"cannot write {out}: No space left on device"
    assert os.listdir(out.parent) == []


def test_a_task_s_os_error_reads_as_its_reason_and_never_as_a_temporary_name():
    from gan_studio.workers.tasks import describe_exception

    temporary = OSError(errno.ENOSPC, "No space left on device", "/out/.a.gif.k2j3.tmp.gif")
    assert describe_exception(temporary) == "No space left on device"
    assert describe_exception(OSError(errno.ENOENT, "No such file or directory", "/in/z.npy")) \
        == "No such file or directory: /in/z.npy"
    assert describe_exception(OSError(errno.ENOSPC, "No space left on device")) \
        == "No space left on device"


def test_a_config_json_the_disk_refuses_names_it_and_leaves_no_run_folder(tiny_config,
                                                                         monkeypatch):
    from gan_studio.core import config as config_module
    from gan_studio.core.config import ConfigError
    from gan_studio.ml.training.trainer import Trainer

    def refuse(path, text):
        raise OSError(errno.ENOSPC, "No space left on device",
                      os.path.join(os.path.dirname(path), ".config.json.x1y2.tmp"))

    monkeypatch.setattr(config_module, "atomic_write_text", refuse)
    with pytest.raises(ConfigError) as caught:
        Trainer.create(tiny_config)
    message = str(caught.value)
    assert message.startswith(f"cannot write {tiny_config.runs_dir}")
    assert message.endswith("config.json: No space left on device")
    assert os.listdir(tiny_config.runs_dir) == []
