"""Device selection: the GPU when TensorFlow sees one (memory growth on), else the CPU."""

from __future__ import annotations

import os
import threading

_lock = threading.Lock()
_configured: str | None = None


def import_tensorflow():
    """Imports TensorFlow quietly and returns the module.

    TensorFlow's C++ start-up chatter (CUDA probes on machines without a GPU) goes to stderr
    before Python logging exists; the level is raised only if the user has not chosen one.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    return tf


def configure_device() -> str:
    """Sets up TensorFlow's devices once per process and describes the one training will use.

    GPUs get memory growth, so that the trainer and the latent explorer can share a card instead
    of the first one taking all of its memory. Memory growth must be set before any GPU is
    initialised; if that has already happened, the setting is left as it is.

    Returns:
        "GPU: <name>" (with a count when there are several) or "CPU".
    """
    global _configured
    with _lock:
        if _configured is not None:
            return _configured
        tf = import_tensorflow()
        gpus = tf.config.list_physical_devices("GPU")
        for gpu in gpus:
            try:
                tf.config.experimental.set_memory_growth(gpu, True)
            except RuntimeError:
                pass  # GPUs already initialised: memory growth can no longer change.
        if gpus:
            details = tf.config.experimental.get_device_details(gpus[0])
            name = details.get("device_name", gpus[0].name)
            _configured = f"GPU: {name}" + (f" (x{len(gpus)})" if len(gpus) > 1 else "")
        else:
            _configured = "CPU"
        return _configured


def describe_device() -> str:
    """Returns the device description, configuring TensorFlow's devices on first use."""
    return configure_device()


def versions() -> dict[str, str]:
    """Returns the versions of TensorFlow and Keras (imports TensorFlow)."""
    tf = import_tensorflow()
    import keras

    return {"tensorflow": tf.__version__, "keras": keras.__version__}
