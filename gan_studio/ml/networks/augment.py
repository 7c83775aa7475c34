"""Differentiable augmentation of what the discriminator sees (DiffAugment, Zhao et al. 2020).

A discriminator trained on a few hundred images memorises them within minutes; its verdicts
then stop teaching the generator anything and the samples collapse. Augmenting every image
the discriminator sees, real and generated alike, with random colour shifts, translations and
cut-outs keeps it from memorising. The augmentations are differentiable, so the generator's
gradients flow through them, and applied to both sides, so they do not leak into the samples
(augmenting the real images only would teach the generator to draw shifted, cut-out images).

The operations follow the authors' `DiffAugment_tf.py` (github.com/mit-han-lab/data-efficient-
gans) on images in [-1, 1]; the random draws come from the run's `tf.random.Generator`, so a
resumed run augments exactly as an uninterrupted one would.
"""

from __future__ import annotations

from gan_studio.ml.runtime.device import import_tensorflow

TRANSLATION_RATIO = 0.125  # shift by up to 1/8 of the side, as the authors' default
CUTOUT_RATIO = 0.5  # a square of half the side is blanked


def augment(images, policy: str, rng):
    """Applies the augmentations of `policy` to a batch, each image drawing its own.

    Args:
        images: float tensor (N, H, W, C) in [-1, 1].
        policy: comma-separated names among `color`, `translation`, `cutout`, applied in
            that order (the authors' order) whatever order they are listed in.
        rng: a `tf.random.Generator`.

    Returns:
        The augmented batch, same shape and dtype; differentiable in `images`.
    """
    wanted = {name.strip() for name in policy.split(",") if name.strip()}
    unknown = wanted - set(_OPS)
    if unknown:
        raise ValueError(f"unknown augmentation(s) {sorted(unknown)}; choose among {list(_OPS)}")
    for name, op in _OPS.items():
        if name in wanted:
            images = op(images, rng)
    return images


def _uniform(rng, images, low: float, high: float):
    tf = import_tensorflow()
    batch = tf.shape(images)[0]
    return tf.cast(rng.uniform([batch, 1, 1, 1], low, high), images.dtype)


def _color(images, rng):
    """Brightness (+U(-0.5, 0.5)), saturation (x U(0, 2)) and contrast (x U(0.5, 1.5))."""
    tf = import_tensorflow()
    x = images + _uniform(rng, images, -0.5, 0.5)
    mean = tf.reduce_mean(x, axis=3, keepdims=True)
    x = (x - mean) * _uniform(rng, images, 0.0, 2.0) + mean
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    return (x - mean) * _uniform(rng, images, 0.5, 1.5) + mean


def _translation(images, rng):
    """Shifts each image by up to 1/8 of its side in each direction, filling with zeros."""
    tf = import_tensorflow()
    shape = tf.shape(images)
    batch, height, width = shape[0], images.shape[1], images.shape[2]
    pad_h = int(height * TRANSLATION_RATIO + 0.5)
    pad_w = int(width * TRANSLATION_RATIO + 0.5)
    padded = tf.pad(images, [[0, 0], [pad_h, pad_h], [pad_w, pad_w], [0, 0]])
    dy = rng.uniform([batch, 1], -pad_h, pad_h + 1, dtype=tf.int32)
    dx = rng.uniform([batch, 1], -pad_w, pad_w + 1, dtype=tf.int32)
    rows = tf.range(height)[None, :] + pad_h + dy  # (N, H) rows of the padded image
    cols = tf.range(width)[None, :] + pad_w + dx
    shifted = tf.gather(padded, rows, axis=1, batch_dims=1)
    return tf.gather(shifted, cols, axis=2, batch_dims=1)


def _cutout(images, rng):
    """Blanks (to zero) a square of half the side at a random centre in each image."""
    tf = import_tensorflow()
    batch, height, width = tf.shape(images)[0], images.shape[1], images.shape[2]
    size_h = int(height * CUTOUT_RATIO + 0.5)
    size_w = int(width * CUTOUT_RATIO + 0.5)
    cy = rng.uniform([batch, 1, 1], 0, height + (1 - size_h % 2), dtype=tf.int32)
    cx = rng.uniform([batch, 1, 1], 0, width + (1 - size_w % 2), dtype=tf.int32)
    ys = tf.range(height)[None, :, None] - cy + size_h // 2  # inside: 0 <= ys < size_h
    xs = tf.range(width)[None, None, :] - cx + size_w // 2
    inside = (ys >= 0) & (ys < size_h) & (xs >= 0) & (xs < size_w)
    keep = tf.cast(tf.logical_not(inside), images.dtype)[..., None]
    return images * keep


_OPS = {"color": _color, "translation": _translation, "cutout": _cutout}
