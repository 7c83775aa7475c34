"""The doctor's remedies: which lever to change, to what, and from which checkpoint.

Each is one change a run can make with one click, chosen from the run's own settings: a
lever it does not use yet where one is known to help (augmentation against a discriminator
that wins or memorises, Zhao et al. 2020; mode seeking for a conditional run, Mao et al.
2019; 4×4 kernels against a checkerboard, Odena et al. 2016; Adam's β1 at 0.5, Radford et
al. 2015), else half the learning rate that drives the problem. A remedy continues from the
newest checkpoint before the problem began, so that the steps that made it are undone; one
that changes the networks' shape (the kernels) starts a new run with the run's settings.
"""

from __future__ import annotations

from gan_studio.core.config import TrainConfig
from gan_studio.core.health.findings import FindingKind, Remedy

MODE_SEEKING = 0.5  # the studio preset's weight (measured, core/presets.py)
CALM_BETA1 = 0.5  # the DCGAN paper's β1, which steadies the adversarial game


def checkpoint_before(checkpoints: list[tuple[int, str]], step: int | None,
                      strictly: bool = False) -> tuple[int, str] | None:
    """The newest of `checkpoints` ((step, prefix), oldest first) at or before `step` (before
    it with `strictly`); the newest of all when `step` is None."""
    if step is None:
        return checkpoints[-1] if checkpoints else None
    kept = [c for c in checkpoints if c[0] < step or (c[0] == step and not strictly)]
    return kept[-1] if kept else None


def remedy(kind: FindingKind, config: TrainConfig, checkpoints: list[tuple[int, str]],
           from_step: int | None, strictly: bool = False,
           best: tuple[int, str] | None = None) -> Remedy:
    """The remedy for a finding of `kind` in a run with `config`.

    Args:
        kind: what was found.
        config: the run's settings (config.json).
        checkpoints: its checkpoints, (step, prefix), oldest first.
        from_step: continue from the newest checkpoint at or before this step (None: the
            newest checkpoint).
        strictly: only a checkpoint before `from_step` (non-finite losses: at it, the
            weights may already be gone).
        best: a checkpoint to prefer (the best by FD), used when it is before `from_step`.

    Returns:
        A `Remedy`; a new run with the changes when no checkpoint qualifies.
    """
    changes, why = _change(kind, config)
    if kind == FindingKind.CHECKERBOARD and "kernel_size" in changes:
        return Remedy(tuple(changes.items()), None, None, why)
    start = checkpoint_before(checkpoints, from_step, strictly)
    if best is not None and (from_step is None or best[0] <= from_step):
        start = best
    if start is None:
        return Remedy(tuple(changes.items()), None, None, why)
    return Remedy(tuple(changes.items()), start[1], start[0], why)


def _change(kind: FindingKind, config: TrainConfig) -> tuple[dict, str]:
    augmenting = (config.augment or "off") != "off"
    if kind == FindingKind.NON_FINITE:
        return _slower(config), "smaller steps keep the weights finite"
    if kind in (FindingKind.DISCRIMINATOR_WINNING, FindingKind.MEMORISATION) and not augmenting:
        return {"augment": "on"}, ("the discriminator sees augmented images and cannot "
                                   "memorise the training set")
    if kind == FindingKind.DISCRIMINATOR_WINNING:
        return ({"d_learning_rate": _half(_d_rate(config))},
                "a slower discriminator leaves the generator room to catch up")
    if kind == FindingKind.MEMORISATION:
        return ({"d_learning_rate": _half(_d_rate(config))},
                "a slower discriminator rewards copying training images less")
    if kind == FindingKind.OSCILLATION and (config.beta1 or 0) > CALM_BETA1:
        return {"beta1": CALM_BETA1}, "less momentum damps the see-saw between the networks"
    if kind == FindingKind.MODE_COLLAPSE and config.conditional and not config.mode_seeking:
        return ({"mode_seeking": MODE_SEEKING},
                "the generator is penalised when two latents draw the same image")
    if kind == FindingKind.CHECKERBOARD and config.kernel_size != 4:
        return {"kernel_size": 4}, ("4×4 kernels, a multiple of the stride, overlap evenly "
                                    "and draw no checkerboard")
    reasons = {FindingKind.OSCILLATION: "smaller steps damp the see-saw between the networks",
               FindingKind.QUALITY_STALLED: "smaller steps settle into a better optimum",
               FindingKind.MODE_COLLAPSE: "smaller steps keep the generator from jumping "
                                          "between a few modes",
               FindingKind.CHECKERBOARD: "smaller steps let the upsampling kernels even out"}
    return _slower(config), reasons[kind]


def _slower(config: TrainConfig) -> dict:
    """Both learning rates halved (D's is its own in the config, or G's)."""
    return {"learning_rate": _half(config.learning_rate or 2e-4),
            "d_learning_rate": _half(_d_rate(config))}


def _d_rate(config: TrainConfig) -> float:
    return config.d_learning_rate or config.learning_rate or 2e-4


def _half(rate: float) -> float:
    return float(f"{rate / 2:.3g}")  # 0.0002 → 0.0001, as a person would type it
