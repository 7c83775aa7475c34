"""The built-in data sets and the image sizes the models build: the one place that names them.

Everything else (the config's latent sizes, the data loaders and their downloads, the export
of a run's generator, the window's choosers, the command line's help) reads this module, so a
built-in data set stored in a known layout is added here and nowhere else.

The origins and SHA-256 digests are the ones Keras' own loaders use
(`keras/src/datasets/{mnist,fashion_mnist,cifar10}.py`), and the cache names are the ones
`keras.utils.get_file` leaves behind, so a data set a user already downloaded with Keras is
found offline.
"""

from __future__ import annotations

from dataclasses import dataclass

# Square sides the generator and discriminator are built for (ml/networks/models.generator_plan).
IMAGE_SIZES = (28, 32, 64, 128)
DEFAULT_IMAGE_SIZE = 64  # the largest automatic size too (`automatic_image_size`)
# Latent size of models for data that is not built in.
DEFAULT_LATENT_DIM = 128
SPLITS = ("train", "test")
# How a built-in data set's files are laid out, i.e. which reader of gan_studio.data opens them.
NPZ, IDX, CIFAR = "npz", "idx", "cifar"

_KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


@dataclass(frozen=True)
class RemoteFile:
    """One file of a built-in data set.

    Args:
        url: official download address.
        filename: path of the cached copy, relative to the data folder (`/`-separated).
        sha256: hex digest of the official file; a fresh download must match it.
        size: size in bytes of the official file, used to show progress over several files.
        splits: the splits that need this file.
    """

    url: str
    filename: str
    sha256: str
    size: int
    splits: tuple[str, ...] = SPLITS


@dataclass(frozen=True)
class DatasetSource:
    """Description of a built-in data set.

    Args:
        name: identifier accepted by `load_dataset` (`"mnist"`, `"fashion_mnist"`, `"cifar10"`).
        title: name to show to users.
        files: the files to download.
        shape: `(height, width, channels)` of one image.
        classes: label names, indexed by label.
        latent_dim: the size of z of models trained on it.
        layout: `npz` (Keras' mnist.npz), `idx` (gzipped MNIST-format files) or `cifar`
            (CIFAR's pickled batches in a tar.gz).
        extracted: folder (relative to the data folder) that an archive in `files` unpacks
            to, or `""` when nothing is unpacked.
        train_images: images in its training split (what an epoch is, in steps).
    """

    name: str
    title: str
    files: tuple[RemoteFile, ...]
    shape: tuple[int, int, int]
    classes: tuple[str, ...]
    latent_dim: int
    layout: str
    extracted: str = ""
    train_images: int = 0

    def files_for(self, split: str) -> tuple[RemoteFile, ...]:
        """Returns the files that `split` needs.

        Args:
            split: `"train"` or `"test"`.

        Returns:
            The subset of `files` holding that split.
        """
        return tuple(f for f in self.files if split in f.splits)


def _fashion_file(name: str, sha256: str, size: int, split: str) -> RemoteFile:
    return RemoteFile(_KERAS_ORIGIN + name, "fashion-mnist/" + name, sha256, size, (split,))


_SOURCES = {
    "mnist": DatasetSource(
        name="mnist",
        title="MNIST",
        files=(RemoteFile(
            _KERAS_ORIGIN + "mnist.npz", "mnist.npz",
            "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1", 11_490_434),),
        shape=(28, 28, 1),
        classes=tuple(str(d) for d in range(10)),
        latent_dim=100,
        layout=NPZ,
        train_images=60_000,
    ),
    "fashion_mnist": DatasetSource(
        name="fashion_mnist",
        title="Fashion-MNIST",
        files=(
            _fashion_file("train-labels-idx1-ubyte.gz",
                          "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                          29_515, "train"),
            _fashion_file("train-images-idx3-ubyte.gz",
                          "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                          26_421_880, "train"),
            _fashion_file("t10k-labels-idx1-ubyte.gz",
                          "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
                          5_148, "test"),
            _fashion_file("t10k-images-idx3-ubyte.gz",
                          "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                          4_422_102, "test"),
        ),
        shape=(28, 28, 1),
        classes=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                 "Sneaker", "Bag", "Ankle boot"),
        latent_dim=100,
        layout=IDX,
        train_images=60_000,
    ),
    "cifar10": DatasetSource(
        name="cifar10",
        title="CIFAR-10",
        files=(RemoteFile(
            "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz", "cifar-10-python.tar.gz",
            "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce", 170_498_071),),
        shape=(32, 32, 3),
        classes=("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                 "ship", "truck"),
        latent_dim=128,
        layout=CIFAR,
        extracted="cifar-10-batches-py",
        train_images=50_000,
    ),
}

BUILTIN_DATASETS = tuple(_SOURCES)

_ALIASES = {"fashion": "fashion_mnist", "cifar": "cifar10", "cifar_10": "cifar10"}


def builtin_name(source: str) -> str | None:
    """Returns the canonical built-in name that `source` spells, or None.

    Case, `-` versus `_` and a few short forms are forgiven: `"Fashion-MNIST"`,
    `"CIFAR-10"`.

    Args:
        source: what the user typed.

    Returns:
        One of `BUILTIN_DATASETS`, or None if `source` names none of them.
    """
    key = source.strip().lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    return key if key in _SOURCES else None


def builtin_source(name: str) -> DatasetSource | None:
    """Returns the built-in data set `name` spells (see `builtin_name`), or None."""
    key = builtin_name(name)
    return None if key is None else _SOURCES[key]


def latent_dim_for(dataset: str) -> int:
    """The default size of z for models of `dataset` (a built-in name or a path)."""
    source = _SOURCES.get(dataset)
    return DEFAULT_LATENT_DIM if source is None else source.latent_dim


def channels_of(dataset: str) -> int | None:
    """The channels of a built-in data set's images; None for other data (not seen yet)."""
    source = builtin_source(dataset)
    return None if source is None else source.shape[2]


def automatic_image_size(side: int | None) -> int:
    """The size a folder or `.zip` of images trains at when none is chosen: its own.

    That is the largest of `IMAGE_SIZES` above neither `side` (the images' typical shorter
    side) nor `DEFAULT_IMAGE_SIZE`: 32×32 images train at 32, not upscaled to 64 for four
    times the arithmetic; larger ones at the default (each size above it costs 4× more).

    Args:
        side: the images' typical shorter side in pixels; None when unknown.

    Returns:
        The size; the smallest of `IMAGE_SIZES` for images smaller than all of them, and
        `DEFAULT_IMAGE_SIZE` when `side` is None.
    """
    if side is None:
        return DEFAULT_IMAGE_SIZE
    fitting = [size for size in IMAGE_SIZES if size <= min(side, DEFAULT_IMAGE_SIZE)]
    return max(fitting) if fitting else min(IMAGE_SIZES)
