""""Use all N GPUs": the window's way to train with the mirrored strategy."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QWidget

from gan_studio.core.config import TrainConfig


class AllGpusOption(QCheckBox):
    """A check box shown only where TensorFlow sees more than one GPU; checked, a new run
    trains with `strategy="mirrored"`: a replica on each GPU, each taking its share of the
    batch (the batch size stays the global batch).

    Args:
        parent: the parent widget.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Use all GPUs", parent)
        self._gpus = 0
        self.setToolTip("Train on every GPU at once (tf.distribute.MirroredStrategy): each GPU "
                        "takes its share of every batch and the gradients are summed; a model "
                        "this small gains most with large batches")
        self.setVisible(False)

    def set_gpu_count(self, count: int) -> None:
        """Shows the option, with the count in its label, when there are several GPUs."""
        self._gpus = int(count)
        self.setText(f"Use all {self._gpus} GPUs")
        self.setVisible(self._gpus > 1)

    def config_values(self) -> dict:
        """The strategy as `TrainConfig` keyword arguments."""
        mirrored = self._gpus > 1 and self.isChecked()
        return {"strategy": "mirrored" if mirrored else "default"}

    def show_config(self, config: TrainConfig) -> None:
        """Shows whether a run trains on every GPU."""
        self.setChecked(config.strategy == "mirrored")
