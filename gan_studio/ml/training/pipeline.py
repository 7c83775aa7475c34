"""Input pipeline: uint8 images in memory, a full reshuffle per epoch, whole batches only."""

from __future__ import annotations

import numpy as np

from gan_studio.ml.runtime.device import import_tensorflow


def epoch_order(count: int, batch_size: int, seed: int, epoch: int) -> np.ndarray:
    """Returns the image indices of one epoch as (steps_per_epoch, batch_size).

    The permutation covers the whole set (not a shuffle buffer) and depends only on
    (seed, epoch), so a resumed run sees exactly the batches it would have seen. The last
    short batch is dropped.
    """
    steps = count // batch_size
    order = np.random.default_rng([seed, epoch]).permutation(count)
    return order[: steps * batch_size].reshape(steps, batch_size)


def host_tensors(images: np.ndarray, labels: np.ndarray | None):
    """Returns the data set as tensors in host memory: uint8 images and int32 labels (None
    for an unconditional run, `labels` None)."""
    tf = import_tensorflow()
    # Batches are gathered on the host and copied over: a GPU holds only what a step needs.
    with tf.device("/CPU:0"):
        return tf.constant(images), None if labels is None else tf.constant(
            labels.astype(np.int32))


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
    return _gathered(indices.batch(steps_per_call), images, labels)


def _gathered(indices, images, labels, shard: bool = True):
    """The images (and labels) at each element of `indices`, gathered from memory."""
    tf = import_tensorflow()
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
    if not shard:  # the replicas' shares are cut already: tf.data must not shard again
        options.experimental_distribute.auto_shard_policy = (
            tf.data.experimental.AutoShardPolicy.OFF)
    return gathered.with_options(options)


def replica_orders(order: np.ndarray, replicas: int, first: int, count: int) -> list[np.ndarray]:
    """The image indices of replicas `first` .. `first + count - 1`: each replica's share of
    every global batch of `order` (steps, batch), (steps, batch / replicas) each."""
    share = order.shape[1] // replicas
    return [order[:, r * share:(r + 1) * share] for r in range(first, first + count)]


def distributed_epoch_dataset(strategy, images, order: np.ndarray, steps_per_call: int = 1,
                              labels=None):
    """`epoch_dataset` for a strategy with several replicas (`distribute_datasets_from_function`).

    Replica r of the global batch gets its rows `r * b .. (r + 1) * b - 1` (b: the batch over
    the replicas), so the replicas together train on exactly the batches one device would.
    Each worker holds the data set in memory and gathers only its own replicas' shares; every
    worker computes the same `order` from the seed.

    Returns:
        A distributed dataset whose elements are, per replica, what `epoch_dataset` gives for
        its share (k, b, H, W, C) (and labels).
    """
    tf = import_tensorflow()

    def worker_dataset(context):
        local = context.num_replicas_in_sync // context.num_input_pipelines
        shares = replica_orders(order, context.num_replicas_in_sync,
                                context.input_pipeline_id * local, local)
        grouped = tuple(tf.data.Dataset.from_tensor_slices(share.astype(np.int64))
                        .batch(steps_per_call) for share in shares)
        # The worker's replicas take its elements in turn: replica 0's share of a call, then
        # replica 1's, ...
        indices = tf.data.Dataset.zip(grouped).flat_map(
            lambda *parts: tf.data.Dataset.from_tensor_slices(tf.stack(parts)))
        return _gathered(indices, images, labels, shard=False)

    return strategy.distribute_datasets_from_function(worker_dataset)
