"""The simulation engine: one replication of a scenario, week by week.

The engine owns the ``simpy.Environment`` (time unit: one week), the
replication's random streams and the organisation's arrays. It contains no
policy logic: each week it asks the scenario's learning, operating-model and
facilitation policies what to do and applies the core equations of
:mod:`hrdsim.dynamics`. Facilitation requests queue at the desks (SimPy
resources) of HR developers the operating model created.

Each week ``w`` (at simulated time ``w``):

1. strategic shifts due this week change the required skills;
2. demand and fires arrive; the hours work needs follow from capability;
3. the facilitation policy schedules sessions; HR developer sessions become
   requests that arrive during the week and queue at a desk;
4. the learning policy plans learning hours and decides how many survive
   work pressure; work gets the rest;
5. capability is learnt, consolidated and forgotten; the backlog updates;
6. the week's outcomes are recorded.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import simpy

from hrdsim import dynamics
from hrdsim.context import RunContext
from hrdsim.dynamics import CapabilityModel
from hrdsim.errors import PluginError
from hrdsim.events import Event, QueueSaturated, StrategyShifted
from hrdsim.metrics import TEAM_WEEKLY, WEEKLY
from hrdsim.organisation import OrgState, build_organisation
from hrdsim.policies import Levers, SessionPlan, WeekState
from hrdsim.rng import Streams
from hrdsim.service import ServiceDesk

if TYPE_CHECKING:
    import pluggy

    from hrdsim.resolve import ResolvedScenario

DAYS_PER_WEEK = 7.0
WEEKS_PER_YEAR = 52.0


@attrs.frozen
class StrategyChange:
    """A change of required skills at the start of a week.

    Required levels move a share ``blend`` of the way toward ``target``;
    skills whose target is NaN keep their level.
    """

    week: int
    target: np.ndarray
    blend: float
    label: str

    def apply(self, required: np.ndarray) -> np.ndarray:
        moved = (1.0 - self.blend) * required + self.blend * self.target
        new = np.where(np.isnan(self.target), required, moved)
        return new if (new > 0).any() else required.copy()


@attrs.define(eq=False)
class _Arrivals:
    """One week's requests for HR developers, in the order they reach HR.

    The engine schedules one SimPy ``Timeout`` per request, but only the next
    one of each week is waiting at any time: each arrival schedules the one
    after it. The requests reach HR at the same times and in the same order
    as if every one had been scheduled at the start of the week (ties keep the
    order of the teams), while the event queue and the objects alive at once
    stay small.

    :ivar times: when each request reaches HR (simulated weeks), ascending.
    :ivar needed_at: when each team's need arose.
    :ivar sizes: each request's relative size (mean 1).
    :ivar hours: per desk, the hours one session takes there (with overhead).
    :ivar effects: per desk, the effect of one session held there.
    :ivar next: the next request to arrive.
    """

    teams: list[int]
    times: list[float]
    needed_at: list[float]
    sizes: list[float]
    hours: list[float]
    effects: list[float]
    next: int = 0

    @classmethod
    def of_week(cls, now: float, teams: np.ndarray, offsets: np.ndarray, delays: np.ndarray,
                sizes: np.ndarray, hours: list[float], effects: list[float]) -> _Arrivals:
        """The requests of ``teams`` whose needs arise ``offsets`` weeks and reach HR
        ``delays`` weeks after ``now``, sorted by arrival (a stable sort)."""
        order = np.argsort(delays, kind="stable")
        return cls(teams[order].tolist(), (now + delays[order]).tolist(),
                   (now + offsets[order]).tolist(), sizes[order].tolist(), hours, effects)


@attrs.define(eq=False)
class ReplicationResult:
    """What one replication produced.

    :ivar weekly: organisation-level series, name → array of length weeks.
    :ivar teams: team-level series, name → array (weeks × teams).
    :ivar outcomes: the replication's summary outcomes.
    :ivar waits: every served request's queue wait, in weeks.
    """

    replication: int
    weekly: dict[str, np.ndarray]
    teams: dict[str, np.ndarray]
    outcomes: dict[str, float]
    waits: np.ndarray


class Simulation:
    """One replication of a resolved scenario.

    :param resolved: the scenario with its policies.
    :param replication: replication number, from 0 (selects the random streams).
    :param pm: a plugin manager whose run hooks are called, or ``None``.
    """

    def __init__(
        self, resolved: ResolvedScenario, replication: int, pm: pluggy.PluginManager | None = None
    ) -> None:
        scenario = resolved.scenario
        self.resolved = resolved
        self.scenario = scenario
        self.replication = replication
        self.pm = pm
        self.env = simpy.Environment()
        self.streams = Streams(scenario.seed, replication)
        self.org: OrgState = build_organisation(scenario, self.streams.get("organisation"))
        self.model = CapabilityModel.from_scenario(scenario.modes, scenario.dynamics)
        self.learning = resolved.policies["learning"].create(scenario)
        self.operating_model = resolved.policies["operating_model"].create(scenario)
        self.facilitation = resolved.policies["facilitation"].create(scenario)
        self.practices = [(chosen.entry.name, chosen.create(scenario))
                          for chosen in resolved.practices]
        layout = self.org.layout
        self.levers = Levers.neutral(layout.employees, layout.teams, len(scenario.skills),
                                     scenario.dynamics.learning_alignment)
        staffing = scenario.operating_model
        self.desks = [
            ServiceDesk.open(self.env, spec)
            for spec in self.operating_model.desks(self.org.layout, staffing.developers)
            if spec.developers > 0
        ]
        self.developer_hours = staffing.hours_per_week
        self.changes = self._strategy_changes()
        self.context = RunContext(
            scenario=scenario, replication=replication, env=self.env, streams=self.streams,
            layout=self.org.layout, emit=self._emit,
        )
        weeks, teams = scenario.weeks, self.org.layout.teams
        self.weekly = {name: np.zeros(weeks) for name in WEEKLY}
        self.team_weekly = {name: np.zeros((weeks, teams)) for name in TEAM_WEEKLY}
        self.unserved = 0
        # a need reaches an HR developer after its team's home desk's detection delay
        # (the desk that serves the team when every developer is free)
        self._detection = np.array([
            self.operating_model.route(team, self.desks).spec.detection_weeks
            for team in range(self.org.layout.teams)
        ]) if self.desks else np.zeros(0)
        self._requests_this_week = 0
        self._on_arrival = self._arrive  # the callback of every request's arrival, bound once
        self._desk_number = {desk: k for k, desk in enumerate(self.desks)}
        self._desk_terms_cache: dict[tuple[float, float], tuple[list[float], list[float]]] = {}
        self._in_team_cost = 0.0  # supervisors' and peers' facilitation, this week
        self._in_team_cost_total = 0.0
        self._fte = self.org.hours.sum() / scenario.organisation.hours_per_week
        self._developers = sum(d.spec.developers for d in self.desks)
        self._hr_cost_per_week = staffing.developers * scenario.organisation.hours_per_week * \
            scenario.costs.hr_developer_hour
        self._facilitation_kept = math.exp(-1.0 / scenario.dynamics.facilitation_memory_weeks)
        self._planned_by_mode = np.zeros(3)
        self._start_index = 0.0

    # -- running -------------------------------------------------------------

    def run(self) -> ReplicationResult:
        """Simulate every week and return the replication's results."""
        if self.pm is not None:
            self.pm.hook.hrdsim_run_start(run=self.context)
        self.env.process(self._weeks())
        self.env.run(until=self.scenario.weeks)
        self._apply_helped()
        outcomes = self._outcomes()
        for _, practice in self.practices:
            extra = getattr(practice, "outcomes", None)
            if extra is not None:
                outcomes.update({k: float(v) for k, v in extra().items()})
        if self.pm is not None:
            for desk in self.desks:
                load = self._offered_load(desk)
                if load >= 1.0:
                    self._emit(QueueSaturated(week=self.env.now, desk=desk.name,
                                              offered_load=load))
            for extra in self.pm.hook.hrdsim_collect_metrics(run=self.context):
                if extra:
                    outcomes.update({k: float(v) for k, v in extra.items()})
            self.pm.hook.hrdsim_run_finish(run=self.context, metrics=outcomes)
        waits = np.concatenate([d.waits_array() for d in self.desks]) if self.desks else \
            np.zeros(0)
        return ReplicationResult(
            replication=self.replication, weekly=self.weekly, teams=self.team_weekly,
            outcomes=outcomes, waits=waits,
        )

    def _weeks(self) -> Generator[simpy.Event, Any, None]:
        for week in range(self.scenario.weeks):
            self._week(week)
            yield self.env.timeout(1)

    def _emit(self, event: Event) -> None:
        if self.pm is not None:
            self.pm.hook.hrdsim_event(event=event, run=self.context)

    # -- one week --------------------------------------------------------------

    def _week(self, week: int) -> None:
        self._apply_helped()
        org, work = self.org, self.scenario.work
        for change in self.changes.get(week, ()):
            self._shift(change)
        layout = org.layout
        team_hours = layout.team_hours
        start = self.model.assess(org)
        cover = start.cover
        productivity = work.productivity_floor + (1.0 - work.productivity_floor) * cover
        team_productivity = org.team_sum(productivity * org.hours) / team_hours

        demand_rng = self.streams.get("work.demand")
        noise = demand_rng.normal(0.0, work.demand_noise, layout.teams) if work.demand_noise \
            else 0.0
        planned_work = work.demand * team_hours * np.maximum(1.0 + noise, 0.0)
        fire_rng = self.streams.get("work.fires")
        fire_count = fire_rng.poisson(work.fires_per_team_week, layout.teams)
        fires = fire_rng.gamma(np.maximum(fire_count, 1e-12), work.fire_hours) * (fire_count > 0)
        needed = (org.backlog + planned_work + fires) / team_productivity
        fire_hours = fires / team_productivity

        team_index = self._team_index(start)
        state = WeekState(
            week=week, team_hours=team_hours, needed_work_hours=needed,
            fire_hours=fire_hours, capability=team_index, strategic_gap=1.0 - self._team_cover,
            facilitation=org.facilitation.copy(),
        )
        levers = self._adjust_levers(state) if self.practices else None
        if levers is not None and (levers.productivity != 1.0).any():
            productivity = productivity * levers.productivity
            team_productivity = org.team_sum(productivity * org.hours) / team_hours
            needed = (org.backlog + planned_work + fires) / team_productivity
            fire_hours = fires / team_productivity
            state = attrs.evolve(state, needed_work_hours=needed, fire_hours=fire_hours)
        self._facilitate(self.facilitation.sessions(
            state, self.streams.get("facilitation.sessions")))

        planned = self._hours("plan", self.learning.plan(state), team_hours)
        realised = self._hours("realise", self.learning.realise(planned, state), team_hours,
                               planned)
        work_hours = np.minimum(team_hours - realised, needed)
        output = work_hours * team_productivity
        org.backlog = np.maximum(org.backlog + planned_work + fires - output, 0.0) * (
            1.0 - work.backlog_drop_per_week
        )

        mix = self.learning.mix.as_array()
        employee_learning = org.by_employee(realised / team_hours) * org.hours
        use = 1.0  # everyone uses the strategy's skills in their work every week
        if levers is None:
            # support depends on the team alone: the model works it out per team
            self.model.learn(org, employee_learning, mix, org.facilitation, start)
            self.model.settle(org, org.facilitation)
            self.model.forget(org, use)
        else:
            employee_support = org.by_employee(np.clip(org.facilitation + levers.support, 0, 1))
            self.model.learn(org, employee_learning, mix, employee_support,
                             rates=levers.learning, alignment=levers.alignment)
            self.model.settle(org, employee_support)
            self.model.forget(org, use,
                              extra=levers.forgetting if levers.forgetting.any() else None)
            for _, practice in self.practices:
                after_week = getattr(practice, "after_week", None)
                if after_week is not None:
                    after_week(state, org)
        org.facilitation *= self._facilitation_kept

        self._record(week, planned, realised, mix, output, planned_work, fires, team_index)

    def _hours(self, method: str, hours: Any, team_hours: np.ndarray,
               planned: np.ndarray | None = None) -> np.ndarray:
        """A learning policy's hours per team, checked, then clipped to ``team_hours``.

        :raises PluginError: naming the policy's plugin, for a result of the wrong
            shape, one that is not finite or is negative, or realised hours above
            the planned ones.
        """
        values = np.asarray(hours, dtype=float)
        problem = ""
        if values.shape != team_hours.shape:
            problem = f"returned shape {values.shape}; expected one value per team " \
                f"{team_hours.shape}"
        elif not np.isfinite(values).all():
            problem = "returned a value that is not a finite number (NaN or infinity)"
        elif (values < 0).any():
            problem = f"returned negative hours (lowest {values.min():g})"
        elif planned is not None and (values > planned * (1 + 1e-9) + 1e-9).any():
            problem = "returned more hours than were planned (work pressure can only take " \
                "learning time away)"
        if problem:
            entry = self.resolved.policies["learning"].entry
            raise PluginError(entry.plugin, f"learning policy {entry.name!r}.{method}()",
                              f"{problem} in week {int(self.env.now)} of replication "
                              f"{self.replication} of {self.resolved.loaded.path}")
        return np.minimum(values, team_hours)

    def _adjust_levers(self, state: WeekState) -> Levers:
        """Let every practice change this week's levers, in scenario order."""
        levers = self.levers
        levers.reset(self.scenario.dynamics.learning_alignment)
        for name, practice in self.practices:
            practice.adjust(state, self.org, levers, self.streams.get(f"practice.{name}"))
        return levers

    def _team_index(self, start: dynamics.WeekStart) -> np.ndarray:
        org = self.org
        self._person_index = start.person_index
        self._cover = start.cover
        size = org.layout.team_size
        self._team_cover = org.team_sum(start.cover) / size
        return org.team_sum(start.person_index) / size

    # -- strategy ----------------------------------------------------------------

    def _strategy_changes(self) -> dict[int, list[StrategyChange]]:
        scenario = self.scenario
        skills = scenario.skills
        changes: dict[int, list[StrategyChange]] = {}
        for shift in sorted(scenario.strategy.shifts, key=lambda s: s.week):
            target = np.full(len(skills), np.nan)
            for skill, level in shift.required.items():
                target[skills.index(skill)] = level
            label = shift.label or f"shift at week {shift.week}"
            changes.setdefault(shift.week, []).append(
                StrategyChange(shift.week, target, 1.0, label)
            )
        rate = scenario.strategy.random_shifts_per_year / WEEKS_PER_YEAR
        if rate > 0:
            rng = self.streams.get("strategy.random_shifts")
            week = rng.exponential(1 / rate)
            while week < scenario.weeks:
                # a random new profile: most skills needed at some level, some not at all
                target = rng.uniform(0.2, 1.0, len(skills)) * (rng.random(len(skills)) < 0.7)
                changes.setdefault(int(week), []).append(StrategyChange(
                    int(week), target, scenario.strategy.random_shift_size, "random"
                ))
                week += rng.exponential(1 / rate)
        return changes

    def _shift(self, change: StrategyChange) -> None:
        org = self.org
        new = change.apply(org.required)
        obsolete = tuple(
            s for s, before, after in zip(self.scenario.skills, org.required, new, strict=True)
            if before > 0 and after == 0
        )
        org.required = new
        self._emit(StrategyShifted(
            week=self.env.now, label=change.label,
            required=dict(zip(self.scenario.skills, map(float, new), strict=True)),
            obsolete=obsolete,
        ))

    # -- facilitation --------------------------------------------------------------

    def _facilitate(self, plan: SessionPlan) -> None:
        sessions = np.asarray(plan.sessions, dtype=np.int64)
        self._sessions_this_week = int(sessions.sum())
        self._requests_this_week = 0
        if not sessions.any():
            return
        if plan.provider != "hr_developer":
            # quality may vary by team and be negative: a session that does harm
            effect = self._session_effect(np.asarray(plan.quality) * plan.context, plan.hours)
            raised = 1.0 - (1.0 - self.org.facilitation) * (1.0 - effect) ** sessions
            self.org.facilitation = np.clip(raised, 0.0, 1.0)
            costs = self.scenario.costs
            rate = costs.supervisor_hour if plan.provider == "supervisor" else costs.employee_hour
            self._in_team_cost = float(sessions.sum()) * plan.hours * rate
            self._in_team_cost_total += self._in_team_cost
            return
        teams = np.repeat(np.arange(sessions.size), sessions)
        rng = self.streams.get("facilitation.requests")
        offsets = rng.random(teams.size)  # arrival within the week
        work = rng.exponential(1.0, teams.size)  # the request's relative size
        self._requests_this_week = int(teams.size)
        if not self.desks:
            self.unserved += int(teams.size)
            return
        arrivals = _Arrivals.of_week(self.env.now, teams, offsets,
                                     offsets + self._detection[teams], work,
                                     *self._desk_terms(plan))
        simpy.Timeout(self.env, arrivals.times[0] - self.env.now, arrivals).callbacks.append(
            self._on_arrival)

    def _arrive(self, event: simpy.Timeout) -> None:
        """A team's request reaches HR: the operating model picks the desk now.

        ``event`` is the request's arrival; its value is the week's
        :class:`_Arrivals`, whose next request is scheduled in turn.
        """
        arrivals: _Arrivals = event.value  # type: ignore[assignment]
        i = arrivals.next
        team = arrivals.teams[i]
        desk = self.operating_model.route(team, self.desks)
        k = self._desk_number[desk]
        service = arrivals.sizes[i] * arrivals.hours[k] / self.developer_hours
        desk.serve_team(team, service, arrivals.effects[k], arrivals.needed_at[i])
        i = arrivals.next = i + 1
        if i < len(arrivals.times):  # the week's next request
            simpy.Timeout(self.env, arrivals.times[i] - self.env.now, arrivals).callbacks.append(
                self._on_arrival)

    def _desk_terms(self, plan: SessionPlan) -> tuple[list[float], list[float]]:
        """Per desk: the hours one session of ``plan`` takes there (the session's and
        the desk's overhead) and the effect it has (cached per session length and
        context)."""
        key = (plan.hours, plan.context)
        terms = self._desk_terms_cache.get(key)
        if terms is None:
            terms = self._desk_terms_cache[key] = (
                [plan.hours + desk.spec.overhead_hours for desk in self.desks],
                [self._session_effect(desk.spec.quality * plan.context, plan.hours)
                 for desk in self.desks],
            )
        return terms

    def _apply_helped(self) -> None:
        """Raise the facilitation level of the teams whose HR developer sessions ended
        since this was last called, as if each session had raised it when it ended.

        Each session multiplies the team's remaining room ``1 − level`` by
        ``1 − effect``, so the sessions of a week combine into one product per team
        (in the order they ended); nothing reads the levels between the weekly
        steps, so applying them at the start of the next week (and at the end of
        the run) gives the same levels, up to floating-point rounding.
        """
        kept: dict[int, float] = {}  # per team, the share of its room its sessions leave
        for desk in self.desks:
            if desk.helped_teams:
                for team, effect in zip(*desk.take_helped(), strict=True):
                    kept[team] = kept.get(team, 1.0) * (1.0 - effect)
        if not kept:
            return
        changed = np.fromiter(kept, dtype=np.intp, count=len(kept))
        factor = np.fromiter(kept.values(), dtype=float, count=len(kept))
        facilitation = self.org.facilitation
        facilitation[changed] = 1.0 - (1.0 - facilitation[changed]) * factor

    def _session_effect(self, quality: float, hours: float) -> float:
        saturation = self.scenario.dynamics.session_saturation_hours
        return quality * -math.expm1(-hours / saturation)

    def _offered_load(self, desk: ServiceDesk) -> float:
        """The desk's ρ over the weeks in which requests could reach it.

        Requests reach a desk ``detection_weeks`` after the need arises, so
        none arrive before then; dividing by the whole horizon would
        understate ρ and call a growing queue stable.
        """
        window = self.scenario.weeks - desk.spec.detection_weeks
        return desk.offered_load(window) if window > 0 else 0.0

    # -- recording ------------------------------------------------------------------

    def _record(
        self, week: int, planned: np.ndarray, realised: np.ndarray, mix: np.ndarray,
        output: np.ndarray, demand: np.ndarray, fires: np.ndarray, team_index: np.ndarray,
    ) -> None:
        org, fte, w = self.org, self._fte, self.weekly
        person = self._person_index
        w["capability_index"][week] = 100.0 * (person.sum() / person.size)  # the mean
        w["strategic_gap"][week] = 100.0 * (1.0 - self._cover.sum() / person.size)
        # the organisation's totals of the per-team values, in one reduction
        output_total, demand_total, fires_total, backlog_total, planned_total, \
            realised_total, facilitation_total = np.stack(
                (output, demand, fires, org.backlog, planned, realised, org.facilitation)
            ).sum(axis=1).tolist()
        w["throughput_per_fte"][week] = output_total / fte
        w["demand_per_fte"][week] = demand_total / fte
        w["fires_per_fte"][week] = fires_total / fte
        w["backlog_per_fte"][week] = backlog_total / fte
        w["learning_planned_per_fte"][week] = planned_total / fte
        w["learning_realised_per_fte"][week] = realised_total / fte
        for name, share in zip(("on_the_job", "social", "formal"), mix, strict=True):
            w[f"learning_{name}_per_fte"][week] = realised_total * share / fte
        self._planned_by_mode += planned_total * mix / fte
        w["learning_lost_share"][week] = (
            100.0 * (1.0 - realised_total / planned_total) if planned_total > 0 else 0.0
        )
        w["facilitation_requests"][week] = self._requests_this_week
        w["facilitation_sessions"][week] = self._sessions_this_week
        w["facilitation_level"][week] = facilitation_total / org.facilitation.size
        developers = self._developers
        busy = sum(d.resource.count for d in self.desks)
        w["hr_busy_share"][week] = 100.0 * busy / developers if developers else 0.0
        w["queue_length"][week] = sum(d.queue_length for d in self.desks)
        ordered = np.sort(person)
        w["capability_gini"][week] = dynamics.gini(ordered, presorted=True)
        p10, p90 = dynamics.quantile(ordered, 0.1), dynamics.quantile(ordered, 0.9)
        w["capability_p90_p10"][week] = p90 / p10 if p10 > 0 else float("inf")
        w["cost"][week] = self._hr_cost_per_week + self._in_team_cost + \
            realised_total * self.scenario.costs.employee_hour
        self._in_team_cost = 0.0
        t = self.team_weekly
        size = org.layout.team_size
        t["capability_index"][week] = 100.0 * team_index
        t["strategic_gap"][week] = 100.0 * (1.0 - self._team_cover)
        t["backlog_hours"][week] = org.backlog
        t["learning_realised_hours"][week] = realised / size
        t["facilitation_level"][week] = org.facilitation

    def _outcomes(self) -> dict[str, float]:
        requested = float(self.weekly["facilitation_requests"].sum())
        s, w, weeks = self.scenario, self.weekly, self.scenario.weeks
        fte, years = self._fte, weeks / WEEKS_PER_YEAR
        teams = self.org.layout.teams
        planned = w["learning_planned_per_fte"].sum()
        realised = w["learning_realised_per_fte"].sum()
        waits = np.concatenate([d.waits_array() for d in self.desks]) if self.desks else \
            np.zeros(0)
        # from a need arising to a developer starting on it: detection, then the wait
        time_to_help = np.concatenate(
            [np.asarray(d.times_to_help, dtype=float) for d in self.desks]
        ) if self.desks else np.zeros(0)
        loads = [self._offered_load(d) for d in self.desks]
        unstable = any(load >= 1.0 for load in loads)
        developers = sum(d.spec.developers for d in self.desks)
        busy = sum(d.busy_weeks for d in self.desks)
        hr_cost = s.operating_model.developers * s.organisation.hours_per_week * \
            s.costs.hr_developer_hour * weeks
        learning_cost = realised * fte * s.costs.employee_hour
        in_team_cost = self._in_team_cost_total
        nan = float("nan")
        outcomes = {
            "capability_index": w["capability_index"][-1],
            "capability_change": w["capability_index"][-1] - w["capability_index"][0],
            "strategic_gap": w["strategic_gap"][-1],
            "strategic_gap_mean": w["strategic_gap"].mean(),
            "throughput_per_fte": w["throughput_per_fte"].mean(),
            "backlog_per_fte": w["backlog_per_fte"].mean(),
            "learning_planned_per_fte": planned / weeks,
            "learning_realised_per_fte": realised / weeks,
            "learning_lost_share": 100.0 * (1.0 - realised / planned) if planned > 0 else 0.0,
            "facilitation_requests_per_team_year":
                w["facilitation_requests"].sum() / teams / years,
            "facilitation_sessions_per_team_year":
                w["facilitation_sessions"].sum() / teams / years,
            "facilitation_wait_days":
                nan if unstable or waits.size == 0 else waits.mean() * DAYS_PER_WEEK,
            "facilitation_wait_p90_days":
                nan if unstable or waits.size == 0
                else float(np.percentile(waits, 90)) * DAYS_PER_WEEK,
            "time_to_help_days": nan if unstable or time_to_help.size == 0
                else float(time_to_help.mean()) * DAYS_PER_WEEK,
            "hr_utilisation": 100.0 * busy / (developers * weeks) if developers else 0.0,
            "queue_offered_load": max(loads) if loads else 0.0,
            "queue_unstable": float(unstable),
            "facilitation_unserved_share": 100.0 * self.unserved / requested if requested else 0.0,
            "cost_per_fte_year": (hr_cost + learning_cost + in_team_cost) / fte / years,
            "cost_hr_per_fte_year": hr_cost / fte / years,
            "cost_learning_per_fte_year": learning_cost / fte / years,
            "capability_gini": w["capability_gini"][-1],
            "capability_p90_p10": w["capability_p90_p10"][-1],
        }
        for name in ("on_the_job", "social", "formal"):
            outcomes[f"learning_{name}_per_fte"] = w[f"learning_{name}_per_fte"].mean()
        for name, value in zip(("on_the_job", "social", "formal"), self._planned_by_mode,
                               strict=True):
            outcomes[f"learning_{name}_planned_per_fte"] = value / weeks
        return {k: float(v) for k, v in outcomes.items()}



