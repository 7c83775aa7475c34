"""Class conditioning for `NumpyGenerator`.

A conditional generator's first dense layer sees `concat(z, table[class])`, so its output is
`z @ Wz + table[class] @ We + bias`. `table @ We` is one (K, units) matrix, worked out once:
a class then costs one row lookup, and a blend of classes (weights (K,) per sample, e.g.
(1 - t, t) on two classes) one small matmul, which is how the explorer interpolates between
classes. The blend mixes the class embeddings, not the images.
"""

from __future__ import annotations

import numpy as np

from gan_studio.core.numpy_generator.layers import Buffers, Dense, activate


class ClassDense(Dense):
    """The first dense layer of a conditional generator, on z and class weights.

    Args:
        kernel: (latent_dim + E, units), z's rows first (as Keras' `Concatenate([z, e])`).
        table: the class embedding (K, E).
        bias: (units,) or None.
        activation: one of `layers.ACTIVATIONS`.
        alpha: slope for `leaky_relu`.

    Attributes:
        class_kernel: `table @ We` (K, units) float32, each class's share of the output.

    Raises:
        ValueError: if the table does not fit the kernel.
    """

    def __init__(self, kernel: np.ndarray, table: np.ndarray, bias: np.ndarray | None,
                 activation: str = "linear", alpha: float = 0.0):
        kernel, table = np.asarray(kernel, np.float64), np.asarray(table, np.float64)
        if table.ndim != 2 or kernel.ndim != 2 or not 0 < table.shape[1] < kernel.shape[0] \
                or len(table) < 1:
            raise ValueError(f"a class embedding {table.shape} does not fit a dense kernel "
                             f"{kernel.shape} (latent_dim + embedding size rows)")
        latent = kernel.shape[0] - table.shape[1]
        super().__init__(kernel[:latent], bias, activation, alpha)
        self.class_kernel = (table @ kernel[latent:]).astype(np.float32)

    @property
    def num_classes(self) -> int:
        """K, the classes of the embedding."""
        return len(self.class_kernel)

    def fold_affine(self, scale: np.ndarray, shift: np.ndarray) -> None:
        """Folds a following per-unit `y * scale + shift` into this (the class share too)."""
        super().fold_affine(scale, shift)
        self.class_kernel = (self.class_kernel * scale).astype(np.float32)

    def __call__(self, x: np.ndarray, buffers: Buffers, out: np.ndarray | None = None,
                 classes: np.ndarray | None = None):
        if classes is None:
            raise ValueError("a conditional layer needs classes")
        out = buffers.get(id(self), "out", (len(x), self.kernel.shape[1])) if out is None else out
        np.matmul(x, self.kernel, out=out)
        out += self.class_kernel[classes] if classes.ndim == 1 else classes @ self.class_kernel
        if self.bias is not None:
            out += self.bias
        activate(out, self.activation, self.alpha, buffers.get(id(self), "tmp", out.shape))
        return out


def check_classes(classes, n: int, num_classes: int) -> np.ndarray | None:
    """Validates the classes of a batch of `n` latents.

    Args:
        classes: None for an unconditional generator; else an int (every sample), ints (N,)
            in [0, K), or float class weights (N, K), a blend of the class embeddings per row.
        n: the batch size.
        num_classes: K, 0 for an unconditional generator.

    Returns:
        None (unconditional), intp (N,) class indices or float32 (N, K) weights.

    Raises:
        ValueError: for classes given to an unconditional generator, none given to a
            conditional one, or classes of the wrong shape, type or range.
    """
    if num_classes == 0:
        if classes is not None:
            raise ValueError("this generator is not class-conditional: it takes no classes")
        return None
    if classes is None:
        raise ValueError(f"this generator is class-conditional: give classes, ints (N,) in "
                         f"[0, {num_classes}) or weights (N, {num_classes})")
    classes = np.asarray(classes)
    if classes.dtype.kind in "iu":
        classes = np.broadcast_to(classes, (n,)) if classes.ndim == 0 else classes
        if classes.shape != (n,):
            raise ValueError(f"expected class indices ({n},), got shape {classes.shape}")
        if n and (classes.min() < 0 or classes.max() >= num_classes):
            raise ValueError(f"class indices must lie in 0..{num_classes - 1}")
        return classes.astype(np.intp)
    if classes.dtype.kind == "f":
        if classes.shape != (n, num_classes):
            raise ValueError(f"expected class weights ({n}, {num_classes}), got shape "
                             f"{classes.shape}")
        if not np.all(np.isfinite(classes)):
            raise ValueError("class weights must be finite")
        return np.ascontiguousarray(classes, np.float32)
    raise ValueError(f"classes must be integers or float weights, not {classes.dtype}")
