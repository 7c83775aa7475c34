"""Fixtures for the engine tests: tiny data sets in the real on-disk formats."""

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def write_tiny_mnist(folder, count=48, seed=0):
    """Writes `folder/mnist.npz` in Keras' layout with `count` training digits."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 10, count, dtype=np.uint8)
    os.makedirs(folder, exist_ok=True)
    np.savez(os.path.join(folder, "mnist.npz"), x_train=x, y_train=y, x_test=x[:8], y_test=y[:8])
    return x


@pytest.fixture
def tiny_mnist_dir(tmp_path):
    """A data folder holding a 48-image mnist.npz."""
    folder = tmp_path / "data"
    write_tiny_mnist(str(folder))
    return str(folder)


@pytest.fixture
def tiny_config(tiny_mnist_dir, tmp_path):
    """A config that trains on the tiny MNIST with batches of 8 (6 steps per epoch)."""
    from gan_studio.core.config import TrainConfig

    return TrainConfig(dataset="mnist", data_dir=tiny_mnist_dir, runs_dir=str(tmp_path / "runs"),
                       batch_size=8, epochs=1, grid_size=2, sample_every_steps=2)
