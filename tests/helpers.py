"""Small builders shared by the tests: tiny data sets in real formats, a tiny generator,
training callbacks that record."""

from __future__ import annotations

import os

import numpy as np

from gan_studio.core.numpy_generator.generator import NumpyGenerator
from gan_studio.core.training.callbacks import TrainingCallbacks


def write_tiny_mnist(folder, count=48, seed=0):
    """Writes `folder/mnist.npz` in Keras' layout (x_train (N, 28, 28) uint8...); returns folder."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 10, count, dtype=np.uint8)
    os.makedirs(folder, exist_ok=True)
    np.savez(os.path.join(folder, "mnist.npz"), x_train=x, y_train=y, x_test=x[:8], y_test=y[:8])
    return str(folder)


def tiny_generator(latent=8, channels=1, seed=0):
    """Dense -> (2, 2, 8) -> ConvT 4 s2 -> LReLU -> ConvT C s2 tanh: latents to 8x8xC images."""
    rng = np.random.default_rng(seed)
    arrays = {"w": rng.standard_normal((latent, 32)), "k1": rng.standard_normal((3, 3, 4, 8)),
              "k2": rng.standard_normal((3, 3, channels, 4))}
    ops = [{"op": "dense", "kernel": "w", "bias": None},
           {"op": "leaky_relu", "alpha": 0.2},
           {"op": "reshape", "shape": [2, 2, 8]},
           {"op": "conv_transpose", "kernel": "k1", "bias": None, "strides": [2, 2]},
           {"op": "leaky_relu", "alpha": 0.2},
           {"op": "conv_transpose", "kernel": "k2", "bias": None, "strides": [2, 2],
            "activation": "tanh"}]
    return NumpyGenerator(ops, arrays)


def tiny_conditional_generator(latent=8, classes=3, embedding=4, channels=1, seed=0):
    """`tiny_generator` conditioned on `classes` classes (an embedding of `embedding` wide)."""
    rng = np.random.default_rng(seed)
    plain = tiny_generator(latent + embedding, channels, seed)
    ops, arrays = plain.ops, plain.to_arrays()
    arrays["table"] = rng.standard_normal((classes, embedding)) * 2
    ops[0]["class_embedding"] = "table"
    return NumpyGenerator(ops, arrays)


def conditional_keras_generator(latent=6, classes=4, embedding=3, channels=1, seed=0):
    """A tiny Keras conditional generator shaped like `ml.networks.models`' (the same layer names):
    z and class in, Embedding "class_embedding", Concatenate "z_class" (z first), Dense
    "project", BatchNorm, LeakyReLU, Reshape (2, 2, 8), Conv2DTranspose 3 s2 tanh: 4x4xC."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(seed)
    z = keras.Input(shape=(latent,), name="z")
    label = keras.Input(shape=(), dtype="int32", name="class")
    e = layers.Embedding(classes, embedding, name="class_embedding")(label)
    x = layers.Concatenate(name="z_class")([z, e])
    x = layers.Dense(2 * 2 * 8, use_bias=False, name="project")(x)
    x = layers.BatchNormalization(name="project_bn")(x)
    x = layers.LeakyReLU(negative_slope=0.3, name="project_lrelu")(x)
    x = layers.Reshape((2, 2, 8), name="reshape")(x)
    x = layers.Conv2DTranspose(channels, 3, strides=2, padding="same", activation="tanh",
                               name="to_image")(x)
    model = keras.Model([z, label], x, name="generator")
    table = model.get_layer("class_embedding").embeddings
    table.assign(np.random.default_rng(seed).normal(0, 1, table.shape).astype("float32"))
    return model


class Recorder(TrainingCallbacks):
    """Training callbacks that keep the progress reports, grids and events they receive.

    Args:
        report: also called with each progress report (e.g. to stop or pause the run).
        on_generator: receives the generator snapshots; given, snapshots are asked for.
    """

    def __init__(self, report=None, on_generator=None):
        self.reports, self.grids, self.events = [], [], []
        self._report, self._on_generator = report, on_generator
        self.wants_generator = on_generator is not None

    def on_progress(self, progress):
        self.reports.append(progress)
        if self._report:
            self._report(progress)

    def on_grid(self, grid):
        self.grids.append(grid)

    def on_event(self, event):
        self.events.append(event)

    def on_generator(self, generator):
        self._on_generator(generator)

    def events_of(self, kind):
        """The events received of one kind, in order."""
        return [event for event in self.events if event.kind == kind]


def refuse_grids(monkeypatch):
    """Makes the run's sample-grid PNGs fail as on a full disk while `full[0]` is True;
    returns `full`."""
    import errno

    from gan_studio.ml.training import outputs

    full, real_save_png = [False], outputs.save_png

    def save_png(path, image):
        if full[0]:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_save_png(path, image)

    monkeypatch.setattr(outputs, "save_png", save_png)
    return full


def declare_member_size(path, member: str, file_size: int) -> None:
    """Rewrites the uncompressed size a zip declares for `member`, in its local header and its
    central directory entry, and leaves its data as it is: the headers of a zip bomb (or of a
    member that holds more than it says) without its gigabytes on disk.

    Args:
        path: the zip file, rewritten in place.
        member: the member's name.
        file_size: the size to declare, below 4 GiB (no zip64 fields are written).
    """
    import struct
    import zipfile

    with open(path, "rb") as f:
        data = bytearray(f.read())
    with zipfile.ZipFile(path) as archive:
        local, central = archive.getinfo(member).header_offset, archive.start_dir
    name = member.encode()
    assert data[local:local + 4] == b"PK\x03\x04" and data[local + 30:][:len(name)] == name
    struct.pack_into("<I", data, local + 22, file_size)
    while data[central:central + 4] == b"PK\x01\x02":  # the entries of the central directory
        name_size, extra_size, comment_size = struct.unpack_from("<HHH", data, central + 28)
        if data[central + 46:central + 46 + name_size] == name:
            struct.pack_into("<I", data, central + 24, file_size)
            break
        central += 46 + name_size + extra_size + comment_size
    else:
        raise AssertionError(f"{member} is not in the central directory of {path}")
    with open(path, "wb") as f:
        f.write(bytes(data))
