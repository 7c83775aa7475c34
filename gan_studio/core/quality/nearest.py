"""The k nearest rows of a bank (training images or their features), by a blocked matrix product.

Squared distances come from ‖q‖² − 2 q·b + ‖b‖², one block of queries against one block of
the bank at a time, so memory stays bounded (a block of `QUERY_BLOCK` × `BANK_BLOCK` floats)
whatever the sizes, and the bank may be uint8 images turned into vectors a block at a time
(pixel space: 50,000 CIFAR-10 images are 614 MB as float32, 154 MB as they are).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

QUERY_BLOCK = 1024
BANK_BLOCK = 8192


@dataclass(frozen=True)
class Neighbours:
    """The nearest bank rows of each query, nearest first.

    Args:
        indices: int64 (queries, k): bank row numbers.
        distances: float32 (queries, k): their Euclidean distances.
    """

    indices: np.ndarray
    distances: np.ndarray


def pixel_vectors(images: np.ndarray) -> np.ndarray:
    """uint8 images (N, H, W[, C]) as float32 rows in [0, 1] (pixel space)."""
    images = np.asarray(images)
    return images.reshape(len(images), -1).astype(np.float32) / 255.0


def _as_rows(block: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(block, dtype=np.float32).reshape(len(block), -1)


def nearest(queries: np.ndarray, bank: np.ndarray, k: int = 8, *,
            vectors: Callable[[np.ndarray], np.ndarray] = _as_rows,
            rows: np.ndarray | None = None) -> Neighbours:
    """Finds each query's `k` nearest bank rows (Euclidean), nearest first.

    Args:
        queries: (n, ...) the vectors (or images) to look up, turned into rows by `vectors`.
        bank: (m, ...) what to search, turned into rows a block at a time by `vectors`.
        k: how many neighbours per query (at most the bank's size).
        vectors: turns a block of `queries` or `bank` into float32 rows (default: reshaped;
            `pixel_vectors` for uint8 images).
        rows: int bank row numbers to search (default: all): the rest are never returned.

    Returns:
        `Neighbours` with (n, k) indices into `bank` and their distances.

    Raises:
        ValueError: if `k` is below 1, there are fewer than `k` bank rows to search, or the
            queries' rows are not as long as the bank's.
    """
    rows = np.arange(len(bank)) if rows is None else np.asarray(rows, dtype=np.int64)
    if k < 1:
        raise ValueError(f"k must be 1 or more, got {k}")
    if len(rows) < k:
        raise ValueError(f"asked for {k} nearest of {len(rows)} images")
    found_d = np.full((len(queries), k), np.inf, dtype=np.float32)
    found_i = np.zeros((len(queries), k), dtype=np.int64)
    for q0 in range(0, len(queries), QUERY_BLOCK):
        query = vectors(queries[q0:q0 + QUERY_BLOCK])
        best_d, best_i = found_d[q0:q0 + QUERY_BLOCK], found_i[q0:q0 + QUERY_BLOCK]
        query_norms = np.einsum("ij,ij->i", query, query)[:, None]
        for b0 in range(0, len(rows), BANK_BLOCK):
            index = rows[b0:b0 + BANK_BLOCK]
            block = vectors(bank[index])
            if block.shape[1] != query.shape[1]:
                raise ValueError(f"the images have {query.shape[1]} values each; the ones "
                                 f"searched have {block.shape[1]}")
            squared = query @ block.T
            squared *= -2
            squared += query_norms
            squared += np.einsum("ij,ij->i", block, block)[None, :]
            # The block's own k best first (argmin for one: a partition costs 4× more), then
            # merged with the best so far: the merge is (queries, 2k), not the whole block.
            if k == 1:
                keep = np.argmin(squared, axis=1)[:, None]
            elif k < squared.shape[1]:
                keep = np.argpartition(squared, k - 1, axis=1)[:, :k]
            else:
                keep = np.broadcast_to(np.arange(squared.shape[1]), squared.shape)
            both_d = np.concatenate([best_d, np.take_along_axis(squared, keep, axis=1)], axis=1)
            both_i = np.concatenate([best_i, index[keep]], axis=1)
            keep = np.argpartition(both_d, k - 1, axis=1)[:, :k]
            best_d[:] = np.take_along_axis(both_d, keep, axis=1)
            best_i[:] = np.take_along_axis(both_i, keep, axis=1)
    order = np.argsort(found_d, axis=1, kind="stable")
    distances = np.sqrt(np.maximum(np.take_along_axis(found_d, order, axis=1), 0))
    return Neighbours(np.take_along_axis(found_i, order, axis=1), distances)
