"""The look and the parts of a warning bar above the sample grid: an icon, the evidence, a
button that goes back to a checkpoint, and Dismiss."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStyle, QWidget


def warning_bar_style(name: str) -> str:
    """The style sheet of a warning bar whose object name is `name`: amber, readable on light
    and dark palettes alike (a warning, not an error)."""
    return (f"#{name} {{ background-color: #FEF3C7; border: 1px solid #F59E0B; "
            f"border-radius: 6px; }} #{name} QLabel {{ color: #451A03; }}")


class WarningBar(QFrame):
    """A dismissible bar (never a dialog: training goes on) with a headline and its evidence,
    a roll-back button and Dismiss; hidden until a subclass shows a warning.

    Subclasses connect `roll_back_button` and `dismiss_button` and call `show_message`.

    Args:
        name: the object name (its style sheet's selector).
        roll_back_text: the roll-back button's first text.
        dismiss_tip: Dismiss's tooltip.
        parent: the parent widget.
    """

    def __init__(self, name: str, roll_back_text: str, dismiss_tip: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setStyleSheet(warning_bar_style(name))
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(24, 24))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self._text = QLabel()
        self._text.setWordWrap(True)
        self._text.setTextFormat(Qt.TextFormat.RichText)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.roll_back_button = QPushButton(roll_back_text)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setToolTip(dismiss_tip)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(icon)
        layout.addWidget(self._text, 1)
        layout.addWidget(self.roll_back_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()

    @property
    def text(self) -> str:
        """The bar's text, as plain text."""
        return self._text.toolTip()

    def show_message(self, headline: str, message: str) -> None:
        """Shows `headline` in bold and `message` after it (the tooltip holds both, plain)."""
        self._text.setText(f"<b>{html.escape(headline, quote=False)}</b> "
                           f"{html.escape(message, quote=False)}")
        self._text.setToolTip(f"{headline} {message}")
        self.show()
