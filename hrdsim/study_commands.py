"""Commands that run studies of several scenarios: ``hrdsim compare``.

Like the rest of the command line, this module imports only click at import
time; the simulation, the executors and pandas load when a command runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from hrdsim.cli_support import UserError, errors_to_messages, plugin_options

#: Exit code after Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130


@click.command()
@click.argument("baseline", type=click.Path(path_type=Path))
@click.argument("alternatives", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--replications", "-n", type=click.IntRange(min=1),
              help="Paired replications (default: the baseline's replications).")
@click.option("--precision", "precision", multiple=True, metavar="METRIC=HALFWIDTH",
              help="Add replications until the 95% CI half-width of METRIC's difference is "
              "below HALFWIDTH for every alternative, e.g. capability_index=0.5 (repeatable).")
@click.option("--max-replications", type=click.IntRange(min=2),
              help="Cap for --precision (default 200 paired replications).")
@click.option("--seed", type=click.IntRange(min=0),
              help="Seed of every scenario (default: the baseline's).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a key in every scenario, e.g. --set weeks=52 (repeatable).")
@click.option("--out", "-o", type=click.Path(path_type=Path),
              help="Write manifest, comparison, summaries, weekly tables and paired "
              "differences to this folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--workers", type=click.IntRange(min=1),
              help="Local worker processes (default: one per core; 1 runs in this process).")
@click.option("--scheduler", metavar="tcp://HOST:PORT",
              help="Run on the Dask cluster whose scheduler is at this address (its workers "
              "need hrdsim, and the scenario files at the same paths).")
@plugin_options
@errors_to_messages
def compare(
    baseline: Path, alternatives: tuple[Path, ...], replications: int | None,
    precision: tuple[str, ...], max_replications: int | None, seed: int | None,
    overrides: tuple[str, ...], out: Path | None, as_json: bool, quiet: bool,
    workers: int | None, scheduler: str | None, plugin_paths: tuple[Path, ...],
    disabled: tuple[str, ...],
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
    base = load_scenario(baseline, overrides)
    assert base.scenario is not None
    common_seed = base.scenario.seed if seed is None else seed
    prepared = [prepare(path, overrides, {"seed": common_seed}, plugin_paths, disabled)
                for path in (baseline, *alternatives)]
    count = replications or prepared[0].resolved.scenario.replications
    if out is not None:  # before simulating, so a bad folder does not waste the study
        from hrdsim.results import prepare_folder

        prepare_folder(out)

    import hrdsim.cli

    show_bar = not quiet and not as_json and hrdsim.cli._stderr_is_terminal()
    with open_executor(workers=workers, scheduler=scheduler) as handle:
        if show_bar:
            with click.progressbar(length=count * len(prepared), label="Simulating",
                                   file=sys.stderr, show_pos=True, show_eta=True) as bar:
                comparison = run_comparison(
                    prepared, handle, replications=count, targets=targets,
                    max_replications=cap, progress=_follow(bar),
                    on_interrupt=_say_waiting)
        else:
            comparison = run_comparison(
                prepared, handle, replications=count, targets=targets, max_replications=cap,
                on_interrupt=None if quiet or as_json else _say_waiting)
    if out is not None:
        from hrdsim.results import python_command

        comparison.write(out, python_command())
    if as_json:
        click.echo(json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(comparison.report())
        if out is not None:
            click.echo(f"\nResults written to {out}/ (manifest.json, comparison.json, "
                       "summary.json, summary.parquet/.csv, weekly.parquet/.csv, paired.csv)")
    if comparison.interrupted:
        click.echo(f"Interrupted: {comparison.runs_finished} of {comparison.runs_planned} runs "
                   "finished" + (f"; what finished is in {out}/" if out is not None else ""),
                   err=True)
        sys.exit(INTERRUPTED)


def _follow(bar: Any) -> Any:
    """A progress callback that keeps a click progress bar's total and position."""

    def update(done: int, total: int) -> None:
        bar.length = total
        if done > bar.pos:
            bar.update(done - bar.pos)
        else:
            bar.render_progress()

    return update


def _say_waiting(running: int) -> None:
    click.echo(f"\nStopping: waiting for the {running} running replications to finish "
               "(Ctrl-C again to abandon them)...", err=True)
