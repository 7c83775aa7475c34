"""How a class-conditional generator takes its class, found in a Keras model's graph.

`gan_studio.ml.networks.models` builds it as two inputs, `z` (N, latent_dim) and `class` (N,) int32;
an `Embedding` of the class; `Concatenate()([z, embedding])`, z first; then the usual chain
from a Dense. The numpy copy (`numpy_export`) and the TensorFlow fallback renderer both need
those pieces; this is the one place that recognises them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class ConditioningError(ValueError):
    """Raised for a model with several inputs that is not such a conditional generator."""


@dataclass(frozen=True)
class Conditioning:
    """The class conditioning of a generator.

    Attributes:
        z: the latent input tensor (N, latent_dim).
        label: the class input tensor (N,), integer.
        embedding: the `Embedding` layer on the class, table (num_classes, E).
        concat: the `Concatenate` layer joining z and the embedding; the trunk starts there.
    """

    z: Any
    label: Any
    embedding: Any
    concat: Any

    @property
    def num_classes(self) -> int:
        """K, the embedding's rows."""
        return int(self.embedding.input_dim)

    @property
    def layers(self) -> tuple:
        """The layers that take the class in (not part of the trunk's chain)."""
        return (self.embedding, self.concat)


def find_conditioning(model) -> Conditioning | None:
    """Finds how `model` takes its class.

    Returns:
        None for a model with one input; the `Conditioning` for a conditional generator.

    Raises:
        ConditioningError: for any other model with several inputs.
    """
    if len(model.inputs) == 1:
        return None
    from keras import layers as kl

    if len(model.inputs) != 2:
        raise ConditioningError("the generator must take z, or z and a class")
    vectors = [t for t in model.inputs if len(t.shape) == 2]
    labels = [t for t in model.inputs if len(t.shape) == 1 and "int" in str(t.dtype)]
    if len(vectors) != 1 or len(labels) != 1:
        raise ConditioningError("a conditional generator takes z (batch, latent) and an "
                                "integer class (batch,)")
    embeddings = [layer for layer in model.layers if type(layer) is kl.Embedding]
    concats = [layer for layer in model.layers if type(layer) is kl.Concatenate]
    if len(embeddings) != 1 or len(concats) != 1:
        raise ConditioningError("a conditional generator embeds its class once (one Embedding)"
                                " and joins it to z once (one Concatenate)")
    (embedding,), (concat,) = embeddings, concats
    for layer in (embedding, concat):
        if len(getattr(layer, "_inbound_nodes", [])) != 1:
            raise ConditioningError(f"layer {layer.name!r} is used more than once")
    joined = concat.input if isinstance(concat.input, (list, tuple)) else [concat.input]
    if embedding.input is not labels[0] or len(joined) != 2 or joined[0] is not vectors[0] \
            or joined[1] is not embedding.output or concat.axis not in (-1, 1):
        raise ConditioningError("a conditional generator must concatenate z and the class "
                                "embedding, in that order, on the last axis")
    return Conditioning(vectors[0], labels[0], embedding, concat)


def trunk_model(model, conditioning: Conditioning):
    """The generator from its joined input on: concat(z, embedding) (N, latent + E) to images.

    It shares `model`'s layers (and so its weights); a blend of class embeddings goes in here.
    """
    import keras

    return keras.Model(conditioning.concat.output, model.outputs[0])


def blend_function(model, conditioning: Conditioning):
    """`(z, weights) -> images` for class weights (N, K) that blend the class embeddings.

    The blend's embedding, `weights @ table`, joins z where the class's would, and the trunk
    (`trunk_model`) runs from there: one-hot rows give exactly the classes' images.
    """
    from keras import ops

    trunk = trunk_model(model, conditioning)
    table = conditioning.embedding.embeddings

    def render(z, weights):
        embedded = ops.matmul(weights, ops.cast(table, "float32"))
        return trunk(ops.concatenate([z, embedded], axis=-1), training=False)

    return render
