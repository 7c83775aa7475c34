"""Launch → window visible: `gan-studio` vs a bare PySide6 window, on a real X server (Xvfb).

    python tests/benchmarks/launch_time.py [--runs 5]

Starts Xvfb if DISPLAY is unset, launches each program `--runs` times and waits with
`xdotool search --sync --onlyvisible` for its window to be mapped. Prints the medians and the
ratio. Needs xvfb and xdotool (Debian packages). Also checks, with `python -X importtime`, that
TensorFlow is not imported on the start-up path.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BARE = ("from PySide6.QtWidgets import QApplication, QMainWindow; app = QApplication([]); "
        "w = QMainWindow(); w.setWindowTitle('Bare Qt'); w.resize(800, 600); w.show(); app.exec()")


def time_window(cmd: list[str], title: str, env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", title],
                       env=env, check=True, capture_output=True, timeout=60)
        return time.perf_counter() - start
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def tensorflow_on_startup_path(env: dict) -> bool:
    code = "import gan_studio.cli, gan_studio.app, gan_studio.ui.main_window"
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env,
                         capture_output=True, text=True, timeout=120)
    return any(line.split("|")[-1].strip().startswith("tensorflow")
               for line in out.stderr.splitlines() if "|" in line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on
    for tool in ("xdotool",) + (() if os.environ.get("DISPLAY") else ("Xvfb",)):
        if not shutil.which(tool):
            sys.exit(f"needs {tool}: apt-get install -y xvfb xdotool")
    env = dict(os.environ)
    xvfb = None
    if not env.get("DISPLAY"):
        xvfb = subprocess.Popen(["Xvfb", ":93", "-screen", "0", "1400x900x24"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        env["DISPLAY"] = ":93"
        time.sleep(1)
    env.pop("QT_QPA_PLATFORM", None)
    home = tempfile.mkdtemp()  # fresh settings: first-launch conditions every time
    env["HOME"] = env["XDG_CONFIG_HOME"] = home
    try:
        ours, bare = [], []
        for _ in range(args.runs):
            bare.append(time_window([sys.executable, "-c", BARE], "Bare Qt", env))
            ours.append(time_window([sys.executable, "-m", "gan_studio"], "^GAN Studio$", env))
        m_ours, m_bare = statistics.median(ours), statistics.median(bare)
        print(f"{args.runs} runs each")
        print(f"bare PySide6 window: median {m_bare:.2f} s (max {max(bare):.2f})")
        print(f"GAN Studio window:   median {m_ours:.2f} s (max {max(ours):.2f}), "
              f"ratio {m_ours / m_bare:.2f}x the bare window")
        print(f"TensorFlow imported on the start-up path: {tensorflow_on_startup_path(env)}")
    finally:
        shutil.rmtree(home, ignore_errors=True)
        if xvfb:
            xvfb.terminate()


if __name__ == "__main__":
    main()
