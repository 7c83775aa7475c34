"""Builds the QApplication and shows GAN Studio's main window (`gan-studio` without arguments)."""

from __future__ import annotations

import gc
import sys

from gan_studio import APP_NAME, __version__

ORGANIZATION = "GAN Studio"
DESKTOP_FILE = "gan-studio"


def _app_icon():
    from PySide6.QtGui import QIcon

    try:
        from gan_studio.core.resources import ICON_SIZES, icon_path
    except ImportError:
        return None
    icon = QIcon()
    for size in ICON_SIZES:
        try:
            icon.addFile(str(icon_path(size)))
        except (FileNotFoundError, ValueError):
            continue
    return None if icon.isNull() else icon


def _style_sheet() -> str:
    try:
        from gan_studio.core.resources import resource_path

        return resource_path("style.qss").read_text(encoding="utf-8")
    except (ImportError, OSError):
        return ""  # the app works without its touches of style


def main(argv: list[str] | None = None) -> int:
    """Runs the window until it closes.

    Args:
        argv: command-line arguments for Qt (default `sys.argv`).

    Returns:
        The exit status.
    """
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from gan_studio.ui.main_window import MainWindow
    from gan_studio.ui.quit_signals import QuitOnSignals

    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    args = list(sys.argv if argv is None else argv)
    # argv[0] becomes the X11 WM_CLASS instance that the .desktop file's StartupWMClass matches,
    # whichever launcher (gan-studio, gan-studio-gui, the frozen "GAN Studio") started us.
    args[:1] = ["gan-studio"]
    app = QApplication.instance() or QApplication(args)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName(DESKTOP_FILE)
    app.setStyle("Fusion")
    app.setStyleSheet(_style_sheet())
    icon = _app_icon()
    if icon is not None:
        app.setWindowIcon(icon)
    window = MainWindow()
    quit_signals = QuitOnSignals(window.close_without_asking)
    window.show()
    status = app.exec()
    quit_signals.uninstall()
    # Delete the widgets while the QApplication still exists: letting the interpreter's
    # teardown order decide crashes PySide with pyqtgraph items.
    window.deleteLater()
    del window
    gc.collect()
    return status


if __name__ == "__main__":
    sys.exit(main())
