"""The HTML report in a real browser: headless Chromium opens it offline, with no
console error and no request beyond the file itself, and shows every chart; user
text with markup in it runs nothing.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it when it can);
without it these tests skip, saying so.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_report import compare_study

CHROMIUM = next((path for path in ("/usr/bin/chromium", shutil.which("chromium"),
                                   shutil.which("chromium-browser")) if path and
                 Path(path).is_file()), None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium not found (install Debian's chromium package: "
    "apt-get install chromium)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Visit:
    """A page opened from a file, with everything the browser complained about."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.on("console", lambda m: self.errors.append(m.text)
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.as_uri(), wait_until="load")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    @property
    def outside(self) -> list[str]:
        """Requests for anything but the file itself and inline data."""
        return [url for url in self.requests if not url.startswith(("file:", "data:"))]


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "compare"
    result = compare_study(out, "--report")
    assert result.exit_code == 0, result.output
    return out


def test_the_report_opens_offline_and_shows_every_chart(
    browser: Any, comparison: Path, tmp_path: Path,
) -> None:
    visit = Visit(browser, comparison / "report.html")
    assert visit.errors == [] and visit.failed == [] and visit.outside == []
    charts = visit.page.eval_on_selector_all("figure img", """images => images.map(i => {
        const box = i.getBoundingClientRect();
        return {width: box.width, height: box.height, natural: i.naturalWidth,
                complete: i.complete, alt: i.alt};
    })""")
    assert len(charts) == 7
    for chart in charts:
        assert chart["complete"] and chart["natural"] > 100, chart  # the SVG decoded
        assert chart["width"] > 100 and chart["height"] > 100, chart
    sections = visit.page.eval_on_selector_all("main > section", "s => s.map(e => e.id)")
    assert sections[0] == "summary" and sections[-1] == "manifest"
    shot = tmp_path / "report.png"
    visit.page.screenshot(path=str(shot), full_page=True)
    from PIL import Image

    with Image.open(shot) as image:
        assert image.size[0] >= 1280 and image.size[1] > 5000  # the whole long page
    visit.page.close()


def test_the_finnish_report_renders_too(browser: Any, comparison: Path) -> None:
    from tests.test_report import invoke

    assert invoke("report", str(comparison), "--lang", "fi").exit_code == 0
    visit = Visit(browser, comparison / "report.fi.html")
    assert visit.errors == [] and visit.failed == [] and visit.outside == []
    assert visit.page.eval_on_selector("html", "e => e.lang") == "fi"
    heights = visit.page.eval_on_selector_all(
        "figure img", "images => images.map(i => i.getBoundingClientRect().height)")
    assert len(heights) == 7 and min(heights) > 100
    visit.page.close()


def test_markup_in_names_is_shown_and_runs_nothing(browser: Any, tmp_path: Path) -> None:
    from tests.conftest import SCENARIOS

    (tmp_path / "a.toml").write_text(
        f'extends = "{(SCENARIOS / "baseline.toml").as_posix()}"\n'
        'name = "<script>alert(1)</script>"\n'
        'description = "<img src=x onerror=alert(2)>"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text(
        f'extends = "{(SCENARIOS / "octopus.toml").as_posix()}"\n'
        "name = \"<b onmouseover=alert(3)>bold</b>\"\n", encoding="utf-8")
    out = tmp_path / "out"
    result = compare_study(out, "--report", names=(str(tmp_path / "a.toml"),
                                                   str(tmp_path / "b.toml")))
    assert result.exit_code == 0, result.output
    visit = Visit(browser, out / "report.html")
    visit.page.hover("h1")
    assert visit.dialogs == [] and visit.errors == [] and visit.outside == []
    assert visit.page.eval_on_selector_all("script", "s => s.length") == 0
    assert visit.page.eval_on_selector_all("b", "b => b.length") == 0
    shown = visit.page.inner_text("main")
    assert "<script>alert(1)</script>" in shown
    assert "<img src=x onerror=alert(2)>" in shown
    assert "<b onmouseover=alert(3)>bold</b>" in shown
    visit.page.close()


#: A4 less 12 mm margins either side, in CSS pixels: the width a printed page gives.
A4_WIDTH = 703

OVERFLOWING = """() => [...document.querySelectorAll('.table-wrap')]
    .filter(w => w.scrollWidth > w.clientWidth + 1)
    .map(w => [w.closest('section').id, w.querySelector('table').className,
               w.scrollWidth, w.clientWidth])"""


@pytest.mark.parametrize("name", ["report.html", "report.fi.html"])
def test_every_table_fits_the_screen_and_the_printed_page(
    browser: Any, comparison: Path, name: str,
) -> None:
    """Three scenarios side by side: no table needs a horizontal scroll at 1200 pixels,
    nor is cut off at the edge of an A4 page."""
    from tests.test_report import invoke

    if name == "report.fi.html":
        assert invoke("report", str(comparison), "--lang", "fi").exit_code == 0
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto((comparison / name).as_uri(), wait_until="load")
    assert page.evaluate("document.querySelectorAll('.table-wrap').length") > 10
    assert page.evaluate(OVERFLOWING) == []
    page.set_viewport_size({"width": A4_WIDTH, "height": 900})
    page.emulate_media(media="print")
    assert page.evaluate(OVERFLOWING) == []
    page.close()


def test_printing_gives_a_paginated_document(browser: Any, comparison: Path) -> None:
    page = browser.new_page(viewport={"width": A4_WIDTH, "height": 900})
    page.goto((comparison / "report.html").as_uri(), wait_until="load")
    page.emulate_media(media="print")
    styles = page.evaluate("""() => ({
        nav: getComputedStyle(document.querySelector('nav')).display,
        breaks: [...document.querySelectorAll('main > section')].map(
            s => getComputedStyle(s).breakBefore),
        figures: [...document.querySelectorAll('figure')].map(
            f => getComputedStyle(f).breakInside),
    })""")
    assert styles["nav"] == "none"  # the contents' links mean nothing on paper
    assert styles["breaks"][0] != "page" and set(styles["breaks"][1:]) == {"page"}
    assert set(styles["figures"]) == {"avoid"}  # a chart is never cut in two
    pdf = page.pdf(format="A4")
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert pages >= len(styles["breaks"])  # every section starts a page
    page.close()
