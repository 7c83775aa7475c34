"""Training configuration: presets, validation and JSON round-trips (stdlib only)."""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field

from gan_studio.core.atomic import atomic_write_text
from gan_studio.core.catalog import DEFAULT_IMAGE_SIZE, IMAGE_SIZES, builtin_name, latent_dim_for

STUDIO_EMA = 0.999

# Hyper-parameters of the presets. "tutorial" is the TensorFlow DCGAN tutorial (and the article
# this app grew from); "paper" follows Radford et al. 2015; "studio" is the paper's optimiser and
# initialisation with batches of 32: on a CPU, images/s barely depend on the batch size, so
# smaller batches mean more updates per minute and better samples after the same time (64 vs
# 128, then 32 vs 64: FD 0.50x on MNIST at 5 minutes with 4x4 kernels, RESULTS.md fig. 9). Its
# generator's kernels are 4x4, a multiple of the stride: no checkerboard, and 1.14x the steps
# per minute. "studio" samples from an exponential moving average of the generator's weights
# (Yazici et al. 2019, as in ProGAN and StyleGAN), which smooths out the last steps'
# oscillation (fig. 6), and augments what the discriminator sees on data sets below
# AUGMENT_BELOW images. Levers measured and left off: hinge loss with spectral norm and TTUR,
# R1 (fig. 9).
# The seed's recipe: what "tutorial" and "paper" train with, and every lever of "studio" off.
_DCGAN = {"loss": "bce", "spectral_norm": False, "d_learning_rate": None, "r1_gamma": 0.0,
          "augment": "off", "kernel_size": 5}
PRESETS: dict[str, dict] = {
    "tutorial": {"learning_rate": 1e-4, "beta1": 0.9, "batch_size": 256, "weight_init": "glorot",
                 "generator_ema": 0.0, **_DCGAN},
    "paper": {"learning_rate": 2e-4, "beta1": 0.5, "batch_size": 128, "weight_init": "normal_0.02",
              "generator_ema": 0.0, **_DCGAN},
    "studio": {"learning_rate": 2e-4, "beta1": 0.5, "batch_size": 32, "weight_init": "normal_0.02",
               "generator_ema": STUDIO_EMA, **_DCGAN, "augment": "auto", "kernel_size": 4},
}
DEFAULT_PRESET = "studio"
PRESET_FIELDS = ("batch_size", "learning_rate", "beta1", "weight_init", "generator_ema", "loss",
                 "spectral_norm", "d_learning_rate", "r1_gamma", "augment", "kernel_size")

LOSSES = ("bce", "hinge")
AUGMENT_MODES = ("off", "on", "auto")
AUGMENT_OPS = ("color", "translation", "cutout")
DEFAULT_EPOCHS = 50  # built-in data sets; image folders are sized by FOLDER_IMAGES instead
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

PRECISIONS = ("auto", "float32", "mixed_bfloat16")


class ConfigError(ValueError):
    """Raised when a configuration value is out of range or a config file is malformed."""


@dataclass
class TrainConfig:
    """Everything that defines a training run.

    Args:
        dataset: `mnist`, `fashion_mnist`, `cifar10`, or a path to an image folder, a `.zip` of
            images, or MNIST-format idx files (a file or a folder holding them).
        preset: `tutorial`, `paper` or `studio`; fills the values that are left as `None`.
        epochs: number of passes over the data; `None`: 50 for the built-in data sets, and
            for other data as many as make `FOLDER_IMAGES` images seen (set once the data
            set's size is known).
        max_steps: stop after this many steps in total (0: no limit).
        batch_size: images per step; `None` takes the preset's.
        learning_rate: Adam learning rate for both networks; `None` takes the preset's.
        beta1: Adam beta_1; `None` takes the preset's.
        latent_dim: size of z; `None` takes the dataset's default.
        image_size: side of the square images for image folders (built-ins use their own).
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
        conditional: train a class-conditional GAN on the data set's labels.
        num_classes: classes of a conditional run (set from the data; 0: unconditional).
        class_names: names of those classes, indexed by label.
    """

    dataset: str = "mnist"
    preset: str = DEFAULT_PRESET
    epochs: int | None = None
    max_steps: int = 0
    batch_size: int | None = None
    learning_rate: float | None = None
    beta1: float | None = None
    latent_dim: int | None = None
    image_size: int = DEFAULT_IMAGE_SIZE
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
    conditional: bool = False
    num_classes: int = 0
    class_names: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def resolved(self) -> TrainConfig:
        """Returns a copy with preset values filled in and every field validated.

        Raises:
            ConfigError: if a value is out of range.
        """
        if self.preset not in PRESETS:
            raise ConfigError(f"unknown preset {self.preset!r}; choose one of {sorted(PRESETS)}")
        preset = PRESETS[self.preset]
        cfg = dataclasses.replace(self, extra=dict(self.extra),
                                  class_names=list(self.class_names))
        for name in PRESET_FIELDS:
            if getattr(cfg, name) is None:
                setattr(cfg, name, preset[name])
        if cfg.d_learning_rate is None:
            cfg.d_learning_rate = cfg.learning_rate
        if cfg.epochs is None and builtin_name(cfg.dataset) is not None:
            cfg.epochs = DEFAULT_EPOCHS
        if cfg.latent_dim is None:
            cfg.latent_dim = latent_dim_for(cfg.dataset)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        """Checks ranges of the numeric fields.

        Raises:
            ConfigError: naming the first bad field.
        """
        checks = [
            ("epochs", self.epochs is None or (isinstance(self.epochs, int) and self.epochs >= 1)),
            ("max_steps", self.max_steps >= 0),
            ("batch_size", self.batch_size is None or 1 <= self.batch_size <= 65536),
            ("learning_rate", self.learning_rate is None or 0 < self.learning_rate < 1),
            ("beta1", self.beta1 is None or 0 <= self.beta1 < 1),
            ("latent_dim", self.latent_dim is None or 1 <= self.latent_dim <= 4096),
            ("image_size", self.image_size in IMAGE_SIZES),
            ("channels", self.channels in (None, 1, 3)),
            ("grid_size", 1 <= self.grid_size <= 16),
            ("keep_checkpoints", self.keep_checkpoints >= 1),
            ("steps_per_call", 1 <= self.steps_per_call <= 1000),
            ("weight_init", self.weight_init in (None, "glorot", "normal_0.02")),
            ("precision", self.precision in PRECISIONS),
            ("quality_every_minutes", isinstance(self.quality_every_minutes, (int, float))
             and 0 <= self.quality_every_minutes <= 24 * 60),
            ("quality_samples", isinstance(self.quality_samples, int)
             and 100 <= self.quality_samples <= 50_000),
            ("loss", self.loss in (None, *LOSSES)),
            ("spectral_norm", self.spectral_norm in (None, True, False)),
            ("d_learning_rate", self.d_learning_rate is None or (
                isinstance(self.d_learning_rate, (int, float)) and 0 < self.d_learning_rate < 1)),
            ("r1_gamma", self.r1_gamma is None or (
                isinstance(self.r1_gamma, (int, float)) and 0 <= self.r1_gamma <= 1000)),
            ("r1_every", isinstance(self.r1_every, int) and 1 <= self.r1_every <= 1000),
            ("augment", self.augment in (None, *AUGMENT_MODES)),
            ("augment_policy", isinstance(self.augment_policy, str) and all(
                op in AUGMENT_OPS for op in self.augment_policy.split(",") if op)),
            ("kernel_size", self.kernel_size in (None, 3, 4, 5)),
            ("conditional", self.conditional in (True, False)),
            ("num_classes", isinstance(self.num_classes, int) and 0 <= self.num_classes <= 1000),
            ("class_names", isinstance(self.class_names, list)),
            ("generator_ema", self.generator_ema is None or (
                isinstance(self.generator_ema, (int, float)) and 0 <= self.generator_ema < 1)),
        ]
        for name, ok in checks:
            if not ok:
                raise ConfigError(f"invalid {name}: {getattr(self, name)!r}")

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
        return cfg

    def save(self, path: str | os.PathLike) -> None:
        """Writes the config as JSON, atomically."""
        atomic_write_text(path, json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: str | os.PathLike) -> TrainConfig:
        """Reads a config written by `save`.

        Raises:
            ConfigError: if the file is missing, not JSON, or malformed.
        """
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except FileNotFoundError as exc:
            raise ConfigError(f"no config file at {path}") from exc
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(f"cannot read config {path}: {exc}") from exc
        if isinstance(data, dict):
            data.setdefault("generator_ema", 0.0)  # written before the average existed: none
            for name, value in _DCGAN.items():  # ... and before the recipe's levers: the seed's
                data.setdefault(name, value)
            if data.get("d_learning_rate") is None:
                data["d_learning_rate"] = data.get("learning_rate")
            data.setdefault("epochs", DEFAULT_EPOCHS)
        return cls.from_dict(data)
