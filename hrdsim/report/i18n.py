"""The report's languages: message catalogues, the model's vocabulary, and numbers
and dates formatted for the language.

Every fixed text of the report (headings, sentences, chart titles and axis labels)
comes from a message catalogue, ``locales/<lang>.toml``: nested TOML tables whose
dotted keys name the messages and whose ``{placeholders}`` are filled in when the
report is built. Both catalogues hold exactly the same keys and placeholders
(``tests/test_report_i18n.py`` checks it).

The model's own vocabulary - outcome labels and meanings, units, parameter
meanings, policy summaries - is declared in English next to the code that uses it
(:mod:`hrdsim.metrics`, :func:`hrdsim.params.setting`). Its translations live in a
gettext catalogue, ``locales/<lang>/LC_MESSAGES/model.po``, whose message ids are
those English texts, read with Babel. A text with no translation is shown in
English and marked as such (``lang="en"``), never dropped.

Numbers, percentages and dates are formatted with Babel for the language's
locale: ``1,234.5`` in English, ``1 234,5`` in Finnish.
"""

from __future__ import annotations

import datetime
import math
import string
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import attrs

from hrdsim.report.languages import LANGUAGES, LOCALES


def _locales_folder() -> Any:
    return files("hrdsim.report") / "locales"


def flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested TOML tables as one ``dotted.key → text`` mapping.

    :raises TypeError: if a value is neither a table nor a text.
    """
    flat: dict[str, str] = {}
    for key, value in table.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            flat.update(flatten(value, dotted))
        elif isinstance(value, str):
            flat[dotted] = value
        else:
            raise TypeError(f"{dotted}: a message must be a text, not {type(value).__name__}")
    return flat


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a message expects."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@cache
def messages(lang: str) -> dict[str, str]:
    """The report catalogue of a language, as dotted keys."""
    text = (_locales_folder() / f"{lang}.toml").read_text(encoding="utf-8")
    return flatten(tomllib.loads(text))


@cache
def model_translations(lang: str) -> dict[str, str]:
    """English model text → its translation (empty for English)."""
    po = _locales_folder() / lang / "LC_MESSAGES" / "model.po"
    if not po.is_file():
        return {}
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle, locale=LOCALES[lang])
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


@attrs.frozen
class Text:
    """A text of the model's vocabulary in the report's language.

    :ivar text: the translation, or the English original when there is none.
    :ivar lang: the language ``text`` is in.
    """

    text: str
    lang: str

    def __str__(self) -> str:
        return self.text


@attrs.frozen
class Catalogue:
    """The report's texts and formats in one language.

    ``catalogue("summary.title")`` looks a message up; keyword arguments fill its
    placeholders. :meth:`model` translates the model's English vocabulary.
    """

    lang: str
    locale: str = attrs.field(init=False)
    _messages: dict[str, str] = attrs.field(init=False, repr=False)
    _model: dict[str, str] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.lang not in LOCALES:
            raise ValueError(f"no report language {self.lang!r}; choose one of "
                             + ", ".join(LANGUAGES))
        object.__setattr__(self, "locale", LOCALES[self.lang])
        object.__setattr__(self, "_messages", messages(self.lang))
        object.__setattr__(self, "_model", model_translations(self.lang))

    def __call__(self, key: str, /, **values: Any) -> str:
        """The message ``key`` with its placeholders filled in.

        :raises KeyError: for a key the catalogue does not hold.
        """
        text = self._messages[key]
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self._messages

    def get(self, key: str, default: str) -> str:
        """The message ``key``, or ``default`` when the catalogue has none."""
        return self._messages.get(key, default)

    def model(self, english: str) -> Text:
        """A text of the model's vocabulary in this language (English if untranslated)."""
        if self.lang == "en" or not english:
            return Text(english, "en" if english else self.lang)
        translated = self._model.get(english)
        return Text(translated, self.lang) if translated else Text(english, "en")

    def unit(self, unit: str) -> str:
        """A unit as written in this language (the unit itself when it has no translation)."""
        return self.model(unit).text if unit else ""

    # -- numbers ------------------------------------------------------------------------

    def number(self, value: float | None, decimals: int | None = None) -> str:
        """A number for this language: ``decimals`` places, or about three significant
        digits; ``n/a`` in the language for a missing value."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self("common.not_available")
        if math.isinf(value):
            return "∞" if value > 0 else "−∞"
        if decimals is None:
            decimals = significant_decimals(value)
        return format_number(value, decimals, self.locale)

    def integer(self, value: int) -> str:
        return format_number(value, 0, self.locale)

    def percent(self, share: float | None, decimals: int = 0) -> str:
        """A share (0-1) as a percentage in the language's own style (``5%``, ``5 %``)."""
        if share is None or math.isnan(share):
            return self("common.not_available")
        from babel.numbers import format_percent

        return format_percent(share, format=_percent_pattern(self.locale, decimals),
                              locale=self.locale)

    def date(self, day: datetime.date) -> str:
        from babel.dates import format_date

        return format_date(day, format="long", locale=self.locale)


@cache
def number_symbols(locale: str) -> tuple[str, str, str]:
    """The locale's decimal separator, group separator and minus sign (CLDR, via Babel)."""
    from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

    return (get_decimal_symbol(locale), get_group_symbol(locale),
            get_minus_sign_symbol(locale))


def format_number(value: float, decimals: int, locale: str) -> str:
    """``value`` with ``decimals`` places and thousands grouped, in the locale's symbols
    (``-1,234.5`` in English, ``−1 234,5`` in Finnish). This is Babel's ``#,##0.0…``
    pattern, written out so that charts can format thousands of ticks quickly."""
    decimal, group, minus = number_symbols(locale)
    text = f"{abs(value):,.{max(decimals, 0)}f}"
    text = text.translate({ord(","): group, ord("."): decimal})
    negative = value < 0 and any(c not in "0" + decimal + group for c in text)
    return minus + text if negative else text


@cache
def _percent_pattern(locale: str, decimals: int) -> str:
    """The locale's percent pattern (``#,##0 %`` in Finnish) with ``decimals`` places."""
    import re

    from babel import Locale

    pattern = Locale.parse(locale).percent_formats[None].pattern
    if decimals <= 0:
        return pattern
    return re.sub(r"0(?=[^0#,.]*$)", "0." + "0" * decimals, pattern, count=1)


def significant_decimals(value: float, digits: int = 3) -> int:
    """Decimals that show about ``digits`` significant digits of ``value`` (at most 10)."""
    magnitude = abs(value)
    if magnitude == 0 or not math.isfinite(magnitude):
        return 0
    return min(max(digits - 1 - math.floor(math.log10(magnitude)), 0), 10)


#: A mean is never shown with more significant digits than this, however narrow its
#: interval: 5,048.6 € is shown as 5,049 €, 1.8710 hours as 1.871.
MAX_SIGNIFICANT = 4


def interval_decimals(mean: float, low: float | None, high: float | None) -> int:
    """Decimals for a mean and its interval: two significant digits of the half-width
    (of the mean when there is no interval), but no more than :data:`MAX_SIGNIFICANT`
    significant digits of the mean.

    An interval narrower than floating-point noise (every replication gave the same
    value) counts as no interval: 1.3125 is shown as ``1.31``, not ``1.312500``.
    """
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return significant_decimals(mean)
    scale = (high - low) / 2
    if scale <= 1e-9 * max(1.0, abs(mean), abs(low), abs(high)):
        return significant_decimals(mean)
    decimals = min(max(1 - math.floor(math.log10(scale)), 0), 6)
    if mean != 0 and math.isfinite(mean):
        decimals = min(decimals, significant_decimals(mean, MAX_SIGNIFICANT))
    return max(decimals, 0)


__all__ = ["LANGUAGES", "LOCALES", "MAX_SIGNIFICANT", "Catalogue", "Text", "flatten",
           "format_number", "interval_decimals", "messages", "model_translations", "number_symbols",
           "placeholders", "significant_decimals"]
