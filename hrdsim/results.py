"""Writing a run's results: tidy tables, a summary and a manifest.

Every file is written to a temporary name in the target folder and renamed
into place when complete, so a reader never sees a half-written file and a
failure later on never damages what was already written.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from hrdsim.errors import OutputError
from hrdsim.metrics import OUTCOME_BY_NAME, TEAM_WEEKLY, WEEKLY, Estimate
from hrdsim.plugins import PluginInfo
from hrdsim.resolve import ResolvedScenario
from hrdsim.runner import RunResults


def summary_dict(results: RunResults) -> dict[str, Any]:
    """The summary as plain data (deterministic: no times or paths)."""
    scenario = results.resolved.scenario
    outcomes = {}
    for name, est in results.summary.items():
        meta = OUTCOME_BY_NAME.get(name)
        outcomes[name] = {
            **_finite(est.as_dict()),
            "label": meta.label.strip() if meta else name,
            "unit": meta.unit if meta else "",
        }
    return {
        "scenario": scenario.name,
        "replications": len(results.replications),
        "replications_planned": scenario.replications,
        "weeks": scenario.weeks,
        "seed": scenario.seed,
        "outcomes": outcomes,
        "per_replication": [_finite(r.outcomes) for r in results.replications],
        **({"waits_days": waits} if (waits := waits_dict(results)) is not None else {}),
    }


#: Upper bounds (days) of the bins of ``waits_days``: exactly 0 (served at once),
#: then up to 1, 2, 5... days; the last bin, over 40 days, has no upper bound.
WAIT_BINS_DAYS: tuple[float, ...] = (0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 40.0)


def waits_dict(results: RunResults) -> dict[str, Any] | None:
    """How long the served requests waited for an HR developer, over all replications:
    counts per bin of :data:`WAIT_BINS_DAYS` and quantiles, in days. ``None`` when the
    results hold no waits (no request was served, or a study did not keep them)."""
    from hrdsim.engine import DAYS_PER_WEEK

    kept = [r.waits for r in results.replications if r.waits.size]
    if not kept:
        return None
    days = np.concatenate(kept) * DAYS_PER_WEEK
    bins = np.searchsorted(np.array(WAIT_BINS_DAYS), days, side="left")
    counts = np.bincount(bins, minlength=len(WAIT_BINS_DAYS) + 1)
    quantiles = np.percentile(days, [50, 75, 90, 95, 99])
    return {
        "served": int(days.size),
        "upper_days": [*WAIT_BINS_DAYS, None],
        "counts": [int(c) for c in counts],
        "quantiles": {f"p{q}": float(v) for q, v in zip((50, 75, 90, 95, 99), quantiles,
                                                          strict=True)},
        "max": float(days.max()),
    }


def manifest_dict(
    results: RunResults, plugins: Sequence[PluginInfo], command: Sequence[str]
) -> dict[str, Any]:
    """What is needed to trace and re-run the results."""
    scenario = results.resolved.scenario
    return {
        "hrdsim_version": _version("hrdsim"),
        "scenario": scenario_record(results.resolved),
        "seed": scenario.seed,
        "replications": scenario.replications,
        # fewer than planned when a run was stopped or a replication failed
        "replications_finished": len(results.replications),
        "random_streams": "numpy PCG64 from SeedSequence(seed, spawn_key=(replication, "
        "crc32(stream name)))",
        "plugins": [attrs.asdict(p) for p in plugins],
        "versions": {
            "python": platform.python_version(),
            **{pkg: _version(pkg) for pkg in ("numpy", "simpy", "pluggy", "attrs", "click",
                                              "pyarrow")},
        },
        "platform": platform.platform(),
        "command": list(command),
        "wall_seconds": round(results.wall_seconds, 3),
    }


def scenario_record(resolved: ResolvedScenario) -> dict[str, Any]:
    """A scenario as the manifest records it: its files and their hashes, the overrides,
    every resolved value and every policy's parameters."""
    loaded = resolved.loaded
    scenario = resolved.scenario
    return {
        "name": scenario.name,
        "path": str(loaded.path),
        "files": [str(f) for f in loaded.files],
        "file_sha256": loaded.file_hash,
        "values_sha256": loaded.values_hash,
        "overrides": list(loaded.overrides),
        "resolved": attrs.asdict(scenario),
        "policies": resolved.params_table(),
    }


def write_results(
    results: RunResults, out: Path, plugins: Sequence[PluginInfo], command: Sequence[str]
) -> list[Path]:
    """Write manifest, summary and weekly tables (Parquet and CSV) into ``out``.

    :return: the files written.
    :raises OutputError: if the folder cannot be created or written.
    """
    prepare_folder(out, "run")
    return [
        write_json(out / "manifest.json", manifest_dict(results, plugins, command)),
        write_json(out / "summary.json", summary_dict(results)),
        *write_table(out, "weekly", weekly_table(results)),
        *write_table(out, "teams", team_table(results)),
    ]


def write_json(path: Path, data: Any) -> Path:
    """Write ``data`` as indented JSON to ``path``, atomically (NumPy scalars and
    paths as plain values).

    :raises OutputError: if the file cannot be written.
    """
    return atomic_write_text(path, _json(data))


def write_table(folder: Path, stem: str, table: Any, parquet: bool = True) -> list[Path]:
    """Write a ``pyarrow.Table`` as ``stem.parquet`` (unless ``parquet`` is false) and
    ``stem.csv`` in ``folder``, each atomically.

    :return: the files written.
    :raises OutputError: if a file cannot be written.
    """
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    written = []
    if parquet:
        written.append(atomic_write(folder / f"{stem}.parquet", lambda p: pq.write_table(table, p)))
    written.append(atomic_write(folder / f"{stem}.csv", lambda p: pacsv.write_csv(table, p)))
    return written


#: what each study kind (``manifest.json``'s ``"study"``) is called in messages
STUDY_NAMES = {"run": "a run", "compare": "a comparison", "sweep": "a sweep",
               "sensitivity": "a sensitivity study"}


def prepare_folder(out: Path, study: str | None = None) -> None:
    """Make sure ``out`` is a folder results can be written to, creating it if needed.

    :param study: the kind of results to be written (``"run"``, ``"compare"``,
        ``"sensitivity"``): a folder already holding another kind's results is refused,
        so that the two never mix (the same kind's results are replaced).
    :raises OutputError: if ``out`` (or a folder above it) is a file, if it holds
        another kind of study's results, or if the folder cannot be created.
    """
    for folder in (out, *out.parents):
        if folder.exists() and not folder.is_dir():
            raise OutputError(
                f"{folder} is a file, but --out needs a folder to write the results in "
                "(choose another name, or move the file away)"
            )
    held = _study_in(out)
    if study is not None and held is not None and held != study:
        raise OutputError(
            f"{out} already holds the results of {STUDY_NAMES.get(held, held)}; write "
            f"{STUDY_NAMES.get(study, study)} to another folder (--out), or empty that one "
            "first"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the results folder {out} (--out): {exc.strerror or exc}"
        ) from None


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The ``manifest.json`` of a results folder, or ``None`` when it has none that can
    be read as a JSON table."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def previous_replications(folder: Path) -> int | None:
    """The replications (per design point) a study in ``folder`` planned, if it holds one
    (a stopped study resumes with as many)."""
    manifest = read_manifest(folder)
    value = manifest.get("replications") if manifest else None
    return value if isinstance(value, int) and value > 0 else None


def _study_in(folder: Path) -> str | None:
    """The kind of study whose results ``folder`` holds (``manifest.json``'s ``"study"``,
    ``"run"`` when absent), or ``None`` when it holds no readable manifest."""
    manifest = read_manifest(folder)
    return None if manifest is None else str(manifest.get("study", "run"))


def weekly_table(results: RunResults, scenario: str | None = None) -> Any:
    """Organisation level: one row per replication × week.

    :param scenario: the ``scenario`` column's value (default: the scenario's name).
    """
    import pyarrow as pa

    reps = results.replications
    weeks = results.resolved.scenario.weeks
    label = results.resolved.scenario.name if scenario is None else scenario
    columns: dict[str, Any] = {
        "scenario": pa.array([label] * (len(reps) * weeks), type=pa.string()),
        "replication": np.repeat(np.array([r.replication for r in reps], dtype=np.int64), weeks),
        "week": np.tile(np.arange(weeks), len(reps)),
    }
    for name in WEEKLY:
        columns[name] = np.concatenate([r.weekly[name] for r in reps]) if reps else np.zeros(0)
    return pa.table(columns)


def team_table(results: RunResults) -> Any:
    """Team level: one row per replication × week × team."""
    import pyarrow as pa

    reps = results.replications
    weeks = results.resolved.scenario.weeks
    org = results.resolved.scenario.organisation
    teams = org.teams
    rows = weeks * teams
    unit_of_team = np.repeat(np.arange(org.units), org.teams_per_unit)
    columns: dict[str, Any] = {
        "replication": np.repeat([r.replication for r in reps], rows),
        "week": np.tile(np.repeat(np.arange(weeks), teams), len(reps)),
        "team": np.tile(np.arange(teams), weeks * len(reps)),
        "unit": np.tile(unit_of_team, weeks * len(reps)),
    }
    for name in TEAM_WEEKLY:
        columns[name] = np.concatenate([r.teams[name].ravel() for r in reps])
    return pa.table(columns)


def atomic_write(path: Path, write: Callable[[str], object]) -> Path:
    """Write ``path`` by calling ``write`` with a temporary name beside it, then
    renaming it into place: a reader never sees a half-written file.

    :raises OutputError: if the file cannot be written.
    """
    # a fresh name the writer creates itself, so the file gets the usual
    # permissions (mkstemp would make every result readable by its owner only)
    tmp = str(path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`atomic_write`)."""
    return atomic_write(path, lambda p: Path(p).write_text(text, encoding="utf-8"))


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=False, default=_default) + "\n"


def _default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _finite(values: dict[str, Any]) -> dict[str, Any]:
    """JSON has no NaN or infinity: write them as null."""
    return {
        k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in values.items()
    }


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "(not installed)"


def python_command() -> list[str]:
    """The command line as typed (``python -m hrdsim`` shows as such, not as ``__main__.py``)."""
    program = Path(sys.argv[0]).name
    if program == "__main__.py":
        return ["python", "-m", "hrdsim", *sys.argv[1:]]
    return [program, *sys.argv[1:]]


__all__ = ["Estimate", "atomic_write", "atomic_write_text", "manifest_dict", "scenario_record",
           "summary_dict", "write_json", "write_results", "write_table"]
