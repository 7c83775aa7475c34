"""Data sets for training: the built-ins (MNIST, Fashion-MNIST, CIFAR-10) and the user's images.

Pure numpy, the standard library and Pillow: importing this package loads neither
TensorFlow nor Qt.

Example:

```python
from gan_studio.data import load_dataset

mnist = load_dataset("mnist")                      # uint8 (60000, 28, 28, 1)
faces = load_dataset("~/faces.zip", image_size=64)  # uint8 (N, 64, 64, 3)
```
"""

from gan_studio.core.catalog import BUILTIN_DATASETS, DatasetSource, RemoteFile
from gan_studio.data.builtin import cached_status
from gan_studio.data.cache_location import dataset_source, default_data_dir
from gan_studio.data.dataset import Dataset
from gan_studio.data.download import download_file
from gan_studio.data.errors import DatasetCancelledError, DatasetError, DataUnavailableError
from gan_studio.data.loader import is_builtin_source, load_dataset, typical_image_size
from gan_studio.data.skipped import SkippedFile

__all__ = [
    "BUILTIN_DATASETS",
    "DataUnavailableError",
    "Dataset",
    "DatasetCancelledError",
    "DatasetError",
    "DatasetSource",
    "RemoteFile",
    "SkippedFile",
    "cached_status",
    "dataset_source",
    "default_data_dir",
    "download_file",
    "is_builtin_source",
    "load_dataset",
    "typical_image_size",
]
