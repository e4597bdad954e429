"""The HTML report of a run and of a comparison: every section carries the study's own
numbers, the charts and tables are written for slides and spreadsheets, user text is
escaped, and a report that fails never costs the results."""

from __future__ import annotations

import json
import math
import os
import re
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from hrdsim.cli import main
from tests.conftest import SCENARIOS, failed_cleanly, strict_json

SMALL = ("--set", "organisation.units=2", "--set", "organisation.teams_per_unit=3",
         "--set", "organisation.team_size=5", "--set", "operating_model.developers=2",
         "--set", "weeks=26")
RUN_SECTIONS = ["summary", "scenarios", "capability", "gap", "learning", "facilitation",
                "cost", "assumptions", "manifest"]
COMPARE_SECTIONS = [*RUN_SECTIONS[:7], "differences", "assumptions", "manifest"]
HEADLINE = ("capability_index", "strategic_gap", "throughput_per_fte", "cost_per_fte_year",
            "facilitation_wait_days")
CHARTS = ["01-capability", "02-strategic-gap", "03-learning-modes", "04-waits",
          "05-utilisation", "06-cost-capability"]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


# --------------------------------------------------------------------------- reading a report


class ReportPage(HTMLParser):
    """A report's HTML, read the way a test needs it.

    :ivar nums: every number with its data attributes, shown text and section.
    :ivar text: every text node as (text, section, quoted), where ``quoted`` is true
        inside user text (``data-user``), text marked in another language, code,
        styles and the title.
    """

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.nums: list[dict[str, Any]] = []
        self.text: list[tuple[str, str, bool]] = []
        self.sections: list[str] = []
        self.images: list[dict[str, str]] = []
        self.tags: dict[str, int] = {}
        self.rows: dict[tuple[str, str], list[str]] = {}
        self.lang = ""
        self._stack: list[tuple[str, dict[str, str]]] = []
        self._num: dict[str, Any] | None = None
        self._row: tuple[str, str] | None = None
        self._cells: list[str] = []
        self._cell: list[str] | None = None
        self.feed(html)
        self.close()

    def _section(self) -> str:
        for tag, attributes in reversed(self._stack):
            if tag == "section":
                return attributes.get("id", "")
        return ""

    def _quoted(self) -> bool:
        return any("data-user" in a or a.get("lang", "") not in ("", self.lang)
                   or t in ("code", "style", "title", "script") for t, a in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == "html":
            self.lang = attributes.get("lang", "")
        if tag == "section":
            self.sections.append(attributes.get("id", ""))
        if tag == "img":
            self.images.append(attributes)
        if tag == "tr" and "data-key" in attributes:
            self._row, self._cells = (self._section(), attributes["data-key"]), []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []
        if tag == "span" and "data-value" in attributes:
            self._num = {**attributes, "text": "", "section": self._section()}
        if tag not in VOID:
            self._stack.append((tag, attributes))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self._stack:
            name, _ = self._stack.pop()
            if name == tag:
                break
        if tag == "span" and self._num is not None:
            self.nums.append(self._num)
            self._num = None
        if tag in ("td", "th") and self._cell is not None:
            self._cells.append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.rows[self._row] = self._cells
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._num is not None:
            self._num["text"] += data
        if self._cell is not None:
            self._cell.append(data)
        if data.strip():
            self.text.append((data.strip(), self._section(), self._quoted()))

    def numbers(self, **wanted: str) -> list[dict[str, Any]]:
        """The numbers whose data attributes have the given values (``stat="mean"``...)."""
        section = wanted.pop("section", None)
        return [n for n in self.nums if all(n.get(f"data-{k}") == v for k, v in wanted.items())
                and section in (None, n["section"])]


def read_report(path: Path) -> ReportPage:
    return ReportPage(path.read_text(encoding="utf-8"))


def shown_value(text: str, lang: str) -> float:
    """A number as the report shows it, read back (``1 234,5`` → 1234.5 in Finnish)."""
    text = text.replace("\xa0", "").replace("\u202f", "").replace("−", "-")
    text = text.replace(" ", "").replace(",", "") if lang == "en" else \
        text.replace(" ", "").replace(",", ".")
    return float(text)


def decimals_shown(text: str, lang: str) -> int:
    separator = "." if lang == "en" else ","
    return len(text.split(separator)[1]) if separator in text else 0


def check_shown(num: dict[str, Any], lang: str) -> None:
    """The text shows the value behind it, rounded to the decimals shown."""
    value = float(num["data-value"])
    places = decimals_shown(num["text"], lang)
    assert abs(shown_value(num["text"], lang) - value) <= 0.5 * 10 ** -places * (1 + 1e-9), num


# --------------------------------------------------------------------------- studies


def invoke(*args: str) -> Result:
    """The command line as a user types it (sys.argv set, for the manifest's command)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "argv", ["hrdsim", *args])
        return CliRunner().invoke(main, list(args))


def run_study(out: Path, *extra: str) -> Result:
    return invoke("run", str(SCENARIOS / "baseline.toml"), *SMALL, "--replications", "2",
                  "--out", str(out), *extra)


def compare_study(out: Path, *extra: str, names: tuple[str, ...] = (
        "baseline.toml", "octopus.toml", "protected.toml")) -> Result:
    paths = [str(n if Path(n).is_absolute() else SCENARIOS / n) for n in names]
    return invoke("compare", *paths, *SMALL, "-n", "3", "--workers", "1", "--quiet",
                  "--out", str(out), *extra)


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run written with --report: the report is built right after the results."""
    out = tmp_path_factory.mktemp("report") / "run"
    result = run_study(out, "--report")
    assert result.exit_code == 0, result.output
    assert f"Report written to {out / 'report.html'}" in result.output
    return out


@pytest.fixture(scope="module")
def compare_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A comparison of three scenarios written with --report."""
    out = tmp_path_factory.mktemp("report") / "compare"
    result = compare_study(out, "--report")
    assert result.exit_code == 0, result.output
    return out


def summaries(folder: Path) -> dict[str, dict[str, Any]]:
    """Scenario label → its summary.json entry (a run's summary is its only entry)."""
    data = strict_json((folder / "summary.json").read_text(encoding="utf-8"))
    entries = data["scenarios"] if "scenarios" in data else [data]
    return {entry["scenario"]: entry for entry in entries}


def comparison(folder: Path) -> dict[str, Any]:
    return strict_json((folder / "comparison.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def differences(folder: Path) -> dict[tuple[str, str], dict[str, Any]]:
    return {(d["alternative"], d["metric"]): d for d in comparison(folder)["differences"]}


# --------------------------------------------------------------------------- the numbers


def test_run_report_has_every_section_with_the_run_numbers(run_folder: Path) -> None:
    page = read_report(run_folder / "report.html")
    assert page.sections == RUN_SECTIONS
    (label, summary), = summaries(run_folder).items()
    checked = 0
    for num in page.nums:
        if num.get("data-stat") in ("mean", "ci_low", "ci_high"):
            assert num["data-scenario"] == label
            expected = summary["outcomes"][num["data-metric"]][num["data-stat"]]
            assert float(num["data-value"]) == expected, num
            check_shown(num, "en")
            checked += 1
    assert checked > 50
    for metric in HEADLINE:  # the executive summary states each headline outcome
        assert page.numbers(section="summary", metric=metric, stat="mean"), metric
    for metric in ("learning_planned_per_fte", "learning_realised_per_fte",
                   "learning_lost_share"):
        assert page.numbers(section="summary", metric=metric, stat="mean"), metric


def test_comparison_report_states_every_alternatives_differences(compare_folder: Path) -> None:
    page = read_report(compare_folder / "report.html")
    assert page.sections == COMPARE_SECTIONS
    found = differences(compare_folder)
    by_label = summaries(compare_folder)
    for num in page.nums:
        stat, metric, scenario = (num.get(f"data-{k}") for k in ("stat", "metric", "scenario"))
        if stat in ("mean", "ci_low", "ci_high"):
            assert float(num["data-value"]) == by_label[scenario]["outcomes"][metric][stat]
        elif stat in ("diff_mean", "diff_ci_low", "diff_ci_high"):
            assert float(num["data-value"]) == found[(scenario, metric)][stat[5:]], num
        elif stat == "diff_abs":
            assert float(num["data-value"]) == abs(found[(scenario, metric)]["mean"])
        elif stat in ("better_count", "n"):
            assert int(float(num["data-value"])) == found[(scenario, metric)][stat]
        else:
            continue
        check_shown(num, "en")
    for alternative in ("Octopus: HR developers embedded near teams",
                        "Protected learning time (10%)"):
        for metric in HEADLINE:
            stated = [n for n in page.numbers(section="summary", metric=metric,
                                              scenario=alternative)
                      if n["data-stat"] in ("diff_abs", "diff_mean")]
            assert len(stated) == 1, (alternative, metric)
        # every compared metric has its row, with its interval, in the differences table
        for metric in comparison(compare_folder)["metrics"]:
            assert page.numbers(section="differences", metric=metric, scenario=alternative,
                                stat="diff_ci_low")


def test_the_summary_says_in_words_which_way_each_difference_goes(compare_folder: Path) -> None:
    """Protected time raises capability beyond noise; octopus lengthens the wait."""
    html = (compare_folder / "report.html").read_text(encoding="utf-8")
    block = html.split('data-alternative="Protected learning time (10%)"')[1].split("</article>")[0]
    block = re.sub(r"<[^>]+>", "", block)  # the words, without the numbers' markup
    assert "raises the capability index at the end by" in block
    assert "narrows the strategic gap at the end by" in block
    assert "raises the cost by" in block
    capability = differences(compare_folder)[("Protected learning time (10%)",
                                              "capability_index")]
    assert capability["ci_low"] > 0 and capability["better_count"] == 3
    assert "better in 3 of 3 paired runs" in block


def test_capability_starts_where_the_weekly_table_starts(compare_folder: Path) -> None:
    page = read_report(compare_folder / "report.html")
    weekly = pd.read_parquet(compare_folder / "weekly.parquet")
    start = weekly[weekly.week == 0].groupby("scenario")["capability_index"].mean()
    shown = page.numbers(section="capability", stat="week0_mean")
    assert {n["data-scenario"]: float(n["data-value"]) for n in shown} == pytest.approx(
        start.to_dict())


def test_inputs_that_differ_are_shown_in_hr_terms(compare_folder: Path) -> None:
    page = read_report(compare_folder / "report.html")
    rows = {key: cells for (section, key), cells in page.rows.items() if section == "scenarios"}
    share = rows["learning.params.share"]
    assert share[0].startswith("Share of contracted hours planned for learning.")
    assert share[2:] == ["5%", "5%", "10%"]
    assert rows["operating_model.policy"][2:] == [
        "Centralised pool", "Octopus: developers embedded near teams", "Centralised pool"]
    assert rows["learning.params.floor"][2:] == ["(not set)", "(not set)", "10%"]
    html = (compare_folder / "report.html").read_text(encoding="utf-8")
    scenarios_part = html.split('id="scenarios"')[1].split("</section>")[0]
    assert 'data-key="organisation.units"' not in scenarios_part  # the same everywhere
    assert 'data-key="name"' not in scenarios_part


def test_assumptions_list_every_parameter_with_value_unit_and_source(run_folder: Path) -> None:
    from hrdsim.report.common import LIMITS
    from hrdsim.report.parameters import flat_values

    page = read_report(run_folder / "report.html")
    manifest = json.loads((run_folder / "manifest.json").read_text(encoding="utf-8"))
    keys = set(flat_values(manifest["scenario"]))
    assumptions = (run_folder / "report.html").read_text(encoding="utf-8").split(
        'id="assumptions"')[1].split("</section>")[0]
    assert set(re.findall(r'data-key="([^"]+)"', assumptions)) == keys
    rows = {key: cells for (section, key), cells in page.rows.items()
            if section == "assumptions"}
    half_life = rows["dynamics.forgetting_half_life_weeks"]
    assert half_life[1:3] == ["28.2", "weeks"]
    assert "Tatel" in half_life[3]
    assert rows["learning.params.share"][1:3] == ["5%", "share of hours"]
    assert rows["organisation.hours_per_week"][3].startswith("assumption")
    assert assumptions.count("<li><strong>") == len(LIMITS)


def test_the_manifest_identifies_the_study(compare_folder: Path) -> None:
    manifest = json.loads((compare_folder / "manifest.json").read_text(encoding="utf-8"))
    html = (compare_folder / "report.html").read_text(encoding="utf-8")
    part = html.split('id="manifest"')[1]
    for scenario in manifest["scenarios"]:
        assert scenario["values_sha256"] in part and scenario["file_sha256"] in part
        assert scenario["path"] in part
    assert str(manifest["seed"]) in part and manifest["hrdsim_version"] in part
    for plugin in manifest["plugins"]:
        assert f'data-user="">{plugin["module"]}<' in part


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("study", ["run", "compare"])
def test_every_chart_is_written_as_png_and_svg_and_shown_inline(
    study: str, run_folder: Path, compare_folder: Path,
) -> None:
    from PIL import Image

    folder = run_folder if study == "run" else compare_folder
    stems = CHARTS + (["07-differences"] if study == "compare" else [])
    charts = folder / "charts" / "en"
    assert sorted(p.name for p in charts.iterdir()) == sorted(
        f"{stem}.{ext}" for stem in stems for ext in ("png", "svg"))
    for stem in stems:
        with Image.open(charts / f"{stem}.png") as image:
            assert image.format == "PNG"
            assert image.size[0] == 2000 and image.size[1] >= 1125  # 10 in × 200 dpi
            assert round(image.info["dpi"][0]) == 200
        root = ET.parse(charts / f"{stem}.svg").getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert float(root.get("width", "0").removesuffix("pt")) == 720  # 10 in
    page = read_report(folder / "report.html")
    assert len(page.images) == len(stems)
    assert all(i["src"].startswith("data:image/svg+xml;base64,") for i in page.images)
    assert all(i["alt"] for i in page.images)


def test_tables_hold_the_summary_numbers_as_csv_and_xlsx(compare_folder: Path) -> None:
    """CSV holds every digit; the workbook 16 significant digits, as openpyxl writes them
    (Excel itself keeps 15)."""
    import openpyxl

    tables = compare_folder / "tables" / "en"
    assert {p.name for p in tables.iterdir()} == {
        "summary.csv", "inputs.csv", "over_time.csv", "learning.csv", "differences.csv",
        "assumptions.csv", "tables.xlsx"}
    by_label = summaries(compare_folder)
    workbook = pd.read_excel(tables / "tables.xlsx", sheet_name=None)
    assert list(workbook) == ["Summary", "Inputs that differ", "Learning hours", "Differences",
                              "Assumptions"]
    found = differences(compare_folder)
    for frames, tolerance in (((pd.read_csv(tables / "summary.csv"),
                                pd.read_csv(tables / "differences.csv")), 0.0),
                              ((workbook["Summary"], workbook["Differences"]), 1e-15)):
        summary, paired = frames
        assert list(summary["Scenario"]) == list(by_label)
        for _, row in summary.iterrows():
            outcomes = by_label[row["Scenario"]]["outcomes"]
            assert row["Replications"] == 3
            for name, label in (("capability_index", "Capability index (end) [0-100]"),
                                ("cost_per_fte_year", "Cost [€/FTE/year]"),
                                ("learning_lost_share", "Learning lost to work [%]")):
                for stat, header in (("mean", "mean"), ("ci_low", "95% CI low"),
                                     ("ci_high", "95% CI high")):
                    assert row[f"{label}: {header}"] == pytest.approx(
                        outcomes[name][stat], rel=tolerance, abs=0)
        for _, row in paired.iterrows():
            d = found[(row["Alternative"], "strategic_gap")]
            assert row["Δ Strategic gap (end) [percentage points]: mean"] == pytest.approx(
                d["mean"], rel=tolerance, abs=0)
            assert row["Δ Strategic gap (end) [percentage points]: 95% CI high"] == pytest.approx(
                d["ci_high"], rel=tolerance, abs=0)
            assert row["Δ Strategic gap (end): paired runs better"] == d["better_count"]
    sheet = openpyxl.load_workbook(tables / "tables.xlsx")["Summary"]
    assert sheet.freeze_panes == "A2"


def test_the_report_is_one_self_contained_file(compare_folder: Path) -> None:
    html = (compare_folder / "report.html").read_text(encoding="utf-8")
    page = ReportPage(html)
    assert "script" not in page.tags and "link" not in page.tags
    assert not re.search(r'(src|href)="(?!data:|#)', html)  # nothing to fetch
    assert "default-src 'none'" in html
    assert "https://" not in html and "http://" not in html.replace(
        "http://www.w3.org", "")


# --------------------------------------------------------------------------- user text


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A comparison whose scenarios are named and described with markup and a formula."""
    where = tmp_path_factory.mktemp("hostile")
    (where / "a.toml").write_text(
        f'extends = "{(SCENARIOS / "baseline.toml").as_posix()}"\n'
        'name = "<script>alert(1)</script>"\n'
        'description = "<img src=x onerror=alert(2)> & \\"quoted\\""\n', encoding="utf-8")
    (where / "b.toml").write_text(
        f'extends = "{(SCENARIOS / "octopus.toml").as_posix()}"\n'
        'name = "=2+3 costs $5"\n', encoding="utf-8")
    out = where / "out"
    result = compare_study(out, "--report", names=(str(where / "a.toml"),
                                                   str(where / "b.toml")))
    assert result.exit_code == 0, result.output
    return out


def test_names_and_descriptions_are_shown_as_text_and_run_nothing(hostile_folder: Path) -> None:
    html = (hostile_folder / "report.html").read_text(encoding="utf-8")
    page = ReportPage(html)
    assert "script" not in page.tags
    assert all(i["src"].startswith("data:image/svg+xml") for i in page.images)
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    shown = [text for text, _, quoted in page.text if quoted]
    assert "<script>alert(1)</script>" in shown
    assert '<img src=x onerror=alert(2)> & "quoted"' in shown
    assert "=2+3 costs $5" in shown


def test_a_name_that_looks_like_a_formula_stays_text_in_the_workbook(
    hostile_folder: Path,
) -> None:
    import openpyxl

    workbook = openpyxl.load_workbook(hostile_folder / "tables" / "en" / "tables.xlsx")
    cells = [c for sheet in workbook for row in sheet.iter_rows() for c in row
             if c.value == "=2+3 costs $5"]
    assert len(cells) >= 3  # the summary's row, the differences' row, the inputs' header
    assert all(c.data_type == "s" for c in cells)


# --------------------------------------------------------------------------- the command line


def test_report_command_builds_a_finnish_report_beside_the_english_one(
    run_folder: Path,
) -> None:
    result = invoke("report", str(run_folder), "--lang", "fi")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Report written to {run_folder / 'report.fi.html'}")
    assert (run_folder / "report.html").is_file()  # the English one stays
    assert read_report(run_folder / "report.fi.html").lang == "fi"
    assert (run_folder / "charts" / "fi" / "01-capability.png").is_file()
    assert (run_folder / "tables" / "fi" / "tables.xlsx").is_file()


def test_report_command_writes_where_asked(run_folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "handover.html"
    result = invoke("report", str(run_folder), "-o", str(target))
    assert result.exit_code == 0, result.output
    page = read_report(target)
    assert page.sections == RUN_SECTIONS
    # the chart files it names are found from where the report is
    charts = Path(os.path.relpath(run_folder / "charts" / "en", tmp_path)).as_posix()
    assert f"<code>{charts}/01-capability.png</code>" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["run", "compare"])
def test_report_needs_a_results_folder(command: str, tmp_path: Path) -> None:
    if command == "run":
        result = invoke("run", str(SCENARIOS / "baseline.toml"), "--report")
    else:
        result = invoke("compare", str(SCENARIOS / "baseline.toml"),
                        str(SCENARIOS / "octopus.toml"), "--report")
    assert failed_cleanly(result) == (
        "--report builds the report from the results folder: give --out DIR too (or build "
        "it later with `hrdsim report DIR`)")


def test_report_of_something_that_is_not_a_results_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    assert failed_cleanly(invoke("report", str(missing))) == (
        f"{missing}: no such folder; give the folder that `hrdsim run --out` or "
        "`hrdsim compare --out` wrote")
    assert failed_cleanly(invoke("report", str(tmp_path))) == (
        f"{tmp_path}: not a results folder (it has no manifest.json); give the folder that "
        "`hrdsim run --out` or `hrdsim compare --out` wrote, or run the study again if it "
        "was not written completely")


def test_report_of_a_damaged_or_unknown_folder(run_folder: Path, tmp_path: Path) -> None:
    import shutil

    damaged = tmp_path / "damaged"
    shutil.copytree(run_folder, damaged)
    (damaged / "summary.json").write_text("{not json", encoding="utf-8")
    message = failed_cleanly(invoke("report", str(damaged)))
    assert message.startswith(f"{damaged / 'summary.json'}: not valid JSON")
    manifest = json.loads((damaged / "manifest.json").read_text(encoding="utf-8"))
    (damaged / "manifest.json").write_text(json.dumps({**manifest, "study": "tomorrow"}),
                                           encoding="utf-8")
    assert failed_cleanly(invoke("report", str(damaged))).startswith(
        f"{damaged / 'manifest.json'}: unknown study 'tomorrow'")


def test_report_output_must_be_a_file(run_folder: Path) -> None:
    assert failed_cleanly(invoke("report", str(run_folder), "-o", str(run_folder))) == (
        f"{run_folder} is a folder; -o takes the HTML file to write, e.g. "
        f"{run_folder / 'report.html'}")


RESULT_FILES = {"manifest.json", "summary.json", "weekly.parquet", "weekly.csv",
                "teams.parquet", "teams.csv"}


def test_a_report_that_fails_keeps_the_results(tmp_path: Path) -> None:
    """A file in the way of the charts' folder: the report fails, the results are whole."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "charts").write_text("in the way", encoding="utf-8")
    result = run_study(out, "--report")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "Results written to" in result.output  # the run's own output came first
    last = result.output.strip().splitlines()[-1]
    assert last == (
        f"Error: the report could not be built ({out / 'charts'} is a file, but the report "
        f"writes its charts and tables in {out / 'charts' / 'en'}/ (move the file away)); "
        f"the results in {out}/ are complete - build the report again with "
        f"`hrdsim report {out}`")
    assert {p.name for p in out.iterdir()} == RESULT_FILES | {"charts"}
    summary = strict_json((out / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["per_replication"]) == 2
    (out / "charts").unlink()  # as the message says: then the report builds
    assert invoke("report", str(out)).exit_code == 0


def test_an_unexpected_failure_in_the_report_keeps_the_comparison(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import hrdsim.report.build

    def broken(*args: Any, **kwargs: Any) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(hrdsim.report.build, "build_report", broken)
    out = tmp_path / "out"
    result = compare_study(out, "--report", "--json", names=("baseline.toml", "octopus.toml"))
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith(
        "Error: the report could not be built (ZeroDivisionError: division by zero); the "
        f"results in {out}/ are complete")
    assert comparison(out)["runs"]["finished"] == 6


def test_run_json_with_report_keeps_stdout_json(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "argv", ["hrdsim"])
        result = CliRunner().invoke(main, [
            "run", str(SCENARIOS / "baseline.toml"), *SMALL, "--replications", "2", "--out",
            str(out), "--json", "--report"])
    assert result.exit_code == 0, result.output
    assert strict_json(result.stdout)["replications"] == 2
    assert result.stderr.startswith(f"Report written to {out / 'report.html'}")


# --------------------------------------------------------------------------- waits


def test_a_run_records_how_long_requests_waited(run_folder: Path) -> None:
    """summary.json of a run keeps the distribution of waits the report draws."""
    (entry,) = summaries(run_folder).values()
    waits = entry["waits_days"]
    assert waits["upper_days"] == [0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 40.0, None]
    assert sum(waits["counts"]) == waits["served"] > 0
    quantiles = waits["quantiles"]
    assert quantiles["p50"] <= quantiles["p90"] <= quantiles["p99"] <= waits["max"]
    page = read_report(run_folder / "report.html")
    assert [float(n["data-value"]) for n in page.numbers(metric="wait_p90_days")] == [
        pytest.approx(quantiles["p90"])]
    served = page.numbers(metric="waits_served")
    assert [int(float(n["data-value"])) for n in served] == [waits["served"]]


def test_numbers_shown_round_their_value(run_folder: Path) -> None:
    page = read_report(run_folder / "report.html")
    for num in page.nums:
        if num["data-value"]:
            check_shown(num, "en")
        else:
            assert num["text"] == "n/a"
    assert not any(math.isnan(float(n["data-value"])) for n in page.nums if n["data-value"])
