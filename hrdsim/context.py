"""The narrow view of a replication that hooks receive."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

if TYPE_CHECKING:
    import simpy

    from hrdsim.events import Event
    from hrdsim.policies import OrgLayout
    from hrdsim.rng import Streams
    from hrdsim.scenario import Scenario

T = TypeVar("T")


class StashKey(Generic[T]):
    """A typed key for :class:`Stash`; create one per plugin at module level."""

    __slots__ = ()


class Stash:
    """Per-run storage for plugins, keyed by :class:`StashKey` (pytest's idea).

    A plugin keeps its own state here instead of adding attributes to hrdsim's
    objects: ``run.stash[MY_KEY] = value``.
    """

    def __init__(self) -> None:
        self._data: dict[StashKey[Any], Any] = {}

    def __setitem__(self, key: StashKey[T], value: T) -> None:
        self._data[key] = value

    def __getitem__(self, key: StashKey[T]) -> T:
        return self._data[key]  # type: ignore[no-any-return]

    def get(self, key: StashKey[T], default: T) -> T:
        return self._data.get(key, default)  # type: ignore[no-any-return]

    def __contains__(self, key: object) -> bool:
        return key in self._data


@attrs.define(eq=False)
class RunContext:
    """One replication of a scenario, as a plugin sees it.

    :ivar scenario: the validated scenario.
    :ivar replication: replication number, from 0.
    :ivar env: the replication's ``simpy.Environment`` (time unit: one week).
    :ivar streams: the replication's named random streams.
    :ivar layout: the organisation's structure.
    :ivar stash: per-plugin state.
    """

    scenario: Scenario
    replication: int
    env: simpy.Environment
    streams: Streams
    layout: OrgLayout
    emit: Callable[[Event], None]
    stash: Stash = attrs.field(factory=Stash)

    @property
    def week(self) -> float:
        """Current simulated time in weeks."""
        return float(self.env.now)
