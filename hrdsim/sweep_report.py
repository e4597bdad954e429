"""The text report of a sweep: the design, a table of points, the best points, failures."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hrdsim.experiment import Failure
    from hrdsim.metrics import Estimate
    from hrdsim.sweep_study import Sweep

#: Designs with more points show only this many, the best first.
MAX_ROWS = 40
SHOWN_WHEN_MANY = 20


def report(sweep: Sweep) -> str:
    """The sweep as ``hrdsim sweep`` prints it."""
    from hrdsim.design import scale_text
    from hrdsim.experiment import executor_text, failure_lines

    s = sweep.resolved.scenario
    counts = sweep.run_counts()
    name = json.dumps(s.name, ensure_ascii=False)
    lines = [f"Sweep of {name} ({sweep.resolved.loaded.path})", *_design_lines(sweep),
             f"{scale_text(s.organisation.employees, s.weeks, sweep.plan.keys)}; "
             f"{sweep.replications} replication{'s' * (sweep.replications != 1)} per point on "
             f"common random numbers (seed {sweep.seed}, "
             + (f"replications 0-{sweep.replications - 1})" if sweep.replications > 1
                else "replication 0)")]
    where = executor_text(sweep.executor)
    ran = counts["finished"] - sweep.resumed
    line = f"{counts['finished']} of {counts['planned']} runs finished"
    if sweep.resumed:
        line += f" ({sweep.resumed} already in the folder; {ran} run now"
        line += (f" in {sweep.wall_seconds:.1f} s" + (f", {where}" if where else "") + ")"
                 if ran else ")")
    else:
        line += f" in {sweep.wall_seconds:.1f} s" + (f" ({where})" if where else "")
    lines.append(line)
    lines += ["", *_table(sweep)]
    lines += ["", *_best_lines(sweep)]
    if sweep.failures:
        lines += ["", f"{len(sweep.failures)} of {counts['finished']} finished runs failed (left "
                  "out of the table):"]
        lines += failure_lines(sweep.failures, lambda f: f"point {_point(f)} "
                               f"({_values(sweep.plan.points[_point(f)].values)})", "sweep.json")
    if sweep.interrupted:
        lines += ["", f"Interrupted: {counts['finished']} of {counts['planned']} runs finished; "
                  "the table uses the replications that finished."]
    return "\n".join(lines)


def _design_lines(sweep: Sweep) -> list[str]:
    from hrdsim.sweep_plan import GRID, show_value

    design = sweep.design
    count = len(design.points)
    if design.method == GRID:
        lines = [f"Design: a full factorial grid of {count} point{'s' * (count != 1)}"]
        lines += [f"  {g.key}: {', '.join(show_value(v) for v in g.values)}" for g in design.grids]
        return lines
    lines = [f"Design: a Latin hypercube of {count} point{'s' * (count != 1)} "
             f"(drawn with seed {design.seed})"]
    lines += [f"  {r.key}: {r.low:g} … {r.high:g}" + (" (whole numbers)" if r.integer else "")
              for r in design.ranges]
    return lines


def _table(sweep: Sweep) -> list[str]:
    from hrdsim.metrics import OUTCOME_BY_NAME
    from hrdsim.sweep_plan import show_value
    from hrdsim.sweep_study import BEST_METRIC

    metrics = [m for m in sweep.table_metrics if m in OUTCOME_BY_NAME or m in sweep.runs]
    estimates = sweep.estimates()
    chosen = [p.index for p in sweep.plan.points]
    note = ""
    if len(chosen) > MAX_ROWS:
        best = OUTCOME_BY_NAME[BEST_METRIC]
        sign = -1.0 if best.better == "lower" else 1.0

        def score(point: int) -> float:
            est = estimates[point].get(BEST_METRIC)
            return -math.inf if est is None or math.isnan(est.mean) else sign * est.mean

        chosen = sorted(chosen, key=lambda p: (-score(p), p))[:SHOWN_WHEN_MANY]
        note = (f"(the {SHOWN_WHEN_MANY} points with the {'highest' if sign > 0 else 'lowest'} "
                f"{best.label.strip().lower()} of {len(sweep.plan.points)}; every point is in "
                "points.csv and --json)")
    labels = [OUTCOME_BY_NAME[m].label.strip() if m in OUTCOME_BY_NAME else m for m in metrics]
    units = [OUTCOME_BY_NAME[m].unit if m in OUTCOME_BY_NAME else "" for m in metrics]
    header = ["Point", *sweep.plan.keys, "n", *labels]
    unit_row = ["", *([""] * len(sweep.plan.keys)), "", *units]
    rows = []
    for index in chosen:
        point = sweep.plan.points[index]
        found = estimates[index]
        n = next(iter(found.values())).n if found else 0
        rows.append([str(index), *(show_value(point.values[k]) for k in sweep.plan.keys), str(n),
                     *(_cell(found.get(m), found) for m in metrics)])
    widths = [max(len(r[i]) for r in [header, unit_row, *rows]) for i in range(len(header))]
    text_columns = {i + 1 for i, k in enumerate(sweep.plan.keys)
                    if not all(_is_number(p.values[k]) for p in sweep.plan.points)}

    def line(cells: list[str], align: bool = True) -> str:
        return "  ".join(c.ljust(w) if (i in text_columns or not align) else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    out = ["Outcomes per point: mean ± 95% CI half-width over its replications"]
    if note:
        out.append(note)
    out += [line(header), line(unit_row), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    return out


def _cell(est: Estimate | None, found: dict[str, Estimate]) -> str:
    from hrdsim.metrics import format_number

    if est is None or est.n == 0:
        return "-"
    if math.isnan(est.mean):
        unstable = found.get("queue_unstable")
        return "unstable" if unstable is not None and unstable.mean > 0 else "n/a"
    if math.isnan(est.low):  # one replication: no interval
        return format_number(est.mean)
    half = est.half_width
    if half <= 1e-9 * max(abs(est.mean), 1e-300):  # equal runs, up to rounding in the sums
        return f"{format_number(est.mean)} ± 0"
    decimals = min(max(1 - math.floor(math.log10(half)), 0), 8)
    return f"{est.mean:,.{decimals}f} ± {half:,.{decimals}f}"


def _best_lines(sweep: Sweep) -> list[str]:
    from hrdsim.comparison import _lower, _unit_words
    from hrdsim.metrics import OUTCOME_BY_NAME
    from hrdsim.sweep_study import BEST_METRIC

    best = sweep.best()
    label = _lower(OUTCOME_BY_NAME[BEST_METRIC].label.strip())
    if best is None:
        return [f"Best for {label}: no point has a finished run with a number for it."]
    direction = {"higher": "highest", "lower": "lowest"}.get(best["better"] or "", "best")
    unit = _unit_words(best["unit"])
    lines = [f"Best for {label}: point {best['point']} ({_values(best['values'])}), the "
             f"{direction} mean: {_cell(_as_estimate(best), {})}" + (f" {unit}" if unit else "")]
    if sweep.replications < 2:
        lines.append("  (one replication per point gives no interval: run at least 2 to see "
                     "which points are within noise of it)")
    elif best["n"] < 2:
        lines.append(f"  (only {best['n']} of its {sweep.replications} replications finished, "
                     "which gives no interval: resume the sweep to see which points are within "
                     "noise of it)")
    elif best["within_noise"]:
        within = best["within_noise"]
        if len(within) <= 5:
            shown = ", ".join(f"{p} ({_values(sweep.plan.points[p].values)})" for p in within)
        else:
            shown = ", ".join(map(str, within[:20]))
        more = len(within) - 20
        lines.append(f"  Within noise of it (the paired difference's 95% CI includes 0): point"
                     f"{'s' * (len(within) > 1)} {shown}"
                     + (f" and {more} more" if more > 0 else ""))
    else:
        lines.append("  Every other point is distinguishably worse (paired differences on "
                     "common random numbers, 95% CI).")
    return lines


def _as_estimate(best: dict[str, Any]) -> Estimate:
    from hrdsim.metrics import Estimate

    nan = math.nan
    low = nan if best["ci_low"] is None else best["ci_low"]
    high = nan if best["ci_high"] is None else best["ci_high"]
    return Estimate(best["mean"], low, high, nan, best["n"])


def _point(failure: Failure) -> int:
    from hrdsim.sweep_study import _point

    return _point(failure)


def _values(values: dict[str, Any]) -> str:
    from hrdsim.sweep_plan import show_value

    return ", ".join(f"{k}={show_value(v)}" for k, v in values.items())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
