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
                    "-n", "2", "--workers", "1", "--quiet", "--out", str(out))
    assert result.exit_code == 0, result.output
    report = invoke("report", str(out), "--lang", "fi")
    assert report.exit_code == 0, report.output
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
    assert design["learning.params.share"][-1] == "0.02, 0.1"
    assert design["operating_model.policy"][-1] == "centralised, octopus"


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
    assert ranges["learning.params.share"][-1] == "0,02–0,1"
    assert ranges["costs.hr_developer_hour"][-1] == "40–80"
    assert (sensitivity_folder / "charts" / "fi" / "01-tornado.png").is_file()
    assert [i["alt"] for i in page.images] == ["Mihin tulos on herkkä"]
    frame = pd.read_csv(sensitivity_folder / "tables" / "fi" / "indices.csv")
    assert list(frame.columns[:4]) == ["Tulos", "Yksikkö", "Sija", "Parametri"]
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
    assert ("Osaamisindeksi (lopussa) on herkin parametrille "
            '<code class="user" data-user="">learning.params.share</code>') in summary
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
