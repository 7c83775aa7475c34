"""The training form (data set, preset, hyper-parameters, folders) and Train/Pause/Stop."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gan_studio.core.catalog import channels_of, latent_dim_for
from gan_studio.core.config import DEFAULT_PRESET, PRESETS, ConfigError, TrainConfig
from gan_studio.core.levers import MODEL, panel_levers
from gan_studio.core.presets import PRESET_TITLES, preset_values
from gan_studio.core.runs.run_model import RUN, RunModel
from gan_studio.core.training.session_states import ACTIVE, IDLE, PAUSED
from gan_studio.ui.settings import DATA_DIR_ENV, default_data_dir_text
from gan_studio.ui.training.all_gpus_option import AllGpusOption
from gan_studio.ui.training.dataset_chooser import DatasetChooser
from gan_studio.ui.training.length_field import LengthField
from gan_studio.ui.training.lever_widgets import (
    lever_label,
    lever_value,
    lever_widget,
    set_lever_value,
)
from gan_studio.ui.training.plan_label import PlanLabel
from gan_studio.ui.training.preset_levers import PresetLevers
from gan_studio.ui.training.recipe_options import RecipeOptions
from gan_studio.ui.training.training_actions import make_training_actions
from gan_studio.ui.widgets.form_fields import action_button, float_spin, int_spin
from gan_studio.ui.widgets.path_edit import PathEdit
from gan_studio.ui.widgets.scrolled import scrolled
from gan_studio.ui.widgets.wheel_guard import guard_wheel

MODEL_LEVERS = panel_levers(MODEL)
# The form's numbers kept in the settings and shown for a run: the model's levers and these.
HYPER_FIELDS = (*(lever.name for lever in MODEL_LEVERS), "sample_every_steps", "grid_size",
                "quality_every_minutes")


class TrainingPanel(QWidget):
    """Sets up a run and starts, pauses and stops it.

    Owns the Train, Pause/Resume and Stop actions (the main window puts them in its Training
    menu too) and keeps their enabled state in step with the session. After a run starts, or
    one is opened, the form shows that run's settings and Train continues it.

    Signals:
        run_cleared(): the form went back to setting up a new run.

    Args:
        session: the `TrainingSession` to drive.
        run: the window's `RunModel`: the form shows its run's settings, or sets up a new
            run while it shows none (default: a model of its own).
        parent: the parent widget.
    """

    run_cleared = Signal()

    def __init__(self, session, run: RunModel | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._session = session
        self._run = run if run is not None else RunModel()
        self._form_run: str | None = None  # the run whose settings the form shows
        self._new_run_values: dict | None = None
        # Why Train must wait ("" when it need not): a sweep training in the background.
        self.train_blocked_by: Callable[[], str] = str
        self.train_action, self.pause_action, self.stop_action = make_training_actions(
            self, self.train, session)
        self._build()
        self.preset.currentIndexChanged.connect(self.apply_preset)
        self.dataset.changed.connect(self._update_latent_default)
        self.dataset.changed.connect(self._follow_data_with_recipe)
        session.state_changed.connect(self._update_enabled)
        self._run.observe(self._on_run_changed)
        for changed in (self.length.changed, self.dataset.changed, self.recipe.changed,
                        self.preset.currentIndexChanged, self.batch_size.valueChanged,
                        session.finished):  # (a run notes its speed as it finishes)
            changed.connect(self.plan.refresh)
        self.apply_preset()
        self._update_enabled(session.state)
        self.plan.refresh()

    # ---- construction ---------------------------------------------------------------------
    def _build(self) -> None:
        self.run_label = QLabel("New run")
        self.run_label.setWordWrap(True)
        self.run_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dataset = DatasetChooser()
        self.preset = QComboBox()
        for key in PRESETS:
            self.preset.addItem(preset_label(key), key)
        self.preset.setCurrentIndex(self.preset.findData(DEFAULT_PRESET))
        self.length = LengthField()
        self.plan = PlanLabel(self.config, self.length)
        for lever in MODEL_LEVERS:  # batch size, learning rate, ..., seed
            setattr(self, lever.name, lever_widget(lever))
        self.sample_every_steps = int_spin(1, 100_000)
        self.grid_size = int_spin(1, 16)
        self.quality_every_minutes = float_spin(0.0, 1440.0, 1, 1.0)
        self.quality_every_minutes.setSpecialValueText("off")
        self.quality_every_minutes.setSuffix(" min")
        self.quality_every_minutes.setToolTip(
            "Measure the samples' quality (FD in the data set's features, KID, class spread, "
            "diversity) at epoch ends and at least this often; off: only Evaluate Now")
        defaults = TrainConfig()
        self.quality_every_minutes.setValue(defaults.quality_every_minutes)
        self.sample_every_steps.setValue(defaults.sample_every_steps)
        self.grid_size.setValue(defaults.grid_size)
        self.seed.setValue(defaults.seed)
        self.data_dir = PathEdit([("Data Folder…", "dir", "")], default_data_dir_text())
        self.runs_dir = PathEdit([("Runs Folder…", "dir", "")])
        self.recipe = RecipeOptions()
        self.preset_levers = PresetLevers(self.recipe, self.learning_rate)
        self._hyper_widgets = [
            self.preset, self.recipe, self.batch_size, self.learning_rate, self.beta1,
            self.generator_ema, self.latent_dim, self.seed, self.sample_every_steps,
            self.grid_size, self.quality_every_minutes, self.runs_dir, self.data_dir]
        model = QGroupBox("Model and optimiser")
        form = QFormLayout(model)
        form.addRow("Preset", self.preset)
        form.addRow("Train for", self.length)
        form.addRow("", self.plan)
        for lever in MODEL_LEVERS:
            form.addRow(lever_label(lever), getattr(self, lever.name))
        advanced = QGroupBox("Advanced")
        form = QFormLayout(advanced)
        form.addRow("Sample every (steps)", self.sample_every_steps)
        form.addRow("Grid side (tiles)", self.grid_size)
        form.addRow("Quality every", self.quality_every_minutes)
        self.all_gpus = AllGpusOption()
        form.addRow("", self.all_gpus)
        folders = QGroupBox("Folders")
        form = QFormLayout(folders)
        form.addRow("Data", self.data_dir)
        form.addRow("Runs", self.runs_dir)
        data = QGroupBox("Data")
        QVBoxLayout(data).addWidget(self.dataset)
        buttons = QHBoxLayout()
        self.train_button = action_button(self.train_action)
        self.train_button.setObjectName("trainButton")  # the style sheet's primary action
        self.pause_button = action_button(self.pause_action)
        self.stop_button = action_button(self.stop_action)
        for button in (self.train_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.run_label)
        layout.addWidget(_scrolled(data, model, self.recipe, advanced, folders), 1)
        layout.addLayout(buttons)  # below the scrolled form: Train is in sight at any height
        guard_wheel(self)

    # ---- form values ----------------------------------------------------------------------
    def apply_preset(self) -> None:
        """Fills batch size, learning rate, β1, the generator's weight average and the
        latent size from the chosen preset."""
        preset = self._preset_values()
        self.preset_levers.apply(preset)
        self.batch_size.setValue(preset["batch_size"])
        self.beta1.setValue(preset["beta1"])
        self.generator_ema.setValue(preset["generator_ema"])
        self.latent_dim.setValue(latent_dim_for(self.dataset.kind()))

    def _preset_values(self) -> dict:
        """The chosen preset's values for the chosen data (`studio` differs for colour)."""
        name = self.preset.currentData()
        name = name if name in PRESETS else DEFAULT_PRESET
        channels = self.dataset.channels.currentData() or channels_of(self.dataset.dataset())
        return preset_values(name, channels)

    def _follow_data_with_recipe(self) -> None:
        """Shows the preset's levers for newly chosen data, but for those the user set."""
        if self._form_run is None:
            self.preset_levers.follow(self._preset_values())

    def config(self) -> TrainConfig:
        """The new run's configuration as the form describes it (not yet validated)."""
        data_dir = self.data_dir.path() or os.environ.get(DATA_DIR_ENV) or None
        return TrainConfig(
            dataset=self.dataset.dataset(), preset=self.preset.currentData(),
            **self.length.config_values(),
            **{lever.name: lever_value(lever, getattr(self, lever.name)) for lever in MODEL_LEVERS},
            image_size=self.dataset.image_size.currentData(),
            channels=self.dataset.channels.currentData(),
            data_dir=data_dir, runs_dir=self.runs_dir.path(),
            sample_every_steps=self.sample_every_steps.value(), grid_size=self.grid_size.value(),
            quality_every_minutes=self.quality_every_minutes.value(),
            **self.recipe.config_values(), **self.all_gpus.config_values())

    def values(self) -> dict:
        """The form's values for QSettings (those of the new-run form while a run is shown).

        The folders are not included: they are settings of their own.
        """
        if self._new_run_values is not None:
            return dict(self._new_run_values)
        values = {name: getattr(self, name).value() for name in HYPER_FIELDS}
        values.update(length=self.length.saved(), preset=self.preset.currentData(), dataset=self.dataset.values(),
                      recipe=self.recipe.values(), all_gpus=self.all_gpus.isChecked())
        return values

    def set_values(self, values: dict) -> None:
        """Restores `values()` output; malformed entries are skipped."""
        index = self.preset.findData(values.get("preset"))
        if index >= 0:
            self.preset.setCurrentIndex(index)
        if isinstance(values.get("dataset"), dict):
            self.dataset.set_values(values["dataset"])
        if isinstance(values.get("recipe"), dict):
            self.recipe.set_values(values["recipe"])
        if isinstance(values.get("all_gpus"), bool):
            self.all_gpus.setChecked(values["all_gpus"])
        self.length.set_saved(values)
        self._show_hyper(values)
        self.plan.refresh()

    def _show_hyper(self, values: dict) -> None:
        """Shows the numbers among `values` in the `HYPER_FIELDS` spins; skips anything else."""
        for name in HYPER_FIELDS:
            set_lever_value(getattr(self, name), values.get(name))

    # ---- runs -----------------------------------------------------------------------------
    @property
    def run_dir(self) -> str | None:
        """The run whose settings the form shows (the run model's), or None: a new run."""
        return self._form_run

    def show_run(self, run_dir: str, config: TrainConfig | None) -> None:
        """Shows an existing run (in the run model, which the form follows)."""
        self._run.show_run(run_dir, config)

    def clear_run(self) -> None:
        """Goes back to the new-run form (the run model shows no run)."""
        self._run.clear_run()

    def _on_run_changed(self, what: frozenset) -> None:
        if RUN in what:
            if self._run.run_dir is None:
                self._show_new_run_form()
            else:
                self._show_run_settings(self._run.run_dir, self._run.config)

    def _show_run_settings(self, run_dir: str, config: TrainConfig | None) -> None:
        """Shows an existing run's settings; Train then continues it."""
        if self._new_run_values is None:
            self._new_run_values = self.values()
        self._form_run = run_dir
        if config is not None:
            self.dataset.set_dataset(config.dataset)
            self.dataset.show_size(config.image_size)
            index = self.preset.findData(config.preset)
            if index >= 0:
                self.preset.setCurrentIndex(index)
            self._show_hyper({name: getattr(config, name, None) for name in HYPER_FIELDS})
            self.length.show_config(config)
            self.recipe.show_config(config)
            self.all_gpus.show_config(config)
        self.run_label.setText(f"Run: <b>{os.path.basename(run_dir.rstrip(os.sep))}</b>")
        self.run_label.setToolTip(run_dir)
        self.train_action.setText("Con&tinue Training")
        self._update_enabled(self._session.state)

    def _show_new_run_form(self) -> None:
        """Goes back to the new-run form (with the values it had before a run was shown)."""
        if self._new_run_values is not None:
            values, self._new_run_values = self._new_run_values, None
            self.set_values(values)
        self._form_run = None
        self.run_label.setText("New run")
        self.run_label.setToolTip("")
        self.train_action.setText("&Train")
        self._update_enabled(self._session.state)
        self.run_cleared.emit()

    def train(self) -> None:
        """Starts a new run from the form, or continues the run shown."""
        if self._session.busy:
            return
        reason = self.train_blocked_by()
        if reason:
            QMessageBox.information(self, "Train", reason)
            return
        if self._form_run:
            self._session.continue_run(self._form_run, self.length.continue_values())
            return
        config = self.config()
        if not config.dataset:
            QMessageBox.warning(self, "Choose a data set",
                                "Choose the folder, zip or files to train on first.")
            return
        try:
            config.resolved()
        except ConfigError as exc:
            QMessageBox.warning(self, "Check the settings", str(exc).capitalize() + ".")
            return
        self._session.train(config)

    # ---- state ----------------------------------------------------------------------------
    def _update_latent_default(self) -> None:
        if self._form_run is None and not self._session.busy:
            self.latent_dim.setValue(latent_dim_for(self.dataset.kind()))

    def _update_enabled(self, state: str) -> None:
        idle = state == IDLE
        self.train_action.setEnabled(idle)
        self.pause_action.setEnabled(state in ACTIVE)
        self.pause_action.setText("&Resume" if state == PAUSED else "&Pause")
        self.stop_action.setEnabled(state in ACTIVE)
        editable_run = idle and self._form_run is None
        self.dataset.set_locked(not editable_run)
        for widget in self._hyper_widgets:
            widget.setEnabled(editable_run)
        self.length.setEnabled(idle)  # a run is continued for a length too
        self.length.set_continuing(self._form_run is not None)


def preset_label(name: str) -> str:
    """The preset chooser's text: the preset's title and what sets it apart at a glance."""
    values = preset_values(name, 1)
    kernel = values["kernel_size"]
    return f"{PRESET_TITLES.get(name, name)} (batch {values['batch_size']}, {kernel}×{kernel} kernels)"


def _scrolled(*groups: QWidget) -> QScrollArea:
    """The form's groups in a vertical scroll area as wide as they need."""
    form = QWidget()
    layout = QVBoxLayout(form)
    layout.setContentsMargins(0, 0, 0, 0)
    for group in groups:
        layout.addWidget(group)
    layout.addStretch(1)
    scroll = scrolled(form, sideways=False)
    scroll.setMinimumWidth(form.sizeHint().width() + scroll.verticalScrollBar().sizeHint().width())
    return scroll
