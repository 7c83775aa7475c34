"""Device selection: the GPU when TensorFlow sees one (memory growth on), else the CPU."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading

from gan_studio.core.machine import cpu_flags, has_native_bfloat16

_lock = threading.Lock()
_configured: str | None = None
_gpus = 0  # GPUs TensorFlow sees, counted by configure_device
# Held while TensorFlow is first imported. "tensorflow" enters sys.modules when its import
# *starts*: a second thread that took that as done got a half-initialised module ("module
# 'tensorflow' has no attribute 'errors'"), seen when a run was opened while the window's
# loader thread was still importing it.
_import_lock = threading.Lock()
_tensorflow = None


# Start-up notices TensorFlow's C++ side prints on every import, before its log level applies
# (CUDA probes on machines without a GPU, oneDNN's note): informative for nobody here.
_IMPORT_NOISE = ("All log messages before absl::InitializeLog", "oneDNN custom operations",
                 "Could not find cuda drivers", "failed call to cuInit", "TF-TRT Warning",
                 "Unable to register cu", "computation placer already registered",
                 "This TensorFlow binary is optimized", "rebuild TensorFlow with")
_COMPILE_NOISE = ("remapper failed: INVALID_ARGUMENT: Mutation::Apply error",)


def import_tensorflow():
    """Imports TensorFlow (once) without its start-up chatter and returns the module.

    The chatter is written by C++ straight to file descriptor 2, so it is caught there during the
    first import; anything else printed then (real errors) is passed on to stderr.
    Set `GAN_STUDIO_TF_VERBOSE=1` to see everything.
    """
    global _tensorflow
    if _tensorflow is not None:
        return _tensorflow
    with _import_lock:
        if _tensorflow is None:
            _tensorflow = _import()
    return _tensorflow


def _import():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # a user's own level is kept
    if os.environ.get("GAN_STUDIO_TF_VERBOSE"):
        import tensorflow as tf

        return tf
    with _filtered_stderr():
        import keras  # noqa: F401  (its backend import prints the same notices)
        import tensorflow as tf

        # The first look for a GPU calls cuInit, which logs "failed call to cuInit" at ERROR
        # level on a machine without one (TF_CPP_MIN_LOG_LEVEL=2 lets errors through), and
        # the notices C++ writes before absl::InitializeLog() ignore the level altogether
        # (TF 2.21). Looking here, while fd 2 is filtered, leaves nothing for a later first
        # look: `gan-studio sample` and `evaluate` ran ops before anything listed the GPUs.
        # Listing physical devices does not initialise them: memory growth can still be set.
        tf.config.list_physical_devices("GPU")
    return tf


@contextlib.contextmanager
def compile_notices_filtered():
    """Runs its body with TensorFlow's harmless notices of compiling a graph held back.

    Grappler's remapper logs "remapper failed: INVALID_ARGUMENT: Mutation::Apply error" at
    ERROR level on the first run of a train step whose D uses LeakyReLU (TF 2.21): it only
    means that one fusion was skipped, but a user reads an error. Anything else written to
    stderr meanwhile is passed on. Wrap a `tf.function`'s first call (the one that traces).
    """
    if os.environ.get("GAN_STUDIO_TF_VERBOSE"):
        yield
        return
    with _filtered_stderr(_COMPILE_NOISE):
        yield


@contextlib.contextmanager
def _filtered_stderr(noise: tuple = _IMPORT_NOISE):
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable fd 2 (some frozen GUI apps on Windows)
        yield
        return
    with tempfile.TemporaryFile(mode="w+b") as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            kept = [line for line in capture.read().decode("utf-8", "replace").splitlines()
                    if line.strip() and not any(n in line for n in noise)]
            if kept:
                print("\n".join(kept), file=sys.stderr)


def configure_device() -> str:
    """Sets up TensorFlow's devices once per process and describes the one training will use.

    GPUs get memory growth, so that the trainer and the latent explorer can share a card instead
    of the first one taking all of its memory. Memory growth must be set before any GPU is
    initialised; if that has already happened, the setting is left as it is.

    Returns:
        "GPU: <name>" (with a count when there are several) or "CPU".
    """
    global _configured, _gpus
    with _lock:
        if _configured is not None:
            return _configured
        tf = import_tensorflow()
        with _filtered_stderr():  # the CUDA probe complains on machines without a GPU
            gpus = tf.config.list_physical_devices("GPU")
        for gpu in gpus:
            try:
                tf.config.experimental.set_memory_growth(gpu, True)
            except RuntimeError:
                pass  # GPUs already initialised: memory growth can no longer change.
        _gpus = len(gpus)
        if gpus:
            details = tf.config.experimental.get_device_details(gpus[0])
            name = details.get("device_name", gpus[0].name)
            _configured = f"GPU: {name}" + (f" (x{len(gpus)})" if len(gpus) > 1 else "")
        else:
            _configured = "CPU"
        return _configured


def gpu_count() -> int:
    """How many GPUs TensorFlow sees (configuring its devices on first use)."""
    configure_device()
    return _gpus


def describe_device() -> str:
    """Returns the device description, configuring TensorFlow's devices on first use."""
    return configure_device()


def versions() -> dict[str, str]:
    """Returns the versions of TensorFlow and Keras (imports TensorFlow)."""
    tf = import_tensorflow()
    import keras

    return {"tensorflow": tf.__version__, "keras": keras.__version__}


def choose_precision(requested: str = "auto") -> str:
    """Resolves a precision setting to `float32` or `mixed_bfloat16`.

    `auto` picks bfloat16 only where it is native: GPUs of compute capability 8.0 and up, and
    CPUs with AVX512-BF16 or AMX (oneDNN runs bfloat16 convolutions there faster than float32:
    RESULTS.md section 1). bfloat16 keeps float32's range, so unlike
    float16 it needs no loss scaling; weights and losses stay float32.
    """
    if requested != "auto":
        return requested
    tf = import_tensorflow()
    with _filtered_stderr():
        gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        capability = tf.config.experimental.get_device_details(gpus[0]).get("compute_capability")
        return "mixed_bfloat16" if capability and capability >= (8, 0) else "float32"
    return "mixed_bfloat16" if has_native_bfloat16(cpu_flags()) else "float32"
