"""Builds the PyInstaller bundle with build.spec and runs its self-test (slow: minutes).

Run with `pytest -m packaging`; `.ci/run` does. Skipped only where PyInstaller is missing.
"""

import os
import shutil
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXE_NAME = "GAN Studio.exe" if sys.platform == "win32" else "GAN Studio"

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(1800)]


def _folder_size(path: str) -> int:
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path) for f in files
               if not os.path.islink(os.path.join(d, f)))


def test_frozen_bundle_builds_and_passes_its_self_test(tmp_path):
    pytest.importorskip("PyInstaller")
    dist, work = tmp_path / "dist", tmp_path / "build"
    start = time.monotonic()
    build = subprocess.run(
        [sys.executable, "-m", "PyInstaller", os.path.join(ROOT, "build.spec"), "--noconfirm",
         "--distpath", str(dist), "--workpath", str(work)],
        cwd=ROOT, capture_output=True, text=True, timeout=1500)
    assert build.returncode == 0, build.stderr[-5000:]
    bundle = dist / "GAN Studio"
    exe = bundle / EXE_NAME
    assert exe.is_file()
    print(f"\nbuilt in {time.monotonic() - start:.0f} s, "
          f"bundle {_folder_size(str(bundle)) / 2**30:.2f} GiB")
    # What the app needs is there; what it never uses is not.
    internal = bundle / "_internal"
    assert (internal / "resources" / "icons" / "gan-studio-256.png").is_file()
    assert (internal / "gan_studio" / "ml" / "training" / "gan.py").is_file()  # sources ship (AutoGraph)
    assert not list(internal.rglob("*QtWebEngine*"))
    assert not list(internal.rglob("libQt6Quick.so*"))

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    run = subprocess.run([str(exe), "--self-test"], capture_output=True, text=True, env=env,
                         timeout=600, cwd=str(tmp_path))
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-5000:]
    assert "self-test passed" in run.stdout
    assert "Unable to locate the source code" not in output
    shutil.rmtree(work, ignore_errors=True)
