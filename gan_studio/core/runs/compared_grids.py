"""Compared runs' sample grids at one point of an axis: each run's saved grid nearest to it,
said plainly where it is not exactly there, and the grids side by side as one image.

Runs save a grid every so many steps or seconds, so two runs rarely hold a grid at the same
minute, or a run of another batch size at the same number of images seen. A comparison shows
each run's nearest grid and states its own step: "step 1,200 (nearest saved grid to 1,250)".

Example:

```python
choice = nearest_grid(run.grids, run.axis, "time", 3.0)
caption(choice, "time")     # "step 1,200 · 2.9 min (nearest saved grid to 3.0 min)"
```
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gan_studio.core.runs.grid_files import SavedGrid
from gan_studio.core.runs.run_axes import RunAxis

# Two positions closer than this share of the axis' span count as the same point: an axis
# of minutes places a grid at 2.9999999 where the slider asks for 3.
SAME_POINT = 1e-9


@dataclass(frozen=True)
class GridChoice:
    """The saved grid of one run that is shown at a point of an axis.

    Args:
        grid: the grid file (its `step`, `epoch` and `path`).
        position: where the grid lies on the axis.
        asked: the point asked for.
    """

    grid: SavedGrid
    position: float
    asked: float

    @property
    def step(self) -> int:
        """The step the grid was drawn at."""
        return int(self.grid.step)

    @property
    def distance(self) -> float:
        """How far the grid lies from the point asked for, on the axis."""
        return abs(self.position - self.asked)

    @property
    def exact(self) -> bool:
        """Whether the grid lies at the point asked for."""
        return self.distance <= SAME_POINT * max(1.0, abs(self.asked))


def grid_positions(grids: list[SavedGrid], axis_of_run: RunAxis, axis: str
                   ) -> tuple[list[SavedGrid], np.ndarray]:
    """The grids of known step, and where each lies on `axis` (finite positions only)."""
    known = [g for g in grids if g.step is not None]
    where = axis_of_run.at(axis, [g.step for g in known]) if known else np.zeros(0)
    kept = [i for i, x in enumerate(where) if np.isfinite(x)]
    return [known[i] for i in kept], np.asarray(where[kept], dtype=np.float64)


def nearest_grid(grids: list[SavedGrid], axis_of_run: RunAxis, axis: str,
                 position: float) -> GridChoice | None:
    """The run's saved grid nearest to `position` on `axis` (the earlier one of a tie).

    Args:
        grids: the run's `SavedGrid`s.
        axis_of_run: its `RunAxis`.
        axis: `step`, `images` or `time`.
        position: the point asked for.

    Returns:
        A `GridChoice`, or None when the run has no grid placed on that axis.
    """
    known, where = grid_positions(grids, axis_of_run, axis)
    if not known:
        return None
    index = int(np.argmin(np.abs(where - position)))
    return GridChoice(known[index], float(where[index]), float(position))


def slider_positions(placed: list[np.ndarray]) -> np.ndarray:
    """The points a shared slider stops at: every run's grid positions inside the range all
    runs' grids span (where none overlap, every position), sorted and unique.

    Args:
        placed: each run's grid positions on the axis (runs without grids: empty arrays).
    """
    runs = [p for p in placed if len(p)]
    if not runs:
        return np.zeros(0)
    every = np.unique(np.concatenate(runs))
    low, high = max(float(p.min()) for p in runs), min(float(p.max()) for p in runs)
    common = every[(every >= low - SAME_POINT) & (every <= high + SAME_POINT)]
    return common if len(common) else every


def format_position(axis: str, value: float) -> str:
    """A point of `axis` as the window says it: `step 1,250`, `12,800 images`, `3.2 min`."""
    if not np.isfinite(value):
        return "?"
    if axis == "step":
        return f"step {round(value):,}"
    if axis == "images":
        return f"{round(value):,} images"
    return f"{value:.1f} min" if value < 100 else f"{value:,.0f} min"


def caption(choice: GridChoice | None, axis: str) -> str:
    """What a grid shown at a point is: its step (and its position on another axis), and
    "(nearest saved grid to ...)" when it is not at the point asked for."""
    if choice is None:
        return "no saved grid"
    text = f"step {choice.step:,}"
    if axis != "step":
        text += f" · {format_position(axis, choice.position)}"
    if not choice.exact:
        asked = format_position(axis, choice.asked)
        shown = format_position(axis, choice.position)
        # At the caption's precision the two may read alike: it is still another point.
        text += " (nearest saved grid)" if asked == shown else \
            f" (nearest saved grid to {asked.removeprefix('step ')})"
    return text


def side_by_side(images: list[np.ndarray | None], titles: list[str], captions: list[str],
                 gap: int = 12) -> np.ndarray:
    """The grids in a row on a white sheet, each titled above and captioned below.

    Args:
        images: uint8 (H, W) or (H, W, 3) grids (None: a blank of the others' size).
        titles: a title per grid (the run's label).
        captions: a caption per grid (its step).
        gap: pixels between and around the grids.

    Returns:
        uint8 (H, W, 3): the sheet, for `core.images.save_png`.
    """
    from PIL import Image, ImageDraw, ImageFont

    shown = [np.asarray(i) for i in images if i is not None]
    height = max((i.shape[0] for i in shown), default=64)
    width = max((i.shape[1] for i in shown), default=64)
    font = ImageFont.load_default()
    line = 14
    sheet = Image.new("RGB", (gap + len(images) * (width + gap),
                              height + 2 * gap + 2 * line + 4), "white")
    draw = ImageDraw.Draw(sheet)
    for i, image in enumerate(images):
        left = gap + i * (width + gap)
        draw.text((left, gap // 2), _fit(draw, font, titles[i], width), fill="black", font=font)
        if image is not None:
            rgb = np.asarray(image, np.uint8)
            rgb = np.repeat(rgb[..., None], 3, axis=2) if rgb.ndim == 2 else rgb[..., :3]
            sheet.paste(Image.fromarray(np.ascontiguousarray(rgb)), (left, gap // 2 + line + 2))
        draw.text((left, gap // 2 + line + 4 + height), _fit(draw, font, captions[i], width),
                  fill="black", font=font)
    return np.asarray(sheet, dtype=np.uint8)


def _fit(draw, font, text: str, width: int) -> str:
    """`text`, cut with an ellipsis where it would run past `width` pixels."""
    while text and draw.textlength(text, font=font) > width:
        text = text[:-2] + "…" if len(text) > 1 else ""
    return text
