"""Copies a Keras generator into a `NumpyGenerator` for TensorFlow-free latent exploration."""

from __future__ import annotations

import numpy as np

from gan_studio.core.numpy_generator.generator import NumpyGenerator
from gan_studio.ml.networks.conditional import Conditioning, ConditioningError, find_conditioning

_ACTIVATIONS = {"linear", "relu", "tanh", "sigmoid"}


class UnsupportedModelError(ValueError):
    """Raised when a model holds a layer or a topology the numpy generator cannot run.

    The explorer then renders through TensorFlow instead.
    """


def numpy_generator_from_keras(model) -> NumpyGenerator:
    """Converts a Keras generator (a chain of layers from one latent input) to numpy.

    A class-conditional generator (inputs z and class, `Embedding` on the class,
    `Concatenate()([z, embedding])` into the chain's first Dense; see `ml.networks.conditional`) is
    converted too: its class embedding goes with the first dense op, and the numpy copy
    takes `classes` (indices or blend weights).

    Supported layers: `InputLayer`, `Dense`, `BatchNormalization` (last axis), `LeakyReLU`,
    `ReLU` (without a ceiling or threshold), `Reshape`, `Conv2DTranspose` (channels last,
    `same`/`valid` padding, no dilation or output padding; bias and activation allowed) and
    `Activation` (tanh, sigmoid, relu, linear). Dense and transposed convolutions may use the
    activations tanh, sigmoid, relu and linear. Only inference behaviour is copied (BatchNorm's
    moving statistics). The weights are copied, so training may go on at once.

    Args:
        model: a `keras.Model`, e.g. from `gan_studio.ml.networks.models.build_generator` or loaded
            from a `.keras` file.

    Returns:
        A `NumpyGenerator` that computes `model(z, training=False)`.

    Raises:
        UnsupportedModelError: for any other layer, or a model that is not a single chain
            (after the class conditioning, for a conditional one).
    """
    try:
        conditioning = find_conditioning(model)
    except ConditioningError as err:
        raise UnsupportedModelError(str(err)) from None
    _check_chain(model, conditioning)
    ops: list[dict] = []
    arrays: dict[str, np.ndarray] = {}
    for layer in model.layers:
        if conditioning is not None and layer in conditioning.layers:
            continue
        op = _convert(layer, f"{len(ops)}.{layer.name}", arrays)
        if op is not None:
            ops.append(op)
    if not ops or ops[0]["op"] != "dense":
        raise UnsupportedModelError("the generator must start with a Dense layer on z")
    if conditioning is not None:
        key = f"0.{conditioning.embedding.name}.table"
        arrays[key] = np.array(conditioning.embedding.embeddings.numpy(), np.float32)
        ops[0]["class_embedding"] = key
    try:
        return NumpyGenerator(ops, arrays)
    except ValueError as err:
        raise UnsupportedModelError(f"cannot run {model.name!r} in numpy: {err}") from None


def _check_chain(model, conditioning: Conditioning | None) -> None:
    """Checks that the layers form one chain (from the joined z and class, if conditional)."""
    if len(model.outputs) != 1:
        raise UnsupportedModelError("the generator must have one output")
    if conditioning is None and len(model.inputs[0].shape) != 2:
        raise UnsupportedModelError(f"the input must be a batch of vectors, not "
                                    f"{model.inputs[0].shape}")
    previous = model.inputs[0] if conditioning is None else conditioning.concat.output
    skipped = () if conditioning is None else conditioning.layers
    import keras

    for layer in model.layers:
        if type(layer) is keras.layers.InputLayer or layer in skipped:
            continue
        nodes = getattr(layer, "_inbound_nodes", [])
        if len(nodes) != 1:
            raise UnsupportedModelError(f"layer {layer.name!r} is used {len(nodes)} times")
        if layer.input is not previous:
            raise UnsupportedModelError(f"layer {layer.name!r} does not take the previous "
                                        "layer's output: only plain chains are supported")
        previous = layer.output
    if previous is not model.outputs[0]:
        raise UnsupportedModelError("the model's output is not its last layer's")


def _activation_name(layer) -> str:
    function = getattr(layer, "activation", None)
    name = getattr(function, "__name__", str(function))
    if name not in _ACTIVATIONS:
        raise UnsupportedModelError(f"layer {layer.name!r}: activation {name!r} is not supported")
    return name


def _convert(layer, key: str, arrays: dict[str, np.ndarray]) -> dict | None:
    """Returns the op for one layer (None for a no-op), storing its weights under `key.*`.

    Layer types are matched exactly: a subclass may compute something else.
    """
    from keras import layers as kl

    def store(suffix, variable):
        arrays[f"{key}.{suffix}"] = np.array(variable.numpy(), np.float32)  # a copy
        return f"{key}.{suffix}"

    name, kind = layer.name, type(layer)
    if kind is kl.InputLayer:
        return None
    if kind is kl.Dense:
        return {"op": "dense", "name": name, "kernel": store("kernel", layer.kernel),
                "bias": store("bias", layer.bias) if layer.use_bias else None,
                "activation": _activation_name(layer)}
    if kind is kl.Conv2DTranspose:
        _check_conv_transpose(layer)
        return {"op": "conv_transpose", "name": name, "kernel": store("kernel", layer.kernel),
                "bias": store("bias", layer.bias) if layer.use_bias else None,
                "strides": [int(s) for s in layer.strides], "padding": layer.padding,
                "activation": _activation_name(layer)}
    if issubclass(kind, kl.BatchNormalization):  # also the trained generator's fused one
        axis = layer.axis if isinstance(layer.axis, int) else None
        if axis not in (-1, len(layer.input.shape) - 1):
            raise UnsupportedModelError(f"layer {name!r}: BatchNormalization over axis "
                                        f"{layer.axis} (only the last axis is supported)")
        return {"op": "batchnorm", "name": name,
                "gamma": store("gamma", layer.gamma) if layer.scale else None,
                "beta": store("beta", layer.beta) if layer.center else None,
                "mean": store("mean", layer.moving_mean),
                "variance": store("variance", layer.moving_variance),
                "epsilon": float(layer.epsilon)}
    if kind is kl.LeakyReLU:
        return {"op": "leaky_relu", "name": name, "alpha": float(layer.negative_slope)}
    if kind is kl.ReLU:
        if layer.max_value is not None or float(layer.threshold) != 0.0:
            raise UnsupportedModelError(f"layer {name!r}: ReLU with a ceiling or threshold")
        slope = float(layer.negative_slope)
        return {"op": "leaky_relu", "name": name, "alpha": slope} if slope else \
            {"op": "relu", "name": name}
    if kind is kl.Activation:
        activation = _activation_name(layer)
        return None if activation == "linear" else {"op": activation, "name": name}
    if kind is kl.Reshape:
        return {"op": "reshape", "name": name, "shape": [int(s) for s in layer.output.shape[1:]]}
    raise UnsupportedModelError(f"layer {name!r} ({type(layer).__name__}) is not supported by "
                                "the numpy generator")


def _check_conv_transpose(layer) -> None:
    problems = []
    if layer.data_format != "channels_last":
        problems.append(f"data_format {layer.data_format}")
    if tuple(layer.dilation_rate) != (1, 1):
        problems.append(f"dilation {layer.dilation_rate}")
    if layer.output_padding is not None:
        problems.append(f"output_padding {layer.output_padding}")
    if layer.padding not in ("same", "valid"):
        problems.append(f"padding {layer.padding}")
    if problems:
        raise UnsupportedModelError(f"layer {layer.name!r}: unsupported " + ", ".join(problems))
