"""Inside the generator: its layers with their shapes, and the picked one's activation maps
for the latent shown, live while the sliders move."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QSplitter, QVBoxLayout, QWidget

from gan_studio.core.numpy_generator.renderer_protocol import GeneratorRenderer
from gan_studio.ui.explorer.preview import LatentPreview
from gan_studio.ui.widgets.note_label import note_label

PLACEHOLDER = "Pick a layer to see its activation maps"


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


def _spatial(shape: tuple[int, ...]) -> bool:
    """Whether a layer's output is maps larger than 1×1 (H, W, C)."""
    return len(shape) == 3 and shape[0] * shape[1] > 1


def first_convolution(layers: list[tuple[str, tuple[int, ...]]]) -> int:
    """The layer to show first: the first that turns maps into maps (the first convolution:
    a dense layer's channels are 1×1, flat grey squares); else the first with maps; else 0.

    Args:
        layers: (name, output shape) per layer, as `NumpyGenerator.layers`.
    """
    shapes = [shape for _, shape in layers]
    for i in range(1, len(shapes)):
        if _spatial(shapes[i]) and _spatial(shapes[i - 1]):
            return i
    return next((i for i, shape in enumerate(shapes) if _spatial(shape)), 0)


class LayersView(QWidget):
    """The generator's layers (name and output shape) and the activation maps of the one
    picked: each channel normalised to its own range, the strongest first (see
    `core.latent.activation_maps`).

    Signals:
        layer_chosen(int): the layer picked (an index into the generator's `layers`), or -1.

    Args:
        parent: the parent widget.
    """

    layer_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.layers = QListWidget()
        self.layers.setToolTip("The generator's layers, input first, with the shape each one "
                               "outputs (a batch norm is folded into the layer before it)")
        self.layers.currentRowChanged.connect(self.layer_chosen.emit)
        self.maps = LatentPreview(1, PLACEHOLDER)
        self.maps.setToolTip("Each tile is one channel of the layer's output for the latent "
                             "shown, scaled to its own range (black: its lowest value, white: "
                             "its highest), strongest channel first")
        self.info = note_label()
        split = QSplitter()
        split.addWidget(self.layers)
        split.addWidget(self.maps)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split, 1)
        layout.addWidget(self.info)
        self._listed: list = []

    @property
    def current_layer(self) -> int | None:
        """The layer picked, or None."""
        row = self.layers.currentRow()
        return None if row < 0 else row

    def set_generator(self, renderer: GeneratorRenderer) -> None:
        """Lists a generator's layers (a `NumpyGenerator`'s; others have none to show)."""
        layers = renderer.layers
        if layers and layers == self._listed:
            return  # a new snapshot of the same run: the maps follow the new weights anyway
        self._listed = list(layers or ())
        picked = self.current_layer
        self.layers.blockSignals(True)
        self.layers.clear()
        for name, shape in layers or ():
            self.layers.addItem(QListWidgetItem(f"{name} · {_shape_text(shape)}"))
        self.layers.blockSignals(False)
        # Wide enough for every name and shape: the maps take the rest.
        self.layers.setMinimumWidth(self.layers.sizeHintForColumn(0) + 12)
        self.maps.set_image(None)
        if not layers:
            self.info.setText("This generator runs through TensorFlow, not the numpy copy: "
                              "its layers cannot be shown.")
            return
        self.info.setText("")
        if picked is not None and picked < len(layers):
            self.layers.setCurrentRow(picked)  # a new snapshot of the same run: keep watching
        else:
            self.layers.setCurrentRow(first_convolution(self._listed))
        self.layer_chosen.emit(-1 if self.current_layer is None else self.current_layer)

    def show_maps(self, layer: int, maps) -> None:
        """Shows `ActivationMaps` of `layer` (if it is still the one picked)."""
        if layer != self.current_layer:
            return
        self.maps.set_image(maps.image)
        shown = len(maps.channels)
        self.info.setText(f"{shown} of {maps.total} channels, strongest first (mean square "
                          f"{float(maps.energy[0]):.3g} to {float(maps.energy[-1]):.3g})")
