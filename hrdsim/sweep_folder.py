"""A sweep's results folder as a whole: opening it (and checking that ``--resume``
may continue it), and the manifest, ``sweep.json`` and points tables written when
the sweep starts and ends. The runs themselves are :mod:`hrdsim.sweep_store`'s.

``--resume`` skips the planned runs whose rows are in the folder, and refuses a
folder whose manifest or rows say they were made from other inputs: another
hrdsim version, changed scenario files, another design, seed or point inputs.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hrdsim.errors import OutputError
from hrdsim.sweep_store import IDENTITY, RUNS, WEEKLY, hrdsim_version, part_files

if TYPE_CHECKING:
    from hrdsim.sweep_plan import SweepPlan
    from hrdsim.sweep_study import Sweep


# --------------------------------------------------------------------------- opening a folder


def open_folder(folder: Path, plan: SweepPlan, *, resume: bool,
                weekly: bool) -> set[tuple[int, int]]:
    """Make ``folder`` ready for the sweep and return the runs it already holds.

    Without ``resume`` the folder must be new or empty. With ``resume`` a
    folder holding a sweep must hold one of the same scenario files, design,
    seed, inputs and hrdsim version; its leftover temporary files (from a
    killed process) are removed.

    :return: ``(point, replication)`` of every run already in the folder.
    :raises OutputError: for a folder that cannot be used, and why.
    """
    from hrdsim.results import prepare_folder

    prepare_folder(folder)
    entries = sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir())
    if not entries:
        return set()
    if not resume:
        shown = ", ".join(entries[:4]) + (", ..." if len(entries) > 4 else "")
        raise OutputError(
            f"{folder} is not empty (it holds {shown}): add --resume to continue the sweep in "
            "it, or choose a new --out folder")
    manifest = read_manifest(folder)
    check_manifest(folder, manifest, plan, weekly)
    for place in (folder, folder / RUNS, folder / WEEKLY):
        for leftover in place.glob(".*.tmp") if place.is_dir() else ():
            leftover.unlink()
    runs, weeks = part_files(folder / RUNS), part_files(folder / WEEKLY)
    for number, path in weeks.items():
        if number not in runs:  # killed between the weekly part and its runs part
            path.unlink()
    return _stored_runs(folder, runs.values(), plan)


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of the sweep in ``folder``.

    :raises OutputError: when there is none, or it is not a sweep's.
    """
    from hrdsim.results import read_manifest as read_any

    manifest = read_any(folder)
    if manifest is None or manifest.get("study") != "sweep":
        raise OutputError(
            f"{folder} does not hold a sweep to resume (no manifest.json written by "
            "`hrdsim sweep`): give the sweep's folder, or a new --out folder")
    return manifest


def refuse_another_version(manifest: Mapping[str, Any], refuse: str, new_folder: str) -> None:
    """Refuse to resume a study whose runs another hrdsim version made.

    :param refuse: the start of the message (``"cannot resume DIR:"``).
    :param new_folder: the way out the message ends with.
    :raises OutputError: when the versions differ.
    """
    old_version, version = manifest.get("hrdsim_version"), hrdsim_version()
    if old_version != version:
        raise OutputError(
            f"{refuse} its runs were made by hrdsim {old_version}, this is hrdsim {version}, and "
            f"results of different versions are not mixed (finish it with hrdsim {old_version}, "
            f"{new_folder})")


def check_manifest(folder: Path, manifest: Mapping[str, Any], plan: SweepPlan,
                   weekly: bool) -> None:
    """Refuse to resume a sweep whose version, scenario, design, seed or inputs differ.

    :raises OutputError: saying what differs and what to do.
    """
    refuse = f"cannot resume {folder}:"
    new_folder = "or start a new --out folder"
    refuse_another_version(manifest, refuse, new_folder)
    scenario = manifest.get("scenario", {})
    file_hash = plan.base.loaded.file_hash
    old_path, path = str(scenario.get("path", "")), str(plan.base.loaded.path)
    if scenario.get("file_sha256") != file_hash and Path(old_path).resolve() != \
            Path(path).resolve():
        old_name = json.dumps(scenario.get("name", ""), ensure_ascii=False)
        name = json.dumps(plan.base.resolved.scenario.name, ensure_ascii=False)
        raise OutputError(
            f"{refuse} it holds a sweep of {old_path} ({old_name}), not of {path} ({name}), and "
            f"results of different scenarios are not mixed (resume with {old_path}, "
            f"{new_folder})")
    if scenario.get("file_sha256") != file_hash:
        old = str(scenario.get("file_sha256", ""))[:12]
        raise OutputError(
            f"{refuse} the scenario files changed since its sweep started "
            f"({plan.base.loaded.path}: SHA-256 {old}... then, {file_hash[:12]}... now), and "
            f"results of a changed scenario are not mixed (restore the file, {new_folder})")
    if manifest.get("seed") != plan.seed:
        raise OutputError(f"{refuse} it ran on seed {manifest.get('seed')}, not {plan.seed}; "
                          f"resume with --seed {manifest.get('seed')}, {new_folder}")
    what = design_difference(manifest.get("design", {}), plan.design_dict())
    if what:
        raise OutputError(
            f"{refuse} its design differs ({what}); resume with the --grid, --lhs and --range "
            f"it started with (see its manifest.json), {new_folder}")
    old_points = manifest.get("design", {}).get("points", [])
    for old, point in zip(old_points, plan.points, strict=True):
        if old.get("inputs_sha256") != point.inputs_sha256:
            then = user_overrides(scenario.get("overrides", []))
            now = user_overrides(plan.base.loaded.overrides)
            if then != now:
                raise OutputError(
                    f"{refuse} its runs were made with {sets_text(then)}, these with "
                    f"{sets_text(now)}; resume with the --set options it started with, "
                    f"{new_folder}")
            raise OutputError(
                f"{refuse} the inputs of point {point.index} differ from those its runs were "
                f"made with (other plugins or policy defaults); resume with the options it "
                f"started with, {new_folder}")
    if bool(manifest.get("weekly")) != weekly:
        flag = "with" if manifest.get("weekly") else "without"
        raise OutputError(f"{refuse} it was started {flag} --weekly; resume it {flag} --weekly, "
                          f"{new_folder}")


def design_difference(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """What differs between two designs (as recorded in manifests), or ``""``."""
    if old.get("method") != new.get("method"):
        names = {"grid": "a grid", "lhs": "a Latin hypercube"}
        return (f"{names.get(str(old.get('method')), old.get('method'))} then, "
                f"{names[new['method']]} now")
    if old.get("keys") != new.get("keys"):
        return f"keys {', '.join(old.get('keys', []))} then, {', '.join(new['keys'])} now"
    before, after = old.get("points", []), new["points"]
    if len(before) != len(after):
        return f"{len(before)} points then, {len(after)} now"
    for was, now in zip(before, after, strict=True):
        if was.get("values") != now["values"]:
            return (f"point {now['point']} was {_values_text(was.get('values', {}))} then, "
                    f"{_values_text(now['values'])} now")
    return ""


def user_overrides(overrides: Sequence[str]) -> list[str]:
    """The ``--set`` expressions a user gave (the study adds the seed's)."""
    return [o for o in overrides if o.partition("=")[0].strip() != "seed"]


def sets_text(overrides: Sequence[str]) -> str:
    return " ".join(f"--set {o}" for o in overrides) if overrides else "no --set"


def _values_text(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={json.dumps(v)}" for k, v in values.items())


def _stored_runs(folder: Path, parts: Any, plan: SweepPlan) -> set[tuple[int, int]]:
    """The runs in the parts, after checking every row belongs to this sweep."""
    import pyarrow.parquet as pq

    hashes = {p.index: p.inputs_sha256 for p in plan.points}
    expected = {"seed": plan.seed, "scenario_sha256": plan.base.loaded.file_hash,
                "hrdsim_version": hrdsim_version()}
    done: set[tuple[int, int]] = set()
    columns = ["point", "replication", "seed", *IDENTITY]
    for path in parts:
        try:
            rows = pq.read_table(path, columns=columns).to_pylist()
        except Exception as exc:  # not a part of ours: say so rather than guess
            raise OutputError(f"cannot resume {folder}: {path} is not a readable part of a "
                              f"sweep ({type(exc).__name__}); move it away, or start a new "
                              "--out folder") from None
        for row in rows:
            point, replication = row["point"], row["replication"]
            wrong = [name for name, value in expected.items() if row[name] != value]
            if hashes.get(point) != row["point_sha256"]:
                wrong.append("point inputs")
            if wrong:
                raise OutputError(
                    f"cannot resume {folder}: {path.name} holds a run (point {point}, "
                    f"replication {replication}) made with another {', '.join(wrong)}; start a "
                    "new --out folder")
            if replication >= plan.replications:
                most = _most_replications(folder)
                raise OutputError(
                    f"cannot resume {folder}: it holds up to {most} replications per point "
                    f"(0-{most - 1}), more than the {plan.replications} asked for; resume "
                    f"with --replications {most} or more")
            done.add((point, replication))
    return done


def _most_replications(folder: Path) -> int:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    most = 0
    for path in part_files(folder / RUNS).values():
        most = max(most, int(pc.max(pq.read_table(path, columns=["replication"])["replication"])
                             .as_py()) + 1)
    return most


# --------------------------------------------------------------------------- final files


def write_summary(sweep: Sweep, folder: Path, command: Sequence[str], status: str) -> list[Path]:
    """Write ``manifest.json`` and, unless the sweep is only starting, ``sweep.json`` and
    ``points.parquet``/``points.csv`` into ``folder`` (each atomically).

    :param status: ``"running"`` (at the start: the manifest only), ``"finished"`` or
        ``"interrupted"``.
    """
    import pyarrow as pa

    from hrdsim.results import write_json, write_table

    written = [write_json(folder / "manifest.json", manifest(sweep, command, status))]
    if status == "running":
        return written
    written.append(write_json(folder / "sweep.json", sweep.to_dict()))
    written += write_table(folder, "points", pa.Table.from_pandas(sweep.points,
                                                                  preserve_index=False))
    return written


def manifest(sweep: Sweep, command: Sequence[str], status: str) -> dict[str, Any]:
    """What ran, on which seeds and where: the manifest of ``hrdsim run`` plus the design."""
    from hrdsim.results import _version, manifest_dict
    from hrdsim.runner import RunResults

    plan = sweep.plan
    data = manifest_dict(RunResults(plan.base.resolved, [], {}, sweep.wall_seconds),
                         sweep.plugins, command)
    data.update({
        "study": "sweep",
        "status": status,
        "seed": plan.seed,
        "replications": plan.replications,
        "seeds": {"seed": plan.seed, "common_random_numbers": True,
                  "replications": f"0-{plan.replications - 1}"},
        "design": plan.design_dict(),
        "weekly": sweep.keeps_weekly,
        "executor": dict(sweep.executor),
        "runs": sweep.run_counts(),
    })
    data["versions"].update({pkg: _version(pkg) for pkg in ("scipy", "pandas", "dask",
                                                            "distributed")})
    return data


def remove_quietly(path: Path) -> None:
    """Remove a temporary results folder, ignoring what cannot be removed."""
    import shutil

    with contextlib.suppress(OSError):
        shutil.rmtree(path)


__all__ = ["check_manifest", "open_folder", "read_manifest", "refuse_another_version",
           "sets_text", "user_overrides",
           "write_summary"]
