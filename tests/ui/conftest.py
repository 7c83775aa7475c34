"""Every UI test gets its own settings file, never the user's; `open_window` shows the app."""

import pytest


@pytest.fixture(autouse=True)
def _isolated(isolated_settings):
    return isolated_settings


@pytest.fixture
def open_window(qtbot, isolated_settings, tmp_path, message_boxes):
    """Shows a `MainWindow` whose runs go to `tmp_path/runs`, and closes it after the test.

    Call it as `open_window(engine_loader=None, **panel)`: `panel` maps training-panel widgets
    to values (spin boxes get `setValue`, path fields `set_path`, the data-set chooser
    `set_dataset`). The test fails if the training thread outlives `shutdown`.
    """
    from gan_studio.ui.main_window import MainWindow

    windows = []

    def open_(engine_loader=None, **panel_values):
        window = MainWindow(settings=isolated_settings, engine_loader=engine_loader,
                            load_tensorflow=False)
        qtbot.addWidget(window)
        panel = window.training_panel
        panel.runs_dir.set_path(str(tmp_path / "runs"))
        for name, value in panel_values.items():
            widget = getattr(panel, name)
            setter = next(getattr(widget, s) for s in ("set_dataset", "set_path", "setValue")
                          if hasattr(widget, s))
            setter(value)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield open_
    for window in windows:
        window.shutdown()
        assert not window.session.running
