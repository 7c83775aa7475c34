"""What a `.keras` file must be before Keras reads it: a zip that unpacks to a bounded size,
whose config names Keras' own classes only (no Lambda layers, lambdas or custom classes: code
GAN Studio never runs)."""

from __future__ import annotations

import json
import zipfile
import zlib

MAX_CONFIG_BYTES = 16 * 2**20  # a generator's config.json is a few kB
# The most a model file may unpack to, one member or all of them together. The largest
# generator GAN Studio builds (128 px colour, latent size 4096, 1000 classes, 5x5 kernels)
# holds 74 million float32 weights: a 283 MiB model.weights.h5. 1 GiB leaves 3.5 times that,
# yet refuses a zip bomb from the zip's directory alone: Keras reads the weights into memory
# (or unpacks them beside the file), and its own guard (Keras 3.15) starts at 4 GiB and 100:1.
MAX_UNPACKED_BYTES = 2**30
# What zipfile raises on a damaged or hostile archive: a CRC or size that does not match what
# was read (BadZipFile), a member name flagged UTF-8 that is not (UnicodeDecodeError, a
# ValueError), an encrypted member (RuntimeError) or an unknown compression (NotImplementedError).
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError)
_NOT_A_ZIP = "{path} is not a .keras model: not a zip archive (truncated, or another kind of file)"


def check_model_file(path: str, error: type[Exception]) -> None:
    """Refuses a `.keras` file that is not a readable archive, would unpack to too much, or
    whose config holds code.

    `keras.saving.load_model(safe_mode=True)` refuses Lambda layers too; this says so in one
    line, and also refuses classes from outside Keras before Keras would look for them.

    Args:
        path: the `.keras` file.
        error: the exception type to raise.

    Raises:
        error: naming `path` and the problem (for an oversized archive, the member and
            `MAX_UNPACKED_BYTES`).
    """
    config = _read_config(path, error)
    if not isinstance(config, dict):
        raise error(f"{path} is not a .keras model: its config.json is not a JSON object")
    problem = _code_in(config)
    if problem:
        raise error(f"{path} is refused: {problem}; GAN Studio runs no code from model files")


def check_unpacked_sizes(path: str, error: type[Exception]) -> None:
    """Refuses a `.keras` file whose members would unpack to more than `MAX_UNPACKED_BYTES`.

    Only the zip's central directory is read: the sizes it declares are checked before
    anything is unpacked. A member that holds more than its declared size is caught later, by
    zipfile, when it is read (its CRC and size no longer match).

    Args:
        path: the `.keras` file.
        error: the exception type to raise.

    Raises:
        error: naming `path` and, if it is too large, the member and the limit.
    """
    if not zipfile.is_zipfile(path):
        raise error(_NOT_A_ZIP.format(path=path))
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except _ZIP_ERRORS as exc:
        raise error(f"{path} is not a readable .keras model: {_first_line(exc)}") from exc
    problem = _unpacking_problem(infos)
    if problem:
        raise error(f"{path} is refused: {problem}")


def _read_config(path: str, error: type[Exception]):
    check_unpacked_sizes(path, error)  # before a byte is unpacked, config.json's included
    raw = None
    # Nothing raises `error` inside the try: the caller's type may be one of _ZIP_ERRORS.
    try:
        with zipfile.ZipFile(path) as archive:
            if any(info.filename == "config.json" for info in archive.infolist()):
                with archive.open("config.json") as member:
                    raw = member.read(MAX_CONFIG_BYTES + 1)  # the size in the header may lie
    except _ZIP_ERRORS as exc:
        raise error(f"{path} is not a readable .keras model: {_first_line(exc)}") from exc
    if raw is None:
        raise error(f"{path} is not a .keras model: it has no config.json")
    if len(raw) > MAX_CONFIG_BYTES:
        raise error(f"{path} is not a .keras model: its config.json is over "
                    f"{MAX_CONFIG_BYTES // 2**20} MB")
    try:
        return json.loads(raw)
    except RecursionError:
        raise error(f"{path} is not a .keras model: its config.json is nested too deeply") \
            from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise error(f"{path} is not a .keras model: its config.json is not JSON ({exc})") \
            from exc


def _unpacking_problem(infos: list[zipfile.ZipInfo]) -> str | None:
    """Why members of these declared sizes are refused, or None if they are not."""
    # Sizes in bytes: rounded, one byte over the limit would read "1 GiB, over the 1 GiB".
    limit = f"over the {MAX_UNPACKED_BYTES // 2**30} GiB a model file may unpack to"
    for info in infos:
        if info.file_size > MAX_UNPACKED_BYTES:
            return (f"its member {info.filename!r} would unpack to {info.file_size:,} bytes, "
                    f"{limit}")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED_BYTES:
        largest = max(infos, key=lambda info: info.file_size)
        return (f"its {len(infos)} members would unpack to {total:,} bytes in all (the "
                f"largest, {largest.filename!r}, {largest.file_size:,}), {limit}")
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _code_in(config: dict) -> str | None:
    """What in a Keras config would be code, or None. Iterative: configs may be deep."""
    stack: list = [config]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        stack.extend(item.values())
        name, module = item.get("class_name"), item.get("module")
        registered = item.get("registered_name")
        if name == "Lambda":
            inner = item.get("config")
            layer = inner.get("name") if isinstance(inner, dict) else None
            return f"layer {layer!r} is a Lambda layer (Python code)"
        if name == "__lambda__":
            return "it holds a Python lambda (__lambda__)"
        if module is not None and not (isinstance(module, str) and (
                module == "keras" or module.startswith("keras."))):
            return f"it needs the class {module}.{name}, which is not one of Keras' own"
        if isinstance(registered, str) and ">" in registered:
            return f"it needs the custom class {registered}, which is not one of Keras' own"
    return None
