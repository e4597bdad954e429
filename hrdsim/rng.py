"""Random streams owned by a run.

Every random draw in a simulation comes from a *named stream*. A stream's
generator is derived from the run's seed, the replication number and a stable
hash of the stream's name, so

* the same scenario, seed and replication reproduce the same numbers in any
  process, and
* adding, removing or switching a policy that draws from its own stream does
  not shift the numbers any other process sees: replication ``i`` of two
  scenarios sees the same demand, the same fires and the same facilitation
  needs (common random numbers).

Plugins take their streams from the run (``streams.get("my_plugin.thing")``);
nothing in hrdsim uses the ``random`` module or NumPy's global generator.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(name: str) -> int:
    """A stable 32-bit key for a stream name (the same in every process)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Named, independent NumPy generators for one replication of one run.

    :param seed: the scenario's seed (any non-negative integer).
    :param replication: the replication number, from 0.
    """

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication
        self._streams: dict[str, np.random.Generator] = {}

    def get(self, name: str) -> np.random.Generator:
        """The generator of stream ``name``, created on first use."""
        try:
            return self._streams[name]
        except KeyError:
            sequence = np.random.SeedSequence(
                entropy=self.seed, spawn_key=(self.replication, stream_key(name))
            )
            generator = np.random.Generator(np.random.PCG64(sequence))
            self._streams[name] = generator
            return generator

    @property
    def names(self) -> list[str]:
        """Names of the streams used so far, sorted."""
        return sorted(self._streams)
