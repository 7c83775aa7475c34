"""The class a class-conditional generator draws: one class, or a blend of two.

A conditional generator takes class weights (K,) per latent alongside it (see
`core.numpy_generator.conditional`): a one-hot row is a class, and `(1 - t, t)` on two classes
blends their embeddings, which is how the explorer interpolates from one class to another.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ClassChoice:
    """One class, or a blend of two, of a generator with `num_classes` classes.

    Attributes:
        num_classes: K, the generator's classes (at least 1).
        first: the class picked, in [0, K).
        second: the class blended with, in [0, K).
        blend: the share of `second`, from 0 (only `first`) to 1 (only `second`).

    Raises:
        ValueError: for a class or a blend out of range.
    """

    num_classes: int
    first: int = 0
    second: int = 0
    blend: float = 0.0

    def __post_init__(self):
        if self.num_classes < 1:
            raise ValueError(f"a conditional generator has classes, not {self.num_classes}")
        for index in (self.first, self.second):
            if not 0 <= index < self.num_classes:
                raise ValueError(f"class {index} is not in [0, {self.num_classes})")
        if not 0.0 <= self.blend <= 1.0:
            raise ValueError(f"the blend must lie in [0, 1], not {self.blend}")

    @property
    def blended(self) -> bool:
        """Whether a second class takes part (a blend of two different classes)."""
        return self.blend > 0 and self.second != self.first

    def weights(self) -> np.ndarray:
        """The class weights (K,) float32: `1 - blend` on `first`, `blend` on `second`."""
        weights = np.zeros(self.num_classes, np.float32)
        weights[self.first] += np.float32(1.0 - self.blend)
        weights[self.second] += np.float32(self.blend)
        return weights

    def rows(self, n: int) -> np.ndarray:
        """The weights for a batch of `n` latents: (n, K) float32."""
        return np.tile(self.weights(), (n, 1))

    def replace(self, **changes) -> ClassChoice:
        """A copy with some fields changed (`first`, `second`, `blend`)."""
        return dataclasses.replace(self, **changes)

    def describe(self, names: Sequence[str]) -> str:
        """A short label, e.g. "7" or "3 → 8 (40%)" with `names` the class labels."""
        if not self.blended:
            return names[self.first]
        return f"{names[self.first]} → {names[self.second]} ({self.blend:.0%})"


def class_labels(names: Sequence, num_classes: int) -> list[str]:
    """The labels of `num_classes` classes: the run's names where it has them, else "Class i".

    Args:
        names: a run's `class_names` (user data: anything that is not a non-empty string, and
            any beyond `num_classes`, is ignored).
        num_classes: K.
    """
    labels = []
    for i in range(num_classes):
        name = names[i] if i < len(names) else None
        labels.append(name.strip() if isinstance(name, str) and name.strip() else f"Class {i}")
    return labels
