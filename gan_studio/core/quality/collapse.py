"""Telling a collapsing GAN from one that learns, from its quality history.

The thresholds (documented in the README's quality section):
- **Diversity** below `DIVERSITY_FLOOR` (generated samples spread less than half as far apart
  as real images, in data-set features), or down by `DIVERSITY_DROP` or more from the run's
  best: the generator repeats itself.
- **Class spread** (labelled data): one class takes `COMMONEST_CEILING` of the samples or more,
  or the rarest class falls below `RAREST_FLOOR` of its fair share (1 / classes) after having
  been above it: classes are disappearing.
- **Within-class diversity** (conditional runs on labelled data): the samples drawn for a
  class spread less than `CLASS_DIVERSITY_FLOOR` as far apart as the real images of that class
  (`statistics.class_diversity`): the class is right, but the noise does nothing. The warning
  names the classes.
- **FD** worse in each of the last `WORSENING_RUNS` evaluations in a row and by
  `WORSENING_FACTOR` or more over the best: training is moving away from the data.

Nothing is judged while the generator is in its untrained start (`untrained_start`), which
is told from the measurements, not from a step count: a young generator has not spread out
yet (a CIFAR-10 run measured at step 110 was 25 % as varied as real images, 65 % at step
450), and how many steps that takes depends on the data (a 300-image folder at 64×64 was
still a blur, 16 % as varied and 93 % one class, well past where MNIST draws digits). The
start lasts while the run has fewer than `UNTRAINED_EVALUATIONS` evaluations, or while each
evaluation is the best so far and its FD fell by `UNTRAINED_FALL` or more from the one
before: a generator still improving that fast is learning, not collapsing.
"""

from __future__ import annotations

from dataclasses import dataclass

from gan_studio.core.quality.report import FD_NAME, QualityReport

DIVERSITY_FLOOR = 0.5
DIVERSITY_DROP = 0.4
COMMONEST_CEILING = 0.5
RAREST_FLOOR = 0.2
WORSENING_RUNS = 3
WORSENING_FACTOR = 1.25
CLASS_DIVERSITY_FLOOR = 0.5
# The untrained start, calibrated on the quality.csv of eight real runs (six MNIST, a CIFAR-10,
# a colour folder; README, "Training doctor"): from a first evaluation of a blur, FD fell by
# 36 to 88 % (CIFAR-10: 61 %, then 27 % and 6 %); runs first measured when they already drew
# digits fell by 3 to 13 %, and a trained MNIST run's FD rose by 3 % per evaluation.
UNTRAINED_EVALUATIONS = 2  # a single evaluation tells nothing of where the run is going
UNTRAINED_FALL = 0.3  # FD falling by this share or more per evaluation: still learning fast


@dataclass(frozen=True)
class CollapseWarning:
    """Evidence that a generator is collapsing.

    Args:
        step: the step of the evaluation that raised it.
        reasons: one sentence per piece of evidence, with its numbers.
    """

    step: int
    reasons: tuple[str, ...]

    @property
    def message(self) -> str:
        """The evidence in one paragraph."""
        return " ".join(self.reasons)


def untrained_start(history) -> bool:
    """Whether a run's generator is still in its untrained start, judged from its evaluations.

    Args:
        history: the run's quality reports (`QualityReport`s), oldest first.

    Returns:
        True while there are fewer than `UNTRAINED_EVALUATIONS` evaluations, or while the
        newest is the best so far and its FD fell by `UNTRAINED_FALL` or more from the one
        before; False once the run's FD has slowed down or turned (then everything is judged).
    """
    if len(history) < UNTRAINED_EVALUATIONS:
        return True
    before, now = history[-2], history[-1]
    best_before = min(r.fd for r in history[:-1])
    return now.fd <= best_before and now.fd <= (1 - UNTRAINED_FALL) * before.fd


def collapse_warning(history: list[QualityReport],
                     class_names: list[str] | tuple[str, ...] = (),
                     trained: bool = False) -> CollapseWarning | None:
    """Looks at a run's evaluations (oldest first) for signs of mode collapse.

    Args:
        history: the run's quality reports, oldest first; the newest one is judged.
        class_names: the classes' names, by label, for a warning about a class (default:
            its number).
        trained: judge the newest evaluation as a trained generator's even in what looks like
            the untrained start (`untrained_start`): a lone evaluation of a generator file,
            which has no run behind it to tell.

    Returns:
        A `CollapseWarning` naming the evidence, or None when the newest evaluation shows none
        (or the run is still in its untrained start).
    """
    if not history or (not trained and untrained_start(history)):
        return None
    now = history[-1]
    reasons = []
    best_diversity = max(r.diversity for r in history)
    if now.diversity < DIVERSITY_FLOOR:
        reasons.append(f"Samples are only {now.diversity:.0%} as varied as real images "
                       f"(below {DIVERSITY_FLOOR:.0%}).")
    elif now.diversity <= (1 - DIVERSITY_DROP) * best_diversity:
        reasons.append(f"Variety fell from {best_diversity:.2f} to {now.diversity:.2f} of real "
                       "images'.")
    if now.labelled and now.classes:
        fair = 1 / now.classes
        if now.commonest_class >= COMMONEST_CEILING:
            reasons.append(f"One class takes {now.commonest_class:.0%} of the samples.")
        elif now.rarest_class < RAREST_FLOOR * fair and any(
                r.labelled and r.rarest_class >= RAREST_FLOOR * fair for r in history[:-1]):
            reasons.append(f"The rarest class fell to {now.rarest_class:.1%} of the samples "
                           f"(a fair share is {fair:.0%}).")
    reasons.extend(_collapsed_classes(now, class_names))
    recent = [r.fd for r in history[-(WORSENING_RUNS + 1):]]
    best_fd = min(r.fd for r in history)
    if (len(recent) == WORSENING_RUNS + 1 and all(b > a for a, b in zip(recent, recent[1:]))
            and now.fd >= WORSENING_FACTOR * best_fd):
        reasons.append(f"{FD_NAME} worsened {WORSENING_RUNS} times in a row, from "
                       f"{recent[0]:.2f} to {now.fd:.2f} (best {best_fd:.2f}).")
    return CollapseWarning(now.step, tuple(reasons)) if reasons else None


def _collapsed_classes(report: QualityReport, class_names) -> list[str]:
    """The sentence naming the classes whose samples vary too little, if any."""
    ratios = [(c, d) for c, d in enumerate(report.class_diversity or ())
              if d < CLASS_DIVERSITY_FLOOR]  # NaN (a class too small to tell) compares False
    if not ratios:
        return []
    names = [f"{class_names[c] if c < len(class_names) else c} ({d:.0%})" for c, d in ratios]
    noun = "class" if len(names) == 1 else "classes"
    return [f"Within {noun} {', '.join(names)}, samples are less than "
            f"{CLASS_DIVERSITY_FLOOR:.0%} as varied as the real images of the class: the "
            "noise barely changes them."]
