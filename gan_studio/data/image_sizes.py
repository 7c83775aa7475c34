"""The size typical of the images in a folder or a `.zip`, from a sample of their headers.

Pillow reads an image's size from its header without decoding it, so this costs a few file
opens, not a data set's decoding: it tells the automatic image size before loading starts.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable

from PIL import Image

from gan_studio.data.image_folders import folder_entries, open_regular_file, zip_entries

# Headers read at most, spread evenly over the sorted files: enough for a median of a folder
# whose images differ, and a few milliseconds for a folder of any size.
PROBED_FILES = 101


def folder_image_size(folder: str) -> tuple[int, int] | None:
    """The `(width, height)` typical of the images under `folder` (see `typical_size`)."""
    return typical_size(folder_entries(folder), open_regular_file)


def zip_image_size(path: str) -> tuple[int, int] | None:
    """The `(width, height)` typical of the images in the `.zip` at `path`, or None if it is
    unreadable (the loading then says why)."""
    try:
        with zipfile.ZipFile(path) as archive:
            # A member is streamed, not read whole: Pillow stops after its header.
            return typical_size(zip_entries(archive), archive.open)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        return None


def typical_size(entries: list, opener: Callable) -> tuple[int, int] | None:
    """The `(width, height)` of the median image by shorter side among up to `PROBED_FILES`
    of `entries`, spread evenly over them.

    Args:
        entries: `(path parts, handle)` pairs, as `folder_entries` or `zip_entries` list them.
        opener: opens a handle as a binary file.

    Returns:
        The size, or None when no sampled header reads.
    """
    stride = max(1, -(-len(entries) // PROBED_FILES))
    sizes = []
    for _, handle in entries[::stride]:
        try:
            with opener(handle) as f, Image.open(f) as img:
                sizes.append(img.size)
        # Pillow raises many kinds of errors on malformed files: any leaves this one out of
        # the count (the loading names it and skips it).
        except Exception:
            continue
    if not sizes:
        return None
    sizes.sort(key=min)
    return sizes[len(sizes) // 2]
