"""Fields of the window's forms: spin boxes set up alike, and buttons that mirror actions."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDoubleSpinBox, QPushButton, QSizePolicy, QSpinBox


def action_button(action: QAction) -> QPushButton:
    """A push button that triggers `action` and follows its text, icon and enabled state."""
    button = QPushButton()
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    button.clicked.connect(action.trigger)

    def follow():
        button.setText(action.text().replace("&", ""))
        button.setIcon(action.icon())
        button.setEnabled(action.isEnabled())
        button.setToolTip(action.toolTip())

    action.changed.connect(follow)
    follow()
    return button


def int_spin(low: int, high: int) -> QSpinBox:
    """A spin box for whole numbers from `low` to `high`, with thousands separators."""
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setGroupSeparatorShown(True)
    return spin


def float_spin(low: float, high: float, decimals: int, step: float) -> QDoubleSpinBox:
    """A spin box for numbers from `low` to `high` with `decimals` places, stepping by `step`."""
    spin = QDoubleSpinBox()
    spin.setDecimals(decimals)
    spin.setRange(low, high)
    spin.setSingleStep(step)
    return spin
