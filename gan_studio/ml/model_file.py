"""What a `.keras` file must be before Keras reads it: a zip whose config names Keras' own
classes only (no Lambda layers, lambdas or custom classes: code GAN Studio never runs)."""

from __future__ import annotations

import json
import zipfile
import zlib

MAX_CONFIG_BYTES = 16 * 2**20  # a generator's config.json is a few kB


def check_model_file(path: str, error: type[Exception]) -> None:
    """Refuses a `.keras` file that is not a readable archive or whose config holds code.

    `keras.saving.load_model(safe_mode=True)` refuses Lambda layers too; this says so in one
    line, and also refuses classes from outside Keras before Keras would look for them.

    Args:
        path: the `.keras` file.
        error: the exception type to raise.

    Raises:
        error: naming `path` and the problem.
    """
    config = _read_config(path, error)
    if not isinstance(config, dict):
        raise error(f"{path} is not a .keras model: its config.json is not a JSON object")
    problem = _code_in(config)
    if problem:
        raise error(f"{path} is refused: {problem}; GAN Studio runs no code from model files")


def _read_config(path: str, error: type[Exception]):
    if not zipfile.is_zipfile(path):
        raise error(f"{path} is not a .keras model: not a zip archive (truncated, or another "
                    "kind of file)")
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                info = archive.getinfo("config.json")
            except KeyError:
                raise error(f"{path} is not a .keras model: it has no config.json") from None
            with archive.open(info) as member:
                raw = member.read(MAX_CONFIG_BYTES + 1)  # the size in the header may lie
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise error(f"{path} is not a readable .keras model: {exc}") from exc
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
