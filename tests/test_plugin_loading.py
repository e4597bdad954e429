"""Local plugins load only when named; broken ones are reported by name; the scaffold works."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from hrdsim import PluginError
from hrdsim.cli import main
from hrdsim.plugins import make_plugin_manager
from hrdsim.testing import run_scenario, write_tiny_scenario

POLICY = textwrap.dedent('''
    """A local test policy: a fixed number of learning hours per person."""
    import attrs
    from hrdsim import MixParams, hookimpl, setting

    {header}

    @attrs.frozen
    class Params(MixParams):
        hours: float = setting(2.0, ge=0, le=40, unit="hours/week", doc="Hours per person.",
                               source="test")

    class Flat:
        def __init__(self, params, scenario):
            self.params, self.mix = params, params.mix
            self.size = scenario.organisation.team_size
        def plan(self, state):
            return self.params.hours * self.size + 0 * state.team_hours
        def realise(self, planned, state):
            return planned

    @hookimpl
    def hrdsim_register_policies(registry):
        registry.add("learning", "flat_hours", Flat, params=Params, summary="Flat hours.")
''')


def write_plugin(folder: Path, name: str = "flat.py", header: str = "") -> Path:
    path = folder / name
    path.write_text(POLICY.format(header=header), encoding="utf-8")
    return path


def test_a_named_plugin_file_contributes_a_policy_a_scenario_can_choose(tmp_path: Path) -> None:
    """--plugin PATH loads a file whose policy then runs: 2 h/person/week is realised."""
    plugin = write_plugin(tmp_path)
    scenario = write_tiny_scenario(tmp_path)
    results = run_scenario(scenario, "learning.policy=flat_hours", "work.fires_per_team_week=0",
                           paths=[plugin])
    hours = results.summary["learning_realised_per_fte"].mean
    # 2 h per person per week, per FTE of 37.5 h (10% of people work 22.5 h)
    assert 2.0 <= hours <= 2.0 / 0.9 + 0.01


def test_scenario_plugin_paths_are_relative_to_the_scenario_file(tmp_path: Path,
                                                                 monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """[plugins] paths in a scenario load relative to that file, not the working folder."""
    (tmp_path / "local").mkdir()
    write_plugin(tmp_path / "local")
    scenario = write_tiny_scenario(tmp_path)
    scenario.write_text(scenario.read_text() + '\n[plugins]\npaths = ["local/flat.py"]\n')
    monkeypatch.chdir("/")
    results = run_scenario(scenario, "learning.policy=flat_hours")
    assert results.resolved.policies["learning"].entry.plugin == "flat"


def test_a_scenario_naming_a_policy_does_not_import_anything(tmp_path: Path) -> None:
    """Naming an unknown policy never imports a module of that name: it is just unknown."""
    scenario = write_tiny_scenario(tmp_path)
    result = CliRunner().invoke(main, ["validate", str(scenario),
                                       "--set", "learning.policy=os.system"])
    assert result.exit_code == 2
    assert "unknown learning policy 'os.system'" in result.output


def test_a_plugin_folder_of_files_loads_each_file(tmp_path: Path) -> None:
    """A folder without __init__.py holds one plugin per .py file."""
    folder = tmp_path / "mine"
    folder.mkdir()
    write_plugin(folder, "flat.py")
    pm = make_plugin_manager(paths=[folder])
    assert pm.has_plugin("flat")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("import no_such_package_anywhere\n", "plugin 'broken': could not be imported from"),
        ("from hrdsim import hookimpl\n@hookimpl\ndef hrdsim_register_policy(registry):\n"
         "    pass\n", "plugin 'broken'"),
        ("from hrdsim import hookimpl\n@hookimpl\ndef hrdsim_register_policies(registry):\n"
         "    raise RuntimeError('boom')\n", "plugin 'broken', hrdsim_register_policies"),
        ('HRDSIM_HOOK_API = "1.9"\n', "needs hrdsim hook API 1.9, but this hrdsim provides 1.0"),
        ('HRDSIM_HOOK_API = "0.3"\n', "written for an older, incompatible API"),
    ],
    ids=["import-error", "unknown-hook", "hook-raises", "newer-api", "older-api"],
)
def test_a_broken_local_plugin_is_named_with_the_scenario(
    tmp_path: Path, content: str, expected: str
) -> None:
    """Import errors, unknown hooks, raising hooks and API mismatches: one line, exit 2."""
    (tmp_path / "broken.py").write_text(content, encoding="utf-8")
    scenario = write_tiny_scenario(tmp_path)
    result = CliRunner().invoke(main, ["run", str(scenario), "--plugin",
                                       str(tmp_path / "broken.py")])
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert f"while loading plugins for {scenario}" in result.output
    assert "Traceback" not in result.output


def test_a_missing_plugin_path_is_reported() -> None:
    """A --plugin path that does not exist is named."""
    with pytest.raises(PluginError, match="no such plugin file or folder"):
        make_plugin_manager(paths=["/nonexistent/plugin.py"])


def test_disable_plugin_blocks_it_and_its_policies_become_unknown(tmp_path: Path) -> None:
    """--disable-plugin NAME removes that plugin's policies."""
    scenario = write_tiny_scenario(tmp_path)
    result = CliRunner().invoke(main, ["validate", str(scenario), "--disable-plugin",
                                       "learning_time"])
    assert result.exit_code == 2
    assert "unknown learning policy 'fixed_share'" in result.output


def test_plugins_json_lists_distribution_version_hooks_and_policies(tmp_path: Path) -> None:
    """`hrdsim plugins --json` shows every plugin with what it implements and contributes."""
    plugin = write_plugin(tmp_path)
    result = CliRunner().invoke(main, ["plugins", "--json", "--plugin", str(plugin)])
    assert result.exit_code == 0, result.output
    listing = {item["name"]: item for item in json.loads(result.output)}
    assert listing["learning_time"]["distribution"] == "hrdsim"
    assert listing["learning_time"]["hooks"] == ["hrdsim_register_policies"]
    assert {p["name"] for p in listing["operating_models"]["policies"]} == {
        "centralised", "octopus", "hybrid"}
    assert listing["flat"]["distribution"] == "(local file)"
    assert listing["flat"]["policies"] == [
        {"kind": "learning", "name": "flat_hours", "summary": "Flat hours."}]


def test_plugins_text_lines_up_every_policy_summary() -> None:
    """`hrdsim plugins` prints every policy's kind, name and summary in columns: all the
    summaries start at the same place, however long a policy's name."""
    result = CliRunner().invoke(main, ["plugins"])
    assert result.exit_code == 0, result.output
    listing = {item["name"]: item for item in
               json.loads(CliRunner().invoke(main, ["plugins", "--json"]).output)}
    starts = set()
    for item in listing.values():
        for policy in item["policies"]:
            (line,) = [line for line in result.output.splitlines()
                       if line.split()[:2] == [policy["kind"], policy["name"]]]
            starts.add(line.index(policy["summary"]))
    assert len(starts) == 1, starts
    longest = max(len(p["name"]) for item in listing.values() for p in item["policies"])
    assert longest >= 16  # the shipped research plugins have long names


def test_plugins_show_lists_parameters_with_defaults_units_and_sources() -> None:
    """`hrdsim plugins show protected` shows each parameter's default, unit and source."""
    result = CliRunner().invoke(main, ["plugins", "show", "protected", "--json"])
    assert result.exit_code == 0, result.output
    (policy,) = json.loads(result.output)
    params = {p["name"]: p for p in policy["parameters"]}
    assert params["floor"]["default"] == 0.1
    assert params["floor"]["unit"] == "share of hours"
    assert params["on_the_job"]["source"].startswith("70-20-10")
    text = CliRunner().invoke(main, ["plugins", "show", "octopus"]).output
    assert "detection_weeks = 1.0 weeks" in text


def test_plugins_show_an_unknown_policy_suggests_one() -> None:
    """A misspelt policy name gets a suggestion and exit code 2."""
    result = CliRunner().invoke(main, ["plugins", "show", "octopuss"])
    assert result.exit_code == 2
    assert "did you mean 'octopus'" in result.output


def test_new_plugin_scaffold_is_a_complete_package_whose_policy_runs(tmp_path: Path) -> None:
    """The scaffold has an entry point, a policy, a scenario and tests; its policy runs."""
    result = CliRunner().invoke(main, ["new-plugin", "coaching_circles", str(tmp_path)])
    assert result.exit_code == 0, result.output
    root = tmp_path / "hrdsim-coaching_circles"
    pyproject = (root / "pyproject.toml").read_text()
    assert 'name = "hrdsim-coaching_circles"' in pyproject
    assert 'coaching_circles = "hrdsim_coaching_circles"' in pyproject
    module = root / "src" / "hrdsim_coaching_circles"
    assert len((module / "__init__.py").read_text().splitlines()) <= 60
    results = run_scenario(root / "scenarios" / "coaching_circles.toml", paths=[module])
    assert results.resolved.policies["learning"].entry.name == "coaching_circles"
    assert results.summary["learning_realised_per_fte"].mean > 0
    again = CliRunner().invoke(main, ["new-plugin", "coaching_circles", str(tmp_path)])
    assert again.exit_code == 2 and "already exists" in again.output
    bad = CliRunner().invoke(main, ["new-plugin", "Coaching-Circles", str(tmp_path)])
    assert bad.exit_code == 2 and "lower-case" in bad.output


BAD_POLICY = textwrap.dedent('''
    import numpy as np
    from hrdsim import MixParams, hookimpl

    class Bad:
        def __init__(self, params, scenario):
            self.mix = params.mix
        def plan(self, state):
            return 0.05 * state.team_hours
        def realise(self, planned, state):
            return {result}

    @hookimpl
    def hrdsim_register_policies(registry):
        registry.add("learning", "bad", Bad, params=MixParams)
''')


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ("planned * np.nan", "not a finite number"),
        ("-planned", "negative hours"),
        ("planned[:3]", "returned shape (3,); expected one value per team"),
        ("planned * 2", "more hours than were planned"),
    ],
    ids=["nan", "negative", "shape", "above-plan"],
)
def test_impossible_learning_hours_are_blamed_on_the_policy(tmp_path: Path, result: str,
                                                            expected: str) -> None:
    """A learning policy returning impossible hours is named with the week, exit 2."""
    (tmp_path / "bad.py").write_text(BAD_POLICY.format(result=result), encoding="utf-8")
    scenario = write_tiny_scenario(tmp_path)
    out = CliRunner().invoke(main, ["run", str(scenario), "--plugin", str(tmp_path / "bad.py"),
                                    "--set", "learning.policy=bad"])
    assert out.exit_code == 2, out.output
    assert "plugin 'bad', learning policy 'bad'.realise(): " in out.output
    assert expected in out.output and "in week 0 of replication 0" in out.output
    assert "Traceback" not in out.output


def test_a_local_plugin_clashing_with_a_loaded_name_says_so(tmp_path: Path) -> None:
    """A local file named like an installed plugin gets a message, not pluggy's dump."""
    write_plugin(tmp_path, "learning_time.py")
    with pytest.raises(PluginError, match=r"already loaded .*rename the local file"):
        make_plugin_manager(paths=[tmp_path / "learning_time.py"])


def test_plugins_show_accepts_a_local_plugin(tmp_path: Path) -> None:
    """`hrdsim plugins show POLICY --plugin PATH` shows a local plugin's policy."""
    plugin = write_plugin(tmp_path)
    result = CliRunner().invoke(main, ["plugins", "show", "flat_hours", "--plugin", str(plugin)])
    assert result.exit_code == 0, result.output
    assert "hours = 2.0 hours/week" in result.output


def test_new_plugin_works_without_the_test_extras(tmp_path: Path) -> None:
    """Scaffolding needs only hrdsim itself, not pytest."""
    import subprocess
    import sys

    code = ("import sys; sys.modules['pytest'] = None\n"
            "from hrdsim.cli import main\n"
            f"main(['new-plugin', 'quiet_hours', {str(tmp_path)!r}])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "Created" in done.stdout, done.stderr
    assert (tmp_path / "hrdsim-quiet_hours" / "pyproject.toml").exists()


def test_finished_replications_are_kept_when_a_plugin_fails_later(tmp_path: Path) -> None:
    """A hook failing in replication 1 leaves replication 0's results written to --out."""
    (tmp_path / "late.py").write_text(textwrap.dedent('''
        from hrdsim import hookimpl

        @hookimpl
        def hrdsim_run_start(run):
            if run.replication == 1:
                raise RuntimeError("the second run breaks")
    '''), encoding="utf-8")
    scenario = write_tiny_scenario(tmp_path)
    out = tmp_path / "results"
    result = CliRunner().invoke(main, ["run", str(scenario), "--replications", "3", "--plugin",
                                       str(tmp_path / "late.py"), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "plugin 'late', hook hrdsim_run_start(): failed in replication 1" in result.output
    assert f"the 1 replication(s) that finished before it are written to {out}/" in result.output
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["replications"], summary["replications_planned"]) == (1, 3)
    assert len(summary["per_replication"]) == 1
    assert (out / "weekly.parquet").exists() and (out / "manifest.json").exists()
