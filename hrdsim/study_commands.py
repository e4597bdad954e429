"""Commands that run studies of many runs: ``hrdsim compare`` and ``hrdsim sweep``.

The options, progress bar and Ctrl-C handling they share are here too
(:func:`study_options`, :func:`progress_bar`, :func:`waiting_notice`).
Like the rest of the command line, this module imports only click at import
time; the simulation, the executors and pandas load when a command runs.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from hrdsim.cli_support import (
    SCENARIO_PATH,
    UserError,
    errors_to_messages,
    plugin_options,
)
from hrdsim.report.command import report_after_results, report_options

F = TypeVar("F", bound=Callable[..., Any])
Progress = Callable[[int, int], None]

#: Exit code after Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130


# --------------------------------------------------------------------------- shared parts


def study_options(*, replications: str, seed: str, overrides: str, out: str,
                  as_json: str) -> Callable[[F], F]:
    """The options every study takes, with the help texts that differ per command:
    ``--replications/-n``, ``--seed``, ``--set``, ``--out/-o`` and ``--json``; then
    ``--quiet``, ``--workers``, ``--scheduler``, ``--plugin`` and ``--disable-plugin``."""
    options = [
        click.option("--replications", "-n", type=click.IntRange(min=1), help=replications),
        click.option("--seed", type=click.IntRange(min=0), help=seed),
        click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=overrides),
        click.option("--out", "-o", type=click.Path(path_type=Path), help=out),
        click.option("--json", "as_json", is_flag=True, help=as_json),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar."),
        click.option("--workers", type=click.IntRange(min=1),
                     help="Local worker processes (default: one per core; 1 runs in this "
                     "process)."),
        click.option("--scheduler", metavar="tcp://HOST:PORT",
                     help="Run on the Dask cluster whose scheduler is at this address (its "
                     "workers need hrdsim, and the scenario files at the same paths)."),
    ]

    def decorate(func: F) -> F:
        func = plugin_options(func)
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def shows_progress(quiet: bool, as_json: bool) -> bool:
    """A progress bar only for a person watching a terminal, without --quiet or --json."""
    import hrdsim.cli

    return not quiet and not as_json and hrdsim.cli._stderr_is_terminal()


@contextlib.contextmanager
def progress_bar(show: bool, length: int, label: str = "Simulating") -> Iterator[Progress | None]:
    """A progress bar on stderr showing runs done/total and the time left, as a
    ``progress(done, total)`` callback (``None`` when not shown)."""
    if not show:
        yield None
        return
    with click.progressbar(length=max(length, 1), label=label, file=sys.stderr, show_pos=True,
                           show_eta=True) as bar:
        yield _follow(bar)


def print_study(study: Any, as_json: bool, out: Path | None, files: str, report: bool,
                report_lang: str) -> None:
    """Print a finished study (a comparison, sweep or sensitivity study): its JSON with
    --json, or else its text and the ``files`` written to --out; then build the HTML report
    if --report asked for one."""
    if as_json:
        click.echo(study.to_json())
    else:
        click.echo(study.report())
        if out is not None:
            click.echo(f"\nResults written to {out}/ ({files})")
    report_after_results(report, out, report_lang, err=as_json)


def waiting_notice(quiet: bool, as_json: bool) -> Callable[[int], None] | None:
    """What to say after a first Ctrl-C (nothing with --quiet or --json)."""
    return None if quiet or as_json else _say_waiting


def _follow(bar: Any) -> Progress:
    """A progress callback that keeps a click progress bar's total and position."""

    def update(done: int, total: int) -> None:
        bar.length = max(total, 1)
        if done > bar.pos:
            bar.update(done - bar.pos)
        else:
            bar.render_progress()

    return update


def _say_waiting(running: int) -> None:
    click.echo(f"\nStopping: waiting for the {running} running replications to finish "
               "(Ctrl-C again to abandon them)...", err=True)


@contextlib.contextmanager
def stopped_while_planning(doing: str = "loading and checking the design's points",
                           ) -> Iterator[None]:
    """Ctrl-C while a command loads its scenarios (a study's design can take a while for
    thousands of points) ends the command with status 130, saying nothing ran, instead
    of click's bare "Aborted!" and status 1.

    :param doing: what was going on, for the message.
    """
    try:
        yield
    except KeyboardInterrupt:
        click.echo(f"\nInterrupted while {doing}: nothing ran and nothing was written.",
                   err=True)
        sys.exit(INTERRUPTED)


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While a study runs, SIGTERM (a batch scheduler's or ``kill``'s request to stop)
    stops it like Ctrl-C: what finished is kept and reported."""
    import signal

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --------------------------------------------------------------------------- compare


def resume_command(subcommand: str, scenario: Path,
                   options: Sequence[tuple[str, Any]], flags: Sequence[tuple[str, bool]]) -> str:
    """The command that continues a stopped study, as the user would type it.

    :param options: ``(option, value)`` in order; a list or tuple of values repeats
        the option, ``None`` leaves it out.
    :param flags: ``(flag, on)``; the flags that are on follow the options.
    :return: the program as it was typed (``hrdsim`` or ``python -m hrdsim``), the
        subcommand, the scenario, the options and flags, then ``--resume``.
    """
    import shlex

    from hrdsim.results import python_command

    typed = python_command()
    args = typed[:3] if typed[:3] == ["python", "-m", "hrdsim"] else ["hrdsim"]
    args += [subcommand, str(scenario)]
    for option, value in options:
        values = value if isinstance(value, list | tuple) else [] if value is None else [value]
        for item in values:
            args += [option, str(item)]
    args += [flag for flag, on in flags if on]
    return shlex.join([*args, "--resume"])


def exit_interrupted(finished: int, planned: int, kept_in: str | None,
                     again: str | None) -> NoReturn:
    """Say how much of a stopped study finished, where it is kept and how to continue
    it; exit with :data:`INTERRUPTED`.

    :param kept_in: where the finished runs are (``None``: they were not kept).
    :param again: the command that continues the study.
    """
    told = f"Interrupted: {finished} of {planned} runs finished"
    if kept_in is None:
        told += " (give --out DIR to keep finished runs and resume later)"
    else:
        told += f"; they are in {kept_in}. Continue with:\n  {again}"
    click.echo(told, err=True)
    sys.exit(INTERRUPTED)


@click.command()
@click.argument("baseline", type=SCENARIO_PATH)
@click.argument("alternatives", nargs=-1, required=True, type=SCENARIO_PATH)
@click.option("--precision", "precision", multiple=True, metavar="METRIC=HALFWIDTH",
              help="Add replications until the 95% CI half-width of METRIC's difference is "
              "below HALFWIDTH for every alternative, e.g. capability_index=0.5 (repeatable).")
@click.option("--max-replications", type=click.IntRange(min=2),
              help="Cap for --precision (default 200 paired replications).")
@study_options(
    replications="Paired replications (default: the baseline's replications).",
    seed="Seed of every scenario (default: the baseline's).",
    overrides="Override a key in every scenario, e.g. --set weeks=52 (repeatable).",
    out="Write manifest, comparison, summaries, weekly tables and paired differences to this "
    "folder.",
    as_json="Print the comparison as JSON on stdout.")
@report_options
@errors_to_messages
def compare(
    baseline: Path, alternatives: tuple[Path, ...], replications: int | None,
    precision: tuple[str, ...], max_replications: int | None, seed: int | None,
    overrides: tuple[str, ...], out: Path | None, as_json: bool, quiet: bool,
    workers: int | None, scheduler: str | None, plugin_paths: tuple[Path, ...],
    disabled: tuple[str, ...], report: bool, report_lang: str,
) -> None:
    """Compare ALTERNATIVES with BASELINE on common random numbers.

    Every scenario runs the same replications on the same seed, so each
    alternative's difference from the baseline is measured pair by pair. Prints
    what differs between the scenarios' inputs, then for each key outcome each
    alternative's difference with a 95% CI, the share of paired runs in which it
    is better, and whether the difference is distinguishable from noise.
    """
    from hrdsim.comparison import DEFAULT_MAX_REPLICATIONS, parse_precision, run_comparison
    from hrdsim.experiment import open_executor, prepare
    from hrdsim.loader import load_scenario
    from hrdsim.report.command import check_report_options

    check_report_options(report, out)
    if replications is not None and precision:
        raise UserError("give --replications or --precision, not both (with --precision the "
                        "number of replications follows from the target)")
    if max_replications is not None and not precision:
        raise UserError("--max-replications caps --precision; give a --precision target too")
    if workers is not None and scheduler is not None:
        raise UserError("give --workers or --scheduler, not both")
    targets = [parse_precision(text) for text in precision]
    cap = max_replications or DEFAULT_MAX_REPLICATIONS

    # every scenario is read and resolved before anything runs
    with stopped_while_planning("loading the scenarios"):
        base = load_scenario(baseline, overrides)
        assert base.scenario is not None
        common_seed = base.scenario.seed if seed is None else seed
        prepared = [prepare(path, overrides, {"seed": common_seed}, plugin_paths, disabled)
                    for path in (baseline, *alternatives)]
    count = replications or prepared[0].resolved.scenario.replications
    if out is not None:  # before simulating, so a bad folder does not waste the study
        from hrdsim.results import prepare_folder

        prepare_folder(out, "compare")

    show = shows_progress(quiet, as_json)
    with terminate_as_interrupt(), open_executor(workers=workers, scheduler=scheduler) as handle, \
            progress_bar(show, count * len(prepared)) as progress:
        comparison = run_comparison(
            prepared, handle, replications=count, targets=targets, max_replications=cap,
            progress=progress, on_interrupt=waiting_notice(quiet, as_json))
    if out is not None:
        from hrdsim.results import python_command

        comparison.write(out, python_command())
    print_study(comparison, as_json, out, "manifest.json, comparison.json, summary.json, "
                "summary.parquet/.csv, weekly.parquet/.csv, paired.csv", report, report_lang)
    if comparison.interrupted:
        click.echo(f"Interrupted: {comparison.runs_finished} of {comparison.runs_planned} runs "
                   "finished" + (f"; what finished is in {out}/" if out is not None else ""),
                   err=True)
        sys.exit(INTERRUPTED)


# --------------------------------------------------------------------------- sweep


@click.command()
@click.argument("scenario", type=SCENARIO_PATH)
@click.option("--grid", "grids", multiple=True, metavar="KEY=V1,V2,...",
              help="Run every combination of these values of KEY with those of the other --grid "
              "keys (a full factorial), e.g. operating_model.developers=4,6,8 (repeatable).")
@click.option("--lhs", type=click.IntRange(min=1), metavar="N",
              help="Draw N points of a Latin hypercube over the --range keys.")
@click.option("--range", "ranges", multiple=True, metavar="KEY=LO:HI",
              help="With --lhs: vary a numeric key between LO and HI, e.g. "
              "learning.params.share=0:0.2 (repeatable; whole-number keys are rounded).")
@click.option("--resume", is_flag=True,
              help="Continue the sweep in the --out folder: run only the runs not there yet.")
@click.option("--weekly", is_flag=True,
              help="Also write every run's organisation-level weekly series (weekly/ in --out).")
@click.option("--metric", "metrics", multiple=True, metavar="METRIC",
              help="An outcome for the printed table, e.g. capability_change (repeatable; "
              "default: capability index, strategic gap, throughput, wait and cost).")
@study_options(
    replications="Replications at every point (default: the scenario's replications; with "
    "--resume, the folder's).",
    seed="Seed of every point's runs and of a Latin hypercube (default: the scenario's).",
    overrides="Override a key at every point, e.g. --set weeks=52 (repeatable).",
    out="Write the runs as they finish, then manifest, sweep.json and points.csv, to this "
    "folder.",
    as_json="Print sweep.json on stdout.")
@report_options
@errors_to_messages
def sweep(
    scenario: Path, grids: tuple[str, ...], lhs: int | None, ranges: tuple[str, ...],
    replications: int | None, seed: int | None, overrides: tuple[str, ...], out: Path | None,
    as_json: bool, quiet: bool, workers: int | None, scheduler: str | None,
    plugin_paths: tuple[Path, ...], disabled: tuple[str, ...], resume: bool, weekly: bool,
    metrics: tuple[str, ...], report: bool, report_lang: str,
) -> None:
    """Run SCENARIO at every point of a design of parameter values.

    --grid lists values (every combination runs); --lhs N with --range draws
    N points of a Latin hypercube. Every point runs the same replications on
    the same seed (common random numbers), all points' first replication
    first, so a sweep cut short has covered the whole design. With --out,
    each run is written as it finishes, and --resume continues a sweep that
    was stopped. Prints each point's key outcomes (mean ± 95% CI half-width)
    and the best points for capability.
    """
    from hrdsim.design import parse_grid, parse_range
    from hrdsim.experiment import open_executor
    from hrdsim.report.command import check_report_options
    from hrdsim.results import python_command
    from hrdsim.sweep_plan import check_design_options, plan_sweep
    from hrdsim.sweep_study import run_sweep

    check_report_options(report, out)
    if workers is not None and scheduler is not None:
        raise UserError("give --workers or --scheduler, not both")
    if resume and out is None:
        raise UserError("--resume continues the sweep in a results folder: give it with --out DIR")
    grid_list = [parse_grid(text) for text in grids]
    range_list = [parse_range(text) for text in ranges]
    check_design_options(grid_list, range_list, lhs)
    _check_metrics(metrics)
    if resume and replications is None and out is not None:
        from hrdsim.results import previous_replications

        replications = previous_replications(out)
    with stopped_while_planning():
        plan = plan_sweep(scenario, grids=grid_list, ranges=range_list, lhs=lhs,
                          replications=replications, seed=seed, overrides=overrides,
                          plugin_paths=plugin_paths, disabled=disabled)
    with terminate_as_interrupt(), open_executor(workers=workers, scheduler=scheduler) as handle, \
            progress_bar(shows_progress(quiet, as_json), plan.runs_planned) as progress:
        result = run_sweep(plan, handle, out=out, resume=resume, weekly=weekly,
                           metrics=metrics or None, command=python_command(),
                           progress=progress, on_interrupt=waiting_notice(quiet, as_json))
    print_study(result, as_json, out, "manifest.json, sweep.json, points.csv, points.parquet, "
                "runs/" + (", weekly/" if weekly else ""), report, report_lang)
    if result.interrupted:
        counts = result.run_counts()
        again = None if out is None else resume_command("sweep", scenario, [
            ("--grid", grids), ("--range", ranges), ("--lhs", lhs),
            ("--replications", plan.replications), ("--seed", plan.seed), ("--set", overrides),
            ("--metric", metrics), ("--plugin", plugin_paths), ("--disable-plugin", disabled),
            ("--out", out), ("--workers", workers), ("--scheduler", scheduler),
        ], [("--weekly", weekly), ("--quiet", quiet), ("--json", as_json)])
        exit_interrupted(counts["finished"], counts["planned"],
                         None if out is None else f"{out}/", again)


def _check_metrics(metrics: Sequence[str]) -> None:
    from hrdsim.metrics import OUTCOME_BY_NAME
    from hrdsim.params import did_you_mean

    for name in metrics:
        if name not in OUTCOME_BY_NAME:
            raise UserError(f"--metric {name}: unknown outcome"
                            + did_you_mean(name, list(OUTCOME_BY_NAME))
                            + "; the outcomes are listed in docs/model.md")
