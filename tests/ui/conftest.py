"""Every UI test gets its own settings file, never the user's; `open_window` shows the app."""

import json

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(autouse=True)
def _isolated(isolated_settings):
    return isolated_settings


@pytest.fixture
def open_window(qtbot, isolated_settings, tmp_path, message_boxes):
    """Shows a `MainWindow` whose runs go to `tmp_path/runs`, and closes it after the test.

    Call it as `open_window(engine_loader=None, load_tensorflow=False, **panel)` (with
    `load_tensorflow`, the window loads TensorFlow as the app does): `panel` maps training-panel widgets
    to values (spin boxes get `setValue`, path fields `set_path`, the data-set chooser
    `set_dataset`, the length `set_length` with a tuple `(number, unit)`). The test fails if
    the training thread outlives `shutdown`.
    """
    from gan_studio.ui.main_window import MainWindow

    windows = []

    def open_(engine_loader=None, load_tensorflow=False, **panel_values):
        window = MainWindow(settings=isolated_settings, engine_loader=engine_loader,
                            load_tensorflow=load_tensorflow)
        qtbot.addWidget(window)
        panel = window.training_panel
        panel.runs_dir.set_path(str(tmp_path / "runs"))
        for name, value in panel_values.items():
            widget = getattr(panel, name)
            setter = next(getattr(widget, s) for s in ("set_dataset", "set_path", "set_length",
                                                       "setValue") if hasattr(widget, s))
            setter(*value) if isinstance(value, tuple) else setter(value)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield open_
    for window in windows:
        window.shutdown()
        assert not window.session.running


@pytest.fixture
def explorer_window(qtbot, isolated_settings, fake_engine, message_boxes):
    """A shown `MainWindow` on the fake engine, as the explorer's tests use it; the test fails
    if the explorer's render thread outlives `shutdown`."""
    from gan_studio.ui.main_window import MainWindow

    window = MainWindow(settings=isolated_settings, engine_loader=fake_engine,
                        load_tensorflow=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.shutdown()
    assert not window.explorer.rendering.render_thread.running


@pytest.fixture
def finished_run(tmp_path):
    """A run folder as training leaves it: 20 steps over 2 epochs of 10, a grid PNG per epoch
    (8x8 gray, 40 then 80), a 2x2 grid side and one checkpoint, `ckpt-20`."""
    run_dir = tmp_path / "runs" / "mnist-20260101-000000"
    (run_dir / "samples").mkdir(parents=True)
    (run_dir / "checkpoints").mkdir()
    (run_dir / "checkpoints" / "ckpt-20.index").write_text("x")
    config = {"dataset": "mnist", "epochs": 2, "batch_size": 8, "grid_size": 2}
    (run_dir / "config.json").write_text(json.dumps(config))
    rows = ["step,epoch,g_loss,d_loss,d_real,d_fake,time"]
    rows += [f"{s},{(s - 1) // 10},{1 / s},{2 / s},0.6,0.4,0" for s in range(1, 21)]
    (run_dir / "metrics.csv").write_text("\n".join(rows) + "\n")
    for epoch in (1, 2):
        Image.fromarray(np.full((8, 8), 40 * epoch, np.uint8)).save(
            run_dir / "samples" / f"grid-epoch-{epoch:04d}.png")
    return run_dir


@pytest.fixture
def explorer(qtbot):
    """A shown `LatentExplorer` (no generator yet); its threads must be idle once it shuts down."""
    from gan_studio.ui.explorer.explorer import LatentExplorer

    explorer = LatentExplorer(directions_samples=200)
    qtbot.addWidget(explorer)
    explorer.resize(600, 900)
    explorer.show()
    qtbot.waitExposed(explorer)
    yield explorer
    explorer.shutdown()
    assert not explorer.rendering.render_thread.running and not explorer.directions.running
