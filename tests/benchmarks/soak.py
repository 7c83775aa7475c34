"""A long run in the real window: does memory, the thread count or the timer count grow?

    python tests/benchmarks/soak.py --data-dir /tmp/kcache --minutes 30 [--dataset mnist]

The window trains (default preset) while a script moves the latent explorer's direction
sliders continuously (one slider step every 50 ms, round robin) and saves the sample grid
every 30 s through File → Save Sample Grid's own code (its dialogs answered by the script).
Every minute it prints resident memory, Python's thread count, the process's OS threads and
the live QTimers; at the end, the growth after the first minute (the issue's limit: 100 MB),
and whether threads or timers leaked. Runs offscreen unless DISPLAY is set. Not a CI test.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import tempfile
import threading
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def resident_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def os_threads() -> int:
    return len(os.listdir("/proc/self/task"))


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def malloc_mb() -> tuple[float, float]:
    """(in use, free but kept) by glibc's malloc, in MB: what the C heap holds, and how much
    of it is fragmentation that `malloc_trim` could hand back."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):
        return float("nan"), float("nan")
    return (info.uordblks + info.hblkhd) / 2**20, info.fordblks / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also trace Python's allocations (slower) and print the lines "
                             "whose memory grew most since the first minute")
    args = parser.parse_args()
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on
    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start(1)

    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    import gan_studio.ui.training.image_actions as image_actions
    from gan_studio.core.config import TrainConfig
    from gan_studio.ui.main_window import MainWindow
    from gan_studio.ui.settings import AppSettings

    app = QApplication([])
    workdir = tempfile.mkdtemp(prefix="gan-studio-soak-")
    settings = AppSettings(QSettings(os.path.join(workdir, "s.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings=settings)
    window.resize(1400, 900)
    window.show()
    window._docks["explorer"].raise_()
    saved = []
    image_actions.ScaleDialog.ask = staticmethod(lambda *a, **k: 2)
    image_actions.ask_save_path = lambda *a, **k: os.path.join(workdir, "grid.png")

    config = TrainConfig(dataset=args.dataset, data_dir=args.data_dir,
                         runs_dir=os.path.join(workdir, "runs"), epochs=10_000)
    window.session.train(config)
    start = time.monotonic()
    sliders_moved = [0]

    def move_slider():
        sliders = window.explorer.direction_sliders.sliders
        if sliders:
            slider = sliders[sliders_moved[0] % len(sliders)]
            value = slider.value() + (7 if (sliders_moved[0] // len(sliders)) % 2 else -7)
            slider.setValue(max(slider.minimum(), min(slider.maximum(), value)))
            sliders_moved[0] += 1

    def save_grid():
        if window.sample_view.current_image() is not None:
            path = window.images.save_shown(whole_grid=True)
            if path:
                saved.append(path)

    samples, stopping, snapshots = [], [], []

    def sample():
        minute = (time.monotonic() - start) / 60
        timers = sum(1 for obj in window.findChildren(QTimer))
        samples.append((minute, resident_mb(), threading.active_count(), os_threads(), timers))
        in_use, kept = malloc_mb()
        traced = ""
        if args.tracemalloc:
            import tracemalloc

            traced = f", Python objects {tracemalloc.get_traced_memory()[0] / 2**20:.1f} MB"
            if minute >= 1.0 and not snapshots:
                snapshots.append(tracemalloc.take_snapshot())
        print(f"{minute:5.1f} min: RSS {samples[-1][1]:7.1f} MB, malloc in use {in_use:7.1f} "
              f"MB, free in its arenas {kept:6.1f} MB{traced}, Python threads "
              f"{samples[-1][2]}, OS threads {samples[-1][3]}, QTimers {timers}, sliders "
              f"moved {sliders_moved[0]}, grids saved {len(saved)}", flush=True)
        if minute >= args.minutes and not stopping:
            stopping.append(True)  # quit once the run has saved and its thread has ended
            window.session.finished.connect(lambda *_: app.quit())
            window.session.stop()

    timers = []
    for interval, slot in ((50, move_slider), (30_000, save_grid), (60_000, sample)):
        timer = QTimer()
        timer.setInterval(interval)
        timer.timeout.connect(slot)
        timer.start()
        timers.append(timer)
    QTimer.singleShot(2000, sample)
    app.exec()
    for timer in timers:
        timer.stop()
    window.shutdown()
    window.close()
    first = next((s for s in samples if s[0] >= 1.0), samples[0])
    last = samples[-1]
    print(f"\n{os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}, {args.dataset}, "
          f"{args.minutes:g} min")
    print(f"resident memory after the first minute: {first[1]:.1f} MB -> {last[1]:.1f} MB "
          f"(growth {last[1] - first[1]:+.1f} MB; limit 100 MB)")
    print(f"Python threads {first[2]} -> {last[2]}, OS threads {first[3]} -> {last[3]}, "
          f"QTimers {first[4]} -> {last[4]}; {sliders_moved[0]} slider moves, "
          f"{len(saved)} grids saved")
    if snapshots:
        import tracemalloc

        growth = tracemalloc.take_snapshot().compare_to(snapshots[0], "lineno")
        print("Python allocations that grew most since the first minute:")
        for stat in growth[:10]:
            print(f"  {stat.size_diff / 2**20:+7.2f} MB  {stat.traceback}")


if __name__ == "__main__":
    main()
