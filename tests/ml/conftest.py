"""Fixtures for the engine tests (tiny_mnist_dir comes from tests/conftest.py)."""

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture
def tiny_config(tiny_mnist_dir, tmp_path):
    """A config that trains on the tiny MNIST with batches of 8 (6 steps per epoch)."""
    from gan_studio.core.config import TrainConfig

    return TrainConfig(dataset="mnist", data_dir=tiny_mnist_dir, runs_dir=str(tmp_path / "runs"),
                       batch_size=8, epochs=1, grid_size=2, sample_every_steps=2)
