"""The trained generator's batch norm: Keras' `BatchNormalization`, one fused op in training."""

from __future__ import annotations

import functools

from gan_studio.ml.runtime.device import import_tensorflow

BATCH_NORM_MODES = ("plain", "fused", "synchronized")


def generator_batch_norm(dtype, name: str, mode: str = "plain"):
    """A batch-norm layer for the generator.

    Keras 3 computes a training batch norm op by op in float32 (casts, moments, normalisation
    and their gradients: a visible share of a CPU's train step in bfloat16, RESULTS.md section
    1). With `fused`, training runs TensorFlow's `FusedBatchNormV3` instead: one op forward
    and one backward, in the layer's compute dtype with float32 statistics. The moving
    averages get Keras' update (the biased batch variance); inference, the weights and the
    checkpoint layout are Keras' own, so a fused layer restores into a plain one.

    Only the generator being trained is built fused (`GAN`); every generator that is
    restored, exported to `.keras` or copied to numpy for the explorer is plain. Under a
    strategy with several replicas a fused layer normalises each replica's share of the batch
    by that share's statistics, and its moving averages take the mean over replicas, so that
    every copy holds the same values.

    Args:
        dtype: the layer's dtype policy.
        name: the layer's name.
        mode: `plain`, `fused` (train with the fused op) or `synchronized` (Keras' layer with
            `synchronized=True`: the statistics of the global batch, summed over replicas at
            every layer, as one device would compute them).
    """
    import keras

    if mode not in BATCH_NORM_MODES:
        raise ValueError(f"unknown batch norm {mode!r}; use one of {BATCH_NORM_MODES}")
    if mode == "fused":
        return _fused_class()(dtype=dtype, name=name)
    return keras.layers.BatchNormalization(dtype=dtype, name=name,
                                           synchronized=mode == "synchronized")


@functools.cache
def _fused_class():
    import keras

    tf = import_tensorflow()

    class FusedBatchNormalization(keras.layers.BatchNormalization):
        """`keras.layers.BatchNormalization` (last axis) training through `FusedBatchNormV3`."""

        def call(self, inputs, training=None, mask=None):
            if not (training and self.trainable) or mask is not None:
                return super().call(inputs, training=training, mask=mask)
            shape = tf.shape(inputs)
            # The fused op takes NHWC: a Dense layer's (N, C) output is N pixels of C channels.
            images = inputs if inputs.shape.rank == 4 else tf.reshape(inputs, [-1, 1, 1,
                                                                               inputs.shape[-1]])
            outputs, mean, variance, _, _, _ = tf.raw_ops.FusedBatchNormV3(
                x=images, scale=tf.cast(self.gamma, tf.float32),
                offset=tf.cast(self.beta, tf.float32), mean=tf.zeros([0]),
                variance=tf.zeros([0]), epsilon=self.epsilon, is_training=True)
            # The op returns the unbiased variance (n / (n - 1)); Keras averages the biased one.
            count = tf.cast(tf.size(images) // images.shape[-1], tf.float32)
            variance = tf.stop_gradient(variance * (count - 1.0) / count)
            mean = tf.stop_gradient(mean)
            replicas = tf.distribute.get_replica_context()
            if replicas is not None and replicas.num_replicas_in_sync > 1:
                mean, variance = replicas.all_reduce("MEAN", [mean, variance])
            momentum = self.momentum
            self.moving_mean.assign(self.moving_mean * momentum + mean * (1.0 - momentum))
            self.moving_variance.assign(self.moving_variance * momentum
                                        + variance * (1.0 - momentum))
            return outputs if inputs.shape.rank == 4 else tf.reshape(outputs, shape)

    return FusedBatchNormalization
