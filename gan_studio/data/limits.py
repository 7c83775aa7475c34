"""How much data a file may claim: headers are checked against it before anything is allocated."""

from __future__ import annotations

import math
import os

from gan_studio.data.errors import DatasetError

# Deflate cannot expand data by more than about 1032:1, so a header claiming more than this
# per compressed byte is lying (or a zip bomb).
MAX_DEFLATE_RATIO = 1100
# The most one image in a zip of images may unpack to. Photographs are a few tens of MB at
# most; 256 MiB still holds an uncompressed 8192 x 8192 RGBA bitmap, and bounds what one image
# costs in memory: zipfile reads no more than this declared size (a member that holds more
# fails its CRC check and is skipped like any unreadable image).
MAX_ZIPPED_IMAGE_BYTES = 256 << 20
# The most pixels an image of a folder or a zip may have; larger ones are skipped from their
# header, before any decoding. The models train at 128 x 128 at most, and 8192 x 8192 (the
# same bound as above) holds any camera's photo but the largest medium-format ones; a header
# claiming 20000 x 20000 is a decompression bomb, or a map no GAN here can use whole.
MAX_IMAGE_PIXELS = 8192 * 8192


def describe_pixel_limit() -> str:
    """`MAX_IMAGE_PIXELS` in words: `8192 × 8192` (a square's side), else a count of pixels."""
    side = math.isqrt(MAX_IMAGE_PIXELS)
    return f"{side} × {side}" if side * side == MAX_IMAGE_PIXELS else f"{MAX_IMAGE_PIXELS:,} pixels"


def memory_bytes() -> int | None:
    """Returns this computer's physical memory in bytes, or None where it cannot be told."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not POSIX, or the name is unknown
        return None


def check_fits_in_memory(nbytes: int, name: str) -> None:
    """Refuses data that could not be held in this computer's memory.

    Args:
        nbytes: bytes the file's header says its data take.
        name: the file, for the message.

    Raises:
        DatasetError: if `nbytes` exceeds the physical memory.
    """
    total = memory_bytes()
    if total is not None and nbytes > total:
        raise DatasetError(f"{name} claims {_gigabytes(nbytes)} of data, more than this "
                           f"computer's {_gigabytes(total)} of memory, so it was not loaded.")


def _gigabytes(nbytes: int) -> str:
    return f"{nbytes / (1 << 30):.3g} GiB"
