"""``hrdsim sensitivity``: which parameters move which outcomes.

It takes the options every study takes, its progress bar and its Ctrl-C
handling from :mod:`hrdsim.study_commands`. Like the rest of the command line,
this module imports only click at import time; SALib, the simulation and the
executors load when the command runs.
"""

from __future__ import annotations

from pathlib import Path

import click

from hrdsim.cli_support import SCENARIO_PATH, UserError, errors_to_messages
from hrdsim.report.command import report_options
from hrdsim.study_commands import (
    exit_interrupted,
    print_study,
    progress_bar,
    resume_command,
    shows_progress,
    stopped_while_planning,
    study_options,
    terminate_as_interrupt,
    waiting_notice,
)


@click.command()
@click.argument("scenario", type=SCENARIO_PATH)
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
@click.option("--resume", is_flag=True,
              help="Continue the stopped study in the --out folder: run only the runs not "
              "there yet.")
@study_options(
    replications="Replications at every design point, at least 2 (default: the scenario's "
    "replications; with --resume, the folder's).",
    seed="Seed of the runs and of the design (default: the scenario's).",
    overrides="Override a scenario key at every point, e.g. --set weeks=52 (repeatable).",
    out="Write manifest, sensitivity.json, indices.csv and the runs to this folder.",
    as_json="Print the indices as JSON on stdout.")
@report_options
@errors_to_messages
def sensitivity(
    scenario: Path, method: str, ranges: tuple[str, ...], samples: int | None,
    outcomes: tuple[str, ...], replications: int | None, seed: int | None,
    overrides: tuple[str, ...], out: Path | None, as_json: bool, quiet: bool,
    workers: int | None, scheduler: str | None, plugin_paths: tuple[Path, ...],
    disabled: tuple[str, ...], resume: bool, report: bool, report_lang: str,
) -> None:
    """Find which parameters move which outcomes of SCENARIO, and by how much.

    Varies every --range key at once over a SALib design (Sobol' or Morris,
    drawn from the seed), runs each design point's replications on common
    random numbers, and prints per outcome the parameters ranked by their
    index (ST or mu*) with 95% confidence intervals, beside the noise floor:
    the index replication noise alone would produce. A parameter whose
    interval does not clear the floor is reported as within noise, or as
    uncertain when its estimate is above the floor but more samples are
    needed to tell. With --out and --report, the HTML report (a tornado chart
    per outcome), its charts and tables are built in the folder once the
    results are written.
    """
    from hrdsim.experiment import open_executor
    from hrdsim.report.command import check_report_options
    from hrdsim.sensitivity_folder import finished_runs, previous_replications
    from hrdsim.sensitivity_study import plan_study, run_study

    check_report_options(report, out)
    if workers is not None and scheduler is not None:
        raise UserError("give --workers or --scheduler, not both")
    if not ranges:
        raise UserError("give at least one --range KEY=LO:HI to vary, e.g. "
                        "--range learning.params.share=0.02:0.1 (repeatable)")
    if resume and out is None:
        raise UserError("--resume continues the study in a results folder: give it with "
                        "--out DIR")
    if resume and replications is None and out is not None:
        replications = previous_replications(out)
    with stopped_while_planning():
        plan = plan_study(scenario, method=method, ranges=ranges, samples=samples,
                          replications=replications, seed=seed,
                          outcomes=outcomes or None, overrides=overrides,
                          plugins=plugin_paths, disabled=disabled)
    done: dict[tuple[int, int], dict[str, float]] = {}
    if out is not None:  # before simulating, so a bad folder does not waste the study
        from hrdsim.results import prepare_folder

        if resume:
            done = finished_runs(out, plan)
        prepare_folder(out, "sensitivity")

    with terminate_as_interrupt(), open_executor(workers=workers, scheduler=scheduler) as handle, \
            progress_bar(shows_progress(quiet, as_json), plan.runs_planned - len(done)) \
            as progress:
        study = run_study(plan, handle, progress=progress,
                          on_interrupt=waiting_notice(quiet, as_json), done=done)
    if out is not None:
        from hrdsim.results import python_command

        study.write(out, python_command())
    print_study(study, as_json, out, "manifest.json, sensitivity.json, indices.csv, "
                "runs.parquet, runs.csv", report, report_lang)
    if study.interrupted:
        again = None if out is None else resume_command("sensitivity", scenario, [
            ("--method", plan.design.method), ("--range", ranges),
            ("--samples", plan.design.samples), ("--replications", plan.replications),
            ("--seed", plan.seed), ("--outcome", outcomes), ("--set", overrides),
            ("--plugin", plugin_paths), ("--disable-plugin", disabled), ("--out", out),
            ("--workers", workers), ("--scheduler", scheduler),
        ], [("--quiet", quiet), ("--json", as_json)])
        exit_interrupted(study.runs_finished, study.runs_planned,
                         None if out is None else f"{out}/runs.parquet", again)
