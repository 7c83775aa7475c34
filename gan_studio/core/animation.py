"""Animations through Pillow (GIF, animated PNG, WebP) and PyAV (MP4), written atomically:
the explorer's interpolations and the training timelapse."""

from __future__ import annotations

import os

import numpy as np

from gan_studio.core.atomic import atomic_path
from gan_studio.core.grid import upscale_nearest
from gan_studio.core.images import to_pil

ANIMATION_FORMATS = {".gif": "GIF", ".png": "PNG", ".webp": "WEBP", ".mp4": "MP4"}
MP4_QUALITY = "16"  # x264's constant rate factor: visually lossless, small files
MAX_TIMELAPSE_FRAMES = 300
TIMELAPSE_FRAME_MS = 120
TIMELAPSE_LAST_FRAME_MS = 2000  # the newest grid lingers before the loop starts over


def evenly_spaced(items: list, limit: int) -> list:
    """Returns at most `limit` items, evenly spread, always including the first and last."""
    if len(items) <= limit:
        return list(items)
    indices = np.unique(np.linspace(0, len(items) - 1, limit).round().astype(int))
    return [items[i] for i in indices]


def save_timelapse(path: str | os.PathLike, images: list[np.ndarray], scale: int = 1,
                   frame_ms: int = TIMELAPSE_FRAME_MS) -> int:
    """Writes sample grids as a looping animation (by extension, e.g. `.gif`); the last lingers.

    Args:
        path: the destination file.
        images: uint8 frames of one shape, oldest first (at most `MAX_TIMELAPSE_FRAMES`,
            evenly spread, are used).
        scale: integer scale factor.
        frame_ms: display time of each frame.

    Returns:
        The number of frames written.

    Raises:
        ValueError: if `images` is empty.
        OSError: if the file cannot be written.
    """
    if not len(images):
        raise ValueError("there are no sample grids to put in a timelapse yet")
    frames = evenly_spaced(list(images), MAX_TIMELAPSE_FRAMES)
    durations = [frame_ms] * (len(frames) - 1) + [TIMELAPSE_LAST_FRAME_MS]
    return save_animation(path, np.stack(frames), loop=True, scale=scale, durations=durations)


def _pil_frame(frame: np.ndarray, scale: int, exact_palette: bool):
    from PIL import Image

    image = to_pil(frame, scale)
    if not exact_palette or image.mode != "RGB":
        return image
    colours = image.getcolors(256)
    if colours is None:  # more than 256 colours: GIF needs a palette, take the closest one
        return image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    return image.quantize(len(colours), method=Image.Quantize.MEDIANCUT,
                          dither=Image.Dither.NONE)


def video_supported() -> bool:
    """Whether MP4 can be written: PyAV (`pip install av`, FFmpeg and x264 in its wheels)."""
    try:
        import av  # noqa: F401
    except ImportError:
        return False
    return True


def _save_mp4(path: str, frames: np.ndarray, fps: float, scale: int) -> None:
    import av

    with av.open(path, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=max(1, round(fps)))
        stream.height, stream.width = frames.shape[1] * scale, frames.shape[2] * scale
        stream.pix_fmt = "yuv420p"  # what every player decodes (sizes here are even)
        stream.options = {"crf": MP4_QUALITY}
        for frame in frames:
            rgb = upscale_nearest(frame if frame.ndim == 3 else np.stack([frame] * 3, -1), scale)
            picture = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            container.mux(stream.encode(picture))
        container.mux(stream.encode())


def save_animation(path: str | os.PathLike, frames, fps: float = 24.0, loop: bool = True,
                   scale: int = 1, durations: list[int] | None = None) -> int:
    """Writes frames as an animation, atomically: GIF, animated PNG, WebP or MP4 by extension.

    Animated PNG and WebP (lossless) keep every pixel. GIF does too for gray frames and for
    colour frames of at most 256 colours; others get their closest 256-colour palette. MP4
    (H.264, when `video_supported()`) is lossy, and players loop it or not as they please.

    Args:
        path: the destination (`.gif`, `.png`, `.webp` or `.mp4`).
        frames: uint8 (N, H, W) or (N, H, W, 3), in order.
        fps: frames per second (GIF stores hundredths of a second per frame).
        loop: repeat forever (True) or play once.
        scale: integer nearest-neighbour scale.
        durations: milliseconds each frame shows, instead of `1000 / fps` for all (not MP4).

    Returns:
        The number of frames written.

    Raises:
        ValueError: for no frames, a bad scale or fps, or an unknown extension.
        OSError: if the file cannot be written.
    """
    ext = os.path.splitext(os.fspath(path))[1].lower()
    fmt = ANIMATION_FORMATS.get(ext)
    if fmt is None:
        raise ValueError(f"unknown animation format {ext!r} (use .gif, .png, .webp or .mp4)")
    frames = np.asarray(frames, dtype=np.uint8)
    if len(frames) == 0:
        raise ValueError("there are no frames to write")
    if durations is not None and (fmt == "MP4" or len(durations) != len(frames)):
        raise ValueError("durations need one entry per frame, and no MP4")
    if not 0 < fps <= 100:
        raise ValueError(f"fps must be in (0, 100], got {fps}")
    if fmt == "MP4":
        if not video_supported():
            raise ValueError("MP4 needs PyAV: pip install av")
        with atomic_path(path, suffix=ext) as tmp:
            _save_mp4(tmp, frames, fps, scale)
        return len(frames)
    images = [_pil_frame(frame, scale, fmt == "GIF") for frame in frames]
    options: dict = {"save_all": True, "append_images": images[1:],
                     "duration": max(10, round(1000 / fps)) if durations is None
                     else [max(10, int(ms)) for ms in durations]}
    if fmt == "GIF":
        options["disposal"] = 1
        options["optimize"] = False
    if fmt == "WEBP":
        options.update(lossless=True, quality=100, method=4)
    if loop:
        options["loop"] = 0
    elif fmt != "GIF":
        options["loop"] = 1  # APNG and WebP: 1 plays once (GIF: no loop block plays once)
    with atomic_path(path, suffix=ext) as tmp:
        images[0].save(tmp, format=fmt, **options)
    return len(images)
