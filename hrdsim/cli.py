"""The ``hrdsim`` command line.

Heavy modules (NumPy, SimPy, the engine) are imported inside the commands so
that ``hrdsim --help`` answers at once. Every :class:`~hrdsim.errors.HrdsimError`
becomes one line on stderr and exit code 2 - never a traceback.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

if TYPE_CHECKING:
    import pluggy

    from hrdsim.metrics import Estimate
    from hrdsim.resolve import ResolvedScenario
    from hrdsim.runner import RunResults

from hrdsim.cli_support import (
    SCENARIO_PATH,
    UserError,
    errors_to_messages,
    plugin_options,
)
from hrdsim.report.command import report_options

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["UserError", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hrdsim")
def main() -> None:
    """Simulate how an organisation's capability grows under different ways of
    leading learning and organising HR development.

    Start with:  hrdsim run scenarios/baseline.toml
    """


def _scenario_options(func: F) -> F:
    options = [
        # existence, folders and encodings are checked by the loader, whose
        # messages name the file (and the extends line that named it)
        click.argument("scenario", type=SCENARIO_PATH),
        click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
                     help="Override a scenario key, e.g. --set learning.params.share=0.1 "
                     "(repeatable)."),
    ]
    for option in reversed(options):
        func = option(func)
    return plugin_options(func)


def _load(
    scenario: Path, overrides: Sequence[str], options: dict[str, Any] | None = None,
    plugin_paths: Sequence[Path] = (), disabled: Sequence[str] = (),
) -> tuple[ResolvedScenario, Any]:
    """Read the scenario, load the plugins it and the user name, and resolve its policies."""
    from hrdsim.errors import PluginError
    from hrdsim.loader import load_scenario
    from hrdsim.plugins import build_registry, make_plugin_manager
    from hrdsim.resolve import resolve

    loaded = load_scenario(scenario, overrides, options)
    try:
        pm = make_plugin_manager(disabled=disabled,
                                 paths=[*plugin_paths, *loaded.plugin_paths()])
        registry = build_registry(pm)
    except PluginError as exc:
        raise PluginError(exc.plugin, exc.hook,
                          f"{exc.problem} (while loading plugins for {scenario})") from None
    return resolve(loaded, registry), pm


def _stderr_is_terminal() -> bool:
    """Whether a person is watching stderr (no progress bar in pipes, files or tests)."""
    return sys.stderr.isatty()


@main.command()
@_scenario_options
@errors_to_messages
def validate(
    scenario: Path, overrides: tuple[str, ...], plugin_paths: tuple[Path, ...],
    disabled: tuple[str, ...],
) -> None:
    """Check a scenario file without running it."""
    resolved, _ = _load(scenario, overrides, plugin_paths=plugin_paths, disabled=disabled)
    s = resolved.scenario
    chosen = ", ".join(f"{k}={c.entry.name}" for k, c in resolved.policies.items())
    click.echo(
        f"{scenario}: valid - {s.name!r}: {s.organisation.employees} people in "
        f"{s.organisation.teams} teams, {s.weeks} weeks × {s.replications} replications; {chosen}"
    )


@main.command()
@_scenario_options
@click.option("--replications", "-n", type=click.IntRange(min=1), help="Replications to run.")
@click.option("--seed", type=click.IntRange(min=0), help="Seed of every random stream.")
@click.option("--weeks", type=click.IntRange(min=1), help="Simulated horizon in weeks.")
@click.option("--out", "-o", type=click.Path(path_type=Path),
              help="Write manifest, summary and weekly tables to this folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@report_options
@errors_to_messages
def run(
    scenario: Path, overrides: tuple[str, ...], plugin_paths: tuple[Path, ...],
    disabled: tuple[str, ...], replications: int | None, seed: int | None,
    weeks: int | None, out: Path | None, as_json: bool, quiet: bool, report: bool,
    report_lang: str,
) -> None:
    """Run a scenario and print its key outcomes (mean and 95% CI over replications)."""
    from hrdsim.errors import HrdsimError
    from hrdsim.report.command import check_report_options, report_after_results
    from hrdsim.results import prepare_folder, python_command, summary_dict, write_results
    from hrdsim.runner import run_replications
    from hrdsim.study_commands import stopped_while_planning, terminate_as_interrupt

    options = {k: v for k, v in
               (("replications", replications), ("seed", seed), ("weeks", weeks)) if v is not None}
    check_report_options(report, out)
    with stopped_while_planning("loading the scenario"):
        resolved, pm = _load(scenario, overrides, options, plugin_paths, disabled)
    if out is not None:  # before simulating, so a bad folder does not waste the run
        prepare_folder(out, "run")
    count = resolved.scenario.replications
    show_bar = not quiet and not as_json and count > 1 and _stderr_is_terminal()
    try:
        with terminate_as_interrupt():
            if show_bar:
                with click.progressbar(length=count, label="Simulating", file=sys.stderr) as bar:
                    results = run_replications(resolved, pm, progress=bar.update)
            else:
                results = run_replications(resolved, pm)
    except HrdsimError as exc:
        finished = getattr(exc, "finished", None)
        if out is None or finished is None:
            raise
        from hrdsim.plugins import plugin_infos

        write_results(finished, out, plugin_infos(pm), python_command())
        raise UserError(f"{exc} - the {len(finished.replications)} replication(s) that "
                        f"finished before it are written to {out}/") from None
    except KeyboardInterrupt as stop:
        _stopped(getattr(stop, "finished", None), count, out, pm)
    if out is not None:
        from hrdsim.plugins import plugin_infos

        write_results(results, out, plugin_infos(pm), python_command())
    if as_json:
        click.echo(json.dumps(summary_dict(results), indent=2))
        report_after_results(report, out, report_lang, err=True)
        return
    click.echo(_outcome_table(resolved, results.summary, results.wall_seconds))
    if out is not None:
        click.echo(f"\nResults written to {out}/ (manifest.json, summary.json, weekly.parquet, "
                   "weekly.csv, teams.parquet, teams.csv)")
    report_after_results(report, out, report_lang)


def _stopped(finished: RunResults | None, planned: int, out: Path | None,
             pm: pluggy.PluginManager) -> NoReturn:
    """After Ctrl-C or SIGTERM: write the replications that finished to ``out`` (when
    given), say so, and exit with the status of an interrupted command (130)."""
    from hrdsim.study_commands import INTERRUPTED

    done = 0 if finished is None else len(finished.replications)
    told = f"\nInterrupted: {done} of {planned} replications finished"
    if done and out is not None:
        from hrdsim.plugins import plugin_infos
        from hrdsim.results import python_command, write_results

        write_results(finished, out, plugin_infos(pm), python_command())  # type: ignore[arg-type]
        told += f"; their summary and weekly tables are written to {out}/"
    elif done:
        told += "; nothing was written (give --out DIR to keep what finishes)"
    else:
        told += "; nothing was written"
    click.echo(told + ".", err=True)
    sys.exit(INTERRUPTED)


def _outcome_table(resolved: ResolvedScenario, summary: dict[str, Estimate],
                   seconds: float) -> str:
    from hrdsim.metrics import OUTCOMES

    s = resolved.scenario
    chosen = ", ".join(f"{k.replace('_', ' ')}: {c.entry.name}"
                       for k, c in resolved.policies.items())
    lines = [
        f"{s.name} - {s.organisation.employees} people, {s.weeks} weeks, "
        f"{s.replications} replications, seed {s.seed} ({seconds:.1f} s)",
        chosen,
        "",
    ]
    unstable = summary.get("queue_unstable")
    rows = [("Outcome", "Mean", "95% CI", "Unit")]
    for outcome in OUTCOMES:
        if not outcome.key or outcome.name not in summary:
            continue
        est = summary[outcome.name]
        if math.isnan(est.mean) and unstable is not None and unstable.mean > 0:
            load = summary["queue_offered_load"].mean
            rows.append((outcome.label, "unstable", f"offered load {load:.2f} ≥ 1", ""))
            continue
        ci = "" if math.isnan(est.low) else f"{_fmt(est.low)} … {_fmt(est.high)}"
        rows.append((outcome.label, _fmt(est.mean), ci, outcome.unit))
    known = {o.name for o in OUTCOMES}
    for name, est in summary.items():  # outcomes contributed by practices and plugins
        if name not in known:
            ci = "" if math.isnan(est.low) else f"{_fmt(est.low)} … {_fmt(est.high)}"
            rows.append((name, _fmt(est.mean), ci, ""))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for i, row in enumerate(rows):
        lines.append("  ".join((c.ljust(w) if j in (0, 3) else c.rjust(w))
                               for j, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    if unstable is not None and unstable.mean > 0:
        lines.append("\nWarning: an HR developer queue is unstable (more work is offered than "
                     "developers can do); its waits grow without bound.")
    return "\n".join(lines)


def _fmt(value: float) -> str:
    from hrdsim.metrics import format_number

    return format_number(value)


def _add_commands() -> None:
    from hrdsim.plugin_commands import new_plugin, plugins
    from hrdsim.report.command import report
    from hrdsim.sensitivity_commands import sensitivity
    from hrdsim.study_commands import compare, sweep

    main.add_command(plugins)
    main.add_command(new_plugin)
    main.add_command(report)
    main.add_command(compare)
    main.add_command(sweep)
    main.add_command(sensitivity)


_add_commands()
