"""The training recipe's levers: what each one does, in one line, for the CLI and the panel."""

from __future__ import annotations

from gan_studio.core.presets import DCGAN_RECIPE

# One line per lever: the CLI's --help and the training panel's tooltips both show these.
RECIPE_HELP: dict[str, str] = {
    "loss": "bce: the DCGAN paper's non-saturating loss; hinge: a margin loss (Miyato et al. "
            "2018) that stops the discriminator pushing logits it already gets right",
    "spectral_norm": "spectral normalisation of the discriminator's layers (Miyato et al. "
                     "2018): bounds how sharply it can change, which steadies training",
    "d_learning_rate": "the discriminator's own Adam learning rate (two time-scale update "
                       "rule, Heusel et al. 2017); default: the generator's",
    "r1_gamma": "weight of the R1 penalty on the discriminator's gradient at real images "
                "(Mescheder et al. 2018), applied every 16 steps; 0: off",
    "augment": "differentiable augmentation (colour, translation, cut-out) of every image the "
               "discriminator sees, real and generated alike (Zhao et al. 2020), which keeps "
               "it from memorising small data sets; auto: on below 10,000 images",
    "kernel_size": "the generator's transposed-convolution kernel: 4 (a multiple of the "
                   "stride) avoids the checkerboard pattern of 5 (Odena et al. 2016)",
    "d_dropout": "share of the discriminator's features dropped while it trains (the "
                 "TensorFlow tutorial's 0.3); 0: none, so it learns faster and each step is "
                 "cheaper",
    "g_activation": "the generator's activation: leaky_relu (the TensorFlow tutorial's) or "
                    "relu (the DCGAN paper's), which draws cleaner grey digits sooner",
    "g_stride1_kernel": "the kernel of the generator's stride-1 layers, those that keep the "
                        "size (0: the generator's kernel); 3 costs half of 4 in the layer "
                        "that is most of the generator's work",
    "d_kernel_size": "the kernel of the discriminator's convolutions (the seed's 5); 4 costs "
                     "two thirds and 3 a third of 5 in the layers that are most of the "
                     "discriminator's work",
    "mode_seeking": "weight of the mode-seeking term of a conditional run (Mao et al. 2019): "
                    "the generator is penalised when two latents draw the same image of a "
                    "class, which keeps the noise varying each class; 0: off",
    "conditional": "train on the data set's labels: the generator draws the class you ask "
                   "for, and the sample grid shows one row per class",
}


def describe_recipe(config, augmenting: bool) -> str:
    """One line naming the levers a resolved `TrainConfig` turns on, for the run's log."""
    parts = [f"{config.loss} loss"]
    if config.spectral_norm:
        parts.append("spectral norm")
    if config.d_learning_rate and config.d_learning_rate != config.learning_rate:
        parts.append(f"learning rates G {config.learning_rate:g} / D {config.d_learning_rate:g}")
    if config.r1_gamma:
        parts.append(f"R1 {config.r1_gamma:g} every {config.r1_every} steps")
    if augmenting:
        parts.append(f"augmentation ({config.augment_policy.replace(',', ', ')})")
    if config.d_dropout is not None and config.d_dropout != DCGAN_RECIPE["d_dropout"]:
        parts.append(f"D dropout {config.d_dropout:g}" if config.d_dropout else "no D dropout")
    if config.kernel_size and config.kernel_size != DCGAN_RECIPE["kernel_size"]:
        parts.append(f"{config.kernel_size}x{config.kernel_size} generator kernels")
    if config.g_stride1_kernel:
        parts.append(f"{config.g_stride1_kernel}x{config.g_stride1_kernel} in G's stride-1 layers")
    if config.d_kernel_size and config.d_kernel_size != DCGAN_RECIPE["d_kernel_size"]:
        parts.append(f"{config.d_kernel_size}x{config.d_kernel_size} discriminator kernels")
    if config.g_activation and config.g_activation != DCGAN_RECIPE["g_activation"]:
        parts.append(f"{config.g_activation.replace('_', ' ')} in G")
    if config.generator_ema:
        parts.append(f"weight average {config.generator_ema:g}")
    if config.conditional:
        parts.append(f"conditional on {config.num_classes or 'the'} classes")
        if config.mode_seeking:
            parts.append(f"mode seeking {config.mode_seeking:g}")
    return ", ".join(parts)
