"""A run's recipe in one line for its log: the levers it turns on (`describe_recipe`)."""

from __future__ import annotations

from gan_studio.core.presets import DCGAN_RECIPE


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
