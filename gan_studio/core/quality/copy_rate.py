"""Is the generator giving training images back? The copy rate, and when it warns.

A held-out real image is new to the training set, yet some are close to a training image (a
digit written twice alike). The distance from each held-out image to its nearest training
image, in the quality meter's features, calibrates what "too close" means: the `PERCENTILE`
closest held-out images set the threshold. (Where the GAN trains on every image there is, a
folder, each of a sample of the images against all the others stands in for held-out images.)
The copy rate is the share of generated samples nearer to a training image than that
threshold. Calibrated on one half of those distances and checked on the other, real images
score the floor (about `PERCENTILE`); a generator that makes new images scores near it, one
that returns training images near 1, and noise 0.

The warning (`copy_warning`): the copy rate at `WARN_RATE` or more in the newest evaluation,
five times the `PERCENTILE` that real images score. Not a multiple of the measured floor: the
threshold is the calibration half's `PERCENTILE` quantile, so the floor is `PERCENTILE` but for
sampling, and a small folder measures it on a handful of images (4.1 % on MNIST's 5,000 check
images and 4.7 % on a 300-image folder's 150, but 17 % on a 24-image folder's 12). Healthy
30-minute runs stayed under 2 % (RESULTS.md section 21). It offers the last evaluation before
the rate started to climb (`CopyWarning.before_step`: the newest one under `CALM_SHARE` of
`WARN_RATE`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PERCENTILE = 0.05  # the share of held-out real images the threshold calls copies
WARN_RATE = 0.25  # copy rate that warns (README, "Is it copying my images?")
CALM_SHARE = 0.5  # below this share of WARN_RATE, the rate had not started to climb


@dataclass(frozen=True)
class CopyCalibration:
    """What "nearer than new real images are" means for one data set.

    Args:
        threshold: a sample nearer than this to its nearest training image counts as a copy.
        floor: the share of held-out real images (the check half) under the threshold.
        heldout: how many held-out images calibrated it (both halves).
    """

    threshold: float
    floor: float
    heldout: int

    def rate(self, distances: np.ndarray) -> float:
        """The share of `distances` (each sample's to its nearest training image) below the
        threshold."""
        distances = np.asarray(distances, dtype=np.float64).reshape(-1)
        return float(np.mean(distances < self.threshold)) if len(distances) else 0.0


def calibrate(heldout_distances: np.ndarray, seed: int = 0) -> CopyCalibration:
    """Calibrates on held-out real images' distances to their nearest training image.

    A seeded half sets the threshold (its `PERCENTILE` quantile); the other half measures the
    floor, so the floor is what an independent real image scores, not the calibration's own
    `PERCENTILE` by construction.

    Raises:
        ValueError: with fewer than 4 held-out distances.
    """
    distances = np.asarray(heldout_distances, dtype=np.float64).reshape(-1)
    if len(distances) < 4:
        raise ValueError(f"the copy rate needs 4 held-out images or more, got {len(distances)}")
    order = np.random.default_rng(seed).permutation(len(distances))
    half = len(distances) // 2
    threshold = float(np.quantile(distances[order[:half]], PERCENTILE))
    calibration = CopyCalibration(threshold, 0.0, len(distances))
    return CopyCalibration(threshold, calibration.rate(distances[order[half:]]), len(distances))


@dataclass(frozen=True)
class CopyWarning:
    """Evidence that the generator gives training images back.

    Args:
        step: the step of the evaluation that raised it.
        rate: its copy rate.
        floor: the real images' floor.
        before_step: the step of the last evaluation before the rate began to climb (the
            checkpoint to go back to), or None when it was high from the first.
    """

    step: int
    rate: float
    floor: float
    before_step: int | None

    @property
    def message(self) -> str:
        """The evidence in one sentence."""
        return (f"{self.rate:.0%} of the samples are nearer to a training image than "
                f"{1 - PERCENTILE:.0%} of new real images are (real images: {self.floor:.0%}): "
                "the generator is giving training images back.")


def copy_warning(history) -> CopyWarning | None:
    """Looks at a run's evaluations (`QualityReport`s, oldest first) for memorisation.

    Returns:
        A `CopyWarning` when the newest evaluation's copy rate is at least `WARN_RATE`; None
        otherwise (or when it was not measured).
    """
    measured = [r for r in history if r.copy_rate is not None]
    if not measured or measured[-1] is not history[-1]:
        return None
    now = measured[-1]
    floor = now.copy_floor if now.copy_floor is not None else PERCENTILE
    if now.copy_rate < WARN_RATE:
        return None
    calm = [r.step for r in measured[:-1] if r.copy_rate < CALM_SHARE * WARN_RATE]
    return CopyWarning(now.step, now.copy_rate, floor, calm[-1] if calm else None)
