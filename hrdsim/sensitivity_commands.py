"""``hrdsim sensitivity``: which parameters move which outcomes.

It takes the options every study takes, its progress bar and its Ctrl-C
handling from :mod:`hrdsim.study_commands`. Like the rest of the command line,
this module imports only click at import time; SALib, the simulation and the
executors load when the command runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from hrdsim.cli_support import UserError, errors_to_messages
from hrdsim.study_commands import (
    INTERRUPTED,
    progress_bar,
    shows_progress,
    study_options,
    terminate_as_interrupt,
    waiting_notice,
)


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--method", default="sobol", show_default=True, metavar="sobol|morris",
              help="sobol: variance-based indices S1 and ST with confidence intervals; "
              "morris: elementary effects mu*, mu and sigma (cheaper screening).")
@click.option("--range", "ranges", multiple=True, metavar="KEY=LO:HI",
              help="Vary a numeric key uniformly between LO and HI, e.g. "
              "learning.params.share=0.02:0.1 (repeatable; at least one).")
@click.option("--samples", type=int, metavar="N",
              help="Sobol' base samples, a power of 2 (default 64; runs N·(D+2) points for D "
              "ranges), or Morris trajectories (default 10; r·(D+1) points).")
@click.option("--outcome", "outcomes", multiple=True, metavar="METRIC",
              help="Analyse this outcome, e.g. capability_index (repeatable; default: the key "
              "outcomes).")
@study_options(
    replications="Replications at every design point, at least 2 (default: the scenario's "
    "replications).",
    seed="Seed of the runs and of the design (default: the scenario's).",
    overrides="Override a scenario key at every point, e.g. --set weeks=52 (repeatable).",
    out="Write manifest, sensitivity.json, indices.csv and the runs to this folder.",
    as_json="Print the indices as JSON on stdout.")
@errors_to_messages
def sensitivity(
    scenario: Path, method: str, ranges: tuple[str, ...], samples: int | None,
    outcomes: tuple[str, ...], replications: int | None, seed: int | None,
    overrides: tuple[str, ...], out: Path | None, as_json: bool, quiet: bool,
    workers: int | None, scheduler: str | None, plugin_paths: tuple[Path, ...],
    disabled: tuple[str, ...],
) -> None:
    """Find which parameters move which outcomes of SCENARIO, and by how much.

    Varies every --range key at once over a SALib design (Sobol' or Morris,
    drawn from the seed), runs each design point's replications on common
    random numbers, and prints per outcome the parameters ranked by their
    index (ST or mu*) with 95% confidence intervals, beside the noise floor:
    the index replication noise alone would produce. A parameter that does
    not clear the floor is reported as not distinguishable from noise.
    """
    from hrdsim.experiment import open_executor
    from hrdsim.sensitivity_study import plan_study, run_study

    if workers is not None and scheduler is not None:
        raise UserError("give --workers or --scheduler, not both")
    if not ranges:
        raise UserError("give at least one --range KEY=LO:HI to vary, e.g. "
                        "--range learning.params.share=0.02:0.1 (repeatable)")
    plan = plan_study(scenario, method=method, ranges=ranges, samples=samples,
                      replications=replications, seed=seed,
                      outcomes=outcomes or None, overrides=overrides,
                      plugins=plugin_paths, disabled=disabled)
    if out is not None:  # before simulating, so a bad folder does not waste the study
        from hrdsim.results import prepare_folder

        prepare_folder(out)

    with terminate_as_interrupt(), open_executor(workers=workers, scheduler=scheduler) as handle, \
            progress_bar(shows_progress(quiet, as_json), plan.runs_planned) as progress:
        study = run_study(plan, handle, progress=progress,
                          on_interrupt=waiting_notice(quiet, as_json))
    if out is not None:
        from hrdsim.results import python_command

        study.write(out, python_command())
    if as_json:
        click.echo(json.dumps(study.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(study.report())
        if out is not None:
            click.echo(f"\nResults written to {out}/ (manifest.json, sensitivity.json, "
                       "indices.csv, runs.parquet, runs.csv)")
    if study.interrupted:
        click.echo(f"Interrupted: {study.runs_finished} of {study.runs_planned} runs finished"
                   + (f"; the finished runs are in {out}/runs.parquet and runs.csv"
                      if out is not None else " (give --out to keep them)"), err=True)
        sys.exit(INTERRUPTED)

