"""A lever's field in the training panel, built from its row in `gan_studio.core.levers`.

The row says what the field offers (a choice's items, a number's range from the lever's rule),
its tooltip (the lever's help, the text `gan-studio train --help` shows) and its label; these
functions read and set the field's value as the config's type.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox, QWidget

from gan_studio.core.levers import Lever
from gan_studio.ui.widgets.form_fields import float_spin, int_spin

_INT32 = 2**31 - 1  # a QSpinBox's largest value; wider whole numbers take a 0-decimal spin


def lever_widget(lever: Lever) -> QWidget:
    """A combo box, check box or spin box offering exactly the values `lever.rule` accepts."""
    rule = lever.rule
    if rule.kind == "bool":
        widget = QCheckBox(lever.label)
    elif rule.kind == "choice":
        widget = QComboBox()
        for value in rule.choices:
            widget.addItem(lever.choice_labels.get(value, str(value)), value)
    else:
        low, high = lever.panel_range()
        if rule.kind == "float":
            widget = float_spin(low, high, lever.decimals, lever.step)
        elif high > _INT32:
            widget = float_spin(low, high, 0, 1)
            widget.setGroupSeparatorShown(True)
        else:
            widget = int_spin(low, high)
        widget.setSpecialValueText(lever.off_text)
    text = lever.help
    widget.setToolTip(text[:1].upper() + text[1:] + ".")
    return widget


def lever_label(lever: Lever) -> str:
    """The form row's label ("" for a check box, whose own text names it)."""
    return "" if lever.rule.kind == "bool" else lever.label


def lever_changed(widget: QWidget) -> SignalInstance:
    """The signal a lever's field sends when its value changes."""
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    if isinstance(widget, QCheckBox):
        return widget.toggled
    return widget.valueChanged


def lever_value(lever: Lever, widget: QWidget) -> Any:
    """The field's value as the config takes it (a whole number as an `int`)."""
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    value = widget.value()
    return int(round(value)) if lever.rule.kind == "int" else value


def set_lever_value(widget: QWidget, value: Any) -> bool:
    """Shows `value` in the field if it can hold it (settings may be stale or hand-edited);
    returns whether it did."""
    if isinstance(widget, QComboBox):
        index = widget.findData(value)
        if index >= 0:
            widget.setCurrentIndex(index)
        return index >= 0
    if isinstance(widget, QCheckBox):
        if isinstance(value, bool):
            widget.setChecked(value)
        return isinstance(value, bool)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        spin: QAbstractSpinBox = widget
        value = min(max(value, spin.minimum()), spin.maximum())
        spin.setValue(float(value) if isinstance(widget, QDoubleSpinBox) else int(value))
        return True
    return False
