"""Atomic writes: a new file gets the permissions the umask gives any new file (not the
temporary file's private 0600); a replaced file keeps its own."""

import os
import stat

from gan_studio.core import atomic
from gan_studio.core.atomic import atomic_write_bytes


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_file_gets_the_umask_s_permissions(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "_UMASK", 0o022)
    atomic_write_bytes(tmp_path / "grid.png", b"x")
    assert _mode(tmp_path / "grid.png") == 0o644  # was 0o600: mkstemp's
    monkeypatch.setattr(atomic, "_UMASK", 0o077)
    atomic_write_bytes(tmp_path / "private.png", b"x")
    assert _mode(tmp_path / "private.png") == 0o600


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "config.json"
    path.write_bytes(b"{}")
    os.chmod(path, 0o640)
    atomic_write_bytes(path, b"{ }")
    assert _mode(path) == 0o640 and path.read_bytes() == b"{ }"
    assert os.listdir(tmp_path) == ["config.json"]
