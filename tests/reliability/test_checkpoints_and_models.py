"""Broken and hostile checkpoints and model files, through the `gan-studio` command.

Each bad input is refused with exit status 2 and one line on stderr naming it (no traceback),
nothing in it is run, and nothing is left under the output's name; a torn newest checkpoint
(kill -9 during a save) gives way to the one before it, with a message.
"""

import json
import os
import shutil
import zipfile

import numpy as np
import pytest
from helpers import declare_member_size, write_tiny_mnist

from gan_studio.cli import main

DATA = ".data-00000-of-00001"


# -- fixtures -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny MNIST run with two checkpoints, ckpt-1 and ckpt-2, trained once for the module."""
    from gan_studio.core.config import TrainConfig
    from gan_studio.core.training.control import TrainControl
    from gan_studio.ml.training.trainer import Trainer

    root = tmp_path_factory.mktemp("trained")
    data = write_tiny_mnist(root / "data")
    config = TrainConfig(dataset="mnist", data_dir=data, runs_dir=str(root / "runs"),
                         batch_size=8, epochs=1, max_steps=2, grid_size=2)
    control = TrainControl()
    control.request_checkpoint()  # taken after step 1; the end of the run saves step 2
    trainer = Trainer.create(config, control=control)
    assert trainer.run() == "finished"
    return trainer.run_dir


@pytest.fixture
def run(trained, tmp_path):
    """A copy of the trained run that the test may break."""
    copy = str(tmp_path / "run")
    shutil.copytree(trained, copy)
    return copy


def _ckpt(run, step):
    return os.path.join(run, "checkpoints", f"ckpt-{step}")


def _cli(argv, capsys):
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _assert_one_line(status, err, *names):
    assert status == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("gan-studio: error: ")
    for name in names:
        assert name in lines[0]


def _config_bytes(run):
    with open(os.path.join(run, "config.json"), "rb") as f:
        return f.read()


# -- ways a save is torn ----------------------------------------------------------------------
def _truncate(path, keep=0.5):
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[: int(len(data) * keep)])


def _garble(path):
    with open(path, "r+b") as f:
        size = f.seek(0, 2)
        f.seek(size // 3)
        f.write(b"\xa5" * max(1, size // 3))


BREAKS = {
    "index 0 bytes (kill -9 at the index's first write)": lambda p: _truncate(p + ".index", 0),
    "index cut in half": lambda p: _truncate(p + ".index"),
    "data 0 bytes": lambda p: _truncate(p + DATA, 0),
    "data cut in half": lambda p: _truncate(p + DATA),
    "data overwritten in the middle (checksum)": lambda p: _garble(p + DATA),
    "data file missing": lambda p: os.remove(p + DATA),
}


# -- a torn newest checkpoint -----------------------------------------------------------------
@pytest.mark.parametrize("how", list(BREAKS))
def test_sample_skips_a_torn_newest_checkpoint_with_a_warning(run, how, tmp_path, capsys):
    BREAKS[how](_ckpt(run, 2))
    out = str(tmp_path / "s.npz")
    status, _, err = _cli(["sample", run, "--count", "3", "--out", out], capsys)
    assert status == 0, err
    assert "Traceback" not in err
    (warning,) = err.strip().splitlines()
    assert warning.startswith("gan-studio: warning: ") and "ckpt-2 is unreadable" in warning
    assert warning.endswith("ckpt-1 instead")
    with np.load(out, allow_pickle=False) as f:
        assert f["images"].shape == (3, 28, 28)


@pytest.mark.parametrize("how", ["index 0 bytes (kill -9 at the index's first write)",
                                 "data cut in half"])
def test_resume_goes_on_from_the_previous_checkpoint_and_says_so(run, trained, how, tmp_path,
                                                                 capsys):
    from gan_studio.core.runs.layout import list_checkpoints
    from gan_studio.core.runs.metrics_log import read_metrics

    # What the good previous checkpoint draws, from an intact copy of the run.
    want = str(tmp_path / "want.npz")
    assert main(["sample", trained, "--checkpoint", "1", "--count", "4", "--out", want]) == 0
    BREAKS[how](_ckpt(run, 2))
    got = str(tmp_path / "got.npz")
    assert main(["sample", run, "--count", "4", "--out", got]) == 0
    with np.load(want) as a, np.load(got) as b:
        np.testing.assert_array_equal(a["images"], b["images"])  # really ckpt-1's weights
    capsys.readouterr()

    status, out, err = _cli(["resume", run, "--max-steps", "3"], capsys)
    assert status == 0, err
    resumed = [line for line in out.splitlines() if line.startswith("Resumed from step 1")]
    assert resumed and "ckpt-2" in resumed[0] and "Traceback" not in out + err
    assert list(read_metrics(run)["step"]) == [1, 2, 3]
    assert list_checkpoints(run)[-1][0] == 3


def test_the_window_hears_of_the_skipped_checkpoint_in_the_restore_event(run):
    from helpers import Recorder

    from gan_studio.ml.training.trainer import Trainer

    BREAKS["data overwritten in the middle (checksum)"](_ckpt(run, 2))
    recorder = Recorder()
    trainer = Trainer.resume(run, max_steps=2, callbacks=recorder)
    assert trainer.run() == "finished"
    (restored,) = [e for e in recorder.events if e.data.get("restored")]
    assert restored.kind == "checkpoint" and restored.data["path"] == _ckpt(run, 1)
    (note,) = restored.data["skipped"]
    assert note.startswith(_ckpt(run, 2) + " is unreadable (") and note in restored.message
    from gan_studio.ml.runs.checkpoints import checkpoint_problem

    assert checkpoint_problem(_ckpt(run, 2)) is None  # step 2, trained again, saved whole


def test_no_readable_checkpoint_is_one_line_and_leaves_the_run_as_it_was(run, tmp_path, capsys):
    BREAKS["index 0 bytes (kill -9 at the index's first write)"](_ckpt(run, 2))
    BREAKS["data cut in half"](_ckpt(run, 1))
    config = _config_bytes(run)
    out = str(tmp_path / "out")
    for argv in (["resume", run, "--epochs", "9", "--max-steps", "50"],
                 ["sample", run, "--out", out + ".npz"], ["sample", run, "--out", out],
                 ["export", run, "--out", out + ".keras"], ["info", run]):
        status, _, err = _cli(argv, capsys)
        _assert_one_line(status, err, "ckpt-1", "ckpt-2", "no readable checkpoint")
    assert _config_bytes(run) == config  # resume wrote nothing before it failed
    assert not [n for n in os.listdir(tmp_path) if n.startswith(("out", ".out"))]


@pytest.mark.parametrize("command", ["resume", "sample", "export"])
def test_a_named_torn_checkpoint_is_one_line_naming_it(run, command, tmp_path, capsys):
    BREAKS["index cut in half"](_ckpt(run, 2))
    argv = [command, run, "--checkpoint", "2"]
    if command != "resume":
        argv += ["--out", str(tmp_path / ("g.keras" if command == "export" else "s.npz"))]
    status, _, err = _cli(argv, capsys)
    _assert_one_line(status, err, "ckpt-2")
    assert os.listdir(tmp_path) == ["run"]


def test_last_means_the_newest_checkpoint_that_reads(run, tmp_path, capsys):
    BREAKS["data 0 bytes"](_ckpt(run, 2))
    status, _, err = _cli(["export", run, "--checkpoint", "last", "--out",
                           str(tmp_path / "g.keras")], capsys)
    assert status == 0, err
    assert "ckpt-2" in err and os.path.getsize(tmp_path / "g.keras") > 10_000


# -- checkpoints of something else ------------------------------------------------------------
def _foreign_program(prefix):
    import tensorflow as tf

    tf.train.Checkpoint(step=tf.Variable(9, dtype=tf.int64)).write(prefix)


def _generator_of_another_size(prefix):
    import tensorflow as tf

    from gan_studio.core.config import TrainConfig
    from gan_studio.ml.networks.models import generator_for

    other = TrainConfig(dataset="mnist", latent_dim=16).resolved()
    tf.train.Checkpoint(generator=generator_for(other, (28, 28, 1))).write(prefix)


FOREIGN = {"a checkpoint of another program": _foreign_program,
           "a generator of another latent size": _generator_of_another_size}


@pytest.mark.parametrize("command", ["resume", "sample", "export"])
@pytest.mark.parametrize("what", list(FOREIGN))
def test_a_foreign_checkpoint_is_one_line_naming_it(run, what, command, tmp_path, capsys):
    FOREIGN[what](_ckpt(run, 9))  # the newest: every command picks it
    config = _config_bytes(run)
    argv = [command, run] + (["--epochs", "5"] if command == "resume" else
                             ["--out", str(tmp_path / ("g.keras" if command == "export"
                                                       else "s.npz"))])
    status, _, err = _cli(argv, capsys)
    _assert_one_line(status, err, "ckpt-9")
    assert os.listdir(tmp_path) == ["run"]
    assert _config_bytes(run) == config


def test_a_checkpoint_of_another_run_named_by_prefix_is_one_line(run, trained, tmp_path, capsys):
    other = str(tmp_path / "other")
    _generator_of_another_size(other)
    status, _, err = _cli(["sample", run, "--checkpoint", other, "--out",
                           str(tmp_path / "s.npz")], capsys)
    _assert_one_line(status, err, "other")
    assert not (tmp_path / "s.npz").exists()


# -- runs without checkpoints, and their state file -------------------------------------------
def _remove_checkpoints(run):
    shutil.rmtree(os.path.join(run, "checkpoints"))
    os.makedirs(os.path.join(run, "checkpoints"))


def _only_state_file(run):
    for name in os.listdir(os.path.join(run, "checkpoints")):
        if name != "checkpoint":
            os.remove(os.path.join(run, "checkpoints", name))


EMPTY = {"an empty checkpoints folder": _remove_checkpoints,
         "no checkpoints folder": lambda run: shutil.rmtree(os.path.join(run, "checkpoints")),
         "a state file naming missing checkpoints": _only_state_file}


@pytest.mark.parametrize("how", list(EMPTY))
def test_a_run_without_checkpoints_is_one_line(run, how, tmp_path, capsys):
    EMPTY[how](run)
    out = str(tmp_path / "out")
    for argv, expected in ((["resume", run], "has no checkpoint to resume from"),
                           (["sample", run, "--out", out], "has no checkpoint"),
                           (["export", run, "--out", out + ".keras"], "has no checkpoint"),
                           (["sample", run, "--checkpoint", "best", "--out", out],
                            "has no checkpoint 'best'")):
        status, _, err = _cli(argv, capsys)
        _assert_one_line(status, err, run, expected)
    assert os.listdir(tmp_path) == ["run"]


def _victim(tmp_path):
    """Files outside the run that a pruning manager would delete if a state file named them."""
    victim = tmp_path / "victim"
    for suffix in (".index", DATA):
        (tmp_path / f"victim{suffix}").write_bytes(b"the user's")
    return str(victim)


STATE_FILES = {
    "binary garbage": lambda victim: b"garbage \x00\xff\xfe",
    "not a state": lambda victim: b"model_checkpoint_path: 7\n",
    "paths outside the run": lambda victim: (
        f'model_checkpoint_path: "ckpt-2"\nall_model_checkpoint_paths: "{victim}"\n'
        'all_model_checkpoint_paths: "ckpt-1"\nall_model_checkpoint_paths: "ckpt-2"\n'
        "all_model_checkpoint_timestamps: 2.0\nall_model_checkpoint_timestamps: 3.0\n"
        "all_model_checkpoint_timestamps: 4.0\nlast_preserved_timestamp: 1.0\n").encode(),
}


@pytest.mark.parametrize("what", list(STATE_FILES))
def test_a_bad_state_file_does_not_stop_resume_nor_reach_outside(run, what, tmp_path, capsys):
    from gan_studio.core.runs.layout import list_checkpoints

    victim = _victim(tmp_path)
    with open(os.path.join(run, "checkpoints", "checkpoint"), "wb") as f:
        f.write(STATE_FILES[what](victim))
    status, out, err = _cli(["resume", run, "--max-steps", "3"], capsys)
    assert status == 0, err
    assert "Resumed from step 2" in out and "Traceback" not in out + err
    assert list_checkpoints(run)[-1][0] == 3
    # keep_checkpoints is 3: saving ckpt-3 pruned nothing of the user's.
    assert sorted(os.listdir(tmp_path)) == sorted(["run", "victim.index", "victim" + DATA])


def test_a_folder_where_the_state_file_goes_is_one_line(run, capsys):
    state = os.path.join(run, "checkpoints", "checkpoint")
    os.remove(state)
    os.makedirs(state)
    config = _config_bytes(run)
    status, _, err = _cli(["resume", run, "--epochs", "4"], capsys)
    _assert_one_line(status, err, state, "move it out of the way")
    assert _config_bytes(run) == config and os.path.isdir(state)


# -- the sample command's own limits ----------------------------------------------------------
@pytest.mark.parametrize("count", ["100001", "1000000000"])
def test_sample_count_has_an_upper_bound(run, count, tmp_path, capsys):
    status, _, err = _cli(["sample", run, "--count", count, "--out", str(tmp_path / "s.npz")],
                          capsys)
    _assert_one_line(status, err, "--count", "100,000")
    assert os.listdir(tmp_path) == ["run"]


def test_sample_help_states_the_bound(capsys):
    with pytest.raises(SystemExit):
        main(["sample", "--help"])
    assert "100000" in capsys.readouterr().out.replace(",", "")


# -- built-in data sets in other channels -----------------------------------------------------
@pytest.fixture(scope="module")
def rgb_mnist_run(tmp_path_factory):
    """A one-step run of the tiny MNIST trained as RGB (`--channels 3`)."""
    root = tmp_path_factory.mktemp("rgb")
    data = write_tiny_mnist(root / "data")
    assert main(["train", "--dataset", "mnist", "--channels", "3", "--data-dir", data,
                 "--max-steps", "1", "--batch-size", "8", "--run-dir", str(root / "runs")]) == 0
    (name,) = os.listdir(root / "runs")
    return str(root / "runs" / name)


def test_mnist_trained_as_rgb_samples_exports_and_describes_rgb(rgb_mnist_run, tmp_path, capsys):
    npz = str(tmp_path / "s.npz")
    assert main(["sample", rgb_mnist_run, "--count", "2", "--out", npz]) == 0
    with np.load(npz) as f:
        assert f["images"].shape == (2, 28, 28, 3)
    keras_file = str(tmp_path / "g.keras")
    assert main(["export", rgb_mnist_run, "--out", keras_file]) == 0
    assert main(["sample", keras_file, "--count", "2", "--out", str(tmp_path / "grid.png")]) == 0
    capsys.readouterr()
    assert main(["info", rgb_mnist_run]) == 0
    assert "28×28×3" in capsys.readouterr().out


# -- generator files that draw no images ------------------------------------------------------
def _model_file(tmp_path, outputs, name="g.keras"):
    """Saves a model from a 4-vector to `outputs(x)` (a tensor or a list); returns its path."""
    import keras

    z = keras.Input((4,))
    path = str(tmp_path / name)
    keras.Model(z, outputs(z)).save(path)
    return path


def _dense_reshape(shape):
    import keras

    return lambda z: keras.layers.Reshape(shape)(_dense(int(np.prod(shape)))(z))


def _dense(units):
    import keras

    return keras.layers.Dense(units)


NOT_IMAGES = {
    "vectors (Dense(10))": lambda z: _dense(10)(z),
    "rank-3 arrays (3, 500)": lambda z: _dense_reshape((3, 500))(z),
    "4 channels": lambda z: _dense_reshape((8, 8, 4))(z),
    "2x2 images": lambda z: _dense_reshape((2, 2, 1))(z),
    "1-pixel-high strips": lambda z: _dense_reshape((1, 64, 3))(z),
    "two outputs": lambda z: [_dense_reshape((8, 8, 1))(z), _dense_reshape((8, 8, 1))(z)],
}


@pytest.mark.parametrize("out", ["s.npz", "pngs", "grid.png"])
@pytest.mark.parametrize("what", list(NOT_IMAGES))
def test_a_generator_that_draws_no_images_is_refused(what, out, tmp_path, capsys):
    path = _model_file(tmp_path, NOT_IMAGES[what])
    status, _, err = _cli(["sample", path, "--count", "2", "--out", str(tmp_path / out)], capsys)
    _assert_one_line(status, err, "g.keras", "not images")
    assert os.listdir(tmp_path) == ["g.keras"]


def test_info_refuses_a_generator_that_draws_no_images(tmp_path, capsys):
    path = _model_file(tmp_path, NOT_IMAGES["vectors (Dense(10))"])
    status, _, err = _cli(["info", path], capsys)
    _assert_one_line(status, err, "g.keras", "not images")


# -- model files that are not what they claim -------------------------------------------------
def _rewrite_config(path, edit):
    """Rewrites the config.json inside a `.keras` archive: `edit(config)` changes it in place,
    or returns new text for it."""
    with zipfile.ZipFile(path) as z:
        items = {n: z.read(n) for n in z.namelist()}
    config = json.loads(items["config.json"])
    text = edit(config)
    items["config.json"] = (text or json.dumps(config)).encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in items.items():
            z.writestr(name, data)


def _lambda_generator(tmp_path, marker):
    import keras

    touch = eval(f"lambda x: __import__('pathlib').Path({str(marker)!r}).touch() or x")
    path = _model_file(tmp_path, lambda z: keras.layers.Lambda(touch)(
        _dense_reshape((8, 8, 1))(z)))
    os.remove(marker)  # building the model ran it once; loading must not run it again
    return path


def _last_layer_is(class_name, module, registered=None):
    def edit(config):
        layer = config["config"]["layers"][-1]
        layer.update(class_name=class_name, module=module, registered_name=registered)
    return edit


def _good_generator(tmp_path):
    return _model_file(tmp_path, _dense_reshape((8, 8, 1)))


def _edited(edit):
    def make(tmp_path, marker):
        path = _good_generator(tmp_path)
        _rewrite_config(path, edit)
        return path
    return make


def _lambda_activation(config):
    (dense,) = [layer for layer in config["config"]["layers"] if layer["class_name"] == "Dense"]
    dense["config"]["activation"] = {"class_name": "__lambda__",
                                     "config": {"code": "4wEAAAAAAAAA", "defaults": None}}


def _deep_json(config):
    return json.dumps(config)[:-1] + ', "nest": ' + "[" * 100_000 + "]" * 100_000 + "}"


def _written(data):
    def make(tmp_path, marker):
        content = data if isinstance(data, bytes) else data(tmp_path)
        path = str(tmp_path / "g.keras")
        with open(path, "wb") as f:
            f.write(content)
        return path
    return make


def _truncated_zip(tmp_path):
    with open(_good_generator(tmp_path), "rb") as f:
        data = f.read()
    return data[: len(data) // 2]


def _zip_with(members):
    def make(tmp_path, marker):
        path = str(tmp_path / "g.keras")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in members.items():
                z.writestr(name, data)
        return path
    return make


HOSTILE = {
    "a Lambda layer (Python code)": (_lambda_generator, "Lambda"),
    "a custom class from an importable module": (
        _edited(_last_layer_is("EvilLayer", "evil_module", "Evil>EvilLayer")), "EvilLayer"),
    "os.system as a layer class": (_edited(_last_layer_is("system", "os")), "os.system"),
    "a lambda as an activation": (_edited(_lambda_activation), "__lambda__"),
    "a config nested 100,000 deep": (_edited(_deep_json), "g.keras"),
    "a config that is a list": (_zip_with({"config.json": "[1, 2]", "metadata.json": "{}"}),
                                "config.json"),
    "a config that is not JSON": (_zip_with({"config.json": "{nope", "metadata.json": "{}"}),
                                  "config.json"),
    "a config.json of 64 MB (zip bomb)": (
        _zip_with({"config.json": " " * 64_000_000, "metadata.json": "{}"}), "config.json"),
    "a zip without config.json": (_zip_with({"readme.txt": "hello"}), "config.json"),
    "a text file": (_written(b"hello, not a model\n"), "not a zip"),
    "an empty file": (_written(b""), "not a zip"),
    "a truncated archive": (_written(_truncated_zip), "not a zip"),
}


@pytest.mark.parametrize("what", list(HOSTILE))
def test_a_hostile_or_broken_model_file_is_one_line_and_runs_nothing(what, tmp_path, capsys,
                                                                     monkeypatch):
    marker = tmp_path / "ran"
    # An importable module that would leave the marker if a model file got it imported.
    (tmp_path / "evil_module.py").write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).touch()\nEvilLayer = object\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    make, expected = HOSTILE[what]
    path = make(tmp_path, marker)
    before = set(os.listdir(tmp_path))
    for out in ("s.npz", "pngs"):
        status, _, err = _cli(["sample", path, "--out", str(tmp_path / out)], capsys)
        _assert_one_line(status, err, "g.keras", expected)
    assert not marker.exists()
    assert set(os.listdir(tmp_path)) == before


def test_a_folder_named_like_a_model_file_is_one_line(tmp_path, capsys):
    os.makedirs(tmp_path / "g.keras")
    status, _, err = _cli(["sample", str(tmp_path / "g.keras"), "--out",
                           str(tmp_path / "s.npz")], capsys)
    _assert_one_line(status, err, "g.keras")
    assert os.listdir(tmp_path) == ["g.keras"]


# -- model files that would unpack to gigabytes (zip bombs) -----------------------------------
def _declaring(sizes, extra=None):
    """A good generator whose members declare `sizes` (member -> bytes), after adding the
    members in `extra` (member -> bytes): a real archive of a few kB on disk."""
    def make(tmp_path):
        path = _good_generator(tmp_path)
        with zipfile.ZipFile(path, "a") as z:
            for name, data in (extra or {}).items():
                z.writestr(name, data)
        for name, size in sizes.items():
            declare_member_size(path, name, size)
        assert os.path.getsize(path) < 1_000_000
        return path
    return make


def _edit_central_entry(member, flags=0, name=None):
    """A good generator whose central directory entry for `member` gains the flag bits
    `flags`, and `name` (same length) in place of its name."""
    import struct

    def make(tmp_path):
        path = _good_generator(tmp_path)
        with zipfile.ZipFile(path) as z:
            central = z.start_dir
        with open(path, "rb") as f:
            data = bytearray(f.read())
        while data[central + 46:central + 46 + len(member)] != member.encode():
            central += 46 + sum(struct.unpack_from("<HHH", data, central + 28))
        old_flags = struct.unpack_from("<H", data, central + 8)[0]
        struct.pack_into("<H", data, central + 8, old_flags | flags)
        if name is not None:
            data[central + 46:central + 46 + len(name)] = name
        with open(path, "wb") as f:
            f.write(bytes(data))
        return path
    return make


UNPACKED = 2**30  # model_file.MAX_UNPACKED_BYTES, spelt out: the messages name it so
BOMBS = {
    "a weights member declaring 3.75 GiB": (
        _declaring({"model.weights.h5": 0xF000_0000}),
        ("'model.weights.h5'", "4,026,531,840 bytes", "over the 1 GiB")),
    "a weights member declaring one byte over the limit": (
        _declaring({"model.weights.h5": UNPACKED + 1}),
        ("'model.weights.h5'", "1,073,741,825 bytes", "over the 1 GiB")),
    "members under the limit that together are over it": (
        _declaring({"model.weights.h5": 600 << 20, "assets/notes.bin": 700 << 20},
                   {"assets/notes.bin": b"\0" * 1000}),
        ("4 members", "bytes in all", "'assets/notes.bin', 734,003,200", "over the 1 GiB")),
    "a config.json holding more than it declares": (
        _declaring({"config.json": 100}), ("config.json", "CRC")),
    "a member name flagged UTF-8 that is not": (
        _edit_central_entry("metadata.json", flags=0x800, name=b"\xff\xfe"), ("utf-8",)),
    "an encrypted config.json": (
        _edit_central_entry("config.json", flags=0x1), ("config.json", "encrypted")),
}


@pytest.mark.parametrize("what", list(BOMBS))
def test_a_model_file_that_unpacks_to_too_much_is_refused_before_keras_reads_it(
        what, tmp_path, capsys, monkeypatch):
    import keras

    make, expected = BOMBS[what]
    path = make(tmp_path)
    loaded = []
    monkeypatch.setattr(keras.saving, "load_model", lambda *a, **k: loaded.append(a))
    before = set(os.listdir(tmp_path))
    for out in ("s.npz", "pngs"):
        status, _, err = _cli(["sample", path, "--out", str(tmp_path / out)], capsys)
        _assert_one_line(status, err, "g.keras", *expected)
    assert loaded == []
    assert set(os.listdir(tmp_path)) == before


def test_a_weights_member_holding_more_than_it_declares_is_one_line(tmp_path, capsys):
    # Within the limit, so Keras reads it; zipfile stops at the declared size and the CRC fails.
    path = _declaring({"model.weights.h5": 1000})(tmp_path)
    status, _, err = _cli(["sample", path, "--out", str(tmp_path / "s.npz")], capsys)
    _assert_one_line(status, err, "g.keras")
    assert os.listdir(tmp_path) == ["g.keras"]


def test_a_cached_feature_network_that_is_a_zip_bomb_is_trained_again(tmp_path, monkeypatch):
    import keras

    from gan_studio.ml.quality.features import load_cached

    path = _declaring({"model.weights.h5": 0xF000_0000})(tmp_path)
    loaded = []
    monkeypatch.setattr(keras.saving, "load_model", lambda *a, **k: loaded.append(a))
    assert load_cached(path, (8, 8, 1), 0) is None
    assert loaded == []


# -- output that fails half-way ---------------------------------------------------------------
@pytest.mark.parametrize("existing", [False, True])
def test_a_png_folder_that_fails_half_way_leaves_nothing(existing, tmp_path, capsys,
                                                         monkeypatch):
    import errno

    import gan_studio.core.images as images

    path = _good_generator(tmp_path)
    out = tmp_path / "pngs"
    if existing:  # the user's own folder: what was there stays, nothing is added
        out.mkdir()
        (out / "mine.txt").write_text("keep me")
    real, calls = images.save_png, []

    def fail_on_third(file, image, *args, **kwargs):
        calls.append(file)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(file))
        real(file, image, *args, **kwargs)

    monkeypatch.setattr(images, "save_png", fail_on_third)
    status, _, err = _cli(["sample", path, "--count", "5", "--out", str(out)], capsys)
    _assert_one_line(status, err, "No space left on device")
    assert len(calls) == 3
    assert sorted(os.listdir(tmp_path)) == (["g.keras", "pngs"] if existing else ["g.keras"])
    if existing:
        assert os.listdir(out) == ["mine.txt"]


def test_a_png_folder_gets_the_mode_of_a_plain_folder(tmp_path, capsys):
    path = _good_generator(tmp_path)
    plain = tmp_path / "plain"
    plain.mkdir()
    assert main(["sample", path, "--count", "2", "--out", str(tmp_path / "pngs")]) == 0
    assert sorted(os.listdir(tmp_path / "pngs")) == ["sample-0.png", "sample-1.png"]
    assert (tmp_path / "pngs").stat().st_mode == plain.stat().st_mode
    assert sorted(os.listdir(tmp_path)) == ["g.keras", "plain", "pngs"]
