"""The levers of a run's recipe and optimiser, each described once in `LEVERS`.

A lever's row holds everything about it: the values it takes (its `Rule`), its one-line help,
the seed article's value, whether the presets set it, its command-line flag, and how the
training panel shows it. The config's validation, the presets' fields, `gan-studio train`'s
flags and the panel's widgets and tooltips are all derived from these rows, so a new lever
costs one row here plus the `ml/` code that uses it.

Example:

```python
from gan_studio.core.levers import LEVERS

lever = LEVERS["kernel_size"]
lever.rule.accepts(4)        # True: what the config, the CLI and the panel all take
lever.flag                   # "--kernel-size"
lever.choice_labels[4]       # the panel's text for 4
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gan_studio.core.field_rule import Rule, int_rule, unit_rule

# numpy's legacy seeding (which Keras' set_random_seed also calls) takes 0 <= seed < 2**32.
MAX_SEED = 2**32 - 1
MODEL = "model"  # the panel's "Model and optimiser" group
RECIPE = "recipe"  # the panel's "Recipe" group
NOT_IN_SEED = object()  # a lever the seed article's models did not have (`Lever.seed`)


@dataclass(frozen=True)
class Lever:
    """One lever: what it takes, what it does, and where the command line and panel show it.

    Args:
        name: the `TrainConfig` field.
        rule: the values the field takes (`None` too where the rule is optional: the preset's
            or the data's value).
        help: what the lever does, in one line: `gan-studio train --help` and the panel's
            tooltip.
        seed: the seed article's value (the TensorFlow tutorial's models); the `tutorial` and
            `paper` presets keep it, and a run log names only the levers that differ from it.
            `NOT_IN_SEED` for levers that are not part of the recipe.
        preset: whether the presets set it (a `None` in a config takes the preset's value).
        flag: the `gan-studio train` option, or `None` where the command line has none.
        metavar: the option's value placeholder in `--help`.
        group: where the panel shows it (`MODEL` or `RECIPE`), or `None`.
        label: the panel's row label (a check box's is its text instead).
        choice_labels: a choice's panel text by value, in the panel's order (every choice).
        off_text: the text a number's spin box shows at its lowest value ("off").
        decimals: a float's decimals in the panel (its spin box's smallest step).
        step: the panel's spin step.
        continues: whether a run may continue from a checkpoint with another value
            (`core/continuation.py`): the lever changes no network's variables, so the
            checkpoint restores under the new value (the optimisers' learning rates, which a
            checkpoint holds, are set from the config after the restore).
    """

    name: str
    rule: Rule
    help: str
    seed: Any = NOT_IN_SEED
    preset: bool = True
    flag: str | None = None
    metavar: str | None = None
    group: str | None = None
    label: str = ""
    choice_labels: dict = field(default_factory=dict)
    off_text: str = ""
    decimals: int = 0
    step: float = 1.0
    continues: bool = False

    @property
    def none_at_low(self) -> bool:
        """Whether the panel's lowest value, shown as `off_text`, stands for `None` (the
        rule's open low end: D's learning rate at 0 is "same as G")."""
        return bool(self.off_text) and self.rule.optional and self.rule.low_open

    def panel_range(self) -> tuple[float, float]:
        """The lowest and highest values the panel's spin box offers: the rule's range, with
        an open end one step (at `decimals`) inside it, but for a low end that means `None`."""
        unit = 10.0 ** -self.decimals
        low = self.rule.low + (unit if self.rule.low_open and not self.none_at_low else 0)
        high = self.rule.high - (unit if self.rule.high_open else 0)
        return (low, high) if self.rule.kind == "float" else (int(low), int(high))


def _kernels(*sizes: int, seed: int | None = None, first: str = "") -> dict:
    labels = {size: f"{size}×{size}" + (" (the seed's)" if size == seed else "") for size in sizes}
    return {0: first, **labels} if first else labels


_ROWS = (
    Lever("batch_size", int_rule(1, 65536, optional=True), flag="--batch-size",
          group=MODEL, label="Batch size",
          help="images per step (the global batch, shared by the replicas of a distributed "
               "run); on a CPU smaller batches mean more updates per minute"),
    Lever("learning_rate", unit_rule(), flag="--lr", group=MODEL, label="Learning rate",
          decimals=6, step=0.00005,
          help="the generator's Adam learning rate (and the discriminator's, unless it has "
               "its own)",
          continues=True),
    Lever("beta1", unit_rule(low_open=False), flag="--beta1", group=MODEL, label="Adam β1",
          decimals=3, step=0.05, help="Adam's beta_1 (momentum) for both networks",
          continues=True),
    Lever("weight_init", Rule("choice", choices=("glorot", "normal_0.02"), optional=True),
          help="the networks' initial weights: Keras' glorot or the DCGAN paper's normal "
               "(0, 0.02)"),
    Lever("generator_ema", unit_rule(low_open=False), flag="--generator-ema", metavar="DECAY",
          group=MODEL, label="G weight average", off_text="off", decimals=4, step=0.001,
          help="samples, grids, the explorer and exports use a moving average of the "
               "generator's weights with this decay, e.g. 0.999: smoother, better samples; "
               "0: the trained weights"),
    Lever("latent_dim", int_rule(1, 4096, optional=True), preset=False, flag="--latent-dim",
          group=MODEL, label="Latent size",
          help="the size of the latent vector z the generator draws from (default: the data "
               "set's)"),
    Lever("seed", int_rule(0, MAX_SEED), preset=False, flag="--seed", group=MODEL,
          label="Seed", help="seeds the weights, the data's order and the noise"),
    Lever("precision", Rule("choice", choices=("auto", "float32", "mixed_bfloat16")),
          preset=False, flag="--precision",
          help="auto (default): bfloat16 where the hardware computes it natively (AVX512-BF16 "
               "or AMX CPUs, GPUs from compute capability 8.0), float32 elsewhere"),
    Lever("loss", Rule("choice", choices=("bce", "hinge"), optional=True), seed="bce",
          flag="--loss", group=RECIPE, label="Loss",
          choice_labels={"bce": "Non-saturating (BCE)", "hinge": "Hinge"},
          help="bce: the DCGAN paper's non-saturating loss; hinge: a margin loss (Miyato et al. "
               "2018) that stops the discriminator pushing logits it already gets right",
          continues=True),
    Lever("spectral_norm", Rule("bool", optional=True), seed=False, flag="--spectral-norm",
          group=RECIPE, label="Spectral normalisation in D",
          help="spectral normalisation of the discriminator's layers (Miyato et al. 2018): "
               "bounds how sharply it can change, which steadies training"),
    Lever("d_learning_rate", unit_rule(), seed=None, flag="--d-lr", group=RECIPE,
          label="D learning rate", off_text="same as G", decimals=6, step=0.00005,
          help="the discriminator's own Adam learning rate (two time-scale update rule, "
               "Heusel et al. 2017); default: the generator's",
          continues=True),
    Lever("r1_gamma", Rule("float", 0, 1000, optional=True), seed=0.0, flag="--r1-gamma",
          group=RECIPE, label="R1 penalty γ", off_text="off", decimals=3, step=0.05,
          help="weight of the R1 penalty on the discriminator's gradient at real images "
               "(Mescheder et al. 2018), applied every 16 steps; 0: off",
          continues=True),
    Lever("augment", Rule("choice", choices=("off", "on", "auto"), optional=True), seed="off",
          flag="--augment", group=RECIPE, label="Augmentation",
          choice_labels={"auto": "Auto (small data sets)", "on": "On", "off": "Off"},
          help="differentiable augmentation (colour, translation, cut-out) of every image the "
               "discriminator sees, real and generated alike (Zhao et al. 2020), which keeps it "
               "from memorising small data sets; auto: on below 10,000 images",
          continues=True),
    Lever("kernel_size", Rule("choice", choices=(4, 5), optional=True), seed=5,
          flag="--kernel-size", group=RECIPE, label="G kernels",
          choice_labels={4: "4×4 (even overlap)", 5: "5×5 (the seed's)"},
          help="the generator's transposed-convolution kernel: 4 (a multiple of the stride) "
               "avoids the checkerboard pattern of 5 (Odena et al. 2016)"),
    Lever("g_stride1_kernel", Rule("choice", choices=(0, 3, 4, 5), optional=True), seed=0,
          flag="--g-stride1-kernel", group=RECIPE, label="G stride-1 kernels",
          choice_labels=_kernels(3, 4, 5, first="Same as G kernels"),
          help="the kernel of the generator's stride-1 layers, those that keep the size (0: "
               "the generator's kernel); 3 costs half of 4 in the layer that is most of the "
               "generator's work"),
    Lever("g_activation", Rule("choice", choices=("leaky_relu", "relu"), optional=True),
          seed="leaky_relu", flag="--g-activation", group=RECIPE, label="G activation",
          choice_labels={"leaky_relu": "Leaky ReLU (the tutorial's)",
                         "relu": "ReLU (the paper's)"},
          help="the generator's activation: leaky_relu (the TensorFlow tutorial's) or relu "
               "(the DCGAN paper's), which draws cleaner grey digits sooner"),
    Lever("d_kernel_size", Rule("choice", choices=(3, 4, 5), optional=True), seed=5,
          flag="--d-kernel-size", group=RECIPE, label="D kernels",
          choice_labels=_kernels(3, 4, 5, seed=5),
          help="the kernel of the discriminator's convolutions (the seed's 5); 4 costs two "
               "thirds and 3 a third of 5 in the layers that are most of the discriminator's "
               "work"),
    Lever("d_dropout", unit_rule(low_open=False), seed=0.3, flag="--d-dropout", metavar="RATE",
          group=RECIPE, label="D dropout", off_text="off", decimals=2, step=0.05,
          help="share of the discriminator's features dropped while it trains (the TensorFlow "
               "tutorial's 0.3); 0: none, so it learns faster and each step is cheaper",
          continues=True),
    Lever("conditional", Rule("bool"), preset=False, flag="--conditional", group=RECIPE,
          label="Class-conditional (needs labels)",
          help="train on the data set's labels (class subfolders, an idx labels file or a "
               "built-in set): the generator draws the class you ask for, and the sample "
               "grid shows one row per class"),
    Lever("mode_seeking", Rule("float", 0, 100, optional=True), seed=0.0,
          flag="--mode-seeking", metavar="WEIGHT", group=RECIPE, label="Mode seeking",
          off_text="off", decimals=2, step=0.1,
          help="weight of the mode-seeking term of a conditional run (Mao et al. 2019): the "
               "generator is penalised when two latents draw the same image of a class, which "
               "keeps the noise varying each class; 0: off",
          continues=True),
)
LEVERS: dict[str, Lever] = {lever.name: lever for lever in _ROWS}
# The seed article's recipe: what "tutorial" and "paper" train with.
SEED_RECIPE: dict[str, Any] = {name: lever.seed for name, lever in LEVERS.items()
                               if lever.seed is not NOT_IN_SEED}
PRESET_FIELDS: tuple[str, ...] = tuple(name for name, lever in LEVERS.items() if lever.preset)


def panel_levers(group: str) -> tuple[Lever, ...]:
    """The levers the training panel shows in `group` (`MODEL` or `RECIPE`), in its order."""
    return tuple(lever for lever in _ROWS if lever.group == group)
