"""The latent explorer's model: everything the explorer shows, in one place.

The widgets, the renderer and the services read what they show from an `ExplorerModel`, call
its methods to change it, and follow it (`observe`); none of them talks to another. It needs no
Qt, so it is tested without a `QApplication`; every call comes from the GUI thread. Each change is
announced once, with every kind of fact it touched, so a change that moves the latent and its
edits at once asks for one preview, not two.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from gan_studio.core.latent.bookmarks import Bookmarks
from gan_studio.core.latent.classes import ClassChoice
from gan_studio.core.latent.directions import GANSPACE, LatentDirections
from gan_studio.core.latent.explorer_bookmarks import BOOKMARKS, PATH, BookmarksSection
from gan_studio.core.latent.space import random_latent
from gan_studio.core.latent.state import InterpolationPath, LatentState, PathSettings
from gan_studio.core.observers import Observable

# The kinds of change the model tells its observers.
GENERATOR = "generator"  # another generator is shown
SEED = "seed"
LATENT = "latent"  # the base latent
EDITS = "edits"  # ψ or the direction offsets
DIRECTIONS = "directions"  # the directions or their status line
METHOD = "method"  # how the directions are found (GANSpace or SeFa)
PLAYBACK = "playback"  # the interpolation's speed or looping
TILE = "tile"  # whether the sample grid's selected tile has a usable latent
CLASS = "class"  # the class (or blend of two) a conditional generator draws

ENDPOINTS = ("A", "B")


class ExplorerModel(BookmarksSection, Observable):
    """The explorer's generator, latent, seed, edits, class, interpolation and bookmarks.

    A class-conditional generator draws every latent (preview, path, exports) in the chosen
    class (`classes`, `class_weights`); bookmarks keep the class they were taken in. The
    widgets change it through its setters and follow it; none holds a fact of its own.

    Example:

    ```python
    model = ExplorerModel()
    model.observe(lambda what: print(sorted(what)))
    model.set_generator(loaded)   # a LoadedGenerator: GENERATOR, LATENT, EDITS, ... changed
    model.set_seed(7)             # SEED and LATENT: the base latent drawn from seed 7
    model.set_dimension(3, 1.5)   # LATENT: one coordinate of the base
    model.set_psi(0.7)            # EDITS: truncation
    latent = model.composed()     # what the preview renders: base, ψ and direction offsets
    ```

    Observers (`observe`) get the kinds of facts that changed, a frozenset of `GENERATOR`,
    `SEED`, `LATENT`, `EDITS`, `CLASS`, `DIRECTIONS`, `METHOD`, `PATH`, `PLAYBACK`,
    `BOOKMARKS`, `TILE`, once per change.
    """

    def __init__(self):
        super().__init__()
        self._generator = None
        self._state: LatentState | None = None
        self._seed = 0
        self._on_path = False
        self._directions_status = "Directions appear once a generator is loaded."
        self._method = GANSPACE
        self._endpoints: dict[str, np.ndarray | None] = dict.fromkeys(ENDPOINTS)
        self._settings = PathSettings()
        self._path: InterpolationPath | None = None
        self._path_latents: np.ndarray | None = None
        self._bookmarks = Bookmarks()
        self._tile_available = False
        self._classes: ClassChoice | None = None

    # ---- the latent -----------------------------------------------------------------------
    @property
    def generator(self):
        """The `LoadedGenerator` shown, or None."""
        return self._generator

    @property
    def state(self) -> LatentState | None:
        """The base latent and its edits (None until a generator is shown). Read only: change
        it through the model's methods, which announce the change."""
        return self._state

    @property
    def dim(self) -> int:
        """The latent size (0 until a generator is shown)."""
        return 0 if self._state is None else self._state.dim

    @property
    def seed(self) -> int:
        """The seed the base latent is drawn from (kept after the base is edited)."""
        return self._seed

    @property
    def on_path(self) -> bool:
        """Whether the base is a point of the interpolation (moving the path moves it)."""
        return self._on_path

    @property
    def directions_status(self) -> str:
        """A line on the directions: found, being found, or why not."""
        return self._directions_status

    @property
    def directions_method(self) -> str:
        """How the directions are found: `GANSPACE` (PCA of activations) or `SEFA`."""
        return self._method

    @property
    def tile_available(self) -> bool:
        """Whether the sample grid's selected tile has a latent of this size."""
        return self._tile_available

    def composed(self, base: np.ndarray | None = None) -> np.ndarray | None:
        """The latent shown: the base (or `base`, (D,) or (N, D)) with ψ and the offsets."""
        return None if self._state is None else self._state.compose(base)

    def set_generator(self, loaded) -> None:
        """Shows `loaded` (a `LoadedGenerator`); a new latent size starts afresh from the seed
        (neutral edits, A and B the seed's and the next); a new size or source has no
        directions, nor offsets along them, until its own are found."""
        previous, self._generator = self._generator, loaded
        what = {GENERATOR}
        dim, classes = loaded.renderer.latent_dim, loaded.renderer.num_classes
        if classes != (self._classes.num_classes if self._classes else 0):
            self._classes = ClassChoice(classes) if classes else None
            what.add(CLASS)
        if self._state is None or self._state.dim != dim:
            self._state = LatentState.from_seed(dim, self._seed)
            self._endpoints = {"A": self._state.base.copy(), "B": random_latent(dim, self._seed + 1)}
            self._rebuild_path()
            what |= {LATENT, EDITS, DIRECTIONS, PATH, BOOKMARKS}
        elif self._state.directions is not None and previous.source != loaded.source:
            self._state.set_directions(None)  # another run's: they mean nothing for this one
            what |= {EDITS, DIRECTIONS}
        if DIRECTIONS in what:
            self._directions_status = "Finding directions…"
        self._emit(what)

    def set_seed(self, seed: int) -> None:
        """Draws the base from `seed`, keeping the edits (the seed already set changes nothing,
        as the spin box reports only changes)."""
        seed = int(seed)
        if seed == self._seed:
            return
        self._seed = seed
        if self._state is None:
            return self._emit({SEED})
        self._set_base(random_latent(self._state.dim, seed), on_path=False)
        self._emit({SEED, LATENT})

    def set_psi(self, psi: float) -> None:
        """The truncation ψ."""
        if self._state is not None:
            self._state.psi = float(psi)
            self._emit({EDITS})

    def set_offsets(self, offsets) -> None:
        """The direction offsets in sigmas (extra values, or missing ones, are ignored)."""
        if self._state is not None:
            offsets = np.asarray(offsets, np.float32)
            self._state.offsets[:len(offsets)] = offsets[:len(self._state.offsets)]
            self._emit({EDITS})

    def set_dimension(self, index: int, value: float) -> None:
        """Sets one coordinate of the base latent."""
        if self._state is not None:
            base = self._state.base.copy()
            base[index] = value
            self._set_base(base, on_path=False)
            self._emit({LATENT})

    def show_latent(self, latent, classes: ClassChoice | None = None) -> None:
        """Makes `latent` the base with neutral edits (one of another size is ignored), in
        `classes` if given and of the generator's class count (a bookmark's)."""
        if self._state is None:
            return
        latent = np.asarray(latent, np.float32).reshape(-1)
        if len(latent) != self._state.dim:
            return
        self._state.neutral_edits()
        self._set_base(latent, on_path=False)
        what = {LATENT, EDITS}
        if classes is not None and self._classes is not None and classes != self._classes \
                and classes.num_classes == self._classes.num_classes:
            self._classes = classes
            what.add(CLASS)
        self._emit(what)

    # ---- the class ------------------------------------------------------------------------
    @property
    def classes(self) -> ClassChoice | None:
        """The class (or blend of two) drawn; None for an unconditional generator."""
        return self._classes

    def class_weights(self, n: int) -> np.ndarray | None:
        """Class weights (n, K) for `n` latents in the chosen class; None if unconditional."""
        return None if self._classes is None else self._classes.rows(n)

    def set_class(self, **changes) -> None:
        """Changes the `ClassChoice`'s `first`, `second` or `blend` (conditional only)."""
        if self._classes is not None:
            choice = self._classes.replace(**changes)
            if choice != self._classes:
                self._classes = choice
                self._emit({CLASS})

    def reset(self) -> None:
        """The seed's latent with neutral edits."""
        if self._state is not None:
            self.show_latent(random_latent(self._state.dim, self._seed))

    def set_base_from_path(self, latent) -> None:
        """Makes a point of the interpolation the base (edits are kept)."""
        if self._state is not None:
            self._set_base(latent, on_path=True)
            self._emit({LATENT})

    def set_directions(self, directions: LatentDirections | None, status: str) -> None:
        """New directions; the offsets that still have a direction are kept.

        Args:
            directions: the directions, for a generator of the current latent size.
            status: the line describing them.
        """
        if self._state is not None:
            self._state.set_directions(directions)
            self._directions_status = status
            self._emit({DIRECTIONS, EDITS} if self._state.edited else {DIRECTIONS})

    def set_directions_method(self, method: str) -> None:
        """Finds directions by `method` from now on; those found the other way go, with their
        slider offsets (the same position would mean another change)."""
        if method == self._method:
            return
        self._method = method
        what = {METHOD, DIRECTIONS}
        if self._state is not None:
            if self._state.edited:
                what.add(EDITS)
            self._state.set_directions(None)
        self._emit(what)

    def set_directions_status(self, status: str) -> None:
        """The line on the directions (e.g. while they are being found)."""
        self._directions_status = status
        self._emit({DIRECTIONS})

    def set_tile_available(self, available: bool) -> None:
        """Whether the sample grid's selected tile has a usable latent."""
        if available != self._tile_available:
            self._tile_available = available
            self._emit({TILE})

    def _set_base(self, latent, on_path: bool) -> None:
        self._on_path = on_path
        self._state.base = np.asarray(latent, np.float32).copy()

    # ---- the interpolation ----------------------------------------------------------------
    @property
    def path_settings(self) -> PathSettings:
        """How the path is built and played."""
        return self._settings

    @property
    def path(self) -> InterpolationPath | None:
        """The current path, or None while it lacks keys."""
        return self._path

    def endpoint(self, name: str) -> np.ndarray | None:
        """Endpoint `A` or `B` (D,), or None."""
        return self._endpoints[name]

    def path_latents(self, edited: bool = True) -> np.ndarray | None:
        """The path's frames' latents (frames, D), with the current edits unless not `edited`;
        None without a path."""
        if self._path_latents is None or not edited:
            return self._path_latents
        return self._state.compose(self._path_latents)

    def set_endpoint(self, name: str, latent) -> None:
        """Sets endpoint `A` or `B`."""
        if self._state is not None:
            self._endpoints[name] = np.asarray(latent, np.float32).copy()
            self._rebuild_path()
            self._emit({PATH})

    def set_path_settings(self, **changes) -> None:
        """Changes `PathSettings` fields: `walking`, `mode` or `frames` rebuild the path."""
        self._settings = replace(self._settings, **changes)
        what = {PLAYBACK} if changes.keys() & {"fps", "loop"} else set()
        if changes.keys() & {"walking", "mode", "frames"}:
            self._rebuild_path()
            what.add(PATH)
        self._emit(what)

    def _rebuild_path(self) -> None:
        keys = self.bookmark_latents() if self._settings.walking else (
            None if any(e is None for e in self._endpoints.values()) else
            np.stack([self._endpoints["A"], self._endpoints["B"]]))
        if keys is None or len(keys) < 2 or keys.shape[1] == 0:
            self._path = self._path_latents = None
        else:
            self._path = InterpolationPath(keys, self._settings.mode, self._settings.frames)
            self._path_latents = self._path.latents()
