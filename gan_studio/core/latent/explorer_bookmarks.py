"""The bookmarks part of the explorer's model (`explorer_model.ExplorerModel`): named latents, each with
the class it was taken in, that the user keeps, shows and walks through."""

from __future__ import annotations

import numpy as np

from gan_studio.core.latent.bookmarks import Bookmark
from gan_studio.core.latent.classes import ClassChoice

PATH = "path"  # the interpolation's endpoints, keys or settings (and so its frames)
BOOKMARKS = "bookmarks"  # added, removed, renamed, reordered, or of another latent size


class BookmarksSection:
    """`ExplorerModel`'s bookmark methods, apart to keep each module short.

    The model provides `_bookmarks` (a `Bookmarks`), `_settings` (`PathSettings`), `_classes`
    (a `ClassChoice` or None), `dim`, `_rebuild_path()` and `_emit(kinds)`.
    """

    @property
    def bookmarks(self) -> tuple[Bookmark, ...]:
        """Every bookmark, in list order (those of other latent sizes too)."""
        return tuple(self._bookmarks)

    def usable(self, bookmark: Bookmark) -> bool:
        """Whether `bookmark` has the generator's latent size (it can be shown)."""
        return len(bookmark.latent) == self.dim

    def bookmark_latents(self) -> np.ndarray:
        """The usable bookmarks' latents in list order (K, D)."""
        return self._bookmarks.latents(self.dim)

    def next_bookmark_name(self) -> str:
        """A default name for a new bookmark."""
        return self._bookmarks.next_name()

    def add_bookmark(self, name: str, latent, classes: ClassChoice | None = None) -> int:
        """Appends a bookmark (with the class it shows, if any); returns its key."""
        key = self._bookmarks.add(name, latent, classes)
        self._bookmarks_changed()
        return key

    def remove_bookmark(self, key: int) -> None:
        """Deletes a bookmark."""
        self._bookmarks.remove(key)
        self._bookmarks_changed()

    def rename_bookmark(self, key: int, name: str) -> None:
        """Renames a bookmark."""
        if self._bookmarks.rename(key, name):
            self._bookmarks_changed()

    def reorder_bookmarks(self, keys) -> None:
        """Puts the bookmarks in the order of `keys` (each bookmark's key once)."""
        self._bookmarks.reorder(keys)
        self._bookmarks_changed()

    def _bookmarks_changed(self) -> None:
        if self._settings.walking:  # the bookmarks are the path's keys
            self._rebuild_path()
            return self._emit({BOOKMARKS, PATH})
        self._emit({BOOKMARKS})

    def bookmark_class_weights(self) -> np.ndarray | None:
        """The class weights (K, num_classes) to draw the usable bookmarks in: each one's own
        class, or the chosen one for a bookmark without (or of another class count); None for
        an unconditional generator."""
        if self._classes is None:
            return None
        rows = [(b.classes if b.classes is not None and
                 b.classes.num_classes == self._classes.num_classes else self._classes).weights()
                for b in self._bookmarks if self.usable(b)]
        return np.array(rows, np.float32).reshape(len(rows), self._classes.num_classes)
