"""`gan-studio-gui`, the installed launcher of the window (the .desktop file's Exec), runs:
it shows the window and, sent SIGTERM as at a logout, closes it cleanly (settings saved,
threads joined, exit 0)."""

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads /proc to see the handler installed")
HANG_GUARD = 300  # not a timing: the window starts in seconds


def _catches(pid: int, number: int) -> bool:
    """Whether process `pid` has a handler of its own for signal `number` (/proc's SigCgt)."""
    with open(f"/proc/{pid}/status") as f:
        caught = next(line for line in f if line.startswith("SigCgt:")).split()[1]
    return bool(int(caught, 16) >> (number - 1) & 1)


def test_the_installed_gui_launcher_opens_the_window_and_closes_it_on_sigterm(tmp_path):
    launcher = shutil.which("gan-studio-gui", path=os.path.dirname(sys.executable))
    assert launcher, "gan-studio-gui is not installed beside this Python: pip install -e ."
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"))
    proc = subprocess.Popen([launcher], env=env, cwd=str(tmp_path), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + HANG_GUARD
        while not _catches(proc.pid, signal.SIGTERM):  # the window's bridge is installed
            assert proc.poll() is None, proc.communicate()[0]
            assert time.monotonic() < deadline, "the window never came up"
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=HANG_GUARD)[0]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, output
    assert "Traceback" not in output
    # the window's close saved its settings (geometry, the training panel's values)
    assert list((tmp_path / "config").rglob("*.conf")), output
