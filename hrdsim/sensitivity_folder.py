"""Resuming a sensitivity study from its results folder.

A stopped study (Ctrl-C, SIGTERM) writes the runs that finished into ``--out``
(``runs.parquet``). ``hrdsim sensitivity ... --out DIR --resume`` reads them back
and runs only the rest - but only when the folder's study is this one: the same
hrdsim version, scenario files, inputs, method, ranges, samples and seed, and the
same design points. Anything else is refused with one line saying what differs,
since indices computed from runs of two different studies would mean nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hrdsim.errors import OutputError
from hrdsim.results import previous_replications, read_manifest

if TYPE_CHECKING:
    from hrdsim.sensitivity_study import StudyPlan

#: The file holding a study's finished runs.
RUNS_FILE = "runs.parquet"


def finished_runs(folder: Path, plan: StudyPlan) -> dict[tuple[int, int], dict[str, float]]:
    """The runs of this study already in ``folder``: (distinct point, replication) →
    the run's outcomes. A missing or empty folder holds none.

    :raises OutputError: when the folder holds something other than this study's runs.
    """
    if not folder.is_dir() or not any(folder.iterdir()):
        return {}
    manifest = read_manifest(folder)
    if manifest is None or manifest.get("study") != "sensitivity":
        raise OutputError(
            f"{folder} does not hold a sensitivity study to resume (no manifest.json written "
            "by `hrdsim sensitivity`): give the study's folder, or a new --out folder")
    check_manifest(folder, manifest, plan)
    return _read_runs(folder, plan)


def check_manifest(folder: Path, manifest: Mapping[str, Any], plan: StudyPlan) -> None:
    """Refuse to resume a study made with another version, scenario, inputs or design.

    :raises OutputError: saying what differs and what to do.
    """
    from hrdsim.sweep_folder import refuse_another_version, sets_text, user_overrides

    refuse = f"cannot resume {folder}:"
    new_folder = "or give a new --out folder"
    refuse_another_version(manifest, refuse, new_folder)
    scenario = manifest.get("scenario", {})
    loaded = plan.base.loaded
    old_path, path = str(scenario.get("path", "")), str(loaded.path)
    if scenario.get("file_sha256") != loaded.file_hash:
        if Path(old_path).resolve() != Path(path).resolve():
            old_name = json.dumps(scenario.get("name", ""), ensure_ascii=False)
            name = json.dumps(plan.base.resolved.scenario.name, ensure_ascii=False)
            raise OutputError(
                f"{refuse} it holds a study of {old_path} ({old_name}), not of {path} ({name}); "
                f"resume with {old_path}, {new_folder}")
        raise OutputError(
            f"{refuse} the scenario files changed since its study started ({path}), and results "
            f"of a changed scenario are not mixed (restore the file, {new_folder})")
    if manifest.get("seeds", {}).get("seed") != plan.seed:
        old_seed = manifest.get("seeds", {}).get("seed")
        raise OutputError(f"{refuse} it ran on seed {old_seed}, not {plan.seed}; resume with "
                          f"--seed {old_seed}, {new_folder}")
    what = _design_difference(manifest, plan)
    if what:
        raise OutputError(f"{refuse} its design differs ({what}); resume with the --method, "
                          f"--range and --samples it started with, {new_folder}")
    if scenario.get("values_sha256") != loaded.values_hash:
        then = user_overrides(scenario.get("overrides", []))
        now = user_overrides(loaded.overrides)
        if then != now:
            raise OutputError(f"{refuse} its runs were made with {sets_text(then)}, these with "
                              f"{sets_text(now)}; resume with the --set options it started "
                              f"with, {new_folder}")
        raise OutputError(f"{refuse} the scenario's inputs differ from those its runs were made "
                          f"with (other plugins or policy defaults); {new_folder}")


def _design_difference(manifest: Mapping[str, Any], plan: StudyPlan) -> str:
    design = plan.design
    if manifest.get("method") != design.method:
        return f"--method {manifest.get('method')} then, {design.method} now"
    then = [(r.get("key"), r.get("low"), r.get("high")) for r in manifest.get("ranges", [])]
    now = [(r.key, r.low, r.high) for r in design.ranges]
    if then != now:
        return (f"ranges {_ranges_text(then)} then, {_ranges_text(now)} now")
    if manifest.get("samples") != design.samples:
        return f"--samples {manifest.get('samples')} then, {design.samples} now"
    return ""


def _ranges_text(ranges: Sequence[tuple[Any, Any, Any]]) -> str:
    return ", ".join(f"{key}={low:g}:{high:g}" for key, low, high in ranges)




def _read_runs(folder: Path, plan: StudyPlan) -> dict[tuple[int, int], dict[str, float]]:
    """The runs in ``runs.parquet``, after checking each lies on this study's design."""
    import math

    import pyarrow.parquet as pq

    path = folder / RUNS_FILE
    if not path.exists():
        return {}
    try:
        rows = pq.read_table(path).to_pylist()
    except Exception as exc:  # not a file of ours: say so rather than guess
        raise OutputError(f"cannot resume {folder}: {path} is not a readable runs table "
                          f"({type(exc).__name__}); move it away, or give a new --out "
                          "folder") from None
    design = plan.design
    keys = [r.key for r in design.ranges]
    fixed = {"point", "replication", *keys}
    found: dict[tuple[int, int], dict[str, float]] = {}
    most = 0
    for row in rows:
        point, replication = row.get("point"), row.get("replication")
        if not isinstance(point, int) or not 0 <= point < design.points \
                or not isinstance(replication, int) or replication < 0:
            raise OutputError(f"cannot resume {folder}: {RUNS_FILE} holds a row that is not a "
                              f"run of this study's design (point {point}); give a new --out "
                              "folder")
        values = design.values(point)
        if any(not _same(row.get(k), v) for k, v in zip(keys, values, strict=True)):
            raise OutputError(
                f"cannot resume {folder}: its design point {point} was set otherwise than this "
                "study's (another SALib version draws other points); give a new --out folder")
        most = max(most, replication + 1)
        outcomes = {name: math.nan if value is None else float(value)
                    for name, value in row.items() if name not in fixed}
        found[(plan.point_keys[point], replication)] = outcomes
    if most > plan.replications:
        raise OutputError(
            f"cannot resume {folder}: it holds up to {most} replications per point "
            f"(0-{most - 1}), more than the {plan.replications} asked for; resume with "
            f"--replications {most} or more")
    return found


def _same(stored: Any, value: float | int) -> bool:
    import math

    return isinstance(stored, int | float) and math.isclose(float(stored), float(value),
                                                            rel_tol=1e-12, abs_tol=1e-12)


__all__ = ["RUNS_FILE", "check_manifest", "finished_runs", "previous_replications"]
