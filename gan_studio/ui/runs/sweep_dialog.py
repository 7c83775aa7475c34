"""`SweepDialog`: the data, one or two levers and their values, a budget per run and a seed:
a sweep's plan, checked as it is typed by the parser `gan-studio sweep --vary` uses."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gan_studio.core.catalog import BUILTIN_DATASETS
from gan_studio.core.config import PRESETS, TrainConfig
from gan_studio.core.levers import LEVERS
from gan_studio.core.runs.lever_diff import format_value, lever_value
from gan_studio.core.sweep.sweep_plan import BUDGET_KINDS, MAX_LEVERS, SweepError, make_plan

NO_LEVER = ""  # the second lever's "none"
# A sensible amount for each budget when the user switches to it.
DEFAULT_AMOUNTS = {"minutes": 5.0, "steps": 2000.0, "images": 128_000.0}
_MAX_SPIN_SEED = 2**31 - 1  # QSpinBox holds a C int


def _lever_text(name: str) -> str:
    lever = LEVERS[name]
    return lever.label or name.replace("_", " ").capitalize()


class SweepDialog(QDialog):
    """Plans a sweep: the data set and preset (from `config`), one or two levers with their
    values, each run's budget and the seed. OK stays disabled while the plan is refused, and
    the error label says why in one line.

    Args:
        config: the settings to start from (the training panel's, or a run's): its data set,
            preset, seed, data folder and runs folder.
        parent: the parent widget.

    Example:

    ```python
    dialog = SweepDialog(panel_config, window)
    if dialog.exec():
        sweep_queue.start(dialog.plan())
    ```
    """

    def __init__(self, config: TrainConfig | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Sweep")
        self._config = config or TrainConfig()
        form = QFormLayout()
        self.dataset = QComboBox()
        self.dataset.setEditable(True)
        self.dataset.addItems(list(BUILTIN_DATASETS))
        self.dataset.setCurrentText(self._config.dataset)
        form.addRow("Data set", self.dataset)
        self.preset = QComboBox()
        self.preset.addItems(sorted(PRESETS))
        self.preset.setCurrentText(self._config.preset)
        form.addRow("Preset", self.preset)
        self.levers: list[QComboBox] = []
        self.values: list[QLineEdit] = []
        for row in range(MAX_LEVERS):
            form.addRow(f"Lever {row + 1}", self._lever_row(row))
        budget = QHBoxLayout()
        self.budget_kind = QComboBox()
        self.budget_kind.addItems(list(BUDGET_KINDS))
        self.amount = QDoubleSpinBox()
        self.amount.setRange(0, 1e9)
        self.amount.setValue(DEFAULT_AMOUNTS["minutes"])
        budget.addWidget(self.amount)
        budget.addWidget(self.budget_kind)
        form.addRow("Each run", budget)
        self.seed = QSpinBox()
        self.seed.setRange(0, _MAX_SPIN_SEED)
        self.seed.setValue(min(int(self._config.seed), _MAX_SPIN_SEED))
        form.addRow("Seed", self.seed)
        self.summary = QLabel()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start Sweep")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.budget_kind.currentTextChanged.connect(self._on_budget_kind)
        for signal in (self.dataset.currentTextChanged, self.preset.currentTextChanged,
                       self.amount.valueChanged, self.seed.valueChanged):
            signal.connect(self._check)
        self.setMinimumWidth(620)
        self.values[0].setFocus()  # the one thing a new sweep needs typed
        self._check()

    def _lever_row(self, row: int) -> QWidget:
        box = QWidget()
        line = QHBoxLayout(box)
        line.setContentsMargins(0, 0, 0, 0)
        combo = QComboBox()
        if row:
            combo.addItem("(none)", NO_LEVER)
        for name in LEVERS:
            combo.addItem(_lever_text(name), name)
        if not row:
            combo.setCurrentIndex(combo.findData("learning_rate"))
        # The values are what a user types: the field gets the width, not the lever's name.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(16)
        values = QLineEdit()
        values.setPlaceholderText("values, comma-separated")
        combo.currentIndexChanged.connect(lambda _: self._on_lever(row))
        values.textChanged.connect(self._check)
        line.addWidget(combo, 1)
        line.addWidget(values, 2)
        self.levers.append(combo)
        self.values.append(values)
        if not row:
            self._on_lever(row)
        return box

    def _on_lever(self, row: int) -> None:
        name = self.levers[row].currentData()
        field = self.values[row]
        field.setEnabled(bool(name))
        if name:
            current = format_value(lever_value(self._config, name))
            field.setPlaceholderText(f"values, comma-separated (now {current})")
            field.setToolTip(LEVERS[name].help)
        self._check()

    def _on_budget_kind(self, kind: str) -> None:
        self.amount.setDecimals(1 if kind == "minutes" else 0)
        self.amount.setValue(DEFAULT_AMOUNTS[kind])
        self._check()

    def _vary_texts(self) -> list[str]:
        return [f"{combo.currentData()}={field.text()}"
                for combo, field in zip(self.levers, self.values, strict=True)
                if combo.currentData()]

    def plan(self):
        """The sweep's `SweepPlan` as the dialog stands.

        Raises:
            SweepError: if the plan is refused (the error label shows the same line).
        """
        kind = self.budget_kind.currentText()
        amount = self.amount.value()
        budget = {kind: amount if kind == "minutes" else int(round(amount))}
        return make_plan(self.dataset.currentText().strip(), self._vary_texts(), **budget,
                         preset=self.preset.currentText(), seed=self.seed.value(),
                         data_dir=self._config.data_dir, runs_dir=self._config.runs_dir)

    def _check(self, *_) -> None:
        if not hasattr(self, "buttons"):
            return  # still being built
        try:
            plan = self.plan()
        except SweepError as exc:
            message = str(exc)
            if message.startswith("--vary "):  # the dialog has no command line: its lever
                message = message.split(": ", 1)[-1]
            message = message.replace("in one --vary", "in one row")
            self.error.setText(message)
            self.summary.setText("")
            ok = False
        else:
            self.error.setText("")
            count = len(plan.grid())
            self.summary.setText(f"{count} runs of {plan.budget.describe()} each, one after "
                                 "another, ranked by FD at the end")
            ok = True
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
