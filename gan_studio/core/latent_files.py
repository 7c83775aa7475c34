"""Files the latent explorer reads and writes: latent vectors (.npy) and animations.

Everything is written atomically; latent files are parsed defensively (no pickles, shape,
dtype and finiteness checked) because they may come from anywhere.
"""

from __future__ import annotations

import os

import numpy as np
from PIL import Image

from gan_studio.core.atomic import atomic_path
from gan_studio.core.grid import upscale_nearest

MAX_LATENT_FILE_BYTES = 64 * 2 ** 20
MAX_LATENTS = 10_000
ANIMATION_FORMATS = {".gif": "GIF", ".png": "PNG", ".webp": "WEBP", ".mp4": "MP4"}
MP4_QUALITY = "16"  # x264's constant rate factor: visually lossless, small files


class LatentFileError(ValueError):
    """Raised for a latent file that cannot be used (unreadable, wrong shape or values)."""


def save_latents(path: str | os.PathLike, latents) -> None:
    """Writes latents as a float32 `.npy` file (no pickles), atomically.

    Args:
        path: the destination.
        latents: one latent (D,) or several (K, D).

    Raises:
        ValueError: if the latents are not 1- or 2-D or hold non-finite values.
        OSError: if the file cannot be written.
    """
    array = np.asarray(latents, dtype=np.float32)
    if array.ndim not in (1, 2) or array.size == 0 or not np.all(np.isfinite(array)):
        raise ValueError(f"cannot save latents of shape {array.shape} with non-finite values"
                         if array.size and array.ndim in (1, 2) else
                         f"cannot save latents of shape {array.shape}")
    with atomic_path(path, suffix=".npy") as tmp:
        with open(tmp, "wb") as f:
            np.save(f, array, allow_pickle=False)


def load_latents(path: str | os.PathLike, latent_dim: int | None = None) -> np.ndarray:
    """Reads latents saved by `save_latents` (or any float `.npy` of the right shape).

    Args:
        path: the `.npy` file.
        latent_dim: the size each latent must have (None accepts any).

    Returns:
        float32 (K, D), K >= 1 (a single latent comes back as one row).

    Raises:
        LatentFileError: if the file is unreadable, too big, not a numeric array of shape
            (D,) or (K, D) with the expected D, or holds NaN or infinite values.
    """
    name = os.path.basename(os.fspath(path))
    try:
        size = os.path.getsize(path)
        if size > MAX_LATENT_FILE_BYTES:
            raise LatentFileError(f"{name} is too big for a latent file ({size:,} bytes)")
        with open(path, "rb") as f:
            array = np.load(f, allow_pickle=False)
    except LatentFileError:
        raise
    except (OSError, ValueError, EOFError) as exc:
        raise LatentFileError(f"{name} is not a readable .npy file: {exc}") from None
    if not isinstance(array, np.ndarray):
        raise LatentFileError(f"{name} holds several arrays; save one latent array per file")
    if array.dtype.kind not in "fiu" or array.dtype.kind == "b":
        raise LatentFileError(f"{name} holds {array.dtype} values, not numbers")
    if array.ndim == 1:
        array = array[None]
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise LatentFileError(f"{name} holds an array of shape {array.shape}, not latents "
                              "(D,) or (K, D)")
    if latent_dim is not None and array.shape[1] != latent_dim:
        raise LatentFileError(f"{name} holds latents of size {array.shape[1]}; this generator "
                              f"takes {latent_dim}")
    if len(array) > MAX_LATENTS:
        raise LatentFileError(f"{name} holds {len(array):,} latents (at most {MAX_LATENTS:,})")
    with np.errstate(over="ignore", invalid="ignore"):  # too large for float32: caught below
        array = array.astype(np.float32)
    if not np.all(np.isfinite(array)):
        raise LatentFileError(f"{name} holds NaN or infinite values (or values too large)")
    return array


def strip_image(frames, padding: int = 0) -> np.ndarray:
    """Lays frames (N, H, W[, C]) side by side: uint8 (H, N*W + (N-1)*padding[, C])."""
    frames = np.asarray(frames, dtype=np.uint8)
    parts = []
    for i, frame in enumerate(frames):
        if i and padding:
            parts.append(np.zeros((frame.shape[0], padding) + frame.shape[2:], np.uint8))
        parts.append(frame)
    return np.concatenate(parts, axis=1)


def _pil_frame(frame: np.ndarray, scale: int, exact_palette: bool) -> Image.Image:
    image = Image.fromarray(np.ascontiguousarray(upscale_nearest(frame, scale)))
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
                   scale: int = 1) -> int:
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
                     "duration": max(10, round(1000 / fps))}
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
