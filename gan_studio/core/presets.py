"""The presets: the hyper-parameters and recipe levers a run starts from."""

from __future__ import annotations

from gan_studio.core.levers import SEED_RECIPE

STUDIO_EMA = 0.999

# The presets' values of the levers in `gan_studio.core.levers` (their rules, help and seed
# values live there). "tutorial" is the TensorFlow DCGAN tutorial (and the article this app
# grew from); "paper" follows Radford et al. 2015; both train with the seed article's recipe.
# "studio" is the paper's optimiser and initialisation tuned for what a CPU buys per minute,
# each choice kept because it measured better in paired runs at equal time (RESULTS.md figures
# 6 and 9, sections 14 and 17): smaller batches (on a CPU, images/s barely depend on the batch
# size, so smaller batches mean more updates per minute); 4x4 generator kernels, a multiple of
# the stride, so no checkerboard; sampling from a moving average of G's weights (Yazici et al.
# 2019), which smooths out the last steps' oscillation; no dropout in D and twice the paper's
# learning rate on grey images; the DCGAN paper's ReLU and a 3x3 stride-1 layer in G (that
# layer is most of G's arithmetic); augmentation only for small grey data sets; and for a
# class-conditional run, mode seeking (Mao et al. 2019), without which each class came out as
# one drawing whatever the noise. R1 was measured and left off.
DCGAN_RECIPE = SEED_RECIPE
PRESETS: dict[str, dict] = {
    "tutorial": {"learning_rate": 1e-4, "beta1": 0.9, "batch_size": 256, "weight_init": "glorot",
                 "generator_ema": 0.0, **DCGAN_RECIPE},
    "paper": {"learning_rate": 2e-4, "beta1": 0.5, "batch_size": 128, "weight_init": "normal_0.02",
              "generator_ema": 0.0, **DCGAN_RECIPE},
    "studio": {"learning_rate": 4e-4, "beta1": 0.5, "batch_size": 32, "weight_init": "normal_0.02",
               "generator_ema": STUDIO_EMA, **DCGAN_RECIPE, "augment": "auto", "kernel_size": 4,
               "d_dropout": 0.0, "g_activation": "relu", "g_stride1_kernel": 3,
               "mode_seeking": 0.5},
}
# What the preset chooser calls each preset.
PRESET_TITLES = {"tutorial": "TensorFlow tutorial", "paper": "DCGAN paper (Radford et al.)",
                 "studio": "GAN Studio"}
DEFAULT_PRESET = "studio"
# "studio" on colour images (CIFAR-10, RGB folders): the hinge loss, spectral norm in D, D's
# learning rate twice G's (TTUR) and DiffAugment, which measured far better on CIFAR-10 and
# worse on MNIST (so grey data keeps the non-saturating loss); 3x3 kernels in D and in G's
# stride-1 layers, which are most of a colour step's float32 arithmetic (RESULTS.md figure 9
# and section 14).
STUDIO_COLOUR = {"loss": "hinge", "spectral_norm": True, "learning_rate": 2e-4,
                 "d_learning_rate": 4e-4, "augment": "on", "d_dropout": 0.3,
                 "g_activation": "leaky_relu", "g_stride1_kernel": 3, "d_kernel_size": 3}
AUGMENT_OPS = ("color", "translation", "cutout")


def preset_values(name: str, channels: int | None) -> dict:
    """A preset's values for images of `channels` channels.

    Args:
        name: one of `PRESETS`.
        channels: 1 (grey), 3 (colour), or None when the data has not been seen yet: an
            image folder, whose pictures are nearly always in colour.

    Returns:
        A new dict of the preset's fields (`gan_studio.core.levers.PRESET_FIELDS` and the rest).
    """
    values = dict(PRESETS[name])
    if name == "studio" and channels != 1:
        values.update(STUDIO_COLOUR)
    return values
