"""The report in English and Finnish: catalogues that match key for key, the model's
vocabulary translated, numbers in each language's own style, and a Finnish report
with no English left in its fixed text."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from hrdsim.report.i18n import (
    LOCALES,
    Catalogue,
    format_number,
    messages,
    model_translations,
    placeholders,
)
from tests.conftest import ROOT
from tests.test_report import ReportPage, check_shown, compare_study, invoke

LETTERS = re.compile(r"[^\W\d_]")


# --------------------------------------------------------------------------- catalogues


def test_both_catalogues_have_the_same_keys_and_placeholders() -> None:
    en, fi = messages("en"), messages("fi")
    assert sorted(en) == sorted(fi)
    for key in en:
        assert placeholders(en[key]) == placeholders(fi[key]), key
        assert en[key].strip() and fi[key].strip(), key


def test_every_finnish_message_is_translated() -> None:
    """A Finnish text may equal the English one only when it holds no words at all, or is
    a symbol (the indices ST and mu*)."""
    en, fi = messages("en"), messages("fi")
    for key, text in fi.items():
        if text == en[key]:
            words = re.sub(r"\{\w+\}", "", text)
            assert not LETTERS.search(words) or len(words) <= 3, key


def core_vocabulary() -> list[str]:
    """The English texts of the core model the report shows: outcome labels and units,
    the scenario's keys, the core policies' parameters, every shipped policy's summary."""
    from hrdsim.docgen import CORE_PLUGINS, policy_keys, scenario_keys, shipped_policies
    from hrdsim.metrics import OUTCOMES

    texts = [o.label.strip() for o in OUTCOMES] + [o.unit for o in OUTCOMES]
    for _, _, info in scenario_keys():
        texts += [info.doc, info.unit]
    for entry, _, info in policy_keys():
        if entry.plugin in CORE_PLUGINS:
            texts += [info.doc, info.unit]
    texts += [entry.summary for entry in shipped_policies()]
    return sorted({t for t in texts if t})


def test_the_model_vocabulary_has_a_finnish_translation() -> None:
    translations = model_translations("fi")
    missing = [text for text in core_vocabulary() if text not in translations]
    assert missing == [], "add these to hrdsim/report/locales/fi/LC_MESSAGES/model.po"
    for english, finnish in translations.items():
        # symbols stay: "%", "ρ", "0/1"
        assert finnish != english or len(english) <= 2 or not LETTERS.search(english), english


def test_an_untranslated_text_is_shown_in_english_and_marked() -> None:
    fi = Catalogue("fi")
    assert (fi.model("Cost").text, fi.model("Cost").lang) == ("Kustannukset", "fi")
    assert (fi.model("A text nobody translated").lang) == "en"
    assert Catalogue("en").model("Cost").lang == "en"


def test_the_limits_are_those_of_the_model_document() -> None:
    from hrdsim.report.common import LIMITS

    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    section = text.split("## 15. Limits of the model")[1].split("\n## ")[0]
    documented = [title.replace("`", "") for title in  # code marks are Markdown's
                  re.findall(r"^\* \*\*(.+?)\*\*", section, flags=re.MULTILINE)]
    en = messages("en")
    assert [en[f"limits.{name}.title"].rstrip(".") for name in LIMITS] == [
        title.rstrip(".") for title in documented]


# --------------------------------------------------------------------------- numbers


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(0, 6),
       st.sampled_from(sorted(LOCALES.values())))
def test_numbers_are_formatted_as_babel_formats_them(value: float, decimals: int,
                                                     locale: str) -> None:
    """The quick formatter writes what Babel's ``#,##0.00`` pattern does in the locale
    (with the locale's own minus sign, and no minus on a number that rounds to zero)."""
    from babel.numbers import get_minus_sign_symbol

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    expected = format_decimal(value, format=pattern, locale=locale)
    if expected.startswith("-"):
        digits = expected[1:]
        zero = not any(c.isdigit() and c != "0" for c in digits)
        expected = digits if zero else get_minus_sign_symbol(locale) + digits
    got = format_number(value, decimals, locale)
    if got != expected:  # Babel rounds the decimal value half-even; Python the binary one
        assert abs(Decimal(_plain(got)) - Decimal(_plain(expected))) <= Decimal(10) ** -decimals
    else:
        assert got == expected


def _plain(text: str) -> str:
    return (text.replace("\xa0", "").replace(",", ".").replace("−", "-")
            if "," in text and text.rfind(",") > text.rfind(".") else
            text.replace(",", "").replace("−", "-"))


def test_finnish_numbers_use_a_decimal_comma_and_a_space_between_thousands() -> None:
    fi, en = Catalogue("fi"), Catalogue("en")
    assert fi.number(1234.5, 1) == "1\xa0234,5"
    assert en.number(1234.5, 1) == "1,234.5"
    assert fi.number(-0.25, 2) == "−0,25"
    assert fi.number(-0.0001, 2) == "0,00"
    assert fi.percent(0.05) == "5\xa0%" and en.percent(0.05) == "5%"
    assert fi.percent(0.125, 1) == "12,5\xa0%"
    assert fi.number(float("nan")) == "ei lukua"
    assert math.isclose(float(fi.number(1 / 3).replace(",", ".")), 0.333)


# --------------------------------------------------------------------------- the Finnish report


@pytest.fixture(scope="module")
def finnish(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ReportPage]:
    """A comparison written with --report --report-lang fi."""
    out = tmp_path_factory.mktemp("finnish") / "compare"
    result = compare_study(out, "--report", "--report-lang", "fi",
                           names=("baseline.toml", "octopus.toml"))
    assert result.exit_code == 0, result.output
    return out, ReportPage((out / "report.fi.html").read_text(encoding="utf-8"))


def english_fragments() -> tuple[set[str], set[str]]:
    """English catalogue texts a Finnish report must not show: whole messages, and the
    longer literal parts of messages with placeholders."""
    en, fi = messages("en"), messages("fi")
    whole, parts = set(), set()
    for key, text in en.items():
        if text == fi[key]:
            continue
        if placeholders(text):
            parts |= {p.strip(" .,;:()") for p in re.split(r"\{\w+\}", text)
                      if len(p.strip()) >= 12 and LETTERS.search(p)}
        else:
            whole.add(text)
    return whole, parts


def test_the_finnish_report_has_no_english_in_its_fixed_text(
    finnish: tuple[Path, ReportPage],
) -> None:
    from hrdsim.metrics import OUTCOMES

    _, page = finnish
    assert page.lang == "fi"
    shown = [text for text, _, quoted in page.text if not quoted]
    whole, parts = english_fragments()
    assert not [t for t in shown if t in whole]
    assert not [(p, t) for p in parts for t in shown if p in t]
    labels = {o.label.strip() for o in OUTCOMES if LETTERS.search(o.label)}
    assert not [t for t in shown if t in labels]
    # and it is Finnish: the sections' headings and the summary come from fi.toml
    fi = messages("fi")
    assert fi["section.summary"] in shown and fi["summary.uncertainty_heading"] in shown
    assert "Tämä raportti vertaa yhtä vaihtoehtoa perusskenaarioon ”" in shown


def test_the_finnish_report_quotes_only_sources_and_user_text_in_english(
    finnish: tuple[Path, ReportPage],
) -> None:
    out, _ = finnish
    html = (out / "report.fi.html").read_text(encoding="utf-8")
    quoted = re.findall(r'<span lang="en">([^<]*)</span>', html)
    assert quoted, "the sources are quoted in English"
    assumptions = html.split('id="assumptions"')[1]
    assert all(q in assumptions for q in quoted)  # nowhere but in the sources column


def test_the_finnish_report_writes_numbers_with_a_decimal_comma(
    finnish: tuple[Path, ReportPage],
) -> None:
    _, page = finnish
    fractional = [n for n in page.nums if n["data-value"] and re.search(r"\d[.,]\d", n["text"])]
    assert len(fractional) > 50
    for num in fractional:
        assert "," in num["text"] and "." not in num["text"], num
        check_shown(num, "fi")
    large = [n for n in page.nums if n["data-value"] and abs(float(n["data-value"])) >= 1000]
    assert large and all("\xa0" in n["text"] for n in large)
    negative = [n for n in page.nums if n["text"].startswith(("−", "-"))]
    assert all(n["text"].startswith("−") for n in negative)


def test_the_finnish_charts_and_tables_are_in_finnish(finnish: tuple[Path, ReportPage]) -> None:
    out, page = finnish
    fi = messages("fi")
    assert [i["alt"] for i in page.images] == [
        fi["chart.capability.title"], fi["chart.gap.title"], fi["chart.learning.title"],
        fi["chart.waits.title"], fi["chart.utilisation.title"], fi["chart.cost.title"],
        fi["chart.forest.title"]]
    summary = pd.read_csv(out / "tables" / "fi" / "summary.csv")
    assert list(summary.columns[:3]) == ["Skenaario", "Toistot",
                                         "Osaamisindeksi (lopussa) [0–100]: keskiarvo"]
    sheets = pd.read_excel(out / "tables" / "fi" / "tables.xlsx", sheet_name=None)
    assert list(sheets) == ["Yhteenveto", "Erot lähtötiedoissa", "Oppimistunnit", "Erot",
                            "Oletukset"]


def test_report_language_is_checked(tmp_path: Path) -> None:
    result = invoke("report", str(tmp_path), "--lang", "sv")
    assert result.exit_code == 2
    assert "Invalid value for '--lang': 'sv' is not one of 'en', 'fi'." in result.output


def test_the_finnish_report_uses_the_hr_terms_finnish_readers_know(
    finnish: tuple[Path, ReportPage],
) -> None:
    """Mustekalamalli, keskitetty malli, osaamisen epätasaisuus - and costs in the plural,
    as Finnish speaks of them."""
    out, page = finnish
    html = (out / "report.fi.html").read_text(encoding="utf-8")
    cards = html.split('id="scenarios"')[1].split("</section>")[0]
    choices = [" ".join(re.sub(r"<[^>]+>", "", dt).split())
               for dt in re.findall(r"<dt>(.*?)</dt>", cards, re.S)]
    assert "HR:n toimintamalli: Keskitetty malli: yhteinen HR-kehittäjäpooli" in choices
    assert "HR:n toimintamalli: Mustekalamalli: kehittäjät jalkautettuina tiimien lähelle" in \
        choices
    shown = {text for text, _, quoted in page.text if not quoted}
    assert "Osaamisen epätasaisuus (Gini)" in shown
    assert "Epätasa-arvo (Gini)" not in shown and "Osaamisen epätasa-arvo (Gini)" not in shown
    assert "Kustannukset" in shown and "Kustannus" not in shown
