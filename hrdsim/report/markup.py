"""The values a report template shows, each knowing how to render itself safely.

Jinja2 escapes every value it prints unless the value renders itself through
``__html__``; these classes do, escaping whatever they hold:

* :class:`Num` - a formatted number that carries its exact value and what it is
  (``data-metric``, ``data-scenario``, ``data-stat``, ``data-value``), so that a
  reader or a test can check every number against the study's own files;
* :class:`User` - text the user wrote (a scenario's name, a file path), shown as
  text and marked ``data-user``;
* :class:`Foreign` - text in another language than the report's (a parameter's
  English meaning when it has no translation, a cited source), marked with its
  ``lang``.

:func:`say` fills a catalogue message's placeholders with such values.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
from markupsafe import Markup, escape


@attrs.frozen
class Num:
    """A number as shown, with the exact value behind it.

    :ivar text: the number formatted for the report's language.
    :ivar value: the exact value (``None`` when there is no number).
    :ivar metric: what it measures (an outcome name, ``difference:<outcome>``...).
    :ivar scenario: whose number it is (a scenario label), or ``""``.
    :ivar stat: which statistic (``mean``, ``ci_low``, ``ci_high``, ``n``...).
    """

    text: str
    value: float | None = None
    metric: str = ""
    scenario: str = ""
    stat: str = ""

    def __html__(self) -> Markup:
        data = [("metric", self.metric), ("scenario", self.scenario), ("stat", self.stat)]
        attributes = "".join(f' data-{name}="{escape(v)}"' for name, v in data if v)
        value = "" if self.value is None or not math.isfinite(self.value) else repr(
            float(self.value))
        return Markup(f'<span class="num"{attributes} data-value="{value}">'
                      f"{escape(self.text)}</span>")

    def __str__(self) -> str:
        return self.text


@attrs.frozen
class User:
    """Text the user supplied (a name, a path, a command): shown verbatim, as text."""

    text: str
    code: bool = False

    def __html__(self) -> Markup:
        tag = "code" if self.code else "span"
        return Markup(f'<{tag} class="user" data-user="">{escape(self.text)}</{tag}>')

    def __str__(self) -> str:
        return self.text


@attrs.frozen
class Foreign:
    """Text quoted in another language than the report's."""

    text: str
    lang: str

    def __html__(self) -> Markup:
        return Markup(f'<span lang="{escape(self.lang)}">{escape(self.text)}</span>')

    def __str__(self) -> str:
        return self.text


def say(message: str, **values: Any) -> Markup:
    """A catalogue message with its placeholders filled: the message and every plain
    value are escaped, values that render themselves (:class:`Num`, :class:`User`...)
    are inserted as they render."""
    return Markup(escape(message)).format(**values)


__all__ = ["Foreign", "Num", "User", "say"]
