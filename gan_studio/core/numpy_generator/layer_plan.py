"""How `NumpyGenerator` turns its op list into layers: checks, batch-norm folding, names."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from gan_studio.core.numpy_generator.conditional import ClassDense
from gan_studio.core.numpy_generator.layers import (
    ACTIVATIONS,
    Activation,
    Affine,
    ConvTranspose,
    Dense,
    Reshape,
    batchnorm_affine,
)

_ACTIVATION_OPS = ("leaky_relu", "relu", "tanh", "sigmoid")


def array_keys(ops: list[dict], arrays: Mapping) -> list[str]:
    """The names of the arrays the ops use; raises ValueError for a malformed op list or a
    name missing from `arrays`."""
    if not isinstance(ops, list) or not ops or not all(isinstance(op, dict) for op in ops):
        raise ValueError("the op list must be a non-empty list of objects")
    keys = []
    for op in ops:
        for field in ("kernel", "bias", "gamma", "beta", "mean", "variance", "class_embedding"):
            key = op.get(field)
            if key is None:
                continue
            if not isinstance(key, str) or key not in arrays:
                raise ValueError(f"op {op.get('op')!r} names a missing array {key!r}")
            keys.append(key)
    return keys


def _activation(op: dict) -> str:
    kind = op.get("activation", "linear")
    if kind not in ACTIVATIONS or kind == "leaky_relu":
        raise ValueError(f"unsupported activation {kind!r} in op {op.get('op')!r}")
    return kind


def plan(ops: list[dict], arrays: dict[str, np.ndarray]) -> tuple[list, int, list[str]]:
    """Turns the op list into layers; returns them, how many make up the first block, and
    each one's name (a batch norm folded into a layer joins its name)."""
    if ops[0].get("op") != "dense":
        raise ValueError("the first op must be 'dense'")
    steps: list = []
    names: list[str] = []
    feature_steps = None
    for op in ops:
        kind = op.get("op")
        if kind in ("reshape", "conv_transpose") and feature_steps is None:
            feature_steps = len(steps)
        try:
            layer = _layer(op, kind, arrays, steps)
        except (KeyError, TypeError, ValueError, IndexError) as err:
            raise ValueError(f"bad op {op!r}: {err}") from None
        name = str(op.get("name") or kind)
        if layer is not None:
            steps.append(layer)
            names.append(name)
        else:
            names[-1] += f" + {name}"
    return steps, len(steps) if feature_steps is None else feature_steps, names


def _layer(op: dict, kind: str, arrays: dict, steps: list):
    """Makes the layer for one op, or folds it into the previous one and returns None."""
    def get(field):
        return None if op.get(field) is None else arrays[op[field]]

    if kind == "dense" and op.get("class_embedding") is not None:
        if steps:
            raise ValueError("only the first dense op may take the class embedding")
        return ClassDense(get("kernel"), get("class_embedding"), get("bias"), _activation(op))
    if kind == "dense":
        return Dense(get("kernel"), get("bias"), _activation(op))
    if kind == "conv_transpose":
        kernel = get("kernel")
        if kernel.ndim != 4:
            raise ValueError("the kernel must be (kh, kw, out, in)")
        strides = [int(s) for s in op.get("strides", (1, 1))]
        return ConvTranspose(kernel, get("bias"), (strides[0], strides[1]),
                             op.get("padding", "same"), _activation(op))
    if kind == "batchnorm":
        scale, shift = batchnorm_affine(get("gamma"), get("beta"), get("mean"), get("variance"),
                                        float(op["epsilon"]))
        previous = steps[-1] if steps else None
        if isinstance(previous, (Dense, ConvTranspose)) and previous.activation == "linear":
            previous.fold_affine(scale, shift)
            return None
        return Affine(scale, shift)
    if kind in _ACTIVATION_OPS:
        return Activation(kind, float(op.get("alpha", 0.0)))
    if kind == "reshape":
        return Reshape(op["shape"])
    raise ValueError(f"unknown op {kind!r}")
