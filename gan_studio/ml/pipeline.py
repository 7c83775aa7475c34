"""Input pipeline: uint8 images in memory, a full reshuffle per epoch, whole batches only."""

from __future__ import annotations

import numpy as np

from gan_studio.ml.device import import_tensorflow


def epoch_order(count: int, batch_size: int, seed: int, epoch: int) -> np.ndarray:
    """Returns the image indices of one epoch as (steps_per_epoch, batch_size).

    The permutation covers the whole set (not a shuffle buffer) and depends only on
    (seed, epoch), so a resumed run sees exactly the batches it would have seen. The last
    short batch is dropped.
    """
    steps = count // batch_size
    order = np.random.default_rng([seed, epoch]).permutation(count)
    return order[: steps * batch_size].reshape(steps, batch_size)


def epoch_dataset(images, order: np.ndarray, steps_per_call: int = 1, labels=None):
    """Builds the tf.data pipeline of one epoch.

    Args:
        images: a uint8 tensor (N, H, W, C) resident in memory (normalised later, in the graph).
        order: (steps, batch) indices from `epoch_order`, already cut to the steps still due.
        steps_per_call: batches grouped per element, for a compiled call that runs several steps.
        labels: an int32 tensor (N,) of the images' classes, for a conditional run (or None).

    Returns:
        A dataset of uint8 tensors (k, batch, H, W, C), or with `labels` of tuples of them and
        their int32 labels (k, batch), prefetched.
    """
    tf = import_tensorflow()
    indices = tf.data.Dataset.from_tensor_slices(order.astype(np.int64))
    indices = indices.batch(steps_per_call)
    # A gather from memory is cheap: one map thread and a fixed prefetch keep the next batch
    # ready. Autotuning is off because its thread made dropping the iterator mid-epoch (a stop)
    # wait for up to a minute.
    if labels is None:
        def gather(idx):
            return tf.gather(images, idx)
    else:
        def gather(idx):
            return tf.gather(images, idx), tf.gather(labels, idx)
    gathered = indices.map(gather, num_parallel_calls=1, deterministic=True).prefetch(2)
    options = tf.data.Options()
    options.autotune.enabled = False
    return gathered.with_options(options)
