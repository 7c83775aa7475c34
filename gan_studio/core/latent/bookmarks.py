"""Bookmarks: named latents the user keeps, in the order the user gives them."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from gan_studio.core.latent.classes import ClassChoice


@dataclass(frozen=True)
class Bookmark:
    """A latent the user keeps.

    Attributes:
        key: identifies the bookmark while it exists (names may repeat).
        name: what the user calls it.
        latent: float32 (D,); one of another size than the generator's cannot be shown.
        classes: the class it was taken in, for a class-conditional generator (else None).
    """

    key: int
    name: str
    latent: np.ndarray
    classes: ClassChoice | None = None


class Bookmarks:
    """An ordered list of bookmarks. Bookmarks of every latent size are kept: a generator of
    another size only greys them out."""

    def __init__(self):
        self._items: list[Bookmark] = []
        self._keys = itertools.count(1)

    def __iter__(self) -> Iterator[Bookmark]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def add(self, name: str, latent, classes: ClassChoice | None = None) -> int:
        """Appends a bookmark (a copy of `latent`, in `classes` if given); returns its key."""
        bookmark = Bookmark(next(self._keys), name, np.asarray(latent, np.float32).copy(),
                            classes)
        self._items.append(bookmark)
        return bookmark.key

    def remove(self, key: int) -> None:
        """Deletes the bookmark `key` (if there is one)."""
        self._items = [b for b in self._items if b.key != key]

    def rename(self, key: int, name: str) -> bool:
        """Renames the bookmark `key`; returns whether its name changed."""
        if not any(b.key == key and b.name != name for b in self._items):
            return False
        self._items = [dataclasses.replace(b, name=name) if b.key == key else b
                       for b in self._items]
        return True

    def reorder(self, keys: Iterable[int]) -> None:
        """Puts the bookmarks in the order of `keys` (each bookmark's key once)."""
        by_key = {b.key: b for b in self._items}
        self._items = [by_key[key] for key in keys]

    def latents(self, dim: int) -> np.ndarray:
        """The latents of size `dim` in list order: float32 (K, dim)."""
        rows = [b.latent for b in self._items if len(b.latent) == dim]
        return np.array(rows, np.float32) if rows else np.zeros((0, dim), np.float32)

    def next_name(self) -> str:
        """A default name for a new bookmark: "Bookmark N", N the first free from len + 1."""
        names = {b.name for b in self._items}
        n = len(self._items) + 1
        while f"Bookmark {n}" in names:
            n += 1
        return f"Bookmark {n}"
