"""The explorer's class controls for class-conditional generators: the class, and a blend."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QSlider, QWidget

from gan_studio.core.latent.classes import class_labels
from gan_studio.core.latent.explorer_model import CLASS, GENERATOR

BLEND_STEPS = 100  # slider steps from the class picked (0) to the one blended with (100 %)


class ClassPicker(QWidget):
    """Picks the class a conditional generator draws, and a second class to blend it with.

    The blend slider moves the class embedding from the picked class (0 %) to the "blend with"
    class (100 %): class interpolation at a fixed latent. The widget shows the model's
    `classes` and is hidden for unconditional generators. Class names come from the run's
    config (`class_names`), else "Class 0" ... "Class K-1".

    Args:
        model: the explorer's `ExplorerModel`.
        parent: the parent widget.
    """

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model
        self.classes = QComboBox()
        self.classes.setToolTip("The class the generator draws")
        self.classes.currentIndexChanged.connect(
            lambda i: i >= 0 and model.set_class(first=i))
        self.blend_with = QComboBox()
        self.blend_with.setToolTip("A second class to blend the first with")
        self.blend_with.currentIndexChanged.connect(
            lambda i: i >= 0 and model.set_class(second=i))
        self.blend = QSlider(Qt.Orientation.Horizontal)
        self.blend.setRange(0, BLEND_STEPS)
        self.blend.setToolTip("Class interpolation: 0% draws the first class, 100% the second; "
                              "between, their class embeddings are mixed")
        self.blend.valueChanged.connect(self._on_blend)
        self._blend_label = QLabel("0%")
        self._blend_label.setMinimumWidth(
            self._blend_label.fontMetrics().horizontalAdvance("100% "))
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel("Class"), 0, 0)
        grid.addWidget(self.classes, 0, 1)
        grid.addWidget(QLabel("Blend with"), 0, 2)
        grid.addWidget(self.blend_with, 0, 3)
        grid.addWidget(self.blend, 0, 4)
        grid.addWidget(self._blend_label, 0, 5)
        grid.setColumnStretch(4, 1)
        self._follow(names=True)
        model.observe(self._on_model)

    def class_names(self) -> list[str]:
        """The names the combo boxes list, by class index."""
        return [self.classes.itemText(i) for i in range(self.classes.count())]

    def _on_model(self, what) -> None:
        if GENERATOR in what or CLASS in what:
            self._follow(names=GENERATOR in what)

    def _follow(self, names: bool) -> None:
        choice = self._model.classes
        self.setVisible(choice is not None)
        if choice is None:
            return
        if names:  # a new generator: its run may name the classes differently
            generator = self._model.generator
            labels = class_labels(generator.class_names, choice.num_classes)
            if labels != self.class_names():
                for combo in (self.classes, self.blend_with):
                    combo.blockSignals(True)
                    combo.clear()
                    combo.addItems(labels)
                    combo.blockSignals(False)
        for widget, shown, value, setter in (
                (self.classes, self.classes.currentIndex(), choice.first,
                 self.classes.setCurrentIndex),
                (self.blend_with, self.blend_with.currentIndex(), choice.second,
                 self.blend_with.setCurrentIndex),
                (self.blend, self.blend.value(), round(choice.blend * BLEND_STEPS),
                 self.blend.setValue)):
            if shown != value:
                widget.blockSignals(True)
                setter(value)
                widget.blockSignals(False)
        self._blend_label.setText(f"{self.blend.value()}%")

    def _on_blend(self, value: int) -> None:
        self._blend_label.setText(f"{value}%")
        self._model.set_class(blend=value / BLEND_STEPS)
