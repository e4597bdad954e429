"""Executors: the same study gives the same tables in this process, in local worker
processes and on a Dask cluster; a replication that raises is recorded, not fatal;
Ctrl-C shuts a pool down and keeps what finished.

Studies use a 30-person organisation for 26 weeks; the slow part is starting the
worker processes.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

import hrdsim
from hrdsim.cli import main
from hrdsim.experiment import Failure, SerialExecutor, open_executor, prepare, run_units, units_for
from tests.conftest import SCENARIOS

BASELINE = str(SCENARIOS / "baseline.toml")
OCTOPUS = str(SCENARIOS / "octopus.toml")
SMALL = ("organisation.units=2", "organisation.teams_per_unit=3", "organisation.team_size=5",
         "operating_model.developers=2", "weeks=26")

#: A local plugin whose run-start hook fails in replication 1 only.
FLAKY = '''
from hrdsim import hookimpl


@hookimpl
def hrdsim_run_start(run):
    if run.replication == 1:
        raise RuntimeError("the flaky plugin fails in replication 1")
'''


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    """A two-process Dask cluster on this machine (its workers import hrdsim from the venv)."""
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        yield client


@pytest.fixture
def flaky(tmp_path: Path) -> Path:
    path = tmp_path / "flaky.py"
    path.write_text(FLAKY, encoding="utf-8")
    return path


def study(executor: Any) -> hrdsim.Comparison:
    return hrdsim.compare(BASELINE, OCTOPUS, replications=4, overrides=SMALL, executor=executor)


def test_serial_processes_and_dask_give_identical_tables(dask_client: Any) -> None:
    """The same study on SerialExecutor, 2 local processes and a Dask LocalCluster is identical."""
    serial = study(SerialExecutor())
    with open_executor(workers=2) as pool:
        processes = study(pool.executor)
    dask = study(dask_client)
    assert serial.executor == {"kind": "serial", "workers": 1}
    assert processes.executor == {"kind": "processes", "workers": 2}
    assert dask.executor["kind"] == "dask" and dask.executor["threads"] == 2
    for other in (processes, dask):
        pd.testing.assert_frame_equal(serial.differences, other.differences)
        pd.testing.assert_frame_equal(serial.weekly, other.weekly)
        pd.testing.assert_frame_equal(serial.paired, other.paired)
    assert serial.differences.set_index("metric").loc["capability_index", "n"] == 4


def test_run_gives_the_same_numbers_on_every_executor(dask_client: Any) -> None:
    """hrdsim.run's summary and weekly table do not depend on where replications ran."""
    serial = hrdsim.run(BASELINE, replications=3, overrides=SMALL)
    with ThreadPoolExecutor(2) as pool:
        threads = hrdsim.run(BASELINE, replications=3, overrides=SMALL, executor=pool)
    dask = hrdsim.run(BASELINE, replications=3, overrides=SMALL,
                      executor=dask_client.get_executor())
    for other in (threads, dask):
        pd.testing.assert_frame_equal(serial.summary, other.summary)
        pd.testing.assert_frame_equal(serial.weekly, other.weekly)
    assert threads.executor == {"kind": "threads", "workers": 2}


def test_a_replication_that_raises_is_recorded_and_the_others_complete(flaky: Path) -> None:
    """A plugin failing in replication 1 (loaded by each worker process) fails only that run."""
    with open_executor(workers=2) as pool:
        result = hrdsim.run(BASELINE, replications=4, overrides=SMALL, plugins=[flaky],
                            executor=pool.executor)
    assert sorted(result.results) == [0, 2, 3]
    assert len(result.failures) == 1
    failure = result.failures[0]
    assert (failure.replication, failure.scenario) == (1, str(Path(BASELINE).absolute()))
    assert failure.message.startswith(
        "plugin 'flaky', hook hrdsim_run_start(): failed in replication 1 of ")
    assert "RuntimeError: the flaky plugin fails in replication 1" in failure.message
    assert result.summary.loc["capability_index", "n"] == 3


def test_the_compare_command_reports_failed_runs(runner: CliRunner, flaky: Path) -> None:
    """`hrdsim compare --plugin` with a failing replication reports it and compares the rest."""
    sets = [arg for item in SMALL for arg in ("--set", item)]
    result = runner.invoke(main, ["compare", BASELINE, OCTOPUS, *sets, "-n", "3",
                                  "--workers", "1", "--plugin", str(flaky)])
    assert result.exit_code == 0, result.output
    assert "2 of 6 finished runs failed (their pairs are left out):" in result.stdout
    assert ("Baseline: centralised HRD, replication 1: plugin 'flaky', hook "
            "hrdsim_run_start(): failed in replication 1") in result.stdout
    assert "better in 2 of 2 paired runs" in result.stdout


def test_units_of_a_study_come_back_keyed_whatever_the_order(flaky: Path) -> None:
    """run_units returns every unit's result under (key, replication), failures in unit order."""
    base = prepare(BASELINE, SMALL, {"seed": 3}, [flaky])
    alt = prepare(OCTOPUS, SMALL, {"seed": 3}, [flaky])
    units = units_for([("base", base.spec), ("alt", alt.spec)], range(3))
    assert [(u.key, u.replication) for u in units[:3]] == [("base", 0), ("alt", 0), ("base", 1)]
    with open_executor(ThreadPoolExecutor(3)) as handle:
        batch = run_units(handle, units)
    assert sorted(batch.results) == [("alt", 0), ("alt", 2), ("base", 0), ("base", 2)]
    assert [(f.key, f.replication) for f in batch.failures] == [("base", 1), ("alt", 1)]
    assert all(isinstance(f, Failure) for f in batch.failures)
    assert batch.results[("base", 0)].teams == {}  # team tables stay in the worker


def test_ctrl_c_cancels_pending_runs_and_keeps_what_finished() -> None:
    """Ctrl-C during a pooled run cancels what has not started and returns what finished."""
    seen = []

    def interrupt_after_two(done: int, total: int) -> None:
        seen.append((done, total))
        if done == 2:
            raise KeyboardInterrupt

    with pytest.warns(UserWarning, match=r"interrupted: \d+ of 12 replications finished"):
        result = hrdsim.run(BASELINE, replications=12, overrides=SMALL, workers=2,
                            progress=interrupt_after_two)
    assert result.interrupted
    assert 2 <= len(result.results) < 12
    assert seen[:2] == [(1, 12), (2, 12)]
    assert len(result.weekly) == 26 * len(result.results)


def test_a_worker_loads_plugins_once_for_every_variant_of_a_study(monkeypatch: Any) -> None:
    """Variants that differ only in values (a sweep's points, more of them than the
    worker keeps loaded) share one plugin manager: loading plugins is the costly part
    of loading a variant, and repeating it per run would slow every large sweep."""
    import hrdsim.experiment as experiment
    import hrdsim.plugins as plugins

    made = []
    real = plugins.make_plugin_manager

    def counting(*args: Any, **kwargs: Any) -> Any:
        made.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(plugins, "make_plugin_manager", counting)
    monkeypatch.setattr(experiment, "_PLUGINS", {})
    monkeypatch.setattr(experiment, "_LOADED", type(experiment._LOADED)())
    variants = [prepare(SCENARIOS / "baseline.toml", [f"learning.params.share={i / 1000}"])
                for i in range(experiment._LOADED_MAX + 8)]
    made.clear()  # prepare() loads plugins in this process for its own checks
    loaded = [experiment._load(v.spec) for v in variants]
    assert len(made) == 1
    assert [r.scenario.learning.params["share"] for r, _ in loaded] == \
        [i / 1000 for i in range(experiment._LOADED_MAX + 8)]
    monkeypatch.setenv("HRDSIM_DISABLE_PLUGINS", "dialogue")  # another plugin set: loads anew
    experiment._LOADED.clear()
    experiment._load(variants[0].spec)
    assert len(made) == 2
