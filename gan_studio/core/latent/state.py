"""What the latent explorer shows: a base latent plus edits, and interpolation paths.

The image shown is `compose()`: the base latent, pulled towards the mean by the truncation ψ,
then moved along the GANSpace directions by the sliders' offsets. The base comes from a seed,
a bookmark, a sample tile, the dimension sliders or an interpolation path; the edits apply on
top of whatever the base is, so a path's frames carry the same edits as the preview.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gan_studio.core.latent.directions import LatentDirections, apply_directions
from gan_studio.core.latent.space import keyframe_path, lerp, random_latent, slerp, truncate

INTERPOLATIONS = {"slerp": slerp, "lerp": lerp}


@dataclass
class LatentState:
    """The explorer's latent and its edits.

    Attributes:
        base: the latent being edited (D,) float32.
        psi: the truncation ψ (1 leaves the latent unchanged, 0 gives the mean).
        offsets: one slider position per direction, in units of the direction's sigma.
        directions: the GANSpace directions, or None until they are computed.
        mean: the centre of truncation (None: the prior's mean, zero).
    """

    base: np.ndarray
    psi: float = 1.0
    offsets: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    directions: LatentDirections | None = None
    mean: np.ndarray | None = None

    @classmethod
    def from_seed(cls, dim: int, seed: int) -> LatentState:
        """A state whose base is `random_latent(dim, seed)` and whose edits are neutral."""
        return cls(random_latent(dim, seed))

    @property
    def dim(self) -> int:
        """The latent size."""
        return len(self.base)

    @property
    def edited(self) -> bool:
        """Whether ψ or any direction offset moves the image away from the base."""
        return self.psi != 1.0 or bool(np.any(self.offsets))

    def compose(self, base: np.ndarray | None = None) -> np.ndarray:
        """Applies ψ and the direction offsets to `base` (default: the state's base).

        Args:
            base: a latent (D,) or a batch (N, D), e.g. the frames of a path.

        Returns:
            float32 latents shaped like `base`.
        """
        z = self.base if base is None else np.asarray(base, np.float32)
        z = truncate(z, self.psi, self.mean)
        if self.directions is not None and np.any(self.offsets):
            used = min(len(self.offsets), len(self.directions.vectors))
            z = apply_directions(z, self.directions, self.offsets[:used])
        return np.asarray(z, np.float32)

    def set_directions(self, directions: LatentDirections | None) -> None:
        """Adopts new directions, keeping the slider positions that still have a direction."""
        count = 0 if directions is None else len(directions.vectors)
        offsets = np.zeros(count, np.float32)
        keep = min(count, len(self.offsets))
        offsets[:keep] = self.offsets[:keep]
        self.directions, self.offsets = directions, offsets

    def neutral_edits(self) -> None:
        """ψ back to 1 and every direction offset to 0."""
        self.psi = 1.0
        self.offsets = np.zeros_like(self.offsets)

    def bake(self) -> None:
        """Makes the composed latent the base and the edits neutral (the image is unchanged)."""
        self.base = self.compose()
        self.neutral_edits()


@dataclass(frozen=True)
class PathSettings:
    """How the explorer builds its interpolation and plays it.

    Attributes:
        walking: walk through the bookmarks rather than from A to B.
        mode: `slerp` or `lerp`.
        frames: the number of frames of the whole path (filmstrip, playback and exports).
        fps: playback (and export) speed in frames per second.
        loop: play back and forth until paused.
    """

    walking: bool = False
    mode: str = "slerp"
    frames: int = 16
    fps: int = 12
    loop: bool = True


@dataclass
class InterpolationPath:
    """A walk through latent space: from A to B, or through several keyframes.

    Attributes:
        keys: (K, D) keyframes, K >= 2 (A and B for a plain interpolation).
        mode: `slerp` or `lerp`.
        frames: the number of frames of the whole path (the filmstrip and animations).
    """

    keys: np.ndarray
    mode: str = "slerp"
    frames: int = 16

    def __post_init__(self):
        self.keys = np.asarray(self.keys, np.float32)
        if self.keys.ndim != 2 or len(self.keys) < 2:
            raise ValueError(f"a path needs at least two keyframes, got {self.keys.shape}")
        if self.mode not in INTERPOLATIONS:
            raise ValueError(f"mode must be 'slerp' or 'lerp', not {self.mode!r}")
        self.frames = max(2, int(self.frames))

    @property
    def segments(self) -> int:
        """Number of keyframe-to-keyframe segments."""
        return len(self.keys) - 1

    def at(self, t: float) -> np.ndarray:
        """The latent at position `t` in [0, 1] along the whole path (D,)."""
        position = float(np.clip(t, 0.0, 1.0)) * self.segments
        index = min(int(position), self.segments - 1)
        local = position - index
        return INTERPOLATIONS[self.mode](self.keys[index], self.keys[index + 1], local)

    def frame_times(self) -> np.ndarray:
        """The positions t of the path's frames, evenly spread from 0 to 1 inclusive."""
        return np.linspace(0.0, 1.0, self.frames)

    def latents(self) -> np.ndarray:
        """The frames' latents (frames, D); the first and last are the first and last keys.

        With two keys this is exactly `slerp(A, B, frame_times())`; with more, and frames
        `(K - 1) * n + 1`, exactly `keyframe_path(keys, n, mode)`.
        """
        per_segment, rest = divmod(self.frames - 1, self.segments)
        if rest == 0:
            return keyframe_path(self.keys, per_segment, self.mode)
        return np.stack([self.at(t) for t in self.frame_times()]).astype(np.float32)
