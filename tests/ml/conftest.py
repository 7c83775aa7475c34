"""The engine tests (tiny_mnist_dir and tiny_config come from tests/conftest.py)."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
