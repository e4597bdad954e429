"""The smallest differences that matter to an organisation, and how a paired difference
reads against them.

With common random numbers and many replications, a difference can be clear of
noise and still far too small to matter: a throughput change of 0.000006 standard
hours per FTE per week is real in the model and nothing to a leadership team. A
report says "practically no change" for a difference whose whole 95% confidence
interval lies within the smallest change that matters (an equivalence reading: the
difference is shown to be smaller than that), and says so in words, with the
threshold; the numbers stay in the tables. ``docs/reports.md`` lists the thresholds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs


@attrs.frozen
class Meaningful:
    """The smallest change in an outcome that matters: ``absolute`` in the outcome's own
    unit, or ``relative`` to the baseline's mean (the larger of the two applies).

    :ivar reason: why this threshold, in English (for the documentation).
    """

    absolute: float = 0.0
    relative: float = 0.0
    reason: str = ""

    def threshold(self, baseline_mean: float | None) -> float:
        """The threshold in the outcome's unit, for a baseline with this mean."""
        base = abs(baseline_mean) if baseline_mean is not None and math.isfinite(
            baseline_mean) else 0.0
        return max(self.absolute, self.relative * base)


#: Outcome → the smallest change that matters. Outcomes not listed have no threshold:
#: any difference clear of noise is reported as it is.
MEANINGFUL: dict[str, Meaningful] = {
    "capability_index": Meaningful(0.5, reason="half a point of the 0-100 index, a twentieth "
                                   "of what the baseline gains in two years"),
    "capability_change": Meaningful(0.5, reason="as for the capability index"),
    "strategic_gap": Meaningful(0.5, reason="half a percentage point of the required "
                                "capability"),
    "strategic_gap_mean": Meaningful(0.5, reason="as for the strategic gap at the end"),
    "throughput_per_fte": Meaningful(relative=0.005, reason="0.5% of the baseline's work "
                                     "delivered, about 8 minutes per FTE per week"),
    "backlog_per_fte": Meaningful(0.1, reason="a tenth of a standard hour of unfinished "
                                  "work per FTE, six minutes"),
    "learning_realised_per_fte": Meaningful(0.05, reason="3 minutes of learning per FTE per "
                                            "week"),
    "learning_lost_share": Meaningful(0.5, reason="half a percentage point of the planned "
                                      "hours"),
    "facilitation_wait_days": Meaningful(0.1, reason="a tenth of a day"),
    "facilitation_wait_p90_days": Meaningful(0.1, reason="a tenth of a day"),
    "time_to_help_days": Meaningful(0.1, reason="a tenth of a day"),
    "cost_per_fte_year": Meaningful(relative=0.005, reason="0.5% of the baseline's cost"),
    "capability_gini": Meaningful(0.005, reason="half a hundredth of the 0-1 Gini "
                                  "coefficient"),
}


def threshold(metric: str, baseline_mean: float | None) -> float | None:
    """The smallest change in ``metric`` that matters, or ``None`` when it has none."""
    found = MEANINGFUL.get(metric)
    if found is None:
        return None
    value = found.threshold(baseline_mean)
    return value if value > 0 else None


def negligible(difference: Mapping[str, Any], limit: float | None) -> bool:
    """Whether a paired difference is practically no change: its whole 95% CI lies
    strictly within ``±limit``, whether or not it contains 0 (and it is not exactly zero
    in every pair, which is simply no difference)."""
    if limit is None:
        return False
    mean, low, high = (difference.get(k) for k in ("mean", "ci_low", "ci_high"))
    if mean is None or low is None or high is None:
        return False
    if mean == 0 and low == 0 and high == 0:
        return False
    return -limit < float(low) and float(high) < limit


__all__ = ["MEANINGFUL", "Meaningful", "negligible", "threshold"]
