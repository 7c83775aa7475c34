"""Finds the app's resource files (icons, .desktop file, style sheet) wherever it runs.

The files live in `resources/` at the top of the source tree. They are found at:

- a frozen (PyInstaller) bundle: `<sys._MEIPASS>/resources/`, or `resources/` next to the
  executable for freezers without `_MEIPASS`;
- an installed wheel: `gan_studio/_resources/` (setup.py copies `resources/` into that
  package);
- a source checkout or an editable install: `<checkout>/resources/`.
"""

from __future__ import annotations

import sys
from pathlib import Path, PurePath

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICON_NAME = "gan-studio"

_PACKAGE = Path(__file__).resolve().parent.parent  # the gan_studio/ folder


def _search_dirs() -> list[Path]:
    """Returns the folders that may hold the resources, the most specific first."""
    dirs = []
    if getattr(sys, "frozen", False):
        bundle = getattr(sys, "_MEIPASS", None)
        if bundle:
            dirs.append(Path(bundle) / "resources")
        dirs.append(Path(sys.executable).resolve().parent / "resources")
    dirs.append(_PACKAGE / "_resources")
    checkout = _PACKAGE.parent
    # Without pyproject.toml beside it, `../resources` is some other package's folder
    # in site-packages, not ours.
    if (checkout / "pyproject.toml").is_file():
        dirs.append(checkout / "resources")
    return dirs


def resource_path(*parts: str) -> Path:
    """Returns the path of a file (or folder) in the app's resources.

    Example:

    >>> resource_path("icons", "gan-studio-32.png").name
    'gan-studio-32.png'

    Args:
        *parts: path components relative to `resources/`, e.g. `"icons", "gan-studio.svg"`.
            No components give the resources folder itself.

    Returns:
        The absolute `pathlib.Path` of the first match.

    Raises:
        ValueError: if a component is absolute or climbs out with `..`.
        FileNotFoundError: if no resources folder holds the file.
    """
    relative = PurePath(*parts)
    if relative.is_absolute() or ".." in relative.parts:
        raise ValueError(f"Resource paths must stay inside resources/, got {relative}")
    searched = _search_dirs()
    for folder in searched:
        candidate = folder / relative
        if candidate.exists():
            return candidate
    looked_in = ", ".join(str(folder) for folder in searched)
    raise FileNotFoundError(
        f"GAN Studio resource '{relative.as_posix()}' not found; looked in: {looked_in}. "
        "The installation may be incomplete."
    )


def icon_path(size: int | None = None) -> Path:
    """Returns the path of the app icon as a PNG.

    Args:
        size: width and height in pixels, one of `ICON_SIZES`; `None` gives the largest.

    Returns:
        The `pathlib.Path` of `icons/gan-studio-<size>.png`.

    Raises:
        ValueError: if there is no icon of that size.
        FileNotFoundError: if the icon file is missing.
    """
    size = max(ICON_SIZES) if size is None else size
    if size not in ICON_SIZES:
        raise ValueError(f"No {size} px icon; available sizes: {ICON_SIZES}")
    return resource_path("icons", f"{ICON_NAME}-{size}.png")
