"""Training configuration: presets, validation and JSON round-trips (stdlib only)."""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field

from gan_studio.core.atomic import atomic_write_text
from gan_studio.core.catalog import builtin_name, channels_of, latent_dim_for
from gan_studio.core.config_rules import FIELD_RULES, MAX_MINUTES  # noqa: F401
from gan_studio.core.field_rule import check_fields
from gan_studio.core.levers import PRESET_FIELDS
from gan_studio.core.presets import (  # noqa: F401 (importers of config use these names)
    AUGMENT_OPS,
    DCGAN_RECIPE,
    DEFAULT_PRESET,
    PRESETS,
    STUDIO_COLOUR,
    STUDIO_EMA,
    preset_values,
)

DEFAULT_EPOCHS = 50  # built-in data sets; image folders are sized by FOLDER_IMAGES instead
# A new run's default length: what a user has (an evening, a lesson), not a count of epochs.
DEFAULT_MINUTES = 30.0
# Images a run on other data sees by default: as many as 50 epochs of MNIST. Epochs would
# not do: 50 epochs of a 500-image folder are 350 steps, far too few for a GAN.
FOLDER_IMAGES = 3_000_000
AUGMENT_BELOW = 10_000  # `augment="auto"` augments data sets smaller than this
# The epoch-end work (a grid file, a checkpoint, the quality meter's turn) happens at most once
# per this many images seen: a 500-image folder's epochs last 7 steps.
ROUND_IMAGES = 50_000


def augmentation_enabled(config: TrainConfig, count: int) -> bool:
    """Whether a run augments what its discriminator sees, for a data set of `count` images."""
    mode = config.augment or "off"
    return mode == "on" or (mode == "auto" and count < AUGMENT_BELOW)


def epochs_per_round(count: int) -> int:
    """How many epochs of a `count`-image data set pass between two epoch-end checkpoints."""
    return max(1, ROUND_IMAGES // max(1, count))


def epochs_for_size(count: int) -> int:
    """The default number of epochs for a data set of `count` images (`FOLDER_IMAGES` seen)."""
    return max(1, -(-FOLDER_IMAGES // max(1, count)))

MAX_CONFIG_BYTES = 1 << 20  # a run's config.json is ~1.5 KB



class ConfigError(ValueError):
    """Raised when a configuration value is out of range or a config file is malformed."""


@dataclass
class TrainConfig:
    """Everything that defines a training run.

    Args:
        dataset: `mnist`, `fashion_mnist`, `cifar10`, or a path to an image folder, a `.zip` of
            images, or MNIST-format idx files (a file or a folder holding them).
        preset: `tutorial`, `paper` or `studio`; fills the values that are left as `None`.
        epochs: number of passes over the data; `None`: with neither `max_minutes` nor
            `max_steps`, 50 for the built-in data sets, and for other data as many as make
            `FOLDER_IMAGES` images seen (set once the data set's size is known); else none.
        max_steps: stop after this many steps in total (0: no limit).
        max_minutes: stop after this many minutes of training in total, counted across pauses
            and restarts (see `TimeBudget`; 0: no limit). A run's length is either a time or
            a count (epochs, steps), not both; a config that sets none of the three trains
            for `DEFAULT_MINUTES`.
        batch_size: images per step; `None` takes the preset's.
        learning_rate: Adam learning rate for both networks; `None` takes the preset's.
        beta1: Adam beta_1; `None` takes the preset's.
        latent_dim: size of z; `None` takes the dataset's default.
        image_size: side of the square images for image folders (built-ins use their own);
            `None`: automatic, the images' own size up to `DEFAULT_IMAGE_SIZE`
            (`automatic_image_size`), set once the images are read.
        channels: 1 (gray) or 3 (RGB) for image folders; `None` guesses from the data.
        seed: random seed for weights, shuffling and noise.
        data_dir: where data sets are cached (`None`: the Keras cache).
        runs_dir: folder that receives `runs/<dataset>-<timestamp>/`.
        sample_every_steps: render the fixed-noise grid at least every N steps.
        sample_every_seconds: ... and at least every N seconds.
        grid_size: the grid is `grid_size x grid_size` tiles.
        keep_checkpoints: how many recent checkpoints are kept.
        keep_every_epochs: additionally keep one checkpoint every N epochs.
        steps_per_call: train steps run inside one compiled call (fewer Python round trips).
        precision: `float32`, `mixed_bfloat16` (bfloat16 arithmetic, float32 weights), or
            `auto`: bfloat16 where the hardware computes it natively (CPUs with AVX512-BF16 or
            AMX, GPUs of compute capability 8.0 and up), float32 elsewhere.
        generator_ema: decay of an exponential moving average of the generator's weights that
            samples, grids, snapshots and exports use (0: the trained weights themselves);
            `None` takes the preset's.
        quality_every_minutes: measure the generator's quality (FD, KID, class spread,
            diversity) at each epoch's end and at most every this many minutes (0: never; on
            demand still works).
        quality_samples: generated images scored per evaluation.
        loss: `bce` (the non-saturating loss of the DCGAN paper) or `hinge` (Miyato et al.
            2018); `None` takes the preset's.
        spectral_norm: spectral normalisation of the discriminator's layers; `None` takes the
            preset's.
        d_learning_rate: the discriminator's Adam learning rate (two time-scale update rule,
            Heusel et al. 2017); `None` takes the preset's, and a preset's `None` means
            `learning_rate`.
        r1_gamma: weight of the R1 gradient penalty on real images (Mescheder et al. 2018),
            applied lazily every `r1_every` steps (0: off); `None` takes the preset's.
        r1_every: steps between two R1 penalty steps.
        augment: differentiable augmentation of every image the discriminator sees (real and
            generated alike, Zhao et al. 2020): `on`, `off`, or `auto` (on for data sets of
            fewer than `AUGMENT_BELOW` images); `None` takes the preset's.
        augment_policy: the augmentations, comma-separated, among `AUGMENT_OPS`.
        kernel_size: the generator's transposed-convolution kernels (5 in the seed's models;
            4, a multiple of the stride, avoids checkerboard artefacts, Odena et al. 2016);
            `None` takes the preset's.
        d_dropout: the share of the discriminator's features dropped after each of its
            convolutions while it trains (the seed's models: 0.3; 0 builds no dropout layers);
            `None` takes the preset's.
        g_activation: the generator's hidden activation: `leaky_relu` (slope 0.3, the
            TensorFlow tutorial's) or `relu` (the DCGAN paper's); `None` takes the preset's.
        g_stride1_kernel: the kernel of the generator's stride-1 transposed convolutions,
            those that keep the size (0: `kernel_size`, as in the seed's models); `None` takes
            the preset's.
        d_kernel_size: the kernel of the discriminator's convolutions (5 in the seed's
            models); `None` takes the preset's.
        conditional: train a class-conditional GAN on the data set's labels.
        mode_seeking: weight of the mode-seeking term (Mao et al. 2019) in the generator's
            loss of a conditional run, which keeps the noise varying the images of each class
            (0: off; unconditional runs ignore it); `None` takes the preset's.
        strategy: where training runs (`STRATEGIES`): `default` (one device), `mirrored`
            (a replica on each local GPU, or on each of `devices`) or `multiworker` (the
            machines that the `TF_CONFIG` environment variable lists). `batch_size` is the
            global batch: each replica trains on its share.
        devices: the devices of a `mirrored` run (`["/gpu:0", "/gpu:1"]`); empty: every GPU.
        sync_batch_norm: with several replicas, the generator's batch norms use the whole
            global batch's statistics (`BatchNormalization(synchronized=True)`) rather than
            each replica's own share.
        num_classes: classes of a conditional run (set from the data; 0: unconditional).
        class_names: names of those classes, indexed by label.
    """

    dataset: str = "mnist"
    preset: str = DEFAULT_PRESET
    epochs: int | None = None
    max_steps: int = 0
    max_minutes: float = 0.0
    batch_size: int | None = None
    learning_rate: float | None = None
    beta1: float | None = None
    latent_dim: int | None = None
    image_size: int | None = None
    channels: int | None = None
    seed: int = 0
    weight_init: str | None = None
    data_dir: str | None = None
    runs_dir: str = "runs"
    sample_every_steps: int = 50
    sample_every_seconds: float = 5.0
    grid_size: int = 8
    keep_checkpoints: int = 3
    keep_every_epochs: int = 10
    steps_per_call: int = 1
    precision: str = "auto"
    generator_ema: float | None = None
    quality_every_minutes: float = 5.0
    quality_samples: int = 2000
    loss: str | None = None
    spectral_norm: bool | None = None
    d_learning_rate: float | None = None
    r1_gamma: float | None = None
    r1_every: int = 16
    augment: str | None = None
    augment_policy: str = ",".join(AUGMENT_OPS)
    kernel_size: int | None = None
    d_dropout: float | None = None
    g_activation: str | None = None
    g_stride1_kernel: int | None = None
    d_kernel_size: int | None = None
    conditional: bool = False
    mode_seeking: float | None = None
    strategy: str = "default"
    devices: list = field(default_factory=list)
    sync_batch_norm: bool = True
    num_classes: int = 0
    class_names: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def resolved(self) -> TrainConfig:
        """Returns a copy with preset values filled in and every field validated.

        Raises:
            ConfigError: if a value is out of range.
        """
        self.validate()  # types first: a list as preset must not reach the lookup below
        cfg = dataclasses.replace(self, extra=dict(self.extra),
                                  class_names=list(self.class_names))
        preset = preset_values(self.preset, cfg.channels or channels_of(cfg.dataset))
        for name in PRESET_FIELDS:
            if getattr(cfg, name) is None:
                setattr(cfg, name, preset[name])
        if cfg.d_learning_rate is None:
            cfg.d_learning_rate = cfg.learning_rate
        if cfg.epochs is None and not cfg.max_steps and not cfg.max_minutes:
            cfg.max_minutes = DEFAULT_MINUTES
        if cfg.epochs is None and not cfg.max_minutes and not cfg.max_steps and \
                builtin_name(cfg.dataset) is not None:
            cfg.epochs = DEFAULT_EPOCHS
        if cfg.latent_dim is None:
            cfg.latent_dim = latent_dim_for(cfg.dataset)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        """Checks every field's type and range (`FIELD_RULES`), before any data is loaded.

        Raises:
            ConfigError: naming the first bad field, its value and what it takes.
        """
        try:
            check_fields(vars(self), FIELD_RULES)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        if self.max_minutes and (self.max_steps or self.epochs is not None):
            counted = "max_steps" if self.max_steps else "epochs"
            raise ConfigError(f"a run's length is a time or a count, not both: max_minutes "
                              f"{self.max_minutes:g} and {counted} {getattr(self, counted)}")
        unknown = [op for op in self.augment_policy.split(",") if op and op not in AUGMENT_OPS]
        if unknown:
            raise ConfigError(f"invalid augment_policy: {self.augment_policy!r} (takes a "
                              f"comma-separated list of {', '.join(AUGMENT_OPS)})")
        if not all(isinstance(name, str) and name for name in self.devices):
            raise ConfigError("invalid devices: each device is a name such as '/gpu:0'")
        if not all(isinstance(name, str) for name in self.class_names):
            raise ConfigError("invalid class_names: every class name must be a text")

    @property
    def condition_classes(self) -> int:
        """The classes the models are conditioned on: `num_classes` if `conditional`, else 0."""
        return int(self.num_classes) if self.conditional else 0

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        """Builds a config from a dict, ignoring unknown keys (files from newer versions).

        Raises:
            ConfigError: if `data` is not a mapping or a value has the wrong type.
        """
        if not isinstance(data, dict):
            raise ConfigError("config must be a JSON object")
        known = {f.name: f for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        try:
            cfg = cls(**kwargs)
            cfg.validate()
        except TypeError as exc:
            raise ConfigError(f"malformed config: {exc}") from exc
        for name, rule in FIELD_RULES.items():  # a hand-written 1 means true from here on
            if rule.kind == "bool" and getattr(cfg, name) is not None:
                setattr(cfg, name, bool(getattr(cfg, name)))
        return cfg

    def save(self, path: str | os.PathLike) -> None:
        """Writes the config as JSON, atomically.

        Raises:
            ConfigError: if it cannot be written (one line naming `path`; the file that was
                there is left whole).
        """
        try:
            atomic_write_text(path, json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n")
        except OSError as exc:  # its file name is the temporary one's
            raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from exc

    @classmethod
    def load(cls, path: str | os.PathLike) -> TrainConfig:
        """Reads a config written by `save`.

        Raises:
            ConfigError: if the file is missing, not JSON, or malformed.
        """
        try:
            with open(path, "rb") as f:
                raw = f.read(MAX_CONFIG_BYTES + 1)
            if len(raw) > MAX_CONFIG_BYTES:
                raise ConfigError(f"cannot read config {path}: larger than "
                                  f"{MAX_CONFIG_BYTES // 1024} KiB, so not a GAN Studio config")
            data = json.loads(raw.decode("utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"no config file at {path}") from exc
        except UnicodeDecodeError:
            raise ConfigError(f"cannot read config {path}: it is not UTF-8 text") from None
        except RecursionError:
            raise ConfigError(f"cannot read config {path}: nested too deeply") from None
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(f"cannot read config {path}: {exc}") from exc
        if isinstance(data, dict):
            data.setdefault("generator_ema", 0.0)  # written before the average existed: none
            for name, value in DCGAN_RECIPE.items():  # ... and before the recipe's levers: the seed's
                data.setdefault(name, value)
            if data.get("d_learning_rate") is None:
                data["d_learning_rate"] = data.get("learning_rate")
            data.setdefault("epochs", DEFAULT_EPOCHS)
        try:
            return cls.from_dict(data)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None
