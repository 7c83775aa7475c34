"""The explorer's header: which generator is shown, and whether it follows training."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QMessageBox, QWidget


class LatentSourceBar(QWidget):
    """Names the generator shown (live step, backend, shapes) with a "Follow training" box.

    Args:
        sources: the explorer's `GeneratorChoice`.
        parent: the parent widget.
    """

    def __init__(self, sources, parent: QWidget | None = None):
        super().__init__(parent)
        self._sources = sources
        self.label = QLabel("No generator")
        self.label.setWordWrap(True)
        self.follow = QCheckBox("Follow training")
        self.follow.setChecked(sources.following)
        self.follow.setToolTip("Show the generator being trained, refreshed as it learns "
                               "(without pausing training)")
        self.follow.toggled.connect(sources.set_following)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.follow)
        sources.generator_changed.connect(lambda _loaded: self.update_text())
        sources.live_changed.connect(self.update_text)
        sources.loading.connect(lambda path: self._set_text(f"Loading {path}…"))
        sources.failed.connect(self._on_failed)
        self.update_text()

    def update_text(self) -> None:
        """Describes the current generator."""
        sources, loaded = self._sources, self._sources.current
        self.follow.blockSignals(True)
        self.follow.setChecked(sources.following)
        self.follow.blockSignals(False)
        self.follow.setVisible(sources.live is not None)
        if loaded is None:
            return self._set_text("No generator", "")
        text = f"<b>{loaded.name}</b>"
        if sources.is_live:
            step = sources.live_step
            text += " · live" + (f" at step {step:,}" if step else "")
        if loaded.backend == "gpu":
            text += " · rendered on the GPU"
        elif loaded.backend == "openvino":
            text += " · rendered by OpenVINO"
        elif loaded.backend != "numpy":
            text += " · rendered by TensorFlow"
        shape = "×".join(str(s) for s in loaded.renderer.output_shape)
        self._set_text(text, "\n".join(line for line in (
            loaded.source, f"Latent size {loaded.renderer.latent_dim}, images {shape}",
            loaded.note) if line))

    def _set_text(self, text: str, tip: str | None = None) -> None:
        self.label.setText(text)
        if tip is not None:
            self.label.setToolTip(tip)

    def _on_failed(self, message: str) -> None:
        self.update_text()
        QMessageBox.warning(self.window(), "Cannot Open Generator", message)
