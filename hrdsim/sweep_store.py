"""A sweep's runs on disk: Parquet parts written as runs finish, and read back.

A run's outcomes become one row of ``runs/part-NNNNN.parquet`` (and, with
``--weekly``, its organisation-level weekly series rows of
``weekly/part-NNNNN.parquet``, the same part number). Rows are buffered and
a part is written - atomically, under a temporary name renamed into place -
when :data:`PART_RUNS` runs are waiting, or when the oldest has waited
:data:`PART_SECONDS` seconds (a thread of its own watches the clock, so a
finished run reaches the disk even while no other run finishes). A process
killed at any moment therefore leaves only whole parts (and perhaps a hidden
temporary file, which readers skip and ``--resume`` removes), and loses at
most the runs of the last few seconds; ``pd.read_parquet("DIR/runs")`` reads
every part.

Each row carries what identifies its run: the point, its replication and
seed, the SHA-256 of the point's resolved inputs and of the scenario files,
and the hrdsim version, so that ``--resume`` (:mod:`hrdsim.sweep_folder`)
can tell which planned runs are done and refuse rows made from other inputs.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from hrdsim.engine import ReplicationResult
    from hrdsim.sweep_plan import SweepPlan

#: The most runs one part holds.
PART_RUNS = 50
#: The longest a finished run waits before its part is written, in seconds.
PART_SECONDS = 2.0

RUNS, WEEKLY = "runs", "weekly"
#: The columns that identify a run's inputs (kept on disk, left out of ``Sweep.runs``).
IDENTITY = ("point_sha256", "scenario_sha256", "hrdsim_version")
_PART = re.compile(r"^part-(\d{5,})\.parquet$")


def hrdsim_version() -> str:
    from hrdsim.results import _version

    return _version("hrdsim")


def part_files(folder: Path) -> dict[int, Path]:
    """The parts in ``folder`` by number (none when it does not exist)."""
    if not folder.is_dir():
        return {}
    found = {}
    for path in folder.iterdir():
        match = _PART.match(path.name)
        if match:
            found[int(match.group(1))] = path
    return dict(sorted(found.items()))


# --------------------------------------------------------------------------- writing parts


class RunStore:
    """Writes a sweep's runs into ``folder/runs`` (and ``folder/weekly``) as they arrive.

    Use it as a context manager: it runs a thread that writes the waiting runs
    when they are due, which leaving the ``with`` block stops.

    :param folder: the results folder, opened with
        :func:`hrdsim.sweep_folder.open_folder`.
    :param plan: the sweep, for each point's values and hashes.
    :param weekly: also write each run's organisation-level weekly series.
    """

    def __init__(self, folder: Path, plan: SweepPlan, weekly: bool = False) -> None:
        self.folder = folder
        self.plan = plan
        self.weekly = weekly
        self._rows: list[dict[str, Any]] = []
        self._weeks: list[tuple[int, int, dict[str, Any]]] = []
        self._oldest: float | None = None  # when the oldest waiting run arrived
        self._types = plan.key_types()
        self._version = hrdsim_version()
        (folder / RUNS).mkdir(exist_ok=True)
        if weekly:
            (folder / WEEKLY).mkdir(exist_ok=True)
        self._next = max(part_files(folder / RUNS), default=-1) + 1
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._error: Exception | None = None
        self._clock = threading.Thread(target=self._write_when_due, daemon=True,
                                       name="hrdsim sweep parts")
        self._clock.start()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, point: int, replication: int, result: ReplicationResult) -> None:
        """Keep a run's outcomes for the next part; write the part when it is full.

        :raises OutputError: when writing a part failed (here or in the clock's thread).
        """
        self._raise_error()
        p = self.plan.points[point]
        row: dict[str, Any] = {"point": point, **p.values, "replication": replication,
                               "seed": self.plan.seed, **result.outcomes,
                               "point_sha256": p.inputs_sha256,
                               "scenario_sha256": self.plan.base.loaded.file_hash,
                               "hrdsim_version": self._version}
        with self._lock:
            self._rows.append(row)
            if self.weekly:
                self._weeks.append((point, replication, result.weekly))
            if self._oldest is None:
                self._oldest = time.monotonic()
            if len(self._rows) >= PART_RUNS:
                self._write()

    def flush(self) -> None:
        """Write the runs kept so far as the next part (nothing if there are none)."""
        with self._lock:
            self._write()

    def close(self) -> None:
        """Stop the clock's thread (waiting runs stay kept until :meth:`flush`)."""
        self._stop.set()
        if self._clock.is_alive() and self._clock is not threading.current_thread():
            self._clock.join()

    def finish(self) -> None:
        """Write what is kept, and give every part the same columns (outcomes a plugin
        added at some points only are added, empty, to the parts without them)."""
        self.close()
        self.flush()
        self._raise_error()
        unify_parts(self.folder / RUNS)

    def _write_when_due(self) -> None:
        while not self._stop.wait(min(PART_SECONDS / 4, 0.5)):
            with self._lock:
                due = self._oldest is not None and \
                    time.monotonic() - self._oldest >= PART_SECONDS
                if due:
                    try:
                        self._write()
                    except Exception as exc:  # a full disk: say so in the main thread
                        self._error = exc
                        return

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _write(self) -> None:
        """Write the waiting runs as the next part (the caller holds the lock)."""
        import pyarrow.parquet as pq

        from hrdsim.results import atomic_write

        rows, weeks = self._rows, self._weeks
        if not rows:
            return
        self._rows, self._weeks = [], []
        try:
            name = f"part-{self._next:05d}.parquet"
            if self.weekly:  # first, so a runs part never exists without its weekly part
                table = weekly_table(weeks)
                atomic_write(self.folder / WEEKLY / name, lambda p: pq.write_table(table, p))
            runs = runs_table(rows, self._types)
            atomic_write(self.folder / RUNS / name, lambda p: pq.write_table(runs, p))
        except BaseException:  # Ctrl-C or a full disk: keep the rows for the next try
            self._rows, self._weeks = rows + self._rows, weeks + self._weeks
            raise
        self._next += 1
        self._oldest = time.monotonic() if self._rows else None


def runs_table(rows: Sequence[Mapping[str, Any]], types: Mapping[str, str]) -> pa.Table:
    """Rows of runs as a table: point, the varied keys, replication, seed, every outcome
    (hrdsim's in :data:`~hrdsim.metrics.OUTCOMES` order, then plugins' by name), identity."""
    import pyarrow as pa

    from hrdsim.metrics import OUTCOMES

    known = [o.name for o in OUTCOMES]
    extra = sorted({k for r in rows for k in r} - set(known) - set(types)
                   - {"point", "replication", "seed", *IDENTITY})
    columns: dict[str, pa.Array] = {"point": pa.array([r["point"] for r in rows], pa.int64())}
    for key, kind in types.items():
        columns[key] = pa.array([_typed(r[key], kind) for r in rows], _arrow_type(kind))
    for name in ("replication", "seed"):
        columns[name] = pa.array([r[name] for r in rows], pa.int64())
    for name in known + extra:
        columns[name] = pa.array([_float(r.get(name)) for r in rows], pa.float64())
    for name in IDENTITY:
        columns[name] = pa.array([r[name] for r in rows], pa.string())
    return pa.table(columns)


def weekly_table(weeks: Sequence[tuple[int, int, Mapping[str, Any]]]) -> pa.Table:
    """Runs' organisation-level weekly series: one row per point × replication × week."""
    import numpy as np
    import pyarrow as pa

    from hrdsim.metrics import WEEKLY as SERIES

    lengths = [len(series[SERIES[0]]) for _, _, series in weeks]
    columns: dict[str, Any] = {
        "point": np.repeat([p for p, _, _ in weeks], lengths).astype(np.int64),
        "replication": np.repeat([r for _, r, _ in weeks], lengths).astype(np.int64),
        "week": np.concatenate([np.arange(n, dtype=np.int64) for n in lengths]),
    }
    for name in SERIES:
        columns[name] = np.concatenate([np.asarray(s[name], dtype=float) for _, _, s in weeks])
    return pa.table(columns)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _typed(value: Any, kind: str) -> Any:
    return json.dumps(value) if kind == "string" and not isinstance(value, str) else value


def _arrow_type(kind: str) -> Any:
    """The Arrow type of a varied key's column: ``bool``, ``int``, ``float`` or ``string``."""
    import pyarrow as pa

    return {"bool": pa.bool_, "int": pa.int64, "float": pa.float64, "string": pa.string}[kind]()


def unify_parts(folder: Path) -> None:
    """Give every part in ``folder`` the union of the parts' columns, in one order."""
    import pyarrow.parquet as pq

    from hrdsim.results import atomic_write

    parts = list(part_files(folder).values())
    schemas = {path: pq.read_schema(path) for path in parts}
    names: list[str] = []
    for schema in schemas.values():
        names += [n for n in schema.names if n not in names]
    if all(schema.names == names for schema in schemas.values()):
        return
    identity = [n for n in names if n in IDENTITY]
    order = [n for n in names if n not in IDENTITY]
    first = [n for n in order if n in schemas[parts[0]].names]
    added = sorted(n for n in order if n not in first)
    final = first + added + identity
    for path, schema in schemas.items():
        if schema.names != final:
            atomic_write(path, _with_columns(pq.read_table(path), final))


def _with_columns(table: pa.Table, names: list[str]) -> Callable[[str], None]:
    """A writer of ``table`` with exactly the columns ``names`` (missing ones empty)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for name in names:
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(len(table), pa.float64()))
    chosen = table.select(names)
    return lambda path: pq.write_table(chosen, path)


# --------------------------------------------------------------------------- reading


def read_runs(folder: Path, plan: SweepPlan) -> pd.DataFrame:
    """Every run in ``folder/runs``, one row per point × replication, sorted; the
    identity columns left out."""
    import pandas as pd

    parts = list(part_files(folder / RUNS).values())
    if not parts:
        return runs_table([], plan.key_types()).to_pandas().drop(columns=list(IDENTITY))
    frame = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    frame = frame.drop_duplicates(["point", "replication"]).drop(columns=list(IDENTITY))
    return frame.sort_values(["point", "replication"], kind="stable").reset_index(drop=True)


def read_weekly(folder: Path) -> pd.DataFrame | None:
    """Every run's weekly series in ``folder/weekly``, sorted, or ``None`` without them."""
    import pandas as pd

    if not (folder / WEEKLY).is_dir():
        return None
    parts = list(part_files(folder / WEEKLY).values())
    if not parts:
        return pd.DataFrame(columns=["point", "replication", "week"])
    frame = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    frame = frame.drop_duplicates(["point", "replication", "week"])
    return frame.sort_values(["point", "replication", "week"], kind="stable") \
        .reset_index(drop=True)


__all__ = ["IDENTITY", "PART_RUNS", "PART_SECONDS", "RunStore", "part_files", "read_runs",
           "read_weekly"]
