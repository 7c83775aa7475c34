"""The presets: the hyper-parameters and recipe levers a run starts from."""

from __future__ import annotations

STUDIO_EMA = 0.999

# Hyper-parameters of the presets. "tutorial" is the TensorFlow DCGAN tutorial (and the article
# this app grew from); "paper" follows Radford et al. 2015; "studio" is the paper's optimiser and
# initialisation with batches of 32: on a CPU, images/s barely depend on the batch size, so
# smaller batches mean more updates per minute and better samples after the same time (64 vs
# 128, then 32 vs 64: FD 0.50x on MNIST at 5 minutes with 4x4 kernels, RESULTS.md fig. 9). Its
# generator's kernels are 4x4, a multiple of the stride: no checkerboard, and 1.14x the steps
# per minute. "studio" samples from an exponential moving average of the generator's weights
# (Yazici et al. 2019, as in ProGAN and StyleGAN), which smooths out the last steps'
# oscillation (fig. 6). On grey images it augments only data sets below AUGMENT_BELOW images,
# and its discriminator trains without dropout at twice the paper's learning rate, as G does:
# at 5 minutes on MNIST no dropout gave FD 0.85x and 1.08x the steps, then 4e-4 for both
# networks 0.68x on top (6e-4 and 8e-4 were no better; fig. 9). On colour images it trains with
# STUDIO_COLOUR's levers (below), measured with the paper's rate for G and the seed's dropout.
# Its grey generator is the DCGAN paper's in two details where the tutorial's differs: ReLU
# rather than leaky ReLU, and a 3x3 kernel in the stride-1 layer, where a 4x4 kernel only adds
# cost (that layer is three quarters of the generator's multiply-adds): 1.12x the steps, and
# with ReLU FD 0.88x at 5 minutes on MNIST (fig. 9). R1 was measured and left off.
# A class-conditional run adds mode seeking (Mao et al. 2019) to G's loss: without it each
# class came out as one drawing whatever the noise. After 10 minutes on MNIST (one AVX2 core,
# float32), weight 0.5: within-class diversity 1.06 of the real images' against 0.12, class
# accuracy 98.0 % (100 %), FD 1.61 (25.6); weight 1 was as good (1.09, 97.4 %, 1.79), and
# 0.5 leaves more room above the 95 % the class needs (RESULTS.md section 17). Measured on
# grey images only.
# The seed's recipe: what "tutorial" and "paper" train with, and every lever of "studio" off.
DCGAN_RECIPE = {"loss": "bce", "spectral_norm": False, "d_learning_rate": None, "r1_gamma": 0.0,
                "augment": "off", "kernel_size": 5, "d_dropout": 0.3, "g_activation": "leaky_relu",
                "g_stride1_kernel": 0, "d_kernel_size": 5, "mode_seeking": 0.0}
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
DEFAULT_PRESET = "studio"
# "studio" on colour images (CIFAR-10, RGB folders): the hinge loss, spectral norm in D, D's
# learning rate twice G's (TTUR) and DiffAugment. On CIFAR-10 after 10 minutes: FD 0.31x of
# the grey recipe's (RESULTS.md fig. 9); on MNIST the same levers were 2.4x worse, so grey
# data keeps the non-saturating loss and augments only small data sets. Its kernels are 3x3 in
# D and in G's stride-1 layers (the seed's 5x5 and 4x4 were 57 % and 27 % of a step's
# float32 arithmetic): 1.7x the steps on an AVX2 CPU, and after 8 minutes on one such core FD
# 0.64x (26.0 vs 40.7) and a classifier score of 1.90 against 1.49 (RESULTS.md section 14).
STUDIO_COLOUR = {"loss": "hinge", "spectral_norm": True, "learning_rate": 2e-4,
                 "d_learning_rate": 4e-4, "augment": "on", "d_dropout": 0.3,
                 "g_activation": "leaky_relu", "g_stride1_kernel": 3, "d_kernel_size": 3}
PRESET_FIELDS = ("batch_size", "learning_rate", "beta1", "weight_init", "generator_ema", "loss",
                 "spectral_norm", "d_learning_rate", "r1_gamma", "augment", "kernel_size", "d_dropout",
                 "g_activation", "g_stride1_kernel", "d_kernel_size", "mode_seeking")

LOSSES = ("bce", "hinge")
AUGMENT_MODES = ("off", "on", "auto")
G_ACTIVATIONS = ("leaky_relu", "relu")
STRIDE1_KERNELS = (0, 3, 4, 5)  # 0: the generator's kernel_size
D_KERNELS = (3, 4, 5)
AUGMENT_OPS = ("color", "translation", "cutout")
PRECISIONS = ("auto", "float32", "mixed_bfloat16")


def preset_values(name: str, channels: int | None) -> dict:
    """A preset's values for images of `channels` channels.

    Args:
        name: one of `PRESETS`.
        channels: 1 (grey), 3 (colour), or None when the data has not been seen yet: an
            image folder, whose pictures are nearly always in colour.

    Returns:
        A new dict of the preset's fields (`PRESET_FIELDS` and the rest).
    """
    values = dict(PRESETS[name])
    if name == "studio" and channels != 1:
        values.update(STUDIO_COLOUR)
    return values
