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
