"""The discriminator's dropout: Keras' `Dropout` with a mask that costs half the random bits."""

from __future__ import annotations

import functools

from gan_studio.ml.runtime.device import import_tensorflow

# Dropout decides with 16-bit random numbers: two from each 32-bit word of Philox. A rate is
# then met to within 2^-17 (0.3 drops 19,661 of 65,536 values: 0.300003).
_LEVELS = 1 << 16


def discriminator_dropout(rate: float, seed: int | None, dtype, name: str):
    """A dropout layer for the discriminator: same rate, scaling and seed state as Keras'.

    Keras' `Dropout` draws a float32 uniform number per unit (`stateless_dropout`); on a CPU
    that and its masking were a visible share of a training step's time (RESULTS.md section
    1). This one draws 16-bit integers, two per random word, from the same `SeedGenerator`
    (so checkpoints hold and restore its state as before), and keeps a unit where the draw is
    at least `rate * 2^16`, scaling kept units by the exact inverse of the share kept. Only
    the discriminator uses it: it is never saved as a `.keras` file.

    Args:
        rate: the share of units dropped, in [0, 1).
        seed: the seed of the layer's `SeedGenerator` (None: random).
        dtype: the layer's dtype policy.
        name: the layer's name.
    """
    return _layer_class()(rate, seed=seed, dtype=dtype, name=name)


@functools.cache
def _layer_class():
    import keras

    tf = import_tensorflow()

    class HalfWordDropout(keras.layers.Dropout):
        """`keras.layers.Dropout` on 16-bit random numbers (see `discriminator_dropout`)."""

        def call(self, inputs, training=False):
            if not training or self.rate == 0:
                return inputs
            threshold = round(self.rate * _LEVELS)
            size = tf.size(inputs)
            # Under a strategy with several replicas each replica takes its share of the draw
            # for the global batch: the masks one device would draw, and no two replicas alike.
            context = tf.distribute.get_replica_context()
            replicas = context.num_replicas_in_sync if context is not None else 1
            total = size * replicas
            words = tf.random.stateless_uniform([(total + 1) // 2], self.seed_generator.next(),
                                                minval=None, maxval=None, dtype=tf.uint32)
            draws = tf.reshape(tf.bitcast(words, tf.uint16), [-1])
            if replicas > 1:
                first = tf.cast(context.replica_id_in_sync_group, tf.int32) * size
                draws = draws[first:first + size]
            else:
                draws = draws[:size]
            keep = tf.reshape(draws >= threshold, tf.shape(inputs))
            scale = tf.constant(_LEVELS / (_LEVELS - threshold), inputs.dtype)
            return tf.where(keep, inputs * scale, tf.zeros_like(inputs))

    return HalfWordDropout
