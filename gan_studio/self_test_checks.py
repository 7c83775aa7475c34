"""The self-test's checks after training: what a bundle needs beyond the training loop.

Each check uses the trained run the way the user does, through the same code: the latent
explorer opens the run in the window and paints its render thread's preview, the quality
meter trains its feature network on the data set and scores the generator, Find Image in
Latent Space searches for a held-out digit on its own thread (with that network's features,
from its cache), and `gan-studio sample` runs in a process of its own, started as the user
starts it (the bundle's executable, or `python -m gan_studio`). A module a frozen bundle
lacks for any of them (a hidden import, a data file) fails its check. Each check returns one
line for the success message.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np

TIMEOUT_S = 300
QUALITY_SAMPLES = 16  # generated images the meter scores: a handful is enough to run it all
SAMPLE_COUNT = 4  # `gan-studio sample --count`: a 2x2 grid


class SelfTestError(RuntimeError):
    """A self-test check that failed."""


def check(condition: bool, message: str) -> None:
    """Raises `SelfTestError(message)` unless `condition` holds."""
    if not condition:
        raise SelfTestError(message)


class Driver:
    """Runs the app's event loop for the checks, and answers the window's modal dialogs.

    Offscreen nobody can answer a message box: its `exec()` would wait forever. A timer,
    which fires inside the dialog's own event loop too, closes each one and keeps its text,
    and the next `wait` fails with it.

    Args:
        app: the QApplication.
        window: the `MainWindow` the checks drive.
    """

    def __init__(self, app, window):
        from PySide6.QtCore import QTimer

        self.app, self.window = app, window
        self.dialogs: list[str] = []  # "title: text" of each modal dialog closed
        self._timer = QTimer()
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._close_dialog)
        self._timer.start()

    def _close_dialog(self) -> None:
        dialog = self.app.activeModalWidget()
        if dialog is not None:
            text = dialog.text() if hasattr(dialog, "text") else ""
            self.dialogs.append(f"{dialog.windowTitle()}: {text}")
            dialog.reject()

    def check_no_dialog(self) -> None:
        """Raises `SelfTestError` if the window opened a modal dialog (an error, a question)."""
        check(not self.dialogs, f"the window showed \"{self.dialogs[0] if self.dialogs else ''}\"")

    def wait(self, predicate, what: str) -> None:
        """Runs the event loop until `predicate()` holds.

        Raises:
            SelfTestError: if the window opened a modal dialog meanwhile, or after
                `TIMEOUT_S` seconds.
        """
        deadline = time.monotonic() + TIMEOUT_S
        while not predicate():
            self.check_no_dialog()
            if time.monotonic() > deadline:
                raise SelfTestError(f"timed out after {TIMEOUT_S} s waiting for {what}")
            self.app.processEvents()
            time.sleep(0.01)
        self.check_no_dialog()

    def stop(self) -> None:
        """Stops answering dialogs."""
        self._timer.stop()


def _inside(path: str | None, folder: str) -> bool:
    return bool(path) and os.path.realpath(path).startswith(os.path.realpath(folder) + os.sep)


def _timed(check_function, *args) -> str:
    start = time.monotonic()
    line = check_function(*args)
    return f"{line} ({time.monotonic() - start:.1f} s)"


def run_checks(driver: Driver, run_dir: str, picture: str, workdir: str) -> list[str]:
    """Runs every check on the trained run at `run_dir`; returns their lines.

    Args:
        driver: the `Driver` of the window that trained the run.
        run_dir: the run folder.
        picture: a PNG of a held-out digit, to find in the latent space.
        workdir: the self-test's temporary folder (everything is written inside it).

    Raises:
        SelfTestError: the first check that failed, with the reason.
    """
    # The meter runs before the search: the search then finds the network it cached.
    return [_timed(explorer_render, driver, run_dir),
            _timed(quality_score, run_dir, workdir),
            _timed(projection_step, driver, run_dir, picture),
            _timed(cli_sample, run_dir, workdir),
            _timed(runs_library, driver, run_dir)]


def _shown_preview(driver: Driver, what: str) -> np.ndarray:
    """Waits until the explorer's preview has painted its newest render; returns its pixels."""
    explorer, failures = driver.window.explorer, []
    explorer.rendering.preview_failed.connect(failures.append)
    try:
        driver.wait(lambda: failures or (explorer.preview.tag == explorer.last_request_id
                                         and explorer.current_image() is not None), what)
    finally:
        explorer.rendering.preview_failed.disconnect(failures.append)
    check(not failures, f"the explorer could not render: {failures[0] if failures else ''}")
    return explorer.current_image()


def explorer_render(driver: Driver, run_dir: str) -> str:
    """Opens the run in the latent explorer (File → Open Generator) and checks its preview."""
    from gan_studio.workers.explorer.generator_loading import TENSORFLOW

    window = driver.window
    choice, failures = window.explorer.generator_choice, []
    choice.failed.connect(failures.append)
    try:
        window.explorer_actions.files.open(run_dir)
        driver.wait(lambda: failures or (choice.loading_path is None and choice.current
                                         is not None and choice.current.source == run_dir),
                    "the explorer to load the run's generator")
    finally:
        choice.failed.disconnect(failures.append)
    check(not failures, f"the explorer could not open the run: {failures[0] if failures else ''}")
    loaded = choice.current
    check(loaded.backend != TENSORFLOW,
          f"the explorer fell back to TensorFlow: no numpy copy of the generator ({loaded.note})")
    driver.wait(lambda: window.explorer.model.generator is loaded, "the explorer to show the run")
    image = _shown_preview(driver, "the explorer's preview")
    check(image.shape[:2] == (28, 28), f"the explorer rendered a {image.shape} image")
    check(int(image.max()) > int(image.min()), "the explorer's preview is blank")
    latent = window.explorer.current_latent()
    again = loaded.renderer.render_uint8(latent[None])[0]
    # One level of rounding apart at most: BLAS may sum in another order on this thread.
    apart = np.abs(again.reshape(image.shape).astype(np.int16) - image).max()
    check(apart <= 1, "the explorer's preview differs from its generator's render of the "
                      f"latent shown (by {apart} levels)")
    check(not window.explorer.preview.grab().isNull(), "the explorer could not be painted")
    return (f"explorer: opened the run, its {loaded.backend} renderer drew the "
            f"{image.shape[1]}x{image.shape[0]} preview")


def _event_plugins(run_dir: str) -> set[str]:
    """The TensorBoard plugins whose summaries the run's event files hold."""
    import glob

    from gan_studio.ml.runtime.device import import_tensorflow

    tf = import_tensorflow()
    found = set()
    for path in glob.glob(os.path.join(run_dir, "events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            found.update(value.metadata.plugin_data.plugin_name for value in event.summary.value)
    return found


def runs_library(driver: Driver, run_dir: str) -> str:
    """Lists the run in the runs library (File → Runs Library) and finds its levers in its
    TensorBoard events (the HParams plugin, which the bundle must carry)."""
    windows = driver.window.runs_windows
    windows.show_library.trigger()
    library = windows.library
    library.set_roots([os.path.dirname(os.path.abspath(run_dir))])
    driver.wait(lambda: library.model.row_of(os.path.abspath(run_dir)) is not None
                and not library.reader.busy, "the runs library to list the run")
    summary = library.model.summary(library.model.row_of(os.path.abspath(run_dir)))
    library.hide()
    check(not summary.problem and summary.steps > 0,
          f"the runs library read the run as {summary.steps} steps ({summary.problem})")
    check("hparams" in _event_plugins(run_dir),
          "the run's TensorBoard events carry no HParams (its levers)")
    return (f"runs library: listed the run ({summary.steps} steps, {summary.dataset}); its "
            "events carry its levers for TensorBoard's HParams")


def quality_score(run_dir: str, workdir: str) -> str:
    """Scores the run with the quality meter: its feature network trains on the run's data
    (the data folder, inside `workdir`, caches it) and scores a handful of samples."""
    from gan_studio.core.config import TrainConfig
    from gan_studio.core.runs.layout import CONFIG_FILE
    from gan_studio.ml.generators.export import load_generator
    from gan_studio.ml.quality import meter_for_config

    config = TrainConfig.load(os.path.join(run_dir, CONFIG_FILE)).resolved()
    check(_inside(config.data_dir, workdir), f"the run's data folder {config.data_dir} is "
                                             "outside the self-test's folder")
    meter = meter_for_config(config, count=QUALITY_SAMPLES, download=False)
    report = meter.evaluate(load_generator(run_dir))
    check(_inside(meter.cache_path, workdir) and os.path.isfile(meter.cache_path),
          f"the feature network was not cached in the self-test's folder ({meter.cache_path})")
    numbers = (report.fd, report.kid, report.diversity)
    check(all(np.isfinite(n) for n in numbers), f"the quality meter measured {numbers}")
    network = "loaded from its cache" if meter.from_cache else "trained and cached"
    return (f"quality: FD {report.fd:.2f}, KID {report.kid:.3f} ({report.samples} samples; "
            f"the data set's {meter.kind} {network})")


def projection_step(driver: Driver, run_dir: str, picture: str) -> str:
    """Finds a picture in the run's latent space for one step, on the window's search thread,
    and shows the latent found in the explorer."""
    from gan_studio.workers.explorer.projection import ProjectionRequest

    window = driver.window
    service, results, failures = window.explorer_actions.projection.service, [], []
    service.finished.connect(results.append)
    service.failed.connect(failures.append)
    try:
        check(service.start(ProjectionRequest(run_dir, image_path=picture, steps=1)),
              "a search for a picture was running already")
        driver.wait(lambda: results or failures, "one step of Find Image in Latent Space")
    finally:
        service.finished.disconnect(results.append)
        service.failed.disconnect(failures.append)
    check(not failures, f"Find Image failed: {failures[0] if failures else ''}")
    result = results[0]
    check(result.steps == 1 and not result.stopped, f"the search ran {result.steps} steps")
    check(np.isfinite(result.error) and np.all(np.isfinite(result.latent)),
          f"the search found a non-finite latent or error ({result.error})")
    check("features" in result.loss, f"the search compared {result.loss}, not the quality "
                                     "meter's cached features")
    window.explorer.show_latent(result.latent)
    shown = _shown_preview(driver, "the explorer to show the latent found")
    drift = np.abs(shown.astype(np.float64) - result.image.reshape(shown.shape)).mean() / 255
    check(drift < 0.02, f"the explorer draws the latent found {drift:.1%} unlike TensorFlow")
    return f"projection: 1 step, pixel error {result.error:.3f} (compared {result.loss})"


def _gan_studio_command() -> list[str]:
    """How the user starts `gan-studio`: the bundle's executable (one executable: the window,
    `--self-test` and the subcommands), else this Python running the package."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "gan_studio"]


def _child_environment() -> dict[str, str]:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    if getattr(sys, "frozen", False):
        # PyInstaller's documented switch: a new instance of the app, not a child of this one.
        env["PYINSTALLER_RESET_ENVIRONMENT"] = "1"
    else:  # the package this process runs, wherever it was imported from
        package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root,
                                                          env.get("PYTHONPATH")]))
    return env


def cli_sample(run_dir: str, workdir: str) -> str:
    """Runs `gan-studio sample RUN --out grid.png --count 4` as the user does, in a process of
    its own (the executable's argument dispatch, every import from a cold start), and checks
    the grid it writes."""
    from gan_studio.core.images import load_image

    out = os.path.join(workdir, "cli-sample.png")
    argv = ["sample", run_dir, "--out", out, "--count", str(SAMPLE_COUNT)]
    try:
        done = subprocess.run(_gan_studio_command() + argv, capture_output=True, text=True,
                              cwd=workdir, env=_child_environment(), timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise SelfTestError(f"`gan-studio sample` ran over {TIMEOUT_S} s") from exc
    said = (done.stderr.strip().splitlines() or [""])[-1]
    check(done.returncode == 0, f"`gan-studio {' '.join(argv)}` exited {done.returncode}: "
                                f"{said}")
    check(f"Wrote {SAMPLE_COUNT} images" in done.stdout,
          f"`gan-studio sample` printed {done.stdout.strip()!r}")
    check(os.path.isfile(out), "`gan-studio sample` wrote no file")
    grid = load_image(out)
    check(grid.shape[:2] == (56, 56), f"`gan-studio sample` wrote a {grid.shape} grid")
    check(int(grid.max()) > int(grid.min()), "`gan-studio sample` wrote a blank grid")
    return (f"cli: `gan-studio sample --count {SAMPLE_COUNT}` in its own process exited 0, "
            "wrote a 2x2 grid PNG")
