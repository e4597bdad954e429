"""How the report reads to a leadership team: differences too small to matter said in
words, percentages' differences in percentage points, numbers without spurious digits,
a manifest in words, a waits section that makes sense when supervisors lead the
sessions, and charts over years that end at the horizon."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import SCENARIOS, strict_json
from tests.test_report import (
    ReportPage,
    compare_study,
    decimals_shown,
    invoke,
    read_report,
    run_study,
)

HEADLINE_TOPICS = {"capability_index": "Capability", "strategic_gap": "Strategic gap",
                   "throughput_per_fte": "Throughput", "cost_per_fte_year": "Cost",
                   "facilitation_wait_days": "Waiting for an HR developer"}
OCTOPUS = "Octopus: HR developers embedded near teams"
PROTECTED = "Protected learning time (10%)"


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Baseline, octopus and protected time: a report in English and one in Finnish."""
    out = tmp_path_factory.mktemp("reading") / "compare"
    result = compare_study(out, "--report")
    assert result.exit_code == 0, result.output
    assert invoke("report", str(out), "--lang", "fi").exit_code == 0
    return out


@pytest.fixture(scope="module")
def supervised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run whose sessions near teams are led by supervisors: no request reaches an HR
    developer."""
    out = tmp_path_factory.mktemp("reading") / "supervisors"
    result = run_study(out, "--set", "facilitation.params.by=supervisor", "--report")
    assert result.exit_code == 0, result.output
    assert invoke("report", str(out), "--lang", "fi").exit_code == 0
    return out


def load(path: Path) -> Any:
    return strict_json(path.read_text(encoding="utf-8"))


def words(html: str) -> str:
    """The text of some HTML, as a reader sees it."""
    import html as entities

    return " ".join(entities.unescape(re.sub(r"<[^>]+>", "", html)).split())


def section(html: str, name: str) -> str:
    return html.split(f'id="{name}"')[1].split("</section>")[0]


def summary_items(html: str, alternative: str) -> dict[str, str]:
    """Topic → what the executive summary says about it, for one alternative."""
    block = html.split(f'data-alternative="{alternative}"')[1].split("</article>")[0]
    items = {}
    for item in re.findall(r'<li class="item[^"]*">(.*?)</li>', block, re.S):
        topic, _, text = words(item).partition(": ")
        items[topic] = text
    return items


def difference_readings(html: str) -> dict[tuple[str, str], list[str]]:
    """(metric, alternative) → the cells of its row in the differences table."""
    rows = {}
    for metric, row in re.findall(r'<tr data-row="(\w+)">(.*?)</tr>',
                                  section(html, "differences"), re.S):
        cells = [words(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows[(metric, cells[2])] = cells
    return rows


# --------------------------------------------------------------------------- differences


def test_a_difference_too_small_to_matter_reads_as_practically_no_change(
    compared: Path,
) -> None:
    """Octopus changes capability by a twentieth of a point: clear of noise, and nothing
    a leadership team could act on. Protected time raises it by several points."""
    from hrdsim.report.meaningful import threshold

    html = (compared / "report.html").read_text(encoding="utf-8")
    baseline = {s["scenario"]: s for s in load(compared / "summary.json")["scenarios"]}[
        "Baseline: centralised HRD"]
    found = {(d["alternative"], d["metric"]): d
             for d in load(compared / "comparison.json")["differences"]}
    octopus = found[(OCTOPUS, "capability_index")]
    assert 0 < octopus["ci_low"] and octopus["ci_high"] < 0.5  # real, and under half a point
    said = summary_items(html, OCTOPUS)
    assert said["Capability"].startswith("practically no change in the capability index at "
                                         "the end (")
    assert "the whole interval lies within ±0.5 points, the smallest change that matters" in \
        said["Capability"]
    assert "better in" not in said["Capability"]
    assert summary_items(html, PROTECTED)["Capability"].startswith(
        "raises the capability index at the end by ")
    checked = 0
    for alternative in (OCTOPUS, PROTECTED):
        said = summary_items(html, alternative)
        for metric, topic in HEADLINE_TOPICS.items():
            d = found[(alternative, metric)]
            limit = threshold(metric, baseline["outcomes"][metric]["mean"])
            assert limit is not None
            if d["mean"] == d["ci_low"] == d["ci_high"] == 0:
                assert "the same in all 3 paired runs" in said[topic], (alternative, metric)
                assert said[topic].endswith("no difference")  # the badge
            elif -limit < d["ci_low"] and d["ci_high"] < limit:
                assert said[topic].startswith("practically no change in"), (alternative, metric)
                assert said[topic].endswith("practically no change")
                checked += 1
            else:
                assert "practically no change" not in said[topic], (alternative, metric)
    assert checked >= 2
    notes = words(section(html, "summary").split('class="notes"')[1].split("</ul>")[0])
    assert '"Practically no change" means that the whole 95% interval of a difference lies ' \
        "within the smallest change that matters" in notes


def test_the_differences_table_reads_each_row_against_what_matters(compared: Path) -> None:
    rows = difference_readings((compared / "report.html").read_text(encoding="utf-8"))
    assert rows[("capability_index", OCTOPUS)][-1] == "practically no change"
    assert rows[("capability_index", PROTECTED)][-1] == "better"
    assert rows[("cost_per_fte_year", PROTECTED)][-1] == "worse"
    fi = difference_readings((compared / "report.fi.html").read_text(encoding="utf-8"))
    assert fi[("capability_index", OCTOPUS)][-1] == "käytännössä ei muutosta"
    assert fi[("capability_index", PROTECTED)][-1] == "parempi"


def test_a_difference_that_is_zero_in_every_pair_reads_as_no_difference(
    compared: Path,
) -> None:
    """Facilitation requests do not depend on the learning time: protected time asks for
    exactly as many in every paired run."""
    d = next(d for d in load(compared / "comparison.json")["differences"]
             if d["alternative"] == PROTECTED
             and d["metric"] == "facilitation_requests_per_team_year")
    assert d["mean"] == d["ci_low"] == d["ci_high"] == 0
    rows = difference_readings((compared / "report.html").read_text(encoding="utf-8"))
    assert rows[("facilitation_requests_per_team_year", PROTECTED)][-1] == "no difference"


def test_a_percentages_difference_is_in_percentage_points(compared: Path) -> None:
    """The strategic gap is a percentage: 9% narrowed to 1% is 8 percentage points."""
    for lang, points, index in (("en", "percentage points", "points"),
                                ("fi", "prosenttiyksikköä", "pistettä")):
        name = "report.html" if lang == "en" else "report.fi.html"
        rows = difference_readings((compared / name).read_text(encoding="utf-8"))
        assert rows[("strategic_gap", PROTECTED)][1] == points
        assert rows[("learning_lost_share", PROTECTED)][1] == points
        assert rows[("capability_index", PROTECTED)][1] == index  # not "0-100"
    import pandas as pd

    paired = pd.read_csv(compared / "tables" / "fi" / "differences.csv")
    assert "Δ Strateginen kuilu (lopussa) [prosenttiyksikköä]: keskiarvo" in paired.columns


# --------------------------------------------------------------------------- numbers


@given(st.floats(-1e6, 1e6, allow_nan=False), st.floats(0, 1e4, allow_nan=False))
def test_a_mean_never_shows_more_than_four_significant_digits(mean: float,
                                                              half: float) -> None:
    from hrdsim.report.i18n import interval_decimals, significant_decimals

    decimals = interval_decimals(mean, mean - half, mean + half)
    assert 0 <= decimals <= 10
    if mean != 0:
        assert decimals <= significant_decimals(mean, 4)


def test_an_interval_of_floating_point_noise_is_no_interval() -> None:
    """Every replication planned 1.3125 hours: the 'interval' is rounding noise."""
    from hrdsim.report.i18n import Catalogue, interval_decimals

    assert interval_decimals(1.3125, 1.3125 - 2e-16, 1.3125 + 2e-16) == 2
    assert Catalogue("en").number(1.3125, 2) == "1.31"
    assert interval_decimals(5048.6, 5043.5, 5053.7) == 0  # €5,049, not €5,048.6
    assert interval_decimals(59.79, 59.61, 59.97) == 2


def test_numbers_in_the_report_carry_no_spurious_digits(compared: Path) -> None:
    page = read_report(compared / "report.html")
    checked = 0
    for num in page.nums:
        if num.get("data-stat") in ("mean", "diff_mean") and num["data-value"]:
            value = float(num["data-value"])
            if abs(value) >= 1:
                allowed = max(0, 3 - math.floor(math.log10(abs(value))))
                assert decimals_shown(num["text"], "en") <= allowed, num
                checked += 1
    assert checked > 50


# --------------------------------------------------------------------------- words


def test_the_summary_names_the_baseline_in_quotes(compared: Path) -> None:
    """A scenario name with a colon in it must not run into the sentence."""
    html = (compared / "report.html").read_text(encoding="utf-8")
    lead = words(section(html, "summary").split('<p class="lead">')[1].split("</p>")[0])
    assert lead.startswith("This report compares 2 alternatives with the baseline, “Baseline: "
                           "centralised HRD”. The organisation has 30 people in 6 teams; it "
                           "was simulated for 26 weeks (about 0.5 years).")
    fi = (compared / "report.fi.html").read_text(encoding="utf-8")
    lead = words(section(fi, "summary").split('<p class="lead">')[1].split("</p>")[0])
    assert lead.startswith("Tämä raportti vertaa 2 vaihtoehtoa perusskenaarioon ”Baseline: "
                           "centralised HRD”. Organisaatiossa on 30 henkilöä 6 tiimissä")


def test_the_horizon_is_said_in_whole_years_when_it_is_whole() -> None:
    from hrdsim.report.build import Builder
    from hrdsim.report.i18n import Catalogue
    from hrdsim.report.scenarios import years

    builder = Builder(None, Catalogue("fi"), {}, Path("."), Path("."))  # type: ignore[arg-type]
    assert [str(years(builder, w)) for w in (104, 260, 26, 78)] == ["2", "5", "0,5", "1,5"]


def test_the_manifest_says_how_the_study_ran_in_words(compared: Path) -> None:
    for name, expected in (
        ("report.html", {"Replications": "3 (numbered 0–2)", "Where it ran": "in one process",
                         "Runs": "9 of 9 finished, 0 failed"}),
        ("report.fi.html", {"Toistot": "3 (numerot 0–2)", "Missä ajettiin":
                            "yhdessä prosessissa", "Ajot": "9/9 valmistui, 0 epäonnistui"}),
    ):
        html = (compared / name).read_text(encoding="utf-8")
        facts = {words(k): words(v) for k, v in re.findall(
            r'<tr><th scope="row">(.*?)</th><td>(.*?)</td></tr>', section(html, "manifest"))}
        for key, value in expected.items():
            assert facts[key] == value, (name, key)
        page = ReportPage(html)
        shown = {text for text, _, _ in page.text}
        assert not {"True", "False", "None", "nan", "NaN"} & {
            w.strip(".,;:()") for text in shown for w in text.split()}, name


# --------------------------------------------------------------------------- facilitation


def test_sessions_led_by_supervisors_leave_no_wait_to_chart(supervised: Path) -> None:
    summary = load(supervised / "summary.json")
    assert summary["outcomes"]["facilitation_requests_per_team_year"]["mean"] == 0
    assert summary["outcomes"]["facilitation_sessions_per_team_year"]["mean"] > 0
    assert summary["outcomes"]["facilitation_wait_days"]["mean"] is None
    html = (supervised / "report.html").read_text(encoding="utf-8")
    block = html.split('data-alternative="')[1].split("</article>")[0]
    assert "Waiting for an HR developer: no wait: no request went to an HR developer " \
        "(sessions near teams were led by others)" in words(block)
    part = section(html, "facilitation")
    assert "sessions near teams were led by the supervisor: no request went to an HR " \
        "developer, so nobody waited for one" in words(part)
    assert "<figure" not in part  # no empty chart of waits, no flat line of utilisation
    assert "n/a" not in words(part)
    assert re.findall(r'<tr data-row="(\w+)">', part) == [
        "facilitation_requests_per_team_year", "facilitation_sessions_per_team_year",
        "hr_utilisation", "queue_offered_load"]
    charts = {p.stem for p in (supervised / "charts" / "en").glob("*.png")}
    assert charts == {"01-capability", "02-strategic-gap", "03-learning-modes",
                      "06-cost-capability"}
    fi = section((supervised / "report.fi.html").read_text(encoding="utf-8"), "facilitation")
    assert "tiimien lähellä pidettyjä tilaisuuksia veti esihenkilö: yksikään pyyntö ei " \
        "mennyt HR-kehittäjälle" in words(fi)


# --------------------------------------------------------------------------- charts


def test_charts_over_years_end_at_the_horizon_and_shares_start_at_zero() -> None:
    from hrdsim.report.charts import Series, looks, over_time, style

    weeks = list(range(104))
    x = [w / 52 for w in weeks]
    zero = [0.0] * len(x)
    with style():
        fig = over_time([Series("a", x, zero, zero, zero)], looks(["a"]), title="t",
                        xlabel="Year", ylabel="%", band="band", xmax=2.0, ymin=0)
    ax = fig.axes[0]
    assert ax.get_xlim() == (0.0, 2.0)
    assert list(ax.get_xticks()) == [0.0, 0.5, 1.0, 1.5, 2.0]  # half years, not 0.25s
    assert ax.get_ylim()[0] == 0  # a share of developers cannot be negative


def test_a_long_comparison_draws_years_to_the_horizon(tmp_path: Path) -> None:
    out = tmp_path / "long"
    result = invoke("run", str(SCENARIOS / "baseline.toml"), "--set", "organisation.units=1",
                    "--set", "organisation.teams_per_unit=2", "--set",
                    "organisation.team_size=3", "--set", "operating_model.developers=1",
                    "--set", "weeks=104", "--replications", "2", "--out", str(out),
                    "--report")
    assert result.exit_code == 0, result.output
    svg = (out / "charts" / "en" / "01-capability.svg").read_text(encoding="utf-8")
    assert svg.count('id="xtick_') == 5  # 0, 0.5, 1, 1.5 and 2 years


def test_the_documentation_lists_every_threshold() -> None:
    """docs/reports.md gives each smallest change that matters, as the report applies it."""
    from hrdsim.metrics import OUTCOME_BY_NAME
    from hrdsim.report.meaningful import MEANINGFUL
    from tests.conftest import ROOT

    doc = (ROOT / "docs" / "reports.md").read_text(encoding="utf-8")
    table = doc.split("## Practically no change", 1)[1].split("\n\n")[2]
    rows = [line.lower() for line in table.splitlines()[2:]]
    for metric, meaningful in MEANINGFUL.items():
        label = OUTCOME_BY_NAME[metric].label.split(" (")[0].lower()
        (row,) = [r for r in rows if label in r.split("|")[1]]
        shown = f"{meaningful.relative * 100:g}%" if meaningful.relative else \
            f"{meaningful.absolute:g}"
        assert f"| {shown}" in row, (metric, row)
