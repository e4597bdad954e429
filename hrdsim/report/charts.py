"""The report's charts: matplotlib figures written as PNG (for slides) and SVG.

Every chart has a title, labelled axes with units and a legend, all in the
report's language (the caller passes the texts; nothing here is in a language).
Colours follow the Okabe-Ito palette, which stays distinguishable with the
common colour-vision deficiencies, and each scenario keeps its colour (and line
style) in every chart of a report: :func:`colours` assigns them by the
scenario's position in the study, the baseline first. Tick labels use the
report's decimal separator. SVG text is drawn as paths, so the files look the
same on any machine, with no font to install or fetch; the only font used is
DejaVu Sans, which matplotlib ships. Mathematical text is off, so a ``$`` in a
scenario's name is just a dollar sign.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Okabe & Ito (2008), in the order scenarios take them (the yellow, hard to see on
#: white, comes last but one).
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
LINE_STYLES: tuple[Any, ...] = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)))
MARKERS: tuple[str, ...] = ("o", "s", "D", "^", "v", "P", "X", "*")

#: Slide-friendly 16:9 at 200 dpi: 2000 × 1125 pixels.
FIGURE_SIZE = (10.0, 5.625)
PNG_DPI = 200
BAND_ALPHA = 0.18

STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.titlesize": 14,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.35,
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 10,
    "svg.fonttype": "path",
    "svg.hashsalt": "hrdsim-report",
    "text.parse_math": False,
    "axes.unicode_minus": True,
}


@attrs.frozen
class Look:
    """How one scenario is drawn in every chart."""

    colour: str
    line: Any
    marker: str


def looks(labels: Sequence[str]) -> dict[str, Look]:
    """Each scenario's colour, line style and marker, by its position (baseline first)."""
    return {label: Look(OKABE_ITO[i % len(OKABE_ITO)],
                        LINE_STYLES[(i // len(OKABE_ITO) + i) % len(LINE_STYLES)],
                        MARKERS[i % len(MARKERS)])
            for i, label in enumerate(labels)}


def colours(labels: Sequence[str]) -> dict[str, str]:
    """Each scenario's colour."""
    return {label: look.colour for label, look in looks(labels).items()}


@contextmanager
def style() -> Iterator[None]:
    """Matplotlib's settings for the report's charts (the Agg backend, no GUI)."""
    import matplotlib

    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]
        yield


def wrap(text: str, width: int = 48) -> str:
    """A long legend entry or title on several lines."""
    return "\n".join(textwrap.wrap(text, width)) or text


# --------------------------------------------------------------------------- ticks


def locale_ticks(fmt: Callable[[float, int], str]) -> Any:
    """A tick formatter that writes numbers with ``fmt(value, decimals)`` - the report's
    language - with just enough decimals to tell the ticks apart."""
    from matplotlib.ticker import Formatter

    class LocaleTicks(Formatter):  # type: ignore[misc]
        def __call__(self, x: float, pos: int | None = None) -> str:
            return fmt(x, _decimals([x]))

        def format_ticks(self, values: Sequence[float]) -> list[str]:
            decimals = _decimals(values)
            return [fmt(v, decimals) for v in values]

    return LocaleTicks()


def _decimals(values: Sequence[float]) -> int:
    for decimals in range(7):
        if all(abs(round(v, decimals) - v) <= 1e-9 * max(1.0, abs(v)) for v in values):
            return decimals
    return 6


def _numbers_in(fig: Figure, fmt: Callable[[float, int], str]) -> None:
    """Numeric axes write their ticks in the report's language (category axes keep
    their labels)."""
    from matplotlib.ticker import ScalarFormatter

    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if isinstance(axis.get_major_formatter(), ScalarFormatter):
                axis.set_major_formatter(locale_ticks(fmt))


# --------------------------------------------------------------------------- writing


@attrs.frozen
class Written:
    """A chart's files and its SVG for the HTML report."""

    png: Path
    svg: Path
    svg_bytes: bytes
    width: float
    height: float


def save(fig: Figure, folder: Path, stem: str, fmt: Callable[[float, int], str]) -> Written:
    """Write ``stem.png`` (200 dpi) and ``stem.svg`` into ``folder``, each atomically.

    :param fmt: formats tick numbers for the report's language.
    :raises OutputError: if a file cannot be written.
    """
    from hrdsim.results import atomic_write

    _numbers_in(fig, fmt)
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg_bytes = buffer.getvalue()
    svg = atomic_write(folder / f"{stem}.svg", lambda p: Path(p).write_bytes(svg_bytes))
    png = atomic_write(folder / f"{stem}.png", lambda p: fig.savefig(
        p, format="png", dpi=PNG_DPI, metadata={"Software": None},
        pil_kwargs={"compress_level": 1}))
    width, height = fig.get_size_inches()
    return Written(png, svg, svg_bytes, float(width), float(height))


def _figure(size: tuple[float, float] = FIGURE_SIZE) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=size)


#: Margins around the plotting area, in inches: room for tick labels and axis labels
#: (left, bottom), the title (top), and per line of legend text.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 1.0, 0.3, 0.6, 0.7
LEGEND_LINE = 0.2


def _legend(fig: Figure, handles: Sequence[Any], labels: Sequence[str], columns: int = 2,
            top: float = MARGIN_TOP) -> None:
    """The legend under the plot, and margins that leave room for it and the titles.

    The margins are set here, in inches, rather than solved by a layout engine: that
    would draw every chart once more just to measure it.
    """
    columns = max(1, min(columns, len(labels)))
    wrapped = [wrap(label) for label in labels]
    rows = [wrapped[i:i + columns] for i in range(0, len(wrapped), columns)]
    lines = sum(max(text.count("\n") + 1 for text in row) for row in rows)
    legend = 0.15 + LEGEND_LINE * lines + 0.08 * len(rows)
    width, height = fig.get_size_inches()
    fig.legend(handles, wrapped, loc="lower center", bbox_to_anchor=(0.5, 0.08 / height),
               ncols=columns)
    fig.subplots_adjust(left=MARGIN_LEFT / width, right=1 - MARGIN_RIGHT / width,
                        top=1 - top / height, bottom=(MARGIN_BOTTOM + legend) / height)


# --------------------------------------------------------------------------- charts


@attrs.frozen
class Series:
    """One scenario's line over time: x values, the mean and its 95% band."""

    label: str
    x: Sequence[float]
    mean: Sequence[float]
    low: Sequence[float]
    high: Sequence[float]


def over_time(series: Sequence[Series], look: Mapping[str, Look], *, title: str, xlabel: str,
              ylabel: str, band: str, marks: Sequence[tuple[float, str]] = (),
              xmax: float | None = None, ymin: float | None = None) -> Figure:
    """Lines with shaded 95% bands, one per scenario; dotted verticals at ``marks``.

    :param xmax: the end of the horizon on the x axis (the last week's point lies just
        before it, in years), so that the axis ends at a round number.
    :param ymin: the lowest value the quantity can take (0 for a share), the axis' start.
    """
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    fig = _figure()
    ax = fig.add_subplot()
    handles: list[Any] = []
    for s in series:
        style = look[s.label]
        (line,) = ax.plot(s.x, s.mean, color=style.colour, linestyle=style.line, linewidth=2)
        ax.fill_between(s.x, s.low, s.high, color=style.colour, alpha=BAND_ALPHA, linewidth=0)
        handles.append(line)
    for x, text in marks:
        ax.axvline(x, color="#444444", linestyle=":", linewidth=1.2)
        ax.annotate(text, (x, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -3),
                    textcoords="offset points", va="top", fontsize=9, color="#444444")
    ax.set_title(title, loc="left")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.margins(x=0)
    ax.xaxis.set_major_locator(MaxNLocator(steps=[1, 5, 10]))  # whole or half years
    if xmax is not None:
        ax.set_xlim(0, xmax)
    if ymin is not None:
        ax.set_ylim(bottom=ymin)
    handles.append(Patch(color="#777777", alpha=BAND_ALPHA * 2, linewidth=0))
    _legend(fig, handles, [s.label for s in series] + [band])
    return fig


def learning_modes(labels: Sequence[str], look: Mapping[str, Look],
                   modes: Sequence[tuple[str, Mapping[str, float | None],
                                         Mapping[str, float | None]]], *,
                   title: str, ylabel: str, planned: str, realised: str) -> Figure:
    """Per 70-20-10 mode, planned (hatched outline) and realised (filled) hours by scenario.

    :param modes: (mode's name, planned per scenario, realised per scenario).
    """
    from matplotlib.patches import Patch

    fig = _figure()
    axes = fig.subplots(1, len(modes), sharey=True)
    axes = list(axes) if len(modes) > 1 else [axes]
    width = 0.38
    for ax, (mode, plan, real) in zip(axes, modes, strict=True):
        for i, label in enumerate(labels):
            colour = look[label].colour
            ax.bar(i - width / 2, _or_nan(plan.get(label)), width, facecolor="white",
                   edgecolor=colour, hatch="///", linewidth=1.2)
            ax.bar(i + width / 2, _or_nan(real.get(label)), width, color=colour)
        ax.set_title(mode, fontsize=12, fontweight="normal")
        ax.set_xticks([])
        ax.grid(axis="x", visible=False)
    axes[0].set_ylabel(ylabel)
    height = fig.get_size_inches()[1]
    fig.suptitle(title, x=MARGIN_LEFT / fig.get_size_inches()[0], y=1 - 0.12 / height,
                 ha="left", va="top", fontsize=14, fontweight="bold")
    handles = [Patch(facecolor=look[label].colour) for label in labels]
    handles += [Patch(facecolor="white", edgecolor="#444444", hatch="///"),
                Patch(facecolor="#444444")]
    _legend(fig, handles, [*labels, planned, realised], top=0.95)
    fig.subplots_adjust(wspace=0.08)
    return fig


def grouped_bars(labels: Sequence[str], look: Mapping[str, Look], categories: Sequence[str],
                 values: Mapping[str, Sequence[float]], *, title: str, xlabel: str,
                 ylabel: str) -> Figure:
    """Bars per category, one per scenario side by side (a distribution in bins)."""
    fig = _figure()
    ax = fig.add_subplot()
    count = max(len(labels), 1)
    width = 0.8 / count
    handles = []
    for i, label in enumerate(labels):
        offset = (i - (count - 1) / 2) * width
        bars = ax.bar([c + offset for c in range(len(categories))], values[label], width,
                      color=look[label].colour)
        handles.append(bars)
    ax.set_xticks(range(len(categories)), categories)
    ax.grid(axis="x", visible=False)
    ax.set_title(title, loc="left")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    _legend(fig, handles, list(labels))
    return fig


def per_replication(labels: Sequence[str], look: Mapping[str, Look],
                    groups: Sequence[tuple[str, str, Mapping[str, Sequence[float]]]], *,
                    title: str, ylabel: str) -> Figure:
    """Each replication's value as a dot, per scenario, for one or more statistics.

    :param groups: (statistic's name, marker, values per scenario).
    """
    from matplotlib.lines import Line2D

    fig = _figure()
    ax = fig.add_subplot()
    spread = 0.25
    for g, (_, marker, values) in enumerate(groups):
        shift = (g - (len(groups) - 1) / 2) * spread
        for i, label in enumerate(labels):
            points = [v for v in values.get(label, ()) if v is not None and math.isfinite(v)]
            jitter = [((k * 0.618) % 1 - 0.5) * spread * 0.6 for k in range(len(points))]
            ax.scatter([i + shift + j for j in jitter], points, marker=marker, s=30,
                       color=look[label].colour, alpha=0.8, linewidths=0)
    ax.set_xticks([])
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.grid(axis="x", visible=False)
    ax.set_title(title, loc="left")
    ax.set_ylabel(ylabel)
    handles = [Line2D([], [], color=look[label].colour, marker="s", linestyle="")
               for label in labels]
    handles += [Line2D([], [], color="#444444", marker=marker, linestyle="")
                for _, marker, _ in groups]
    _legend(fig, handles, [*labels, *(name for name, _, _ in groups)])
    return fig


@attrs.frozen
class Point:
    """A scenario's point with 95% intervals on both axes."""

    label: str
    x: float
    x_low: float
    x_high: float
    y: float
    y_low: float
    y_high: float


def scatter_with_intervals(points: Sequence[Point], look: Mapping[str, Look], *, title: str,
                           xlabel: str, ylabel: str) -> Figure:
    """Scenarios as points with 95% CI whiskers in both directions."""
    fig = _figure()
    ax = fig.add_subplot()
    handles = []
    for p in points:
        style = look[p.label]
        handles.append(ax.errorbar(
            [p.x], [p.y], xerr=[[_gap(p.x, p.x_low)], [_gap(p.x_high, p.x)]],
            yerr=[[_gap(p.y, p.y_low)], [_gap(p.y_high, p.y)]], fmt=style.marker,
            color=style.colour, markersize=9, capsize=4, linewidth=1.5))
    ax.set_title(title, loc="left")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.margins(0.15)
    _legend(fig, handles, [p.label for p in points])
    return fig


#: the left and right margins of a figure of panels, inches
PANEL_LEFT = 0.25


def _panel_grid(count: int, *, columns: int, axes_height: float, legend: float,
                gap: float) -> tuple[Figure, list[Any]]:
    """A figure of ``count`` axes in rows of ``columns`` (placed by hand, in inches):
    a band for the figure's title on top, above each axes room for its title and below
    it for its note, and ``legend`` inches at the foot.

    :param gap: the space between two columns, inches.
    """
    from matplotlib.figure import Figure

    head, panel_title, foot = 0.6, 0.42, 0.5
    rows = math.ceil(count / columns) if count else 1
    row_height = panel_title + axes_height + foot
    width = FIGURE_SIZE[0]
    height = head + rows * row_height + legend
    fig = Figure(figsize=(width, height))
    panel_width = (width - 2 * PANEL_LEFT - (columns - 1) * gap) / columns
    axes = []
    for index in range(count):
        row, column = divmod(index, columns)
        bottom = height - head - row * row_height - panel_title - axes_height
        axes.append(fig.add_axes(((PANEL_LEFT + column * (panel_width + gap)) / width,
                                  bottom / height, panel_width / width, axes_height / height)))
    return fig, axes


@attrs.frozen
class Panel:
    """One metric of a forest plot: each alternative's difference with its 95% CI."""

    title: str
    note: str
    rows: Sequence[tuple[str, float, float, float]]  # label, mean, low, high


def forest(panels: Sequence[Panel], labels: Sequence[str], look: Mapping[str, Look], *,
           title: str, missing: str) -> Figure:
    """Small multiples: per metric, each alternative's paired difference and 95% CI,
    with a line at zero (no difference); each panel has its own unit.

    The panels are placed by hand (in inches) rather than by a layout engine, which
    would take seconds to settle a dozen panels.
    """
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    fig, axes = _panel_grid(len(panels), columns=min(3, max(1, len(panels))),
                            axes_height=0.25 + 0.26 * len(labels),
                            legend=0.3 + 0.22 * math.ceil(len(labels) / 2), gap=0.35)
    width, height = fig.get_size_inches()
    for ax, panel in zip(axes, panels, strict=True):
        ys = list(range(len(panel.rows)))[::-1]
        for y, (label, mean, low, high) in zip(ys, panel.rows, strict=True):
            style = look[label]
            if not math.isfinite(mean):
                ax.annotate(missing, (0.5, y), xycoords=("axes fraction", "data"),
                            ha="center", va="center", fontsize=9, color=style.colour)
                continue
            if math.isfinite(low) and math.isfinite(high):
                ax.hlines(y, low, high, color=style.colour, linewidth=2)
            ax.plot([mean], [y], marker=style.marker, color=style.colour, markersize=7)
        ax.axvline(0, color="#444444", linewidth=1)
        ax.set_ylim(-0.7, max(len(panel.rows), 1) - 0.3)
        ax.set_yticks([])
        ax.grid(axis="y", visible=False)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.set_title(wrap(panel.title, 36), fontsize=10, loc="left", fontweight="bold")
        ax.set_xlabel(panel.note, fontsize=9)
        ax.tick_params(axis="x", labelsize=8)
    fig.suptitle(title, x=PANEL_LEFT / width, y=1 - 0.15 / height, ha="left", va="top",
                 fontsize=14, fontweight="bold")
    handles = [Line2D([], [], color=look[label].colour, marker=look[label].marker)
               for label in labels]
    fig.legend(handles, [wrap(label) for label in labels], loc="lower center",
               bbox_to_anchor=(0.5, 0.1 / height), ncols=max(1, min(2, len(labels))))
    return fig


@attrs.frozen
class TornadoPanel:
    """One outcome of a tornado chart: each parameter's index with its 95% CI, largest
    first, and the noise floor's interval."""

    title: str
    note: str
    rows: Sequence[tuple[str, float, float, float]]  # parameter, index, low, high
    floor: tuple[float, float] | None


def tornado(panels: Sequence[TornadoPanel], parameters: Sequence[str], *, title: str,
            floor: str, names: Mapping[str, str] | None = None) -> Figure:
    """Per outcome, a bar from 0 to each parameter's index (the largest on top) with its
    95% CI, over a grey band: the noise floor's interval. Each parameter keeps its
    colour in every panel.

    :param names: each parameter's name in the legend (default: the parameter itself).
    """
    from matplotlib.patches import Patch

    colour = {name: OKABE_ITO[i % len(OKABE_ITO)] for i, name in enumerate(parameters)}
    shown = [wrap((names or {}).get(name, name), 60) for name in parameters]
    fig, axes = _panel_grid(len(panels), columns=2 if len(panels) > 1 else 1,
                            axes_height=0.3 + 0.3 * max(len(parameters), 1),
                            legend=0.3 + 0.22 * (sum(text.count("\n") + 1 for text in shown) + 1),
                            gap=0.45)
    width, height = fig.get_size_inches()
    for ax, panel in zip(axes, panels, strict=True):
        ys = list(range(len(panel.rows)))[::-1]
        if panel.floor is not None:
            ax.axvspan(*panel.floor, color="#999999", alpha=0.35, linewidth=0)
        for y, (name, value, low, high) in zip(ys, panel.rows, strict=True):
            ax.barh(y, value, color=colour.get(name, "#444444"), height=0.6)
            if math.isfinite(low) and math.isfinite(high):
                ax.hlines(y, low, high, color="#222222", linewidth=1.2)
        ax.axvline(0, color="#444444", linewidth=1)
        ax.set_ylim(-0.7, max(len(panel.rows), 1) - 0.3)
        ax.set_yticks([])
        ax.grid(axis="y", visible=False)
        ax.set_title(wrap(panel.title, 44), fontsize=10, loc="left", fontweight="bold")
        ax.set_xlabel(panel.note, fontsize=9)
        ax.tick_params(axis="x", labelsize=8)
    fig.suptitle(title, x=PANEL_LEFT / width, y=1 - 0.15 / height, ha="left", va="top",
                 fontsize=14, fontweight="bold")
    handles = [Patch(color=colour[name]) for name in parameters]
    handles.append(Patch(color="#999999", alpha=0.35))
    fig.legend(handles, [*shown, floor], loc="lower center",
               bbox_to_anchor=(0.5, 0.1 / height), ncols=1)
    return fig


@attrs.frozen
class EffectPanel:
    """One outcome against one varied key: each design point's mean and 95% CI.

    :ivar groups: series name ("" for one series) → (x, mean, low, high) per point.
    """

    groups: Mapping[str, Sequence[tuple[float, float, float, float]]]


def main_effects(grid: Sequence[Sequence[EffectPanel]], *, title: str, rows: Sequence[str],
                 columns: Sequence[str], ticks: Mapping[int, Sequence[tuple[float, str]]],
                 groups: Sequence[str], joined: bool) -> Figure:
    """Outcomes (rows) against the design's keys (columns): every point's mean with its
    95% CI; points of the same series (the other key's value in a two-key grid) share a
    colour and, in a grid, a line.

    :param ticks: column → (position, label) for a key whose values are not numbers.
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    count_rows, count_columns = max(len(rows), 1), max(len(columns), 1)
    head, foot, label = 0.6, 0.55, 0.9
    legend = 0.35 + 0.22 * math.ceil(len([g for g in groups if g]) / 3) if any(groups) else 0.2
    panel_height = 2.0
    width = FIGURE_SIZE[0]
    height = head + count_rows * (panel_height + 0.35) + foot + legend
    fig = Figure(figsize=(width, height))
    gap = 0.45
    panel_width = (width - label - 0.3 - (count_columns - 1) * gap) / count_columns
    colour = {name: OKABE_ITO[i % len(OKABE_ITO)] for i, name in enumerate(groups)}
    for r, row in enumerate(grid):
        for c, panel in enumerate(row):
            bottom = height - head - (r + 1) * (panel_height + 0.35) + 0.35
            ax = fig.add_axes(((label + c * (panel_width + gap)) / width, bottom / height,
                               panel_width / width, panel_height / height))
            for name, points in panel.groups.items():
                ordered = sorted(points)
                xs = [p[0] for p in ordered]
                means = [p[1] for p in ordered]
                below = [_gap(p[1], p[2]) for p in ordered]
                above = [_gap(p[3], p[1]) for p in ordered]
                ax.errorbar(xs, means, yerr=[below, above], fmt="o", markersize=4,
                            color=colour.get(name, OKABE_ITO[0]), capsize=2, linewidth=1,
                            linestyle="-" if joined else "none")
            if c in ticks:
                ax.set_xticks([t[0] for t in ticks[c]], [t[1] for t in ticks[c]])
            if c == 0:
                ax.set_ylabel(wrap(rows[r], 22), fontsize=9)
            if r == len(grid) - 1:
                ax.set_xlabel(wrap(columns[c], max(24, int(panel_width * 13))), fontsize=9)
            ax.tick_params(labelsize=8)
            ax.margins(x=0.08)
    fig.suptitle(title, x=label / width, y=1 - 0.15 / height, ha="left", va="top",
                 fontsize=14, fontweight="bold")
    named = [g for g in groups if g]
    if named:
        handles = [Line2D([], [], color=colour[g], marker="o") for g in named]
        fig.legend(handles, named, loc="lower center", bbox_to_anchor=(0.5, 0.1 / height),
                   ncols=min(3, len(named)))
    return fig


def _gap(a: float, b: float) -> float:
    gap = a - b
    return gap if math.isfinite(gap) else 0.0


def _or_nan(value: float | None) -> float:
    return float("nan") if value is None else value


__all__ = ["OKABE_ITO", "EffectPanel", "Look", "Panel", "Point", "Series", "TornadoPanel",
           "Written", "colours", "forest", "grouped_bars", "learning_modes", "locale_ticks",
           "looks", "main_effects", "over_time", "per_replication", "save",
           "scatter_with_intervals", "style", "tornado"]
