"""The order of a paired benchmark's two arms in each of its rounds: A B, then B A, and so on.

Measured in a fixed order, the first arm of every round would pay the warm-up (caches, a CPU
clock still rising, freshly traced graphs) and meet the machine's drift before the second:
alternating spreads both over the arms, evenly over an even number of rounds.
"""

from __future__ import annotations

from collections.abc import Sequence


def arm_order(round_index: int, arms: Sequence[str]) -> list[str]:
    """The arms in the order round `round_index` (from 0) measures them.

    Args:
        round_index: the round, counted from 0.
        arms: the arms, in the order of the first round.

    Returns:
        `arms` in that order on even rounds, reversed on odd ones.
    """
    return list(arms) if round_index % 2 == 0 else list(reversed(arms))

