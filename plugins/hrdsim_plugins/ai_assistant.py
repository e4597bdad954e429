"""AI assistant: a sparring partner that speeds up thinking, or a crutch that lets it wither.

``ai_assistant`` (a practice)
    People work with a generative-AI assistant. The source text asks whether
    AI acts as a *sparring partner* - a counterpart that mirrors people's
    thinking back to them and speeds it up - or as a *crutch* that does the
    thinking for them, so that their own thinking withers. The practice
    models both with the same tool and the same productivity gain; only how
    people use it (``mode``) differs.

**What it does, in HR terms.**

* *Work goes faster, most of all for the least experienced.* While they use
  the assistant, people produce more per hour, and the less of the job's
  required capability they have, the more they gain: about +30-35% for
  novices, nothing for experts, +14% on average. In a field study of 5,179
  customer-support agents, AI assistance raised issues resolved per hour by
  14% on average and by 34% for novice and low-skilled agents, with little
  or no gain for the most skilled; agents with two months of tenure and AI
  performed like agents with six months without it (Brynjolfsson, Li &
  Raymond 2023, NBER WP 31161; *QJE* 140(2), 2025: +15% average, about +30%
  for the least experienced). The assistant is modelled as working at about
  the level of a strong performer: it lifts people toward that level and
  does nothing for those already above it.
* *Outside the AI's competence it misleads (optional).* On tasks beyond the
  "jagged technological frontier", consultants using AI were 19 percentage
  points less likely to be right than those without (84.5% vs 60-71%;
  Dell'Acqua et al. 2023, HBS WP 24-013; *Organization Science* 2026).
  ``outside_frontier`` is the share of work that lies there; its output per
  hour falls by ``frontier_penalty`` when assisted. It is 0 by default,
  because the field averages above already include whatever such work the
  agents met.
* *Learning depends on how people use it.* In ``mode = "answers"`` (the
  crutch) people take the AI's answers: each hour of learning yields about
  20% less. Students who practised maths with plain GPT-4 scored 17% lower
  on the later exam without it (Bastani et al. 2024, SSRN 4895486; *PNAS*
  2025); developers who learnt a new library with AI scored 50% on the quiz
  against 67% without (Shen & Tamkin 2026, arXiv:2601.20245). In
  ``mode = "sparring"`` people ask for explanations and argue with the
  answers: the tutor version in Bastani et al. and the engaged interaction
  patterns in Shen & Tamkin preserved learning, but no trial shows that they
  *raise* it - so the default factor is 1, and ``sparring_learning`` above 1
  is a labelled assumption.
* *Delegated skills wither.* When people routinely hand the thinking to the
  AI (answers mode), their unassisted skill in what they delegate erodes:
  experienced endoscopists' adenoma detection without AI fell from 28.4% to
  22.4% - a 21% relative loss - within months of routine AI use (Budzyń,
  Romańczyk et al. 2025, *Lancet Gastroenterology & Hepatology*). The
  practice adds forgetting to the skills the strategy uses, at the rate that
  on its own removes ``erosion_loss`` (20%) of them in ``erosion_weeks``
  (20 weeks, about 4.5 months).

**What is unassisted skill.** The organisation's capability in hrdsim is
people's *own* skill: the assistant never adds to it. Its help appears only as
output per hour, for as long as it is available (``start_week`` to
``removed_week``); take it away and people work with the skill they have kept.

**Equations** (per adopter *i*, each week the AI is available; ``s_i`` is
the share of the strategy's required capability the person has without AI,
the coverage that drives the engine's productivity):

* uplift ``u_i = novice_uplift · clip((expert_level − s_i) / (expert_level −
  novice_level), 0, 1)``, times ``sparring_uplift_share`` in sparring mode;
* productivity lever ``× (1 − outside_frontier) · (1 + u_i) + outside_frontier
  · (1 − frontier_penalty)``;
* learning lever, all three modes ``× answers_learning`` (answers) or
  ``× sparring_learning`` (sparring);
* forgetting lever, each skill the strategy requires, ``+ e`` per week with
  ``e = −ln(1 − erosion_loss) / erosion_weeks`` in answers mode and
  ``e · sparring_erosion_share`` in sparring mode.

Adopters (a share ``adoption`` of people) are drawn once per replication, at
the first week the assistant is available, from the practice's own random
stream. ``docs/research/ai_assistant.md`` gives the sources, the measured
calibration (checks AI1-AI5 of the model-science note) and the limits.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from hrdsim import hookimpl, setting
from hrdsim.dynamics import coverage, strategy_weights, weighted_sum
from hrdsim.params import InvalidValue

__all__ = ["AIAssistant", "AIAssistantParams", "erosion_rate", "uplift"]

BRYNJOLFSSON = (
    "Brynjolfsson, Li & Raymond 2023 (NBER WP 31161; QJE 2025): +34% issues resolved per hour "
    "for novice and low-skilled agents, about 0 for the most skilled, +14% on average"
)


@attrs.frozen
class AIAssistantParams:
    """Parameters of ``ai_assistant``."""

    mode: Literal["answers", "sparring"] = setting(
        "answers",
        doc="How people use the assistant: 'answers' - they take its answers and delegate the "
        "thinking (the crutch); 'sparring' - they ask for explanations, argue and keep doing "
        "the thinking (the sparring partner).",
        source="assumption: unguided use drifts to taking answers (the plain-GPT-4 arm of "
        "Bastani et al. 2025; three of the six interaction patterns in Shen & Tamkin 2026)",
    )
    adoption: float = setting(
        1.0, ge=0, le=1, unit="share of people",
        doc="Share of people who use the assistant; adopters are drawn once per replication.",
        source="assumption: everyone with access uses it, to show the practice's full effect; "
        "lower it for a partial roll-out",
    )
    novice_uplift: float = setting(
        0.34, ge=0, le=3, unit="share of output per hour",
        doc="Extra output per hour, with the assistant, of people at or below novice_level.",
        source=BRYNJOLFSSON,
    )
    novice_level: float = setting(
        0.6, ge=0, le=1, unit="share of required capability",
        doc="Unassisted share of the required capability at or below which people get the "
        "full novice_uplift.",
        source="calibrated: with expert_level 0.85 the baseline's starting workforce gets "
        "+31% in its lowest quintile, +0.3% in its highest and +14% on average, as in "
        + BRYNJOLFSSON.split(":")[0],
    )
    expert_level: float = setting(
        0.85, ge=0, le=1, unit="share of required capability",
        doc="Unassisted share of the required capability at and above which the assistant "
        "adds no output (the level it works at); the uplift falls linearly from novice_level.",
        source="calibrated with novice_level (see there); the most skilled agents gained "
        "little or nothing (Brynjolfsson, Li & Raymond 2023)",
    )
    outside_frontier: float = setting(
        0.0, ge=0, le=1, unit="share of work",
        doc="Share of work outside the AI's competence (beyond the 'jagged frontier'), where "
        "assisted output per hour falls by frontier_penalty instead of rising.",
        source="assumption: 0, because the field uplift already averages over the work agents "
        "met; Dell'Acqua et al. 2023 designed such tasks but do not say how common they are",
    )
    frontier_penalty: float = setting(
        0.225, ge=0, le=1, unit="share of output per hour",
        doc="Relative loss of correct output per hour on work outside the frontier when "
        "assisted.",
        source="Dell'Acqua et al. 2023 (HBS WP 24-013): 19 percentage points less often "
        "correct, 84.5% without AI vs 60-71% with; 19 / 84.5 = 0.225",
    )
    answers_learning: float = setting(
        0.8, ge=0, le=2, unit="multiplier",
        doc="Learning per learning hour of adopters in answers mode, relative to no AI.",
        source="Bastani et al. 2024/2025 (PNAS): -17% on the unassisted exam; Shen & Tamkin "
        "2026 (arXiv:2601.20245): quiz 50% vs 67% (0.75); range 0.75-0.85",
    )
    sparring_learning: float = setting(
        1.0, ge=0, le=2, unit="multiplier",
        doc="Learning per learning hour of adopters in sparring mode, relative to no AI; a "
        "value above 1 is an assumption that engaged use speeds learning up.",
        source="Bastani et al. 2025 (tutor arm: no harm, no gain) and Shen & Tamkin 2026 "
        "(engaged patterns preserved learning); any value above 1 is an assumption no trial "
        "has shown",
    )
    sparring_uplift_share: float = setting(
        1.0, ge=0, le=1, unit="share",
        doc="Share of the productivity uplift people get in sparring mode (below 1: engaged "
        "use takes time).",
        source="assumption: engaged use is not measurably slower; Shen & Tamkin 2026 found no "
        "significant speed difference with AI (p = 0.39)",
    )
    erosion_loss: float = setting(
        0.2, ge=0, lt=1, unit="share of skill",
        doc="Relative loss of unassisted skill that routine delegation (answers mode) causes "
        "on its own within erosion_weeks, in every skill the strategy requires.",
        source="Budzyń, Romańczyk et al. 2025 (Lancet Gastroenterol. Hepatol.): adenoma "
        "detection without AI fell from 28.4% to 22.4% (-21%) within months of routine AI use",
    )
    erosion_weeks: float = setting(
        20.0, gt=0, le=520, unit="weeks",
        doc="Time in which routine delegation alone removes erosion_loss of unassisted skill.",
        source="Budzyń et al. 2025 compared the 3 months before with the first 3 months after AI "
        "came in; 20 weeks (4.5 months, the middle of the 3-6 months in model-science §6.3) is "
        "the slower reading",
    )
    sparring_erosion_share: float = setting(
        0.0, ge=0, le=1, unit="share",
        doc="Share of the answers-mode erosion that remains in sparring mode.",
        source="assumption: people who argue with the assistant keep doing the thinking; "
        "neither the tutor arm of Bastani et al. nor the engaged patterns of Shen & Tamkin "
        "lost skill",
    )
    start_week: int = setting(
        0, ge=0, unit="week", doc="First week the assistant is available.",
        source="assumption: the assistant is there from the first simulated week",
    )
    removed_week: int = setting(
        0, ge=0, unit="week",
        doc="Week the assistant is taken away (an outage, a ban, a move to work without it); "
        "0 = never.",
        source="assumption: it stays available; set a week to see what people can do without "
        "it (check AI3)",
    )

    def __attrs_post_init__(self) -> None:
        if self.novice_level >= self.expert_level:
            raise InvalidValue(
                "novice_level", f"{self.novice_level:g} is not below expert_level "
                f"{self.expert_level:g}; expected novice_level < expert_level",
            )
        if self.removed_week and self.removed_week <= self.start_week:
            raise InvalidValue(
                "removed_week", f"{self.removed_week} is not after start_week "
                f"{self.start_week}; expected 0 (never) or a later week",
            )


def uplift(skill: NDArray[np.float64], params: AIAssistantParams) -> NDArray[np.float64]:
    """Extra output per hour with the assistant (0.34 = +34%) on AI-competent work.

    :param skill: each person's unassisted share of the required capability (0-1).
    """
    span = params.expert_level - params.novice_level
    gain = params.novice_uplift * np.clip((params.expert_level - skill) / span, 0.0, 1.0)
    if params.mode == "sparring":
        gain = gain * params.sparring_uplift_share
    return gain  # type: ignore[no-any-return]


def productivity_multiplier(skill: NDArray[np.float64],
                            params: AIAssistantParams) -> NDArray[np.float64]:
    """Output per hour with the assistant relative to without, jagged frontier included."""
    outside = params.outside_frontier
    return (1.0 - outside) * (1.0 + uplift(skill, params)) + \
        outside * (1.0 - params.frontier_penalty)  # type: ignore[no-any-return]


def erosion_rate(params: AIAssistantParams) -> float:
    """Extra forgetting per week on delegated skills in the params' mode."""
    rate = -math.log1p(-params.erosion_loss) / params.erosion_weeks
    return rate if params.mode == "answers" else rate * params.sparring_erosion_share


class AIAssistant:
    """Practice ``ai_assistant``: productivity, learning and forgetting levers of AI use."""

    def __init__(self, params: AIAssistantParams, scenario: Any = None) -> None:
        self.params = params
        self.learning_factor = (params.answers_learning if params.mode == "answers"
                                else params.sparring_learning)
        self.erosion = erosion_rate(params)
        self.adopters: NDArray[np.bool_] | None = None
        self._org: Any = None
        self._weeks_on = 0
        self._uplift_total = 0.0
        self._uplift_last = math.nan
        self._quintiles = (math.nan, math.nan)

    def available(self, week: int) -> bool:
        """Whether the assistant can be used in ``week``."""
        p = self.params
        return week >= p.start_week and (p.removed_week == 0 or week < p.removed_week)

    def adjust(self, state: Any, org: Any, levers: Any, rng: np.random.Generator) -> None:
        self._org = org
        if not self.available(state.week):
            return
        if self.adopters is None:
            self.adopters = rng.random(org.capability.shape[0]) < self.params.adoption
        users = self.adopters
        if not users.any():
            return
        skill = coverage(org.effective, org.required)[users]
        multiplier = productivity_multiplier(skill, self.params)
        levers.productivity[users] *= multiplier
        if self.learning_factor != 1.0:
            levers.learning[users] *= self.learning_factor
        if self.erosion > 0:
            delegated = org.required > 0
            levers.forgetting[np.ix_(users, delegated)] += self.erosion
        gain = float(multiplier.mean()) - 1.0
        if self._weeks_on == 0:
            self._quintiles = _quintile_gains(skill, multiplier - 1.0)
        self._weeks_on += 1
        self._uplift_total += gain
        self._uplift_last = gain

    def outcomes(self) -> dict[str, float]:
        """Adopters' productivity uplift and unassisted capability.

        ``ai_assistant_uplift_mean``: adopters' mean extra output per hour over
        the weeks the assistant was available, in %;
        ``ai_assistant_uplift_end``: the same in the last such week (it grows as
        unassisted skill erodes: dependence);
        ``ai_assistant_uplift_bottom_quintile`` / ``..._top_quintile``: in the
        first such week, for the adopters with the least / most unassisted
        capability, in %;
        ``ai_assistant_unassisted_capability_index``: adopters' capability index
        (0-100, as ``capability_index``) at the end, without the assistant;
        ``ai_assistant_adoption``: share of people who adopted, in %.
        """
        nan = math.nan
        org, users = self._org, self.adopters
        index = nan
        if org is not None and users is not None and users.any():
            person = weighted_sum(org.effective, strategy_weights(org.required))
            index = 100.0 * float(person[users].mean())
        weeks = self._weeks_on
        return {
            "ai_assistant_uplift_mean": 100.0 * self._uplift_total / weeks if weeks else nan,
            "ai_assistant_uplift_end": 100.0 * self._uplift_last,
            "ai_assistant_uplift_bottom_quintile": 100.0 * self._quintiles[0],
            "ai_assistant_uplift_top_quintile": 100.0 * self._quintiles[1],
            "ai_assistant_unassisted_capability_index": index,
            "ai_assistant_adoption": 100.0 * float(users.mean()) if users is not None else nan,
        }


def _quintile_gains(skill: NDArray[np.float64],
                    gain: NDArray[np.float64]) -> tuple[float, float]:
    """Mean gain of the lowest and of the highest skill quintile."""
    low, high = np.quantile(skill, [0.2, 0.8])
    return float(gain[skill <= low].mean()), float(gain[skill >= high].mean())


def _ai_assistant(params: AIAssistantParams, scenario: Any) -> AIAssistant:
    return AIAssistant(params, scenario)


@hookimpl
def hrdsim_register_policies(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add("practice", "ai_assistant", _ai_assistant, params=AIAssistantParams,
                 summary="A generative-AI assistant used as a sparring partner or as a crutch: "
                 "skill-biased productivity uplift, learning per hour by usage mode, erosion "
                 "of delegated skills (Brynjolfsson et al. 2023; Bastani et al. 2025; "
                 "Budzyń et al. 2025).")
