"""Inference-only numpy layers for `NumpyGenerator`: dense, transposed convolution, affine...

Each layer writes into buffers it takes from a `Buffers` pool, so a steady stream of same-size
batches (the explorer's sliders) allocates nothing after the first call. All math is float32.
"""

from __future__ import annotations

import numpy as np

ACTIVATIONS = ("linear", "relu", "leaky_relu", "tanh", "sigmoid")


class Buffers:
    """Reusable float32 scratch arrays, one per (owner, role, shape)."""

    def __init__(self):
        self._arrays: dict[tuple, np.ndarray] = {}

    def get(self, owner: int, role: str, shape: tuple[int, ...]) -> np.ndarray:
        """Returns the scratch array for `(owner, role)` with `shape` (contents undefined)."""
        key = (owner, role, shape)
        array = self._arrays.get(key)
        if array is None:
            array = self._arrays[key] = np.empty(shape, np.float32)
        return array


def activate(x: np.ndarray, kind: str, alpha: float, scratch: np.ndarray | None = None) -> None:
    """Applies an activation to `x` in place.

    Args:
        x: a float32 array the caller owns.
        kind: one of `ACTIVATIONS`.
        alpha: the negative slope of `leaky_relu` (ignored otherwise).
        scratch: an array shaped like `x` for `leaky_relu` (allocated when None).
    """
    if kind == "linear":
        return
    if kind == "relu":
        np.maximum(x, 0.0, out=x)
    elif kind == "leaky_relu":
        scratch = np.empty_like(x) if scratch is None else scratch
        np.multiply(x, np.float32(alpha), out=scratch)
        if 0.0 <= alpha <= 1.0:  # then max(x, alpha x) is the leaky ReLU: one pass, no mask
            np.maximum(x, scratch, out=x)
        else:
            np.copyto(x, scratch, where=x < 0)
    elif kind == "tanh":
        np.tanh(x, out=x)
    elif kind == "sigmoid":  # 0.5 (1 + tanh(x / 2)): the same function, without exp overflow
        x *= np.float32(0.5)
        np.tanh(x, out=x)
        x *= np.float32(0.5)
        x += np.float32(0.5)
    else:
        raise ValueError(f"unknown activation {kind!r}")


class Activation:
    """An activation on its own, applied in place (its input is always a scratch buffer)."""

    def __init__(self, kind: str, alpha: float = 0.0):
        if kind not in ACTIVATIONS:
            raise ValueError(f"unknown activation {kind!r}")
        self.kind, self.alpha = kind, alpha

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The per-sample output shape (the input's)."""
        return shape

    def __call__(self, x: np.ndarray, buffers: Buffers, out: np.ndarray | None = None):
        scratch = buffers.get(id(self), "tmp", x.shape) if self.kind == "leaky_relu" else None
        activate(x, self.kind, self.alpha, scratch)
        return x


class Reshape:
    """A reshape of each sample (a view, no copy)."""

    def __init__(self, shape):
        self.shape = tuple(int(s) for s in shape)

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The per-sample output shape; raises ValueError if the sizes differ."""
        if int(np.prod(shape)) != int(np.prod(self.shape)):
            raise ValueError(f"cannot reshape {shape} to {self.shape}")
        return self.shape

    def __call__(self, x: np.ndarray, buffers: Buffers, out: np.ndarray | None = None):
        return x.reshape((len(x),) + self.shape)


class Dense:
    """`x @ kernel + bias` on (N, in) rows, then an activation."""

    def __init__(self, kernel: np.ndarray, bias: np.ndarray | None, activation: str = "linear",
                 alpha: float = 0.0):
        self.kernel = np.ascontiguousarray(kernel, np.float32)
        self.bias = None if bias is None else np.ascontiguousarray(bias, np.float32)
        self.activation, self.alpha = activation, alpha

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The per-sample output shape for a per-sample input shape."""
        if shape != (self.kernel.shape[0],):
            raise ValueError(f"dense layer expects ({self.kernel.shape[0]},) inputs, got {shape}")
        return (self.kernel.shape[1],)

    def fold_affine(self, scale: np.ndarray, shift: np.ndarray) -> None:
        """Folds a following per-unit `y * scale + shift` (an inference BatchNorm) into this."""
        bias = 0.0 if self.bias is None else self.bias.astype(np.float64)
        self.kernel = (self.kernel * scale).astype(np.float32)
        self.bias = (bias * scale + shift).astype(np.float32)

    def __call__(self, x: np.ndarray, buffers: Buffers, out: np.ndarray | None = None):
        n = len(x)
        out = buffers.get(id(self), "out", (n, self.kernel.shape[1])) if out is None else out
        np.matmul(x, self.kernel, out=out)
        if self.bias is not None:
            out += self.bias
        activate(out, self.activation, self.alpha, buffers.get(id(self), "tmp", out.shape))
        return out


class ConvTranspose:
    """A 2-D transposed convolution (channels last), as Keras' `Conv2DTranspose` computes it.

    Input pixel `i` adds `x[i] @ K[a]` to output pixel `i * s + a - pad` for every kernel tap
    `a` that lands inside the output, where TensorFlow's `same` padding puts
    `pad = max(k - s, 0) // 2` (and `valid` puts 0). Two ways to compute it:

    - `cols` (the classic one): one BLAS call makes every tap's contribution for every input
      pixel, `cols = x (NHW, Cin) @ K (Cin, kh*kw*Cout)`, and the taps are then added into a
      strided canvas that is cropped by the padding. Best for few output channels.
    - `taps`: one BLAS call per tap, on just the input pixels whose contribution lands inside
      the output, added straight into it. The padding's share of the work is skipped (28% of
      a 5x5 stride-1 layer on 8x8 inputs), which beats the extra calls for wide layers.

    Args:
        kernel: Keras' layout (kh, kw, out, in).
        bias: (out,) or None.
        strides: (sh, sw).
        padding: `same` or `valid`.
        activation: one of `ACTIVATIONS`.
        alpha: slope for `leaky_relu`.
        method: `cols`, `taps`, or None to pick `taps` from 16 output channels up.
    """

    def __init__(self, kernel: np.ndarray, bias: np.ndarray | None, strides: tuple[int, int],
                 padding: str, activation: str = "linear", alpha: float = 0.0,
                 method: str | None = None):
        kh, kw, cout, cin = kernel.shape
        self.taps = (kh, kw)
        self.channels = (cin, cout)
        self.method = method or ("taps" if cout >= 16 else "cols")
        if self.method not in ("cols", "taps"):
            raise ValueError(f"method must be 'cols' or 'taps', not {method!r}")
        # cols: (in, kh * kw * out), so that a row of `cols` holds the taps side by side;
        # taps: (kh, kw, in, out), one matrix per tap.
        order = (3, 0, 1, 2) if self.method == "cols" else (0, 1, 3, 2)
        weights = np.asarray(kernel, np.float32).transpose(order)
        self.weights = np.ascontiguousarray(
            weights.reshape(cin, kh * kw * cout) if self.method == "cols" else weights)
        self.bias = None if bias is None else np.ascontiguousarray(bias, np.float32)
        self.strides = (int(strides[0]), int(strides[1]))
        if padding not in ("same", "valid"):
            raise ValueError(f"padding must be 'same' or 'valid', not {padding!r}")
        self.padding = padding
        self.activation, self.alpha = activation, alpha

    def _geometry(self, size: int, k: int, s: int) -> tuple[int, int, int]:
        """(output length, pad before, canvas length) along one axis."""
        if self.padding == "same":
            length, before = size * s, max(k - s, 0) // 2
        else:
            length, before = (size - 1) * s + max(k, s), 0
        return length, before, max((size - 1) * s + k, before + length)

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The per-sample output shape for a per-sample input shape (H, W, Cin)."""
        if len(shape) != 3 or shape[2] != self.channels[0]:
            raise ValueError(f"transposed convolution expects (H, W, {self.channels[0]}) "
                             f"inputs, got {shape}")
        h = self._geometry(shape[0], self.taps[0], self.strides[0])[0]
        w = self._geometry(shape[1], self.taps[1], self.strides[1])[0]
        return (h, w, self.channels[1])

    def fold_affine(self, scale: np.ndarray, shift: np.ndarray) -> None:
        """Folds a following per-channel `y * scale + shift` (an inference BatchNorm) into this."""
        cout = self.channels[1]
        scaled = self.weights.reshape(-1, cout) * scale  # both layouts end in `out`
        self.weights = np.ascontiguousarray(scaled.reshape(self.weights.shape), np.float32)
        bias = 0.0 if self.bias is None else self.bias.astype(np.float64)
        self.bias = (bias * scale + shift).astype(np.float32)

    def __call__(self, x: np.ndarray, buffers: Buffers, out: np.ndarray | None = None):
        n, h, w, _ = x.shape
        geometry = [self._geometry(size, k, s)
                    for size, k, s in zip((h, w), self.taps, self.strides)]
        shape = (n, geometry[0][0], geometry[1][0], self.channels[1])
        out = buffers.get(id(self), "out", shape) if out is None else out
        if self.method == "cols":
            self._by_cols(x, geometry, buffers, out)
        else:
            self._by_taps(x, geometry, out)
        if self.bias is not None:
            out += self.bias
        activate(out, self.activation, self.alpha, buffers.get(id(self), "tmp", out.shape))
        return out

    def _by_cols(self, x, geometry, buffers: Buffers, out: np.ndarray) -> None:
        n, h, w, cin = x.shape
        (kh, kw), (sh, sw), cout = self.taps, self.strides, self.channels[1]
        (ho, top, hc), (wo, left, wc) = geometry
        cols = buffers.get(id(self), "cols", (n * h * w, kh * kw * cout))
        np.matmul(x.reshape(n * h * w, cin), self.weights, out=cols)
        cols = cols.reshape(n, h, w, kh, kw, cout)
        canvas = buffers.get(id(self), "canvas", (n, hc, wc, cout))
        canvas.fill(0.0)
        rows, columns = (h - 1) * sh + 1, (w - 1) * sw + 1
        for i in range(kh):
            for j in range(kw):
                canvas[:, i:i + rows:sh, j:j + columns:sw] += cols[:, :, :, i, j]
        np.copyto(out, canvas[:, top:top + ho, left:left + wo])

    def _by_taps(self, x, geometry, out: np.ndarray) -> None:
        n, h, w, cin = x.shape
        (sh, sw), cout = self.strides, self.channels[1]
        (ho, top, _), (wo, left, _) = geometry
        out.fill(0.0)
        for a, (i0, i1) in enumerate(_tap_ranges(h, self.taps[0], sh, top, ho)):
            for b, (j0, j1) in enumerate(_tap_ranges(w, self.taps[1], sw, left, wo)):
                if i1 <= i0 or j1 <= j0:
                    continue
                part = x[:, i0:i1, j0:j1].reshape(-1, cin) @ self.weights[a, b]
                y, z = i0 * sh + a - top, j0 * sw + b - left
                out[:, y:y + (i1 - i0 - 1) * sh + 1:sh, z:z + (j1 - j0 - 1) * sw + 1:sw] += \
                    part.reshape(n, i1 - i0, j1 - j0, cout)


def _tap_ranges(size: int, k: int, s: int, pad: int, length: int) -> list[tuple[int, int]]:
    """For each tap `a`, the input range [lo, hi) whose `i * s + a - pad` lies in [0, length)."""
    ranges = []
    for a in range(k):
        lo = max(0, -((a - pad) // s))  # ceil((pad - a) / s)
        hi = min(size, (length - 1 + pad - a) // s + 1)
        ranges.append((lo, hi))
    return ranges


class Affine:
    """Per-channel `x * scale + shift` on the last axis: an inference BatchNorm on its own."""

    def __init__(self, scale: np.ndarray, shift: np.ndarray):
        self.scale = np.asarray(scale, np.float32)
        self.shift = np.asarray(shift, np.float32)

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The per-sample output shape (the input's; its last axis must match)."""
        if not shape or shape[-1] != len(self.scale):
            raise ValueError(f"batch normalization over {len(self.scale)} channels got {shape}")
        return shape

    def __call__(self, x: np.ndarray, buffers: Buffers, out: np.ndarray | None = None):
        out = buffers.get(id(self), "out", x.shape) if out is None else out
        np.multiply(x, self.scale, out=out)
        out += self.shift
        return out


def batchnorm_affine(gamma, beta, mean, variance, epsilon: float):
    """Returns (scale, shift) in float64 of an inference BatchNorm: `(x - mean) * scale + beta`."""
    variance = np.asarray(variance, np.float64)
    scale = 1.0 / np.sqrt(variance + float(epsilon))
    if gamma is not None:
        scale = scale * np.asarray(gamma, np.float64)
    shift = -np.asarray(mean, np.float64) * scale
    if beta is not None:
        shift = shift + np.asarray(beta, np.float64)
    return scale, shift
