"""Vectorised core of March's (1991) exploration/exploitation model, with teams.

Shared by :mod:`hrdsim_plugins.march` (one organisational code) and
:mod:`hrdsim_plugins.bridges` (one local code per team, knowledge flowing
between teams). Many independent runs are simulated at once as arrays
``runs × people × dimensions``; every random number comes from the
:class:`numpy.random.Generator` the caller passes in.

The variant is the one pinned in ``docs/research/march.md``: the
*Rodan (2005) / Christensen (2015) reading of March's original program, as
recreated by Workiewicz (2019)*. Each period:

1. turnover ``p3``: each person is replaced, with probability ``p3``, by a
   newcomer whose beliefs are uniform on {-1, 0, 1};
2. turbulence ``p4``: each dimension of reality flips sign with probability ``p4``;
3. people *act*: a belief of ±1 is acted on as held, a belief of 0 by a coin
   flip; a person's performance is Σ action × reality;
4. people *socialise* gradually: with probability ``p1`` per dimension, where
   the code is non-zero and differs, an opposite belief becomes 0 and a 0
   becomes the code's value;
5. the code *learns* from the people whose performance this period beats the
   code's score Σ code × reality (the "superior group"): on each dimension the
   code moves to the superior group's majority *action* with probability
   1 − (1 − p2)^k, k = |#(+1) − #(−1)| among them; ties leave it unchanged.

Knowledge is the net score (#right − #wrong)/m. The equilibrium stop rule
(for ``p3 = p4 = 0``): every belief equals the code and the code has no 0, so
nobody can beat the code even with perfect luck and nobody can still be
socialised. This is the Workiewicz rule with the code's score evaluated after
the period's learning (his program compares with the score from the start of
the period, which can only delay the stop by one period or, rarely, stop a
run whose code still has a 0).

**Teams (our extension for bridges between silos).** With ``groups > 1``
every team keeps its own code. With ``linking = 0`` teams are isolated March
organisations. With ``linking > 0`` each person, each period, independently
works with another team (chosen uniformly among the others) with probability
``linking``: for that period they act, are socialised and count towards the
superior group of that team's code instead of their own. ``linking = 1``
mixes everyone every period.

The per-belief draws (coin flip, socialisation) are 16 raw bits from the
generator's bit stream: the top bit is the coin, the other 15 the
socialisation draw, so ``p1`` is applied to within 1/32,768.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

__all__ = [
    "EquilibriumResult",
    "MarchState",
    "PathResult",
    "code_correct",
    "code_knowledge",
    "individual_knowledge",
    "run_paths",
    "run_to_equilibrium",
    "settled",
    "start",
    "step",
]

Int8 = NDArray[np.int8]
Array = NDArray[Any]


@attrs.define(eq=False)
class MarchState:
    """The state of ``runs`` independent organisations.

    :ivar reality: ``(runs, dims)`` in {-1, 1}.
    :ivar beliefs: ``(runs, people, dims)`` in {-1, 0, 1}.
    :ivar codes: ``(runs, groups, dims)`` in {-1, 0, 1}: one code per team
        (one in all for March's single organisational code).
    :ivar home: ``(people,)`` each person's own team, in ``0..groups-1``.
    :ivar block: the team size when teams are equal and numbered in order
        (people ``0..size-1`` in team 0 and so on), else 0 (speed only).
    """

    reality: Int8
    beliefs: Int8
    codes: Int8
    home: NDArray[np.int64]
    block: int = 0

    @property
    def runs(self) -> int:
        return int(self.beliefs.shape[0])

    @property
    def people(self) -> int:
        return int(self.beliefs.shape[1])

    @property
    def dims(self) -> int:
        return int(self.beliefs.shape[2])

    @property
    def groups(self) -> int:
        return int(self.codes.shape[1])

    def take(self, keep: NDArray[np.bool_]) -> MarchState:
        """The runs where ``keep`` is true (copies)."""
        return MarchState(self.reality[keep], self.beliefs[keep], self.codes[keep], self.home,
                          self.block)


def _home(people: int, groups: int | Array) -> NDArray[np.int64]:
    if np.ndim(groups) == 0:
        g = int(groups)  # type: ignore[arg-type]
        if g < 1 or people % g:
            raise ValueError(f"{people} people cannot be split into {g} equal teams")
        return np.repeat(np.arange(g), people // g)
    home = np.asarray(groups, dtype=np.int64)
    if home.shape != (people,) or home.min() < 0:
        raise ValueError("groups must be a team count or one team index per person")
    if (np.bincount(home) == 0).any():
        raise ValueError("every team 0..max must have at least one member")
    return home


def start(rng: np.random.Generator, runs: int, people: int = 50, dims: int = 30,
          groups: int | Array = 1) -> MarchState:
    """Fresh organisations: random reality, random beliefs, neutral codes.

    :param groups: the number of equal teams, or each person's team index.
    """
    if not 1 <= dims <= 127:
        raise ValueError("dims must be between 1 and 127")
    home = _home(people, groups)
    g = int(home.max()) + 1
    reality = np.where(rng.random((runs, dims)) < 0.5, 1, -1).astype(np.int8)
    beliefs = rng.integers(-1, 2, size=(runs, people, dims), dtype=np.int8)
    codes = np.zeros((runs, g, dims), dtype=np.int8)
    size = people // g
    block = size if size * g == people and np.array_equal(home, np.repeat(np.arange(g), size)) \
        else 0
    return MarchState(reality, beliefs, codes, home, block)


Visits = tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.int64]]


def _visits(state: MarchState, rng: np.random.Generator, linking: float) -> Visits | None:
    """Who works with another team this period: ``(run, person, team)`` arrays, or None."""
    g = state.groups
    if g == 1 or linking <= 0.0:
        return None
    rows, cols = np.nonzero(rng.random((state.runs, state.people)) < linking)
    other = rng.integers(0, g - 1, size=rows.size)
    other += other >= state.home[cols]  # uniform over the teams other than one's own
    return rows, cols, other


def step(state: MarchState, rng: np.random.Generator, p1: float | Array, p2: float,
         p3: float = 0.0, p4: float = 0.0, linking: float = 0.0) -> NDArray[np.int16]:
    """Advance every run by one period, in place.

    :param p1: socialisation probability: a scalar, one value per person
        ``(people,)`` or per run and person ``(runs, people)``.
    :param p2: code learning probability.
    :param p3: turnover probability per person and period.
    :param p4: turbulence probability per dimension and period.
    :param linking: probability that a person works with another team this
        period (teams only).
    :returns: each person's performance this period, ``(runs, people)``.
    """
    runs, people, dims = state.beliefs.shape
    beliefs, codes, reality = state.beliefs, state.codes, state.reality
    # 1. turnover
    if p3 > 0.0:
        leave = rng.random((runs, people)) < p3
        count = int(leave.sum())
        if count:
            beliefs[leave] = rng.integers(-1, 2, size=(count, dims), dtype=np.int8)
    # 2. turbulence
    if p4 > 0.0:
        flip = rng.random((runs, dims)) < p4
        np.negative(reality, out=reality, where=flip)
    visits = _visits(state, rng, linking)
    # 16 random bits per belief, straight from the generator's bit stream (a
    # third of the cost of rng.random): the top bit is the coin flip for a
    # 0-belief, the other 15 a uniform draw for socialisation.
    bits = _random_bits(rng, (runs, people, dims))
    # 3. act
    coin = (bits >> 15).astype(np.int8) * np.int8(2) - np.int8(1)
    # beliefs + coin where the belief is 0 (arithmetic: np.where is slow on int8)
    actions = beliefs + (beliefs == 0).view(np.int8) * coin
    acts = actions.astype(np.float32)  # sums of ±1 below are exact in float32 (BLAS)
    performance = np.matmul(acts, reality.astype(np.float32)[:, :, None])[..., 0]
    score = np.einsum("rgm,rm->rg", codes, reality, dtype=np.int16)
    if state.groups == 1:
        code_of = codes  # (runs, 1, dims) broadcasts over people
        bar = score  # (runs, 1)
    else:
        code_of = codes[:, state.home, :]
        bar = score[:, state.home]
        if visits is not None:
            rows, cols, team = visits
            code_of[rows, cols] = codes[rows, team]
            bar[rows, cols] = score[rows, team]
    # 4. socialise (gradually: -c -> 0 -> c)
    threshold = _threshold(p1)
    move = ((bits & 0x7FFF) < threshold) & (code_of != 0) & (beliefs != code_of)
    beliefs += code_of * move
    # 5. the code learns from the superior group's actions
    superior = (performance > bar).astype(np.float32)
    if state.groups == 1:
        tally = np.matmul(superior[:, None, :], acts).astype(np.int16)
    else:
        tally = _team_tally(acts, superior, state.home, visits, state.groups, state.block)
    majority = np.sign(tally).astype(np.int8)
    chance = (1.0 - (1.0 - p2) ** np.arange(people + 1))[np.abs(tally)]
    learn = (majority != 0) & (majority != codes) & (rng.random(codes.shape) < chance)
    np.copyto(codes, majority, where=learn)
    return performance.astype(np.int16)


def _team_tally(acts: NDArray[np.float32], superior: NDArray[np.float32],
                home: NDArray[np.int64], visits: Visits | None,
                groups: int, block: int) -> NDArray[np.int16]:
    """Sum of the actions of each team's superior members this period: ``(runs, groups, dims)``."""
    runs, people, dims = acts.shape
    if block:
        tally = np.matmul(superior.reshape(runs, groups, 1, block),
                          acts.reshape(runs, groups, block, dims))[:, :, 0, :]
    else:
        votes = acts * superior[..., None]
        tally = _tally_by_key(votes.reshape(-1, dims), np.repeat(np.arange(runs), people),
                              np.tile(home, runs), runs, groups)
    if visits is not None and visits[0].size:  # move the votes of people working elsewhere
        rows, cols, team = visits
        moved = acts[rows, cols] * superior[rows, cols][:, None]
        tally = tally + _tally_by_key(moved, rows, team, runs, groups)
        tally -= _tally_by_key(moved, rows, home[cols], runs, groups)
    return np.rint(tally).astype(np.int16)


def _tally_by_key(votes: NDArray[np.float32], run: NDArray[np.int64], team: NDArray[np.int64],
                  runs: int, groups: int) -> Array:
    """Sum rows ``votes[k]`` (``(k, dims)``) into ``tally[run[k], team[k]]`` with one bincount."""
    dims = votes.shape[1]
    keys = ((run * groups + team)[:, None] * dims + np.arange(dims)).ravel()
    counts = np.bincount(keys, weights=votes.ravel(), minlength=runs * groups * dims)
    return counts.reshape(runs, groups, dims)


def _random_bits(rng: np.random.Generator, shape: tuple[int, ...]) -> NDArray[np.uint16]:
    """Uniform 16-bit draws from ``rng``'s bit generator, in ``shape``."""
    count = int(np.prod(shape))
    raw = rng.bit_generator.random_raw((count + 3) // 4)
    return np.asarray(raw).view(np.uint16)[:count].reshape(shape)


def _threshold(p: float | Array) -> NDArray[np.uint16]:
    """``p`` as a threshold for 15-bit draws: P(draw < threshold) = p to within 1/32768."""
    value = np.asarray(np.rint(np.asarray(p, dtype=np.float64) * 32768.0), dtype=np.uint16)
    return value[..., None] if value.ndim else value


def settled(state: MarchState, linking: float = 0.0) -> NDArray[np.bool_]:
    """Runs at equilibrium (no turnover, no turbulence): nothing can change any more.

    (a) no one can still be socialised: every belief equals every code its
    holder can meet wherever that code has a view (is non-zero); and (b) no
    one can beat such a code even with perfect luck on their 0-beliefs.

    When the codes have no 0 - the usual end - (a) means every belief equals
    the code and (b) holds by itself. A code can also freeze with a 0 on a
    dimension when no one who could ever beat it remains (Workiewicz's rule,
    which asks for every belief to equal the code, never stops such a run; it
    is rare with 50 people, about 1 run in 100 with isolated teams of 10).
    """
    codes = state.codes
    if state.groups == 1:
        return _absorbing(state, codes)
    if linking <= 0.0:
        return _absorbing(state, codes[:, state.home, :])
    # anyone may meet any team's code
    result = np.ones(state.runs, dtype=bool)
    for g in range(state.groups):
        result &= _absorbing(state, codes[:, g : g + 1, :])
    return result


def _absorbing(state: MarchState, code_of: Int8) -> NDArray[np.bool_]:
    """(a) and (b) of :func:`settled` for each person against ``code_of``."""
    viewless = code_of == 0
    agree = ((state.beliefs == code_of) | viewless).all(axis=(1, 2))
    if not viewless.any():
        return agree  # type: ignore[no-any-return]
    # best case: right on every belief held, lucky on every 0
    reality = state.reality[:, None, :]
    best = np.where(state.beliefs == 0, 1, state.beliefs * reality).sum(axis=2)
    bar = (code_of * reality).sum(axis=2)
    return agree & ~(best > bar).any(axis=1)  # type: ignore[no-any-return]


def code_knowledge(state: MarchState) -> NDArray[np.float64]:
    """Net score of each code, (#right − #wrong)/m, ``(runs, groups)``."""
    return np.einsum("rgm,rm->rg", state.codes, state.reality, dtype=np.int16) / state.dims


def code_correct(state: MarchState) -> NDArray[np.float64]:
    """Share of dimensions each code has right, ``(runs, groups)`` (a 0 is not right)."""
    right = state.codes == state.reality[:, None, :]
    return right.sum(axis=2) / state.dims


def individual_knowledge(state: MarchState) -> NDArray[np.float64]:
    """Net score of each person's beliefs, ``(runs, people)``."""
    return np.einsum("rnm,rm->rn", state.beliefs, state.reality, dtype=np.int16) / state.dims


@attrs.frozen
class EquilibriumResult:
    """Where each run settled.

    :ivar code_knowledge: net score of the code(s) at equilibrium, averaged
        over teams, ``(runs,)``.
    :ivar individual_knowledge: mean net score of people, ``(runs,)``.
    :ivar periods: periods until equilibrium, ``(runs,)``.
    :ivar converged: false where ``max_periods`` ran out first.
    """

    code_knowledge: NDArray[np.float64]
    individual_knowledge: NDArray[np.float64]
    periods: NDArray[np.int64]
    converged: NDArray[np.bool_]


def _per_run_p1(p1: float | Array, runs: int) -> Array:
    value = np.asarray(p1, dtype=np.float32)
    if value.ndim == 2 and value.shape[0] != runs:
        raise ValueError("a (runs, people) p1 must have one row per run")
    return value


def run_to_equilibrium(rng: np.random.Generator, runs: int, *, p1: float | Array,
                       p2: float, people: int = 50, dims: int = 30,
                       groups: int | Array = 1, linking: float = 0.0,
                       max_periods: int = 20_000) -> EquilibriumResult:
    """Run closed organisations (no turnover, no turbulence) until they settle.

    Settled runs leave the arrays, so the cost falls as runs finish.
    """
    state = start(rng, runs, people, dims, groups)
    rate = _per_run_p1(p1, runs)
    alive = np.arange(runs)
    code_k = np.full(runs, np.nan)
    ind_k = np.full(runs, np.nan)
    periods = np.full(runs, max_periods, dtype=np.int64)
    converged = np.zeros(runs, dtype=bool)
    for period in range(1, max_periods + 1):
        step(state, rng, rate, p2, linking=linking)
        done = settled(state, linking)
        if done.any():
            ids = alive[done]
            code_k[ids] = code_knowledge(state)[done].mean(axis=1)
            ind_k[ids] = individual_knowledge(state)[done].mean(axis=1)
            periods[ids] = period
            converged[ids] = True
            keep = ~done
            alive = alive[keep]
            state = state.take(keep)
            if rate.ndim == 2:
                rate = rate[keep]
            if alive.size == 0:
                break
    if alive.size:
        code_k[alive] = code_knowledge(state).mean(axis=1)
        ind_k[alive] = individual_knowledge(state).mean(axis=1)
    return EquilibriumResult(code_k, ind_k, periods, converged)


@attrs.frozen
class PathResult:
    """Time paths, one row per period ``0..periods`` and one column per run.

    :ivar code_knowledge: net score of the code(s), averaged over teams.
    :ivar code_correct: share of dimensions the code(s) have right.
    :ivar individual_knowledge: mean net score of people.
    """

    code_knowledge: NDArray[np.float64]
    code_correct: NDArray[np.float64]
    individual_knowledge: NDArray[np.float64]


def run_paths(rng: np.random.Generator, runs: int, periods: int, *, p1: float | Array,
              p2: float, p3: float = 0.0, p4: float = 0.0, people: int = 50,
              dims: int = 30, groups: int | Array = 1, linking: float = 0.0) -> PathResult:
    """Run every organisation for a fixed number of periods, recording knowledge."""
    state = start(rng, runs, people, dims, groups)
    rate = _per_run_p1(p1, runs)
    shape = (periods + 1, runs)
    ck, cc, ik = np.empty(shape), np.empty(shape), np.empty(shape)

    def record(t: int) -> None:
        ck[t] = code_knowledge(state).mean(axis=1)
        cc[t] = code_correct(state).mean(axis=1)
        ik[t] = individual_knowledge(state).mean(axis=1)

    record(0)
    for t in range(1, periods + 1):
        step(state, rng, rate, p2, p3, p4, linking)
        record(t)
    return PathResult(ck, cc, ik)
