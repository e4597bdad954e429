"""Scenario mistakes are caught before anything runs, with one clear message each.

Every case writes real scenario files into ``tmp_path`` (copying the bundled
baseline there, so ``extends`` chains are the ones users write) and runs the
command line through click's CliRunner from inside that folder, so messages
name files exactly as the user typed them.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hrdsim.cli import main
from hrdsim.plugins import build_registry, make_plugin_manager
from tests.conftest import SCENARIOS, TINY, failed_cleanly

#: A child scenario's first line: vary the bundled baseline (copied next to it).
CHILD = 'extends = "baseline.toml"\n'


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding a copy of the bundled baseline, made the current folder."""
    shutil.copy(SCENARIOS / "baseline.toml", tmp_path / "baseline.toml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_files(folder: Path, files: Mapping[str, str | bytes | None]) -> None:
    """Write text or bytes to each named file; ``None`` makes a folder of that name."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


# (files to write, scenario to validate, extra arguments, the message must start with,
#  fragments it must also contain)
CASES = [
    pytest.param(
        {"child.toml": CHILD + "weks = 26\n"}, "child.toml", [],
        "child.toml: weks: unknown key", ["did you mean 'weeks'?", "known keys here:"],
        id="unknown-key-did-you-mean",
    ),
    pytest.param(
        {"child.toml": CHILD + "[organisation]\nteam_sise = 5\n"}, "child.toml", [],
        "child.toml: organisation.team_sise: unknown key", ["did you mean 'team_size'?"],
        id="unknown-nested-key-did-you-mean",
    ),
    pytest.param(
        {"child.toml": CHILD + 'weeks = "ten"\n'}, "child.toml", [],
        "child.toml: weeks: expected a whole number", ['got the text "ten"'],
        id="text-where-whole-number-expected",
    ),
    pytest.param(
        {"child.toml": CHILD + '[work]\ndemand = "high"\n'}, "child.toml", [],
        "child.toml: work.demand: expected a number", ['got the text "high"'],
        id="text-where-number-expected",
    ),
    pytest.param(
        {"child.toml": CHILD + "weeks = true\n"}, "child.toml", [],
        "child.toml: weeks: expected a whole number, got true", [],
        id="boolean-where-whole-number-expected",
    ),
    pytest.param(
        {"child.toml": CHILD + "weeks = 2.5\n"}, "child.toml", [],
        "child.toml: weeks: expected a whole number, got the number 2.5", [],
        id="fraction-where-whole-number-expected",
    ),
    pytest.param(
        {"child.toml": CHILD + "[organisation]\nteam_size = -3\n"}, "child.toml", [],
        "child.toml: organisation.team_size: -3 is out of range", ["expected ≥ 1"],
        id="negative-team-size",
    ),
    pytest.param(
        {"child.toml": CHILD + "[organisation]\npart_time_share = 1.5\n"}, "child.toml", [],
        "child.toml: organisation.part_time_share: 1.5 is out of range",
        ["expected ≥ 0 and ≤ 1"],
        id="share-above-one",
    ),
    pytest.param(
        {}, "missing.toml", [],
        "missing.toml: no such scenario file", ["check the name"],
        id="missing-file",
    ),
    pytest.param(
        {"folder.toml": None}, "folder.toml", [],
        "folder.toml: is a folder, expected a scenario file", [],
        id="a-folder-not-a-file",
    ),
    pytest.param(
        {"latin1.toml": 'name = "Café"\n'.encode("latin-1")}, "latin1.toml", [],
        "latin1.toml: is not UTF-8 text", ["byte 0xe9", "save it as UTF-8"],
        id="not-utf8",
    ),
    pytest.param(
        {"broken.toml": 'name = "unterminated\n'}, "broken.toml", [],
        "broken.toml: is not valid TOML", ["line 1"],
        id="invalid-toml",
    ),
    pytest.param(
        {"child.toml": 'extends = "no_such_parent.toml"\nname = "x"\n'}, "child.toml", [],
        "child.toml: extends: the parent scenario 'no_such_parent.toml' does not exist",
        ["relative to the folder of the file that names it"],
        id="extends-missing-parent",
    ),
    pytest.param(
        {"child.toml": 'extends = "no_such_parent.toml"\nname = "x"\n',
         "grandchild.toml": 'extends = "child.toml"\n'},
        "grandchild.toml", [],
        "child.toml: extends: the parent scenario 'no_such_parent.toml' does not exist", [],
        id="extends-missing-grandparent-names-the-middle-file",
    ),
    pytest.param(
        {"sub/child.toml": 'extends = "baseline.toml"\nname = "x"\n'}, "sub/child.toml", [],
        "sub/child.toml: extends: the parent scenario 'sub/baseline.toml' does not exist",
        [],
        id="extends-is-relative-to-the-child",
    ),
    pytest.param(
        {"child.toml": "extends = 3\n"}, "child.toml", [],
        "child.toml: extends: expected a file name (text), got 3", ["in quotes"],
        id="extends-not-text",
    ),
    pytest.param(
        {"child.toml": 'extends = "parent.toml"\n', "parent.toml": b"name = '\xff'\n"},
        "child.toml", [],
        "parent.toml: is not UTF-8 text", ["named by 'extends' in child.toml"],
        id="extends-parent-not-utf8",
    ),
    pytest.param(
        {"a.toml": 'extends = "b.toml"\nname = "a"\n', "b.toml": 'extends = "a.toml"\n'},
        "a.toml", [],
        "b.toml: extends: the extends chain goes round in a circle: a.toml -> b.toml -> a.toml",
        ["remove one of these extends lines"],
        id="extends-cycle",
    ),
    pytest.param(
        {"a.toml": 'extends = "a.toml"\nname = "a"\n'}, "a.toml", [],
        "a.toml: extends: the extends chain goes round in a circle: a.toml -> a.toml", [],
        id="extends-itself",
    ),
    pytest.param(
        {}, "baseline.toml", ["--set", "learning.params.share=2"],
        "--set: learning.params.share: 2.0 is out of range", ["expected ≥ 0 and ≤ 1"],
        id="policy-share-above-one-via-set",
    ),
    pytest.param(
        {"child.toml": CHILD + "[learning.params]\nshare = 2\n"}, "child.toml", [],
        "child.toml: learning.params.share: 2.0 is out of range", [],
        id="policy-share-above-one-in-file",
    ),
    pytest.param(
        {}, "baseline.toml", ["--set", "learning.params.on_the_job=0.5"],
        "--set: learning.params.on_the_job: the mix on_the_job + social + formal must sum to 1",
        ["0.5 + 0.2 + 0.1 = 0.8"],
        id="mix-not-summing-to-one",
    ),
    pytest.param(
        {}, "baseline.toml", ["--set", "learning.params.spread=1"],
        "--set: learning.params.spread: unknown key", ["known keys here: on_the_job"],
        id="unknown-policy-parameter",
    ),
    pytest.param(
        {}, "baseline.toml", ["--set", "strategy.required.ai_fluncy=0.5"],
        "--set: strategy.required.ai_fluncy: unknown skill 'ai_fluncy'",
        ["did you mean 'ai_fluency'?", "skills are customer_insight, data_literacy"],
        id="unknown-skill-in-strategy",
    ),
    pytest.param(
        {"child.toml": CHILD + "[strategy.required]\nleadership = 0.5\n"}, "child.toml", [],
        "child.toml: strategy.required.leadership: unknown skill 'leadership'",
        ["add it to the skills list"],
        id="unknown-skill-in-strategy-file",
    ),
    pytest.param(
        {"child.toml": CHILD + "weeks = 52\n[[strategy.shifts]]\nweek = 104\n"
         "required = { ai_fluency = 0.7 }\n"},
        "child.toml", [],
        "child.toml: strategy.shifts[0].week: 104 is beyond the horizon of 52 weeks",
        ["expected a week from 0 to 51"],
        id="shift-beyond-horizon",
    ),
    pytest.param(
        {}, "baseline.toml", ["--set", "weeks"],
        "--set: weeks: expected KEY=VALUE", [],
        id="set-without-equals",
    ),
    pytest.param(
        {}, "baseline.toml", ["--set", "=26"],
        "--set: =26: expected KEY=VALUE", [],
        id="set-without-key",
    ),
    pytest.param(
        {}, "baseline.toml", ["--set", "weeks.max=3"],
        "--set: weeks: is a value, not a table, so 'weeks.max' cannot be set", [],
        id="set-key-under-a-value",
    ),
    pytest.param(
        {}, "baseline.toml", ["--set", "organisaton.units=2"],
        "--set: organisaton: unknown key", ["did you mean 'organisation'?"],
        id="set-unknown-table-names-set-not-the-file",
    ),
    pytest.param(
        {}, "baseline.toml", ["--set", "weeks=ten"],
        "--set: weeks: expected a whole number, got the text \"ten\"", [],
        id="set-wrong-type",
    ),
    pytest.param(
        {"parent.toml": CHILD + "[organisation]\nteam_sise = 5\n",
         "child.toml": 'extends = "parent.toml"\nweeks = 26\n[organisation]\nunits = 2\n'},
        "child.toml", [],
        "parent.toml: organisation.team_sise: unknown key", ["did you mean 'team_size'?"],
        id="inherited-unknown-key-names-the-parent",
    ),
    pytest.param(
        {"parent.toml": CHILD + "[work]\ndemand = 9\n",
         "child.toml": 'extends = "parent.toml"\n[work]\nfire_hours = 2\n'},
        "child.toml", [],
        "parent.toml: work.demand: 9.0 is out of range", ["≤ 5"],
        id="inherited-out-of-range-names-the-parent",
    ),
    pytest.param(
        {"parent.toml": CHILD + "[learning.params]\nshare = 0.1\n",
         "child.toml": 'extends = "parent.toml"\n'},
        "child.toml", ["--set", "learning.params.share=-1"],
        "--set: learning.params.share: -1.0 is out of range", [],
        id="set-over-inherited-value-names-set",
    ),
]


@pytest.mark.parametrize(("files", "scenario", "args", "starts", "fragments"), CASES)
def test_a_bad_scenario_gives_one_clear_message(
    folder: Path, runner: CliRunner, files: Mapping[str, str | bytes | None], scenario: str,
    args: list[str], starts: str, fragments: list[str],
) -> None:
    """`hrdsim validate` refuses the mistake with one line naming file, key and expectation."""
    write_files(folder, files)
    message = failed_cleanly(runner.invoke(main, ["validate", scenario, *args]))
    assert message.startswith(starts), message
    for fragment in fragments:
        assert fragment in message, message


@pytest.mark.parametrize(
    ("files", "scenario", "args", "starts", "fragments"),
    [case for case in CASES if case.id in {
        "unknown-key-did-you-mean", "invalid-toml", "extends-cycle",
        "policy-share-above-one-via-set", "set-key-under-a-value",
    }],
)
def test_run_validates_before_simulating_or_writing(
    folder: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch,
    files: Mapping[str, str | bytes | None], scenario: str, args: list[str], starts: str,
    fragments: list[str],
) -> None:
    """`hrdsim run` gives the same message as validate, and neither simulates nor creates --out."""
    import hrdsim.runner

    def no_run(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the simulation must not start")

    monkeypatch.setattr(hrdsim.runner, "run_replications", no_run)
    write_files(folder, files)
    result = runner.invoke(main, ["run", scenario, *TINY, *args, "--out", "results"])
    assert failed_cleanly(result).startswith(starts)
    assert not (folder / "results").exists()


@pytest.mark.parametrize("kind", ["learning", "operating_model", "facilitation"])
def test_an_unknown_policy_lists_the_available_ones(folder: Path, runner: CliRunner,
                                                    kind: str) -> None:
    """A misspelt policy name is refused with a suggestion and every available name."""
    available = build_registry(make_plugin_manager()).names(kind)  # type: ignore[arg-type]
    wanted = available[0]
    write_files(folder, {"child.toml": CHILD + f'[{kind}]\npolicy = "{wanted}x"\n'})
    message = failed_cleanly(runner.invoke(main, ["validate", "child.toml"]))
    assert message.startswith(f"child.toml: {kind}.policy: unknown {kind} policy "
                              f"'{wanted}x'"), message
    assert f"did you mean '{wanted}'?" in message
    assert "available: " + ", ".join(available) in message


def test_an_unknown_policy_given_by_set_names_set(folder: Path, runner: CliRunner) -> None:
    """A policy chosen with --set that does not exist is blamed on --set."""
    message = failed_cleanly(
        runner.invoke(main, ["validate", "baseline.toml", "--set", "learning.policy=protectd"])
    )
    assert message.startswith("--set: learning.policy: unknown learning policy 'protectd'")
    assert "did you mean 'protected'?" in message


@pytest.mark.parametrize(
    ("option", "value", "starts"),
    [
        pytest.param("--replications", "200000", "--replications: replications: 200000 is out "
                     "of range", id="replications-too-many"),
        pytest.param("--weeks", "6000", "--weeks: weeks: 6000 is out of range",
                     id="weeks-too-long"),
    ],
)
def test_a_bad_run_option_names_the_option(folder: Path, runner: CliRunner, option: str,
                                           value: str, starts: str) -> None:
    """A value given with --replications or --weeks is blamed on that option, not on --set."""
    result = runner.invoke(main, ["run", "baseline.toml", option, value])
    assert failed_cleanly(result).startswith(starts)


def test_a_run_option_shortening_the_horizon_blames_the_shift(folder: Path,
                                                              runner: CliRunner) -> None:
    """--weeks shorter than a scheduled shift names the shift's file and the allowed weeks."""
    shutil.copy(SCENARIOS / "strategic_shift.toml", folder / "strategic_shift.toml")
    result = runner.invoke(main, ["run", "strategic_shift.toml", "--weeks", "52"])
    message = failed_cleanly(result)
    assert message.startswith("strategic_shift.toml: strategy.shifts[0].week: 104 is beyond "
                              "the horizon of 52 weeks")
    assert "from 0 to 51" in message


@pytest.mark.parametrize(
    "scenario", sorted(SCENARIOS.glob("*.toml")), ids=lambda path: path.name
)
def test_every_bundled_scenario_validates_with_a_one_line_confirmation(
    runner: CliRunner, scenario: Path
) -> None:
    """`hrdsim validate` accepts each bundled scenario and says so in one line."""
    result = runner.invoke(main, ["validate", str(scenario)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"{scenario}: valid - ")
    assert "people in" in lines[0] and "learning=" in lines[0]


def test_validate_does_not_simulate(folder: Path, runner: CliRunner,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation only reads and checks: no replication is simulated."""
    import hrdsim.engine

    def no_run(self: object) -> None:
        raise AssertionError("validate must not simulate")

    monkeypatch.setattr(hrdsim.engine.Simulation, "run", no_run)
    result = runner.invoke(main, ["validate", "baseline.toml", *TINY[:8]])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_validate_applies_set_overrides(folder: Path, runner: CliRunner) -> None:
    """The confirmation reflects --set values: 2 units × 3 teams × 5 people = 30 people."""
    result = runner.invoke(main, ["validate", "baseline.toml", *TINY[:6]])
    assert result.exit_code == 0, result.output
    assert "30 people in 6 teams" in result.output


@pytest.mark.parametrize("command", ["validate", "run", "compare", "sweep", "sensitivity"])
def test_an_unreadable_scenario_is_one_line_naming_the_file(
    folder: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, command: str,
) -> None:
    """A scenario file without read permission (faked: the tests may run as root) gets
    hrdsim's one line naming the file, not click's usage block."""
    import os

    target = folder / "secret.toml"
    target.write_text(CHILD, encoding="utf-8")
    real_access, real_read = os.access, Path.read_text

    def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        if os.fspath(path) == str(target) and mode & os.R_OK:
            return False
        return real_access(path, mode, *args, **kwargs)

    def read_text(self: Path, *args: Any, **kwargs: Any) -> str:
        if self == target:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(Path, "read_text", read_text)
    args = {"compare": [str(SCENARIOS / "baseline.toml"), str(target)],
            "sweep": [str(target), "--grid", "weeks=26,52"],
            "sensitivity": [str(target), "--method", "morris", "--range", "weeks=26:52"]}
    message = failed_cleanly(runner.invoke(main, [command, *args.get(command, [str(target)])]))
    assert message == f"{target}: cannot be read: Permission denied"
