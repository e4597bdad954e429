"""What a scenario says: the organisation, its strategy and work, and the policies.

A scenario is a TOML file (see ``docs/scenarios.md`` for every key) read by
:mod:`hrdsim.loader` into the frozen :class:`Scenario` below. Policies are
chosen by name (``policy = "protected"``); their parameters stay a plain table
here and are checked against the policy's own declaration when the scenario
is resolved against the plugins (:func:`hrdsim.resolve.resolve`).
"""

from __future__ import annotations

from typing import Any

import attrs

from hrdsim.params import InvalidValue, did_you_mean, setting

MODES = ("on_the_job", "social", "formal")
WEEKS_PER_MONTH = 52 / 12


@attrs.frozen
class Organisation:
    """Size and structure of the organisation and its people."""

    units: int = setting(4, ge=1, le=10_000, doc="Organisational units (e.g. departments).")
    teams_per_unit: int = setting(5, ge=1, le=10_000, doc="Teams in each unit.")
    team_size: int = setting(8, ge=1, le=1_000, unit="people", doc="People in each team.")
    hours_per_week: float = setting(
        37.5, gt=0, le=80, unit="hours/week",
        doc="Contracted hours of a full-time employee.",
        source="assumption: a common Nordic full-time week",
    )
    part_time_share: float = setting(
        0.1, ge=0, le=1, unit="share", doc="Share of people working part time.",
        source="assumption: illustrative; set it from the organisation's own HR data",
    )
    part_time_hours: float = setting(
        22.5, gt=0, le=80, unit="hours/week", doc="Contracted hours of a part-time employee.",
        source="assumption: 60% of the 37.5-hour full-time week",
    )
    initial_capability: float = setting(
        0.5, ge=0, le=1, unit="0-1",
        doc="Mean starting capability in each skill the organisation has used so far.",
        source="assumption: mid-scale, so growth and decay are both visible",
    )
    initial_capability_sd: float = setting(
        0.15, ge=0, le=0.5, unit="0-1", doc="Spread of starting capability between people.",
        source="assumption: a moderate spread; around the 0.5 mean almost no draw is clipped "
        "at 0 or 1",
    )
    new_skill_capability: float = setting(
        0.1, ge=0, le=1, unit="0-1",
        doc="Mean starting capability in skills the strategy does not yet need.",
        source="assumption: new skills start low",
    )
    agility_sd: float = setting(
        0.3, ge=0, le=2, unit="log-sd",
        doc="Spread of learning agility (lognormal, median 1): how fast people learn per hour.",
        source="assumption; individual learning rates vary widely (Heathcote et al. 2000)",
    )

    @property
    def teams(self) -> int:
        return self.units * self.teams_per_unit

    @property
    def employees(self) -> int:
        return self.teams * self.team_size


@attrs.frozen
class Shift:
    """A scheduled strategic change: new required levels for some skills."""

    week: int = setting(doc="Week the strategy changes (0 = start).", ge=0)
    required: dict[str, float] = setting(
        doc="New required level per skill (0 makes a skill obsolete).", factory=dict
    )
    label: str = setting("", doc="A name for the change, shown in outputs.")


@attrs.frozen
class Strategy:
    """What the strategy needs from people, and how it changes."""

    required: dict[str, float] = setting(
        doc="Required capability level per skill (0-1); skills not listed are not needed.",
        factory=dict,
    )
    shifts: list[Shift] = setting(doc="Scheduled strategic changes.", factory=list)
    random_shifts_per_year: float = setting(
        0.0, ge=0, le=52, unit="per year", doc="Rate of unannounced strategic changes.",
        source="assumption: off by default, so strategy changes only when a scenario says so",
    )
    random_shift_size: float = setting(
        0.3, ge=0, le=1, unit="0-1",
        doc="Size of a random change: how far required levels move toward a random new profile.",
        source="assumption: a partial reorientation rather than a wholly new strategy",
    )


@attrs.frozen
class Work:
    """Work demand and the unplanned work ('fires') that competes with learning."""

    demand: float = setting(
        0.85, ge=0, le=5, unit="share of hours",
        doc="Planned work per week, in hours a fully capable team would need, as a share of "
        "contracted hours.",
        source="assumption: a team at full capability has some slack",
    )
    demand_noise: float = setting(
        0.05, ge=0, le=1, unit="CV", doc="Week-to-week variation of planned work.",
        source="assumption: planned work is steady; the fires carry the volatility",
    )
    fires_per_team_week: float = setting(
        0.5, ge=0, le=100, unit="per team-week",
        doc="Mean number of unplanned urgent problems per team per week (Poisson).",
        source="assumption; firefighting after Repenning (2001)",
    )
    fire_hours: float = setting(
        4.0, ge=0, le=1000, unit="hours", doc="Mean size of one fire (exponential).",
        source="assumption: half a working day per urgent problem",
    )
    productivity_floor: float = setting(
        0.5, ge=0, le=1, unit="share",
        doc="Output per hour of someone with none of the required capability, relative to "
        "someone fully capable.",
        source="assumption: routine parts of the work need none of the strategy's skills, "
        "so output per hour never falls to zero",
    )
    backlog_drop_per_week: float = setting(
        0.25, ge=0, le=1, unit="share/week",
        doc="Share of the backlog dropped or handled elsewhere each week.",
        source="assumption: unfinished work does not pile up forever",
    )


@attrs.frozen
class Mode:
    """How one learning mode turns hours into capability."""

    effectiveness: float = setting(
        doc="Capability gained per hour at full headroom and agility 1 (exponential rate).",
        ge=0, le=1,
    )
    facilitation_need: float = setting(
        doc="Share of the mode's effectiveness that depends on facilitation near the team.",
        ge=0, le=1,
    )
    transfer: float = setting(
        doc="Share of what is learnt that is usable at work at once.", ge=0, le=1
    )
    durable_share: float = setting(
        doc="Share of the usable part that sticks without further support; the rest fades "
        "unless consolidated.",
        ge=0, le=1,
    )


@attrs.frozen
class Modes:
    """The three learning modes of the 70-20-10 framing. No mix is built in: the
    learning policy says how hours are split; these say what an hour of each does."""

    on_the_job: Mode = setting(
        doc="Learning in the flow of work: stretch tasks, reflection on work.",
        factory=lambda: Mode(
            effectiveness=0.015, facilitation_need=0.2, transfer=1.0, durable_share=1.0
        ),
        source="assumption: the same effectiveness in every mode, so the mix acts only "
        "through facilitation need, transfer and durability; learning in the work itself "
        "needs no transfer",
    )
    social: Mode = setting(
        doc="Learning with and from others: dialogue, feedback, coaching, peers.",
        factory=lambda: Mode(
            effectiveness=0.015, facilitation_need=0.5, transfer=0.9, durable_share=0.7
        ),
        source="assumption: transfer and durability between on-the-job and formal, as peer "
        "support is the strongest support for transfer (Hughes et al. 2020)",
    )
    formal: Mode = setting(
        doc="Courses and programmes.",
        factory=lambda: Mode(
            effectiveness=0.015, facilitation_need=0.3, transfer=0.62, durable_share=0.347
        ),
        source="transfer and durable share give 62% applied at once, 44% at 6 months and "
        "34% at a year (Saks & Belcourt 2006); effectiveness and facilitation need: "
        "assumption",
    )

    def as_tuple(self) -> tuple[Mode, Mode, Mode]:
        return (self.on_the_job, self.social, self.formal)


@attrs.frozen
class Dynamics:
    """How capability grows, fades and transfers."""

    forgetting_half_life_weeks: float = setting(
        28.2, gt=0, unit="weeks",
        doc="Half-life of an unused skill.",
        source="half of a procedural skill's gain is lost after about 6.5 months without use "
        "(accuracy measures): Tatel & Ackerman (2025)",
    )
    use_protection: float = setting(
        0.9, ge=0, le=1, unit="share",
        doc="How much using a skill at work slows its forgetting (1 = no forgetting when used).",
        source="assumption: used skills decay far slower than unused ones (Arthur et al. 1998)",
    )
    transfer_fade_per_week: float = setting(
        0.0226, ge=0, le=1, unit="1/week",
        doc="Rate at which unconsolidated new learning fades without support.",
        source="0.098/month, fit to Saks & Belcourt (2006): 62%, 44%, 34%",
    )
    consolidation_per_week: float = setting(
        0.05, ge=0, le=1, unit="1/week",
        doc="Rate at which supported new learning becomes lasting capability.",
        source="assumption: support before and after learning drives transfer "
        "(Saks & Belcourt 2006; Blume et al. 2010)",
    )
    facilitation_memory_weeks: float = setting(
        8.0, gt=0, unit="weeks",
        doc="Time constant over which the effect of a facilitated session fades.",
        source="assumption; spacing effect (Cepeda et al. 2006)",
    )
    session_saturation_hours: float = setting(
        2.0, gt=0, unit="hours",
        doc="Session length at which a facilitated session gives 63% of its full effect.",
        source="assumption: diminishing returns within one session (massed practice)",
    )
    learning_alignment: float = setting(
        0.8, ge=0, le=1, unit="share",
        doc="Share of learning aimed at the strategy's gaps; the rest follows people's own "
        "interests evenly across skills.",
        source="assumption: with a clear strategic direction most learning follows the "
        "strategy's gaps, some follows people's own interests (docs/model.md)",
    )


@attrs.frozen
class PolicyChoice:
    """A policy chosen by name, with its parameters (checked against the policy)."""

    policy: str = setting(doc="Name of the policy (see `hrdsim plugins`).")
    params: dict[str, Any] = setting(doc="The policy's parameters.", factory=dict)


@attrs.frozen
class OperatingModelChoice:
    """The HR operating model and its staffing."""

    policy: str = setting("centralised", doc="Name of the operating model.")
    developers: int = setting(
        4, ge=0, le=100_000, unit="people", doc="HR developers who facilitate learning."
    )
    hours_per_week: float = setting(
        30.0, gt=0, le=80, unit="hours/week",
        doc="Hours per developer per week available for facilitation.",
        source="assumption: the rest goes to administration and development of HRD itself",
    )
    params: dict[str, Any] = setting(doc="The operating model's parameters.", factory=dict)


@attrs.frozen
class Plugins:
    """Local plugins this scenario needs (installed plugins load by themselves)."""

    paths: list[str] = setting(
        doc="Plugin files (.py) or folders to load, relative to the scenario file that names "
        "them.",
        factory=list,
    )


@attrs.frozen
class Costs:
    """Hourly costs used for the cost outcomes."""

    employee_hour: float = setting(
        45.0, ge=0, unit="€/hour", doc="Cost of an employee hour (used for learning hours).",
        source="assumption: illustrative hourly cost with overheads; set it from payroll data",
    )
    hr_developer_hour: float = setting(
        55.0, ge=0, unit="€/hour", doc="Cost of an HR developer hour.",
        source="assumption: illustrative, a little above the employee hour",
    )
    supervisor_hour: float = setting(
        60.0, ge=0, unit="€/hour", doc="Cost of a supervisor hour.",
        source="assumption: illustrative, a little above the HR developer hour",
    )


def _default_learning() -> PolicyChoice:
    return PolicyChoice(policy="fixed_share")


def _default_facilitation() -> PolicyChoice:
    return PolicyChoice(policy="near_team")


@attrs.frozen
class Scenario:
    """A complete scenario, as read from its file(s) and overrides."""

    name: str = setting(doc="A short name shown in outputs.")
    description: str = setting("", doc="What the scenario is about, in a sentence or two.")
    weeks: int = setting(260, ge=1, le=5200, unit="weeks", doc="Simulated horizon.")
    replications: int = setting(10, ge=1, le=100_000, doc="Independent replications to run.")
    seed: int = setting(1, ge=0, doc="Seed of every random stream.")
    skills: list[str] = setting(
        doc="Names of the skills (capability dimensions).", factory=list
    )
    organisation: Organisation = setting(doc="Size and structure.", factory=Organisation)
    strategy: Strategy = setting(doc="Required skills and their changes.", factory=Strategy)
    work: Work = setting(doc="Work demand and fires.", factory=Work)
    learning: PolicyChoice = setting(
        doc="Learning-time allocation policy.", factory=_default_learning
    )
    modes: Modes = setting(doc="What an hour of each learning mode does.", factory=Modes)
    dynamics: Dynamics = setting(doc="Growth, forgetting and transfer.", factory=Dynamics)
    operating_model: OperatingModelChoice = setting(
        doc="HR operating model and staffing.", factory=OperatingModelChoice
    )
    facilitation: PolicyChoice = setting(
        doc="Facilitation near teams.", factory=_default_facilitation
    )
    costs: Costs = setting(doc="Hourly costs.", factory=Costs)
    plugins: Plugins = setting(doc="Local plugins to load.", factory=Plugins)
    practices: list[PolicyChoice] = setting(
        doc="Practices in use (an AI assistant, bridges between teams...), each chosen by "
        "policy name with its params; none by default.",
        factory=list,
    )

    @skills.validator
    def _check_skills(self, _attribute: Any, value: list[str]) -> None:
        if not value:
            raise InvalidValue("skills", "at least one skill name is needed")
        if len(set(value)) != len(value):
            raise InvalidValue("skills", "skill names must be unique")

    def __attrs_post_init__(self) -> None:
        known = set(self.skills)
        tables = [("strategy.required", self.strategy.required)]
        tables += [
            (f"strategy.shifts[{i}].required", s.required)
            for i, s in enumerate(self.strategy.shifts)
        ]
        for key, table in tables:
            for skill, level in table.items():
                if skill not in known:
                    raise InvalidValue(
                        f"{key}.{skill}",
                        f"unknown skill {skill!r}"
                        + (did_you_mean(skill, self.skills) or ".")
                        + " The scenario's skills are " + ", ".join(self.skills)
                        + " (to use a new skill, add it to the skills list too)",
                    )
                if not 0 <= level <= 1:
                    raise InvalidValue(f"{key}.{skill}",
                                       f"{level} is out of range; expected 0 to 1")
        if not any(v > 0 for v in self.strategy.required.values()):
            raise InvalidValue(
                "strategy.required", "expected at least one skill with a level above 0"
            )
        for i, s in enumerate(self.strategy.shifts):
            if s.week >= self.weeks:
                raise InvalidValue(
                    f"strategy.shifts[{i}].week",
                    f"{s.week} is beyond the horizon of {self.weeks} weeks; expected a week "
                    f"from 0 to {self.weeks - 1} (or set weeks above {s.week})",
                )
