"""The main window: composes the panels, docks and menus."""

from __future__ import annotations

import platform
from collections.abc import Callable

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QSize, Qt, QTimer, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from gan_studio import APP_NAME, __version__
from gan_studio.core.runs.run_model import RunModel
from gan_studio.core.training.events import EventKind
from gan_studio.ui.explorer.actions import ExplorerActions
from gan_studio.ui.explorer.explorer import LatentExplorer
from gan_studio.ui.runs.runs_windows import RunsWindows
from gan_studio.ui.runs.sweep_actions import SweepActions
from gan_studio.ui.settings import AppSettings
from gan_studio.ui.training.collapse_banner import CollapseBanner
from gan_studio.ui.training.copy_banner import CopyBanner
from gan_studio.ui.training.health_panel import HealthPanel
from gan_studio.ui.training.image_actions import ImageActions
from gan_studio.ui.training.loss_plot import LossPlot
from gan_studio.ui.training.progress_panel import ProgressPanel
from gan_studio.ui.training.quality_plot import QualityPlot
from gan_studio.ui.training.run_actions import RunActions
from gan_studio.ui.training.run_feed import RunFeed
from gan_studio.ui.training.sample_grid_view import SampleGridView
from gan_studio.ui.training.skipped_files_notice import SkippedFilesNotice
from gan_studio.ui.training.training_feedback import TrainingFeedback
from gan_studio.ui.training.training_panel import TrainingPanel
from gan_studio.ui.widgets.screen_fit import FRAME_ALLOWANCE, size_on_screen
from gan_studio.ui.widgets.scrolled import scrolled
from gan_studio.workers.tasks import TaskRunner
from gan_studio.workers.tf_loader import TFLoader, package_version
from gan_studio.workers.training.session import TrainingSession

FIRST_SIZE = QSize(1360, 860)  # the window on a first start, where the screen has room for it


class MainWindow(QMainWindow):
    """GAN Studio's window: the sample grid in the middle (under a collapse warning when there
    is one), training set-up, losses, quality, health and progress in docks, and the File, Training,
    View and Help menus.

    Args:
        settings: the `AppSettings` to restore from and save to (default: the app's QSettings).
        engine_loader: passed to `TrainingSession` (tests pass a fake engine).
        load_tensorflow: load TensorFlow in the background once the window shows.
        parent: the parent widget.
    """

    def __init__(self, settings: AppSettings | None = None,
                 engine_loader: Callable | None = None, load_tensorflow: bool = True,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self.settings = settings or AppSettings()
        self._load_tensorflow = load_tensorflow
        self._close_requested = False
        self._started = False
        self.session = TrainingSession(engine_loader, self)
        self.tasks = TaskRunner("run-files", self)
        self.tf_loader = TFLoader(self)
        self.run = RunModel()  # the run shown: every training view and the explorer follow it
        self.run_feed = RunFeed(self.session, self.run, self)
        self.training_panel = TrainingPanel(self.session, self.run)
        self.quality_plot = QualityPlot(self.session, self.run)
        self.progress_panel = ProgressPanel(self.session, self.run)
        self.loss_plot = LossPlot(self.session, self.run)
        self.sample_view = SampleGridView(self.session, self.run)
        self.collapse_banner = CollapseBanner(self.session, self.run)
        self.copy_banner = CopyBanner(self.run)
        self.setCentralWidget(self._central_area())
        self.explorer = LatentExplorer(self.session, self.run)
        self.runs = RunActions(self, self.session, self.tasks, self.settings, self.training_panel,
                               self.run)
        self.collapse_banner.roll_back_requested.connect(self.runs.continue_from)
        self.copy_banner.roll_back_requested.connect(self.runs.continue_from)
        self.runs_windows = RunsWindows(self, self.runs, self.session, self.settings,
                                        self.training_panel.runs_dir.path)
        self.sweeps = SweepActions(self, self.session, self.training_panel.config,
                                   lambda: self.runs_windows.comparison)
        self.runs_windows.sweep_requested.connect(self.sweeps.sweep_from_run)
        self.runs_windows.also_training = lambda: [self.sweeps.current_run] \
            if self.sweeps.current_run else []
        self.training_panel.train_blocked_by = self.sweeps.blocked_reason
        self.sweeps.queue.finished.connect(self._close_if_requested)
        self.health_panel = HealthPanel(self.session, self.run, self.tasks)
        self.health_panel.remedy_requested.connect(self.runs.apply_remedy)
        self.feedback = TrainingFeedback(self, self.session, self.training_panel, self.runs)
        self.skipped_files = SkippedFilesNotice(self.session, self)  # files the data left out
        self.runs.run_opened.connect(self.skipped_files.show_saved)
        self.training_panel.run_cleared.connect(self.skipped_files.clear)
        self._docks = self._make_docks()
        self.explorer_actions = ExplorerActions(self, self.explorer, self._docks["explorer"],
                                                self.sample_view, self.settings, self.run)
        # A latent search has the CPU to itself: shared with training it took 10x as long.
        self.explorer_actions.projection.service.running_changed.connect(
            lambda searching: self.session.hold() if searching else self.session.release())
        self.images = ImageActions(self, self.sample_view, self.settings, self.tasks, self.run,
                                   self.explorer_actions)
        self.sample_view.frame_changed.connect(self._offer_run_to_explorer)
        self._make_menus()
        self.device_label = QLabel("")
        self.statusBar().addPermanentWidget(self.skipped_files)
        self.statusBar().addPermanentWidget(self.device_label)
        self.tf_loader.loaded.connect(self._on_device)
        self.tf_loader.failed.connect(self._on_tensorflow_failed)
        self.session.event.connect(self._on_event)
        self.session.finished.connect(self._close_if_requested)
        self._restore_settings()

    # ---- composition ----------------------------------------------------------------------
    def _central_area(self) -> QWidget:
        area = QWidget()
        layout = QVBoxLayout(area)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.collapse_banner)
        layout.addWidget(self.copy_banner)
        layout.addWidget(self.sample_view, 1)
        return area

    def _make_docks(self) -> dict[str, QDockWidget]:
        docks = {}
        for name, title, widget, area in (
                ("training", "Training", self.training_panel, Qt.DockWidgetArea.LeftDockWidgetArea),
                ("losses", "Losses", self.loss_plot, Qt.DockWidgetArea.RightDockWidgetArea),
                ("quality", "Quality", self.quality_plot, Qt.DockWidgetArea.RightDockWidgetArea),
                ("health", "Health", scrolled(self.health_panel, sideways=False),
                 Qt.DockWidgetArea.RightDockWidgetArea),
                ("progress", "Progress", scrolled(self.progress_panel),
                 Qt.DockWidgetArea.BottomDockWidgetArea),
                ("explorer", "Latent Explorer", scrolled(self.explorer),
                 Qt.DockWidgetArea.RightDockWidgetArea)):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"{name}_dock")  # saveState() needs names
            dock.setWidget(widget)
            self.addDockWidget(area, dock)
            docks[name] = dock
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(docks["losses"], docks["quality"])
        self.tabifyDockWidget(docks["quality"], docks["health"])
        self.tabifyDockWidget(docks["health"], docks["explorer"])
        docks["losses"].raise_()
        self.resizeDocks([docks["losses"]], [520], Qt.Orientation.Horizontal)
        return docks

    def _make_menus(self) -> None:
        runs, images, panel, explore = self.runs, self.images, self.training_panel, \
            self.explorer_actions
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([runs.new_run, runs.open_run])
        file_menu.addMenu(runs.recent_menu)
        file_menu.addAction(self.runs_windows.show_library)
        file_menu.addSeparator()
        file_menu.addActions([runs.save_checkpoint, runs.export_generator, explore.open_generator,
                              explore.find_image, explore.find_data_image, explore.find_tile])
        file_menu.addAction(explore.nearest_tile)  # the Nearest tab, for the selected tile
        file_menu.addSeparator()
        file_menu.addActions([images.save_image, images.save_grid, images.export_timelapse,
                              explore.copy_image])
        file_menu.addSeparator()
        file_menu.addActions([explore.save_strip, explore.export_interpolation,
                              explore.save_latent, explore.load_latent])
        file_menu.addSeparator()
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.quit_action)
        training = self.menuBar().addMenu("&Training")
        training.addActions([panel.train_action, panel.pause_action, panel.stop_action])
        training.addSeparator()
        training.addActions([runs.evaluate_now, runs.roll_back, self.skipped_files.action])
        training.addSeparator()
        training.addActions([self.sweeps.start_sweep, self.sweeps.continue_action,
                             self.sweeps.stop_action])
        view = self.menuBar().addMenu("&View")
        for dock in self._docks.values():
            view.addAction(dock.toggleViewAction())
        explorer = self._docks["explorer"].toggleViewAction()
        # Raised once Qt has put the dock back among its tabs, so that it is the one in front.
        explorer.triggered.connect(
            lambda shown: shown and QTimer.singleShot(0, self._docks["explorer"].raise_))
        view.addSeparator()
        view.addAction(explore.show_explorer)  # Ctrl+Shift+X: shows, never hides
        view.addAction(explore.show_nearest)  # Ctrl+Shift+N: the explorer's Nearest tab
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(runs.open_run_folder)
        help_menu.addSeparator()
        about = help_menu.addAction(f"&About {APP_NAME}", self.show_about)
        about.setMenuRole(QAction.MenuRole.AboutRole)

    def _offer_run_to_explorer(self, _index: int) -> None:
        # An opened run's generator loads into the explorer (TensorFlow, in the background);
        # windows made without TensorFlow (tests) leave that to File → Open Generator.
        if self._load_tensorflow and not self.session.busy:
            self.explorer.generator_choice.offer_run(self.run.run_dir)

    # ---- start-up -------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._started:
            self._started = True
            if self._load_tensorflow:
                # After the first paint: the window appears before TensorFlow's seconds of import.
                QTimer.singleShot(0, self.start_loading_tensorflow)
            else:
                QTimer.singleShot(0, self.sweeps.mention_unfinished)

    def start_loading_tensorflow(self) -> None:
        """Imports TensorFlow on a background thread; the status bar follows."""
        self.statusBar().showMessage("Loading TensorFlow…")
        self.device_label.setText("Loading TensorFlow…")
        self.tf_loader.start()

    def _on_device(self, device: str) -> None:
        self.training_panel.all_gpus.set_gpu_count(self.tf_loader.gpus)
        self.device_label.setText(device)
        self.device_label.setToolTip(f"Training runs on {device}")
        if self.statusBar().currentMessage() == "Loading TensorFlow…":
            self.statusBar().showMessage(f"Ready. Training will run on {device}.", 8000)
            QTimer.singleShot(8000, self.sweeps.mention_unfinished)  # once "Ready" has gone

    def _on_tensorflow_failed(self, message: str) -> None:
        self.device_label.setText("TensorFlow unavailable")
        self.statusBar().showMessage(f"TensorFlow could not be loaded: {message}")

    def _on_event(self, event) -> None:
        if event.kind == EventKind.DEVICE:
            self.device_label.setText(event.message)

    def show_about(self) -> None:
        """Shows the app's, TensorFlow's and Qt's versions and the device."""
        device = self.tf_loader.device or self.device_label.text() or "not known yet"
        QMessageBox.about(self, f"About {APP_NAME}", (
            f"<h3>{APP_NAME} {__version__}</h3>"
            "<p>Train DCGANs on MNIST, CIFAR-10 or your own images, watch them learn, and "
            "explore what they learned.</p>"
            f"<p>TensorFlow {self.tf_loader.tensorflow_version} · Keras {package_version('keras')}"
            f"<br>Qt {qVersion()} · PySide6 {pyside_version} · "
            f"pyqtgraph {package_version('pyqtgraph')}<br>Python {platform.python_version()}"
            f"<br>Device: {device}</p>"))

    # ---- settings -------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        geometry = self.settings.window_geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            available = self.screen().availableGeometry().size()
            self.resize(size_on_screen(self, FIRST_SIZE))
            if (FIRST_SIZE + FRAME_ALLOWANCE).boundedTo(available) != FIRST_SIZE + FRAME_ALLOWANCE:
                self.setWindowState(Qt.WindowState.WindowMaximized)  # a laptop's screen
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)
        self.training_panel.set_values(self.settings.form())
        self.training_panel.data_dir.set_path(self.settings.data_dir())
        self.training_panel.runs_dir.set_path(self.settings.runs_dir())

    def save_settings(self) -> None:
        """Saves window state, the training form and the folders."""
        self.settings.set_window(self.saveGeometry(), self.saveState())
        self.settings.set_form(self.training_panel.values())
        self.settings.set_data_dir(self.training_panel.data_dir.path())
        self.settings.set_runs_dir(self.training_panel.runs_dir.path())
        self.settings.sync()

    # ---- closing --------------------------------------------------------------------------
    @property
    def _training(self) -> bool:
        """Whether the window's run or a sweep is training (closing stops it first)."""
        return self.session.busy or self.sweeps.running

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self._training:
            event.ignore()
            if not self._close_requested and self._confirm_stop():
                self._stop_then_close()
            return
        self.save_settings()
        self.shutdown()
        event.accept()

    def close_without_asking(self) -> None:
        """Closes the window as the user's close does, but without the question: a run in
        progress is stopped first (its checkpoint saved), and the window closes once it has
        ended. For SIGTERM and SIGINT (`ui/quit_signals.py`)."""
        if self._training:
            self._stop_then_close()
        else:
            self.close()

    def _stop_then_close(self) -> None:
        if not self._close_requested:  # (a second request while the run stops changes nothing)
            self._close_requested = True
            self.session.stop()  # the checkpoint is saved; `finished` then closes
            self.sweeps.queue.stop()  # its run too; Training → Continue Sweep takes it up

    def _confirm_stop(self) -> bool:
        later = ("Training → Continue Sweep… takes the sweep up where it stopped."
                 if self.sweeps.running else "You can continue the run later.")
        what = "A sweep is" if self.sweeps.running and not self.session.busy else "Training is"
        answer = QMessageBox.question(
            self, "Stop Training?",
            f"{what} still running. Stop it and quit?\n\n"
            f"A checkpoint is saved first. {later}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def _close_if_requested(self, *_args) -> None:
        if self._close_requested and not self._training:
            QTimer.singleShot(0, self.close)

    def shutdown(self) -> None:
        """Stops training and joins every background thread (blocks until they end)."""
        self.session.shutdown()
        self.sweeps.shutdown()
        self.runs_windows.shutdown()
        self.tasks.shutdown()
        self.explorer_actions.shutdown()
        self.explorer.shutdown()
        self.tf_loader.shutdown()
