"""`hrdsim run`: the outcome table, --json, the options that change the run, the
progress bar, and a failing plugin reported by name.

Every run uses a 30-person organisation for 26 weeks, so each takes well under a second.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import hrdsim.cli
import hrdsim.plugins
from hrdsim.cli import main
from hrdsim.metrics import OUTCOMES
from tests.conftest import SCENARIOS, TINY, failed_cleanly, strict_json

BASELINE = str(SCENARIOS / "baseline.toml")


KEY_OUTCOMES = [o for o in OUTCOMES if o.key]


def run(runner: CliRunner, *args: str, scenario: str = BASELINE) -> Result:
    """Invoke `hrdsim run` on a tiny organisation and check it succeeded."""
    result = runner.invoke(main, ["run", scenario, *TINY, *args])
    assert result.exit_code == 0, result.output
    assert result.exception is None
    return result


# ---------------------------------------------------------------- the table


def test_run_prints_a_table_of_key_outcomes_with_confidence_intervals(runner: CliRunner) -> None:
    """The table names the scenario and its size and gives mean and 95% CI of each key outcome."""
    out = run(runner).output
    lines = out.splitlines()
    assert re.match(r"Baseline: centralised HRD - 30 people, 26 weeks, 2 replications, "
                    r"seed 20261129 \(\d+\.\d s\)$", lines[0]), lines[0]
    assert lines[1] == ("learning: fixed_share, operating model: centralised, "
                        "facilitation: near_team")
    assert re.match(r"Outcome\s+Mean\s+95% CI\s+Unit$", lines[3]), lines[3]
    for outcome in KEY_OUTCOMES:
        row = next((line for line in lines if line.startswith(outcome.label)), None)
        assert row is not None, f"{outcome.label} missing from\n{out}"
        assert row.rstrip().endswith(outcome.unit)
    capability = re.search(r"Capability index \(end\)\s+([-\d.]+)\s+([-\d.]+) … ([-\d.]+)", out)
    assert capability is not None, out
    mean, low, high = map(float, capability.groups())
    assert low <= mean <= high
    assert "Traceback" not in out


# ---------------------------------------------------------------- --json


def test_json_prints_the_summary_as_parseable_json_only(runner: CliRunner) -> None:
    """--json prints nothing but a JSON summary with mean and CI for every key outcome."""
    result = run(runner, "--json")
    summary = strict_json(result.stdout)
    assert summary["scenario"] == "Baseline: centralised HRD"
    assert (summary["replications"], summary["weeks"], summary["seed"]) == (2, 26, 20261129)
    for outcome in KEY_OUTCOMES:
        estimate = summary["outcomes"][outcome.name]
        assert {"mean", "ci_low", "ci_high"} <= set(estimate)
        assert estimate["ci_low"] <= estimate["mean"] <= estimate["ci_high"]
        assert estimate["unit"] == outcome.unit
    assert len(summary["per_replication"]) == 2
    assert "Outcome" not in result.stdout  # no table mixed in


@pytest.mark.parametrize(
    ("args", "nulls"),
    [
        pytest.param(("--replications", "1"), ("ci_low", "ci_high"),
                     id="one-replication-has-no-interval"),
        pytest.param(("--set", "operating_model.developers=0"), ("mean",),
                     id="no-developers-no-wait"),
    ],
)
def test_json_writes_undefined_numbers_as_null(runner: CliRunner, args: tuple[str, ...],
                                               nulls: tuple[str, ...]) -> None:
    """NaN (no CI from one replication; no wait without developers) becomes null, never NaN."""
    result = run(runner, "--json", *args)
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout
    summary = strict_json(result.stdout)
    nulled = [name for name, est in summary["outcomes"].items()
              if all(est[field] is None for field in nulls)]
    assert nulled, f"expected some outcome with {nulls} null"
    if "mean" in nulls:
        assert "facilitation_wait_days" in nulled
        assert all(r["facilitation_wait_days"] is None for r in summary["per_replication"])
    else:
        assert set(nulled) == set(summary["outcomes"])


# ---------------------------------------------------------------- options


def test_replications_option_changes_how_many_replications_run(runner: CliRunner) -> None:
    """--replications 3 runs three replications, each with its own outcomes."""
    summary = strict_json(run(runner, "--json", "--replications", "3").stdout)
    assert summary["replications"] == 3
    assert len(summary["per_replication"]) == 3
    assert summary["outcomes"]["capability_index"]["n"] == 3
    values = {r["capability_index"] for r in summary["per_replication"]}
    assert len(values) == 3  # independent replications, not copies


def test_seed_option_changes_the_random_numbers_and_repeats_exactly(runner: CliRunner) -> None:
    """--seed is recorded; the same seed repeats a run exactly and another seed does not."""
    first = strict_json(run(runner, "--json", "--seed", "7").stdout)
    again = strict_json(run(runner, "--json", "--seed", "7").stdout)
    other = strict_json(run(runner, "--json", "--seed", "8").stdout)
    assert first["seed"] == 7 and other["seed"] == 8
    assert first["per_replication"] == again["per_replication"]
    assert first["per_replication"] != other["per_replication"]


def test_weeks_option_changes_the_horizon(runner: CliRunner, tmp_path: Path) -> None:
    """--weeks 13 simulates 13 weeks: the summary says so and the weekly table has 13 rows a run."""
    import pyarrow.csv as pacsv

    summary = strict_json(run(runner, "--json", "--weeks", "13", "--out", str(tmp_path)).stdout)
    assert summary["weeks"] == 13
    weekly = pacsv.read_csv(tmp_path / "weekly.csv")
    assert weekly.num_rows == 2 * 13
    assert max(weekly.column("week").to_pylist()) == 12


def test_run_options_win_over_set(runner: CliRunner) -> None:
    """--weeks/--seed/--replications override the same keys given with --set."""
    summary = strict_json(run(runner, "--set", "weeks=52", "--set", "seed=3", "--set",
                              "replications=5", "--weeks", "13", "--seed", "4",
                              "--replications", "2", "--json").stdout)
    assert (summary["weeks"], summary["seed"], summary["replications"]) == (13, 4, 2)


def test_set_changes_what_runs(runner: CliRunner) -> None:
    """--set learning.policy=protected with a share runs the protected policy with that share."""
    result = run(runner, "--set", "learning.policy=protected",
                 "--set", "learning.params.share=0.2", "--set", "learning.params.floor=0.2")
    assert "learning: protected" in result.output
    planned = re.search(r"Learning planned\s+([\d.]+)", result.output)
    assert planned is not None
    assert float(planned.group(1)) == pytest.approx(0.2 * 37.5, abs=0.005)  # per FTE


# ---------------------------------------------------------------- progress bar


@pytest.mark.parametrize(
    ("terminal", "flags", "shown"),
    [
        pytest.param(False, (), False, id="not-a-terminal"),
        pytest.param(True, (), True, id="terminal"),
        pytest.param(True, ("--quiet",), False, id="terminal-quiet"),
        pytest.param(True, ("-q",), False, id="terminal-q"),
        pytest.param(True, ("--json",), False, id="terminal-json"),
    ],
)
def test_progress_bar_only_on_a_terminal_without_quiet(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, terminal: bool,
    flags: tuple[str, ...], shown: bool,
) -> None:
    """The progress bar appears only when stderr is a terminal and neither --quiet nor --json."""
    monkeypatch.setattr(hrdsim.cli, "_stderr_is_terminal", lambda: terminal)
    result = run(runner, *flags)
    assert ("Simulating" in result.stderr) is shown, result.stderr
    assert "Simulating" not in result.stdout


# ---------------------------------------------------------------- a failing plugin

#: A third-party plugin whose policies fail on purpose, as its own module.
FAILING_PLUGIN = '''
from hrdsim import Mix, SessionPlan, hookimpl

FAIL_IN = set()


class Exploding:
    mix = Mix(0.7, 0.2, 0.1)

    def plan(self, state):
        if "plan" in FAIL_IN:
            raise ZeroDivisionError("no hours to plan with")
        return 0.05 * state.team_hours

    def realise(self, planned, state):
        if "realise" in FAIL_IN:
            raise KeyError("team")
        return planned


class Misfacilitating:
    def sessions(self, state, rng):
        raise ValueError("cannot schedule sessions")


def _exploding(params, scenario):
    if "factory" in FAIL_IN:
        raise RuntimeError("could not start")
    return Exploding()


def _misfacilitating(params, scenario):
    return Misfacilitating()


@hookimpl
def hrdsim_register_policies(registry):
    registry.add("learning", "exploding", _exploding, summary="Fails on purpose.")
    registry.add("facilitation", "misfacilitating", _misfacilitating,
                 summary="Fails on purpose.")
'''


@pytest.fixture
def failing_plugin(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """Load FAILING_PLUGIN as module ``hrdsim_test_failing``, registered as plugin 'exploder'."""
    module = types.ModuleType("hrdsim_test_failing")
    exec(compile(FAILING_PLUGIN, "<hrdsim_test_failing>", "exec"), module.__dict__)
    real: Callable[..., Any] = hrdsim.plugins.make_plugin_manager

    def with_plugin(*args: Any, **kwargs: Any) -> Any:
        extra = [*kwargs.pop("extra", ()), ("exploder", module)]
        return real(*args, extra=extra, **kwargs)

    monkeypatch.setattr(hrdsim.plugins, "make_plugin_manager", with_plugin)
    return module


@pytest.mark.parametrize(
    ("policy", "fail_in", "error"),
    [
        pytest.param("learning.policy=exploding", "plan",
                     "ZeroDivisionError: no hours to plan with", id="learning-plan"),
        pytest.param("learning.policy=exploding", "realise", "KeyError: 'team'",
                     id="learning-realise"),
        pytest.param("learning.policy=exploding", "factory", "RuntimeError: could not start",
                     id="learning-factory"),
        pytest.param("facilitation.policy=misfacilitating", "", "ValueError: cannot schedule",
                     id="facilitation-sessions"),
    ],
)
def test_an_exception_in_a_plugin_policy_names_the_plugin(
    runner: CliRunner, failing_plugin: types.ModuleType, policy: str, fail_in: str,
    error: str,
) -> None:
    """A policy that raises during a run is reported by plugin name, exit 2, no traceback."""
    setattr(failing_plugin, "FAIL_IN", {fail_in})  # noqa: B010 - a module made at run time
    result = runner.invoke(main, ["run", BASELINE, *TINY, "--set", policy])
    message = failed_cleanly(result)
    assert re.match(r"plugin 'exploder', policy [\w<>]+\(\): failed in replication 0 of ",
                    message), message
    if fail_in in ("plan", "realise", "sessions"):  # the method hrdsim called is named
        assert f"policy {fail_in}(): " in message
    assert error in message
    assert "a fault in the plugin, not in the scenario" in message


def test_a_plugin_failing_to_register_is_named(runner: CliRunner,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A plugin whose registration hook raises is named, with the scenario it was loaded for."""
    broken = types.ModuleType("hrdsim_test_broken")
    exec("from hrdsim import hookimpl\n@hookimpl\ndef hrdsim_register_policies(registry):\n"
         "    raise ImportError('needs a missing package')\n", broken.__dict__)
    real = hrdsim.plugins.make_plugin_manager
    monkeypatch.setattr(hrdsim.plugins, "make_plugin_manager",
                        lambda **kw: real(extra=[("broken", broken)], **kw))
    message = failed_cleanly(runner.invoke(main, ["run", BASELINE, *TINY]))
    assert message.startswith("plugin 'broken', hrdsim_register_policies: ")
    assert "needs a missing package" in message
    assert f"while loading plugins for {BASELINE}" in message


# ---------------------------------------------------------------- stopping a run


def _stop_replication(monkeypatch: pytest.MonkeyPatch, number: int) -> None:
    """Make replication ``number`` (from 0) raise KeyboardInterrupt, as Ctrl-C would."""
    import hrdsim.engine

    real = hrdsim.engine.Simulation.run

    def run(self: hrdsim.engine.Simulation) -> Any:
        if self.replication == number:
            raise KeyboardInterrupt
        return real(self)

    monkeypatch.setattr(hrdsim.engine.Simulation, "run", run)


def test_ctrl_c_keeps_the_finished_replications_and_exits_130(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    """Ctrl-C in replication 3 of 5 writes the 3 that finished to --out (summary over
    them, weekly tables, a manifest saying 3 of 5) and exits 130 without a traceback."""
    import json

    import pandas as pd

    _stop_replication(monkeypatch, 3)
    out = tmp_path / "stopped"
    result = runner.invoke(main, ["run", BASELINE, *TINY, "-n", "5", "--out", str(out)])
    assert result.exit_code == 130, result.output
    assert "Traceback" not in result.output and "Aborted" not in result.output
    assert (f"Interrupted: 3 of 5 replications finished; their summary and weekly tables "
            f"are written to {out}/.") in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["replications"], manifest["replications_finished"]) == (5, 3)
    summary = json.loads((out / "summary.json").read_text())
    assert len(summary["per_replication"]) == 3
    weekly = pd.read_csv(out / "weekly.csv")
    assert sorted(weekly["replication"].unique()) == [0, 1, 2] and len(weekly) == 3 * 26
    # the same three replications as an uninterrupted run of three
    monkeypatch.undo()
    whole = tmp_path / "three"
    run(runner, "-n", "3", "--out", str(whole))
    assert json.loads((whole / "summary.json").read_text())["outcomes"] == summary["outcomes"]


@pytest.mark.parametrize(("stop_at", "says"), [
    (0, "Interrupted: 0 of 2 replications finished; nothing was written."),
    (1, "Interrupted: 1 of 2 replications finished; nothing was written (give --out DIR "
        "to keep what finishes)."),
])
def test_ctrl_c_without_out_says_what_was_lost(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, stop_at: int, says: str,
) -> None:
    _stop_replication(monkeypatch, stop_at)
    result = runner.invoke(main, ["run", BASELINE, *TINY])
    assert result.exit_code == 130, result.output
    assert result.output.strip().splitlines()[-1] == says


def test_ctrl_c_while_loading_says_nothing_ran(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(hrdsim.cli, "_load", interrupted)
    result = runner.invoke(main, ["run", BASELINE, *TINY])
    assert result.exit_code == 130, result.output
    assert ("Interrupted while loading the scenario: nothing ran and nothing was written."
            in result.output)
    assert "Aborted" not in result.output


def test_sigterm_stops_a_real_run_and_keeps_what_finished(tmp_path: Path) -> None:
    """A batch scheduler's SIGTERM to a real `python -m hrdsim run` process: exit 130, and
    the replications that finished are in --out with a manifest that counts them."""
    import json
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "killed"
    command = [sys.executable, "-m", "hrdsim", "run", BASELINE, "-n", "500", "--weeks", "52",
               "--out", str(out), "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    time.sleep(4.0)  # imports, then some replications of 1,000 people × 52 weeks
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    finished = int(re.search(r"Interrupted: (\d+) of 500 replications", stderr).group(1))  # type: ignore[union-attr]
    assert 0 < finished < 500, stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replications_finished"] == finished
    assert len(json.loads((out / "summary.json").read_text())["per_replication"]) == finished


def test_a_folder_holding_another_studys_results_is_refused(
    runner: CliRunner, tmp_path: Path,
) -> None:
    """`--out` into a folder with a comparison's results refuses before running (one line,
    exit 2, the comparison untouched); the same command's folder is simply replaced."""
    import json

    weeks = TINY.index("--weeks")  # compare sets the horizon with --set
    tiny = [*TINY[:weeks], "--set", f"weeks={TINY[weeks + 1]}", *TINY[weeks + 2:]]
    out = tmp_path / "results"
    compared = runner.invoke(main, ["compare", BASELINE, BASELINE, *tiny, "--workers", "1",
                                    "--out", str(out), "--quiet"])
    assert compared.exit_code == 0, compared.output
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    message = failed_cleanly(runner.invoke(main, ["run", BASELINE, *TINY, "--out", str(out)]))
    assert message == (f"{out} already holds the results of a comparison; write a run to "
                       "another folder (--out), or empty that one first")
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    # and the other way round
    alone = tmp_path / "run"
    run(runner, "--out", str(alone))
    message = failed_cleanly(runner.invoke(main, ["compare", BASELINE, BASELINE, *tiny,
                                                  "--workers", "1", "--out", str(alone)]))
    assert message.startswith(f"{alone} already holds the results of a run; write a "
                              "comparison to another folder")
    # running the same command again replaces its results
    run(runner, "-n", "3", "--out", str(alone))
    assert json.loads((alone / "manifest.json").read_text())["replications_finished"] == 3
