"""Reports of a parameter sweep and of a sensitivity analysis: the design, the numbers
of sweep.json and sensitivity.json, the per-point chart and the tornado chart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import SCENARIOS, strict_json
from tests.test_report import ReportPage, check_shown, invoke

SMALL = ("--set", "organisation.units=2", "--set", "organisation.teams_per_unit=3",
         "--set", "organisation.team_size=5", "--set", "operating_model.developers=2",
         "--set", "weeks=26")


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "out"
    result = invoke("sweep", str(SCENARIOS / "baseline.toml"),
                    "--grid", "learning.params.share=0.02,0.1",
                    "--grid", "operating_model.policy=centralised,octopus", *SMALL,
                    "-n", "2", "--workers", "1", "--quiet", "--out", str(out), "--report")
    assert result.exit_code == 0, result.output
    assert f"Report written to {out / 'report.html'}" in result.output
    return out


@pytest.fixture(scope="module")
def sensitivity_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sensitivity") / "out"
    result = invoke("sensitivity", str(SCENARIOS / "baseline.toml"), "--method", "morris",
                    "--range", "learning.params.share=0.02:0.1",
                    "--range", "costs.hr_developer_hour=40:80", "--samples", "4", *SMALL,
                    "-n", "2", "--workers", "1", "--quiet", "--out", str(out), "--report",
                    "--report-lang", "fi")
    assert result.exit_code == 0, result.output
    assert f"Report written to {out / 'report.fi.html'}" in result.output
    return out


def read(path: Path) -> ReportPage:
    return ReportPage(path.read_text(encoding="utf-8"))


def load(path: Path) -> Any:
    return strict_json(path.read_text(encoding="utf-8"))


def test_a_sweep_report_shows_the_design_and_every_points_outcomes(sweep_folder: Path) -> None:
    page = read(sweep_folder / "report.html")
    assert page.sections == ["summary", "design", "points", "assumptions", "manifest"]
    sweep = load(sweep_folder / "sweep.json")
    by_point = {f"point {p['point']}": p for p in sweep["points"]}
    checked = 0
    for num in page.nums:
        if num.get("data-stat") in ("mean", "ci_low", "ci_high"):
            point = by_point[num["data-scenario"]]
            assert float(num["data-value"]) == point["outcomes"][num["data-metric"]][
                num["data-stat"]]
            check_shown(num, "en")
            checked += 1
    # 4 points × 5 headline outcomes × mean and interval, and the best point in the summary
    assert checked == 4 * 5 * 3 + 3
    best = sweep["best"]
    stated = page.numbers(section="summary", metric="capability_index", stat="mean")
    assert [(n["data-scenario"], float(n["data-value"])) for n in stated] == [
        (f"point {best['point']}", best["mean"])]
    design = {key: cells for (section, key), cells in page.rows.items() if section == "design"}
    assert design["learning.params.share"][-1] == "2%, 10%"  # a share, in percent
    assert design["operating_model.policy"][-1] == (
        "Centralised pool, Octopus: developers embedded near teams")  # policies by name


def test_a_sweep_report_writes_its_chart_and_points_table(sweep_folder: Path) -> None:
    charts = sweep_folder / "charts" / "en"
    assert sorted(p.name for p in charts.iterdir()) == ["01-sweep-outcomes.png",
                                                       "01-sweep-outcomes.svg"]
    points = pd.read_csv(sweep_folder / "tables" / "en" / "points.csv")
    sweep = load(sweep_folder / "sweep.json")
    assert list(points["Point"]) == [p["point"] for p in sweep["points"]]
    for _, row in points.iterrows():
        point = sweep["points"][int(row["Point"])]
        assert row["learning.params.share"] == point["values"]["learning.params.share"]
        assert row["Capability index (end) [0-100]: mean"] == point["outcomes"][
            "capability_index"]["mean"]
    assert list(pd.read_excel(sweep_folder / "tables" / "en" / "tables.xlsx",
                              sheet_name=None)) == ["Sweep points", "Assumptions"]


def test_a_sensitivity_report_shows_the_tornado_and_every_index(
    sensitivity_folder: Path,
) -> None:
    page = read(sensitivity_folder / "report.fi.html")
    assert page.sections == ["summary", "design", "sensitivity", "assumptions", "manifest"]
    study = load(sensitivity_folder / "sensitivity.json")
    indices = {(o["outcome"], p["parameter"]): (o, p) for o in study["outcomes"]
               for p in o["parameters"]}
    shown = [n for n in page.nums if n.get("data-stat") in ("index", "index_ci_low",
                                                             "index_ci_high")]
    assert shown
    for num in shown:
        _, parameter = indices[(num["data-metric"], num["data-scenario"])]
        expected = {"index": parameter["mu_star"], "index_ci_low": parameter["ci_low"],
                    "index_ci_high": parameter["ci_high"]}[num["data-stat"]]
        assert float(num["data-value"]) == expected
        check_shown(num, "fi")
    computed = [o for o in study["outcomes"] if o["computed"]]
    table = [n for n in page.numbers(section="sensitivity", stat="index")]
    assert len(table) == sum(len(o["parameters"]) for o in computed)
    ranges = {key: cells for (section, key), cells in page.rows.items() if section == "design"}
    assert ranges["learning.params.share"][-1] == "2 %–10 %"
    assert ranges["costs.hr_developer_hour"][-1] == "40–80"
    assert (sensitivity_folder / "charts" / "fi" / "01-tornado.png").is_file()
    assert [i["alt"] for i in page.images] == ["Mihin tulos on herkkä"]
    frame = pd.read_csv(sensitivity_folder / "tables" / "fi" / "indices.csv")
    assert list(frame.columns[:4]) == ["Tulos", "Sija", "Parametri", "Avain"]
    share = frame[frame["Avain"] == "learning.params.share"]
    assert set(share["Parametri"]) == {
        "Oppimiseen suunniteltu osuus sopimuksen mukaisesta työajasta (learning.params.share)"}
    assert set(frame["Kohinan yläpuolella"]) <= {"kyllä", "ei"}
    assert len(frame) == sum(len(o["parameters"]) for o in study["outcomes"])


def test_a_sensitivity_report_names_what_the_summary_speaks_of(
    sensitivity_folder: Path,
) -> None:
    html = (sensitivity_folder / "report.fi.html").read_text(encoding="utf-8")
    summary = html.split('id="summary"')[1].split("</section>")[0]
    study = load(sensitivity_folder / "sensitivity.json")
    capability = next(o for o in study["outcomes"] if o["outcome"] == "capability_index")
    top = next(p for p in capability["parameters"] if p["distinguishable"])
    assert top["parameter"] == "learning.params.share"  # the share moves capability
    assert ("Osaamisindeksi (lopussa): siihen vaikuttaa eniten oppimiseen suunniteltu osuus "
            "sopimuksen mukaisesta työajasta "
            '(<code class="user" data-user="">learning.params.share</code>)') in summary
    manifest = json.loads((sensitivity_folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario"]["values_sha256"] in html


def test_a_finnish_sensitivity_report_has_no_english_in_its_fixed_text(
    sensitivity_folder: Path,
) -> None:
    from tests.test_report_i18n import english_fragments

    page = read(sensitivity_folder / "report.fi.html")
    shown = [text for text, _, quoted in page.text if not quoted]
    whole, parts = english_fragments()
    assert not [t for t in shown if t in whole]
    assert not [(p, t) for p in parts for t in shown if p in t]


SENSITIVITY = ("sensitivity", str(SCENARIOS / "baseline.toml"), "--method", "morris",
               "--range", "learning.params.share=0.02:0.1", "--samples", "4", *SMALL,
               "-n", "2", "--workers", "1", "--quiet")


def test_sensitivity_report_needs_a_results_folder(tmp_path: Path) -> None:
    from tests.conftest import failed_cleanly

    result = invoke(*SENSITIVITY, "--report")
    assert failed_cleanly(result)
    assert result.output.strip().splitlines()[-1] == (
        "Error: --report builds the report from the results folder: give --out DIR too (or "
        "build it later with `hrdsim report DIR`)")
    assert "Simulating" not in result.output and list(tmp_path.iterdir()) == []


def test_a_sensitivity_report_that_fails_keeps_the_results(tmp_path: Path) -> None:
    """A file in the way of the charts' folder: the indices are written all the same, and
    the report can be built once the file is moved."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "charts").write_text("in the way", encoding="utf-8")
    result = invoke(*SENSITIVITY, "--out", str(out), "--report")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "Results written to" in result.output  # the study's own output came first
    assert result.output.strip().splitlines()[-1].startswith(
        f"Error: the report could not be built ({out / 'charts'} is a file")
    assert result.output.strip().endswith(
        f"the results in {out}/ are complete - build the report again with "
        f"`hrdsim report {out}`")
    study = load(out / "sensitivity.json")
    assert study["runs"]["finished"] == study["runs"]["planned"] > 0
    assert (out / "indices.csv").is_file()
    assert not (out / "report.html").exists()
    (out / "charts").unlink()
    assert invoke("report", str(out)).exit_code == 0
    assert read(out / "report.html").sections == [
        "summary", "design", "sensitivity", "assumptions", "manifest"]


def test_sensitivity_json_with_report_keeps_stdout_json(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(*SENSITIVITY, "--out", str(out), "--json", "--report")
    assert result.exit_code == 0, result.output
    assert strict_json(result.stdout)["method"] == "morris"
    assert f"Report written to {out / 'report.html'}" in result.stderr
    assert (out / "charts" / "en" / "01-tornado.svg").is_file()


def test_varied_parameters_show_their_values_in_the_assumptions(
    sweep_folder: Path, sensitivity_folder: Path,
) -> None:
    """The base scenario's 5% is not what the sweep ran: the assumptions say what it did."""
    sweep = read(sweep_folder / "report.html")
    rows = {key: cells for (section, key), cells in sweep.rows.items()
            if section == "assumptions"}
    assert rows["learning.params.share"][1] == "varied: 2%, 10%"
    assert rows["operating_model.policy"][1] == (
        "varied: Centralised pool, Octopus: developers embedded near teams")
    assert rows["organisation.units"][1] == "2"  # what was not varied keeps its value
    html = (sweep_folder / "report.html").read_text(encoding="utf-8")
    assert '<tr data-key="learning.params.share" class="differs">' in html
    fi = read(sensitivity_folder / "report.fi.html")
    rows = {key: cells for (section, key), cells in fi.rows.items() if section == "assumptions"}
    assert rows["learning.params.share"][1] == "vaihdeltiin: 2 %–10 %"
    assert rows["costs.hr_developer_hour"][1] == "vaihdeltiin: 40–80"


def test_a_sweep_report_names_what_it_varied_in_hr_terms(sweep_folder: Path) -> None:
    html = (sweep_folder / "report.html").read_text(encoding="utf-8")
    lead = html.split('<p class="lead">')[1].split("</p>")[0]
    import re

    text = " ".join(re.sub(r"<[^>]+>", "", lead).split())
    assert ("4 points of a grid (every combination of the values). Varied: share of "
            "contracted hours planned for learning (learning.params.share); how HR "
            "developers are organised (operating_model.policy).") in text


def test_a_grid_is_drawn_at_its_own_values(sweep_folder: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The chart's axis is ticked where the sweep ran - 2% and 10% of the hours - not at
    round numbers between them; the policies by their names."""
    from hrdsim.report import charts, sweep
    from hrdsim.report.build import Builder
    from hrdsim.report.data import read_study
    from hrdsim.report.i18n import Catalogue

    study = read_study(sweep_folder)
    drawn: list[Any] = []
    monkeypatch.setattr(Builder, "chart", lambda self, stem, fig, title, caption: drawn.append(
        fig))
    builder = Builder(study, Catalogue("en"), charts.looks(study.labels),
                      sweep_folder / "charts" / "en", sweep_folder)
    with charts.style():
        sweep.points(study, builder)
    (fig,) = drawn
    bottom = [ax for ax in fig.axes if ax.get_xlabel()]
    assert [[t.get_text() for t in ax.get_xticklabels()] for ax in bottom] == [
        ["2%", "10%"], ["Centralised pool", "Octopus: developers embedded near teams"]]
    assert " ".join(bottom[0].get_xlabel().split()) == (  # wrapped to the panel's width
        "Share of contracted hours planned for learning (learning.params.share)")
