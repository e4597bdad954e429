"""Generate ``docs/scenarios.md``: every scenario key, from the declared metadata.

The tables are rendered from :func:`hrdsim.params.describe` over the
:class:`~hrdsim.scenario.Scenario` class tree and over the parameter classes
of the policies shipped with hrdsim; the prose around them (file structure,
``extends``, ``--set``, an annotated example) is written here. The file in
``docs/`` must be exactly this module's output; ``tests/test_docs.py`` checks
it. Regenerate it with::

    python -m hrdsim.docgen > docs/scenarios.md

or ``python -m hrdsim.docgen --output docs/scenarios.md``; ``--check FILE``
exits with status 1 if ``FILE`` is out of date.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, get_args, get_origin

import attrs
import pluggy

from hrdsim import hookspecs
from hrdsim.params import ParameterInfo, describe
from hrdsim.plugins import ENTRY_POINT_GROUP, build_registry
from hrdsim.registry import PolicyEntry
from hrdsim.scenario import Scenario

#: Modules of the policies shipped with hrdsim; only these are documented here
#: (third-party plugins document their own parameters).
SHIPPED_PREFIX = "hrdsim_plugins."

#: Policy kinds in the order they are documented, with their scenario section.
KIND_SECTIONS = (
    ("learning", "learning", "Learning-time policies"),
    ("operating_model", "operating_model", "HR operating models"),
    ("facilitation", "facilitation", "Facilitation policies"),
    ("practice", "practices[]", "Practices"),
)

#: Plugins whose parameters are part of the core model, documented in
#: docs/model.md; the other shipped plugins are research plugins, each
#: documented in docs/research/.
CORE_PLUGINS = frozenset({"learning_time", "operating_models", "facilitation"})

TYPE_TEXT = {
    "a table of Any": "a table",
}

COLUMNS = ("Key", "Type", "Default", "Unit", "Bounds", "Meaning", "Source")

SEE_TABLE = "see its table"


@attrs.frozen
class Section:
    """One scenario table: the dotted key it sits at and the attrs class declaring it.

    :ivar key: the dotted key of the table (``""`` at top level); a key with
        alternatives reads ``<a|b>`` (the same class under several names).
    :ivar cls: the attrs class whose fields are the table's keys.
    :ivar header: how the table is written in a TOML file.
    :ivar default: the table's value when a scenario leaves it out, if it has one.
    """

    key: str
    cls: type
    header: str
    default: Any = None


def scenario_sections(root: type = Scenario) -> list[Section]:
    """Every table of a scenario, walking the attrs class tree from ``root``.

    A table made only of tables of one class (``modes.on_the_job``,
    ``modes.social``, ``modes.formal``) is listed once, with the names as
    alternatives (``modes.<on_the_job|social|formal>``); a list of tables
    (``strategy.shifts``) is one section whose key ends ``[i]``.
    """
    sections: list[Section] = []

    def walk(key: str, cls: type, header: str, default: Any) -> None:
        sections.append(Section(key, cls, header, default))
        attrs.resolve_types(cls)
        fields = attrs.fields(cls)
        children = [(f, *_table_type(f.type)) for f in fields]
        classes = {child for _, child, _ in children}
        if len(fields) > 1 and len(classes) == 1 and None not in classes:
            field, child, many = children[0]
            name = "<" + "|".join(f.name for f in fields) + ">"
            walk(_join(key, name), child, f"[{_join(key, name)}]", None)
            return
        for field, child, many in children:
            if child is None:
                continue
            dotted = _join(key, field.name)
            if many:
                walk(f"{dotted}[i]", child, f"[[{dotted}]]", None)
            else:
                walk(dotted, child, f"[{dotted}]", _field_default(field))

    walk("", root, "(top level)", None)
    return sections


def _table_type(tp: Any) -> tuple[type | None, bool]:
    """The attrs class a field holds, and whether it is a list of them."""
    if attrs.has(tp):
        return tp, False
    if get_origin(tp) in (list, tuple):
        args = get_args(tp)
        if args and attrs.has(args[0]):
            return args[0], True
    return None, False


def shipped_policies() -> list[PolicyEntry]:
    """The policies registered by the plugins shipped with hrdsim, by kind and name.

    The shipped plugins are the ``hrdsim`` entry points whose module is in
    ``hrdsim_plugins``; they are registered into a fresh plugin manager, so the
    output depends neither on other installed plugins nor on
    ``HRDSIM_DISABLE_PLUGINS``.
    """
    pm = pluggy.PluginManager("hrdsim")
    pm.add_hookspecs(hookspecs)
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if ep.value.startswith(SHIPPED_PREFIX):
            pm.register(ep.load(), name=ep.name)
    return build_registry(pm).entries()


# -- values -----------------------------------------------------------------------


def format_value(value: Any) -> str:
    """A default written as it would be in a TOML file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{k} = {format_value(v)}" for k, v in value.items()) + " }"
    if attrs.has(type(value)):
        return _format_table(value)
    return str(value)


def _format_table(value: Any) -> str:
    """An attrs default: "(below)" when it is the table's own defaults, else the
    keys that differ from them (or are required), as an inline table."""
    cls = type(value)
    try:
        plain = cls()
    except TypeError:  # the class has required fields
        plain = None
    if plain is not None and plain == value:
        return SEE_TABLE
    shown = {}
    for field in attrs.fields(cls):
        own = getattr(value, field.name)
        if plain is None or own != getattr(plain, field.name):
            if field.default is attrs.NOTHING or own != _field_default(field):
                shown[field.name] = own
    return format_value(shown)


def _field_default(field: attrs.Attribute) -> Any:  # type: ignore[type-arg]
    default = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return default.factory()  # type: ignore[call-arg]
    return default


def default_text(info: ParameterInfo, table_default: Any = None) -> str:
    """The Default cell of a parameter.

    :param table_default: the value of the whole table when a scenario leaves
        it out, which gives required keys a value too.
    """
    if isinstance(info.default, str) and info.default == "(required)":
        if table_default is not None:
            value = format_value(getattr(table_default, info.name))
            return f"`{value}` if the table is left out; required in it"
        return "required"
    text = format_value(info.default)
    return text if text == SEE_TABLE else f"`{text}`"


def type_text(info: ParameterInfo) -> str:
    return TYPE_TEXT.get(info.type, info.type)


def bounds_text(info: ParameterInfo) -> str:
    return "—" if info.bounds == "any value" else info.bounds


def _cell(text: str) -> str:
    return (text or "—").replace("|", "\\|").replace("\n", " ")


def table(rows: Sequence[tuple[str, ParameterInfo]], table_default: Any = None) -> str:
    """A Markdown table of ``(dotted key, parameter)`` rows."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    for key, info in rows:
        cells = (
            f"`{key}`", type_text(info), default_text(info, table_default), info.unit,
            bounds_text(info),
            info.doc, info.source,
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


# -- every key, for tests and tables -------------------------------------------------


def scenario_keys() -> Iterator[tuple[str, type, ParameterInfo]]:
    """Every key of a scenario: ``(dotted key, declaring class, parameter)``."""
    for section in scenario_sections():
        for info in describe(section.cls):
            yield _join(section.key, info.name), section.cls, info


def model_defaults() -> dict[str, Any]:
    """Every default value of the model, by the key ``docs/model.md`` quotes it under.

    Scenario settings use their dotted key (``work.demand``); each mode's
    parameters use ``modes.<mode>.<name>`` with that mode's default; policy
    parameters use ``<policy>.<name>`` (``fixed_share.share``). Run settings
    (name, horizon, replications, seed, skills) and the strategy's profile are
    the scenario's own, not model defaults, and are left out.
    """
    values: dict[str, Any] = {}
    for section in scenario_sections():
        if section.key == "" or "<" in section.key or "[" in section.key:
            continue
        instance = section.default
        for info in describe(section.cls):
            value = getattr(instance, info.name) if instance is not None else info.default
            if attrs.has(type(value)):  # a mode: one entry per parameter
                for field in attrs.fields(type(value)):
                    values[f"{section.key}.{info.name}.{field.name}"] = getattr(value, field.name)
            elif not isinstance(value, dict | list):
                values[f"{section.key}.{info.name}"] = value
    for entry in shipped_policies():
        if entry.plugin not in CORE_PLUGINS:
            continue
        for info in describe(entry.params) if entry.params is not None else ():
            values[f"{entry.name}.{info.name}"] = info.default
    return values


def research_defaults() -> dict[str, dict[str, Any]]:
    """Defaults of the research plugins' policies: plugin → ``<policy>.<name>`` → value."""
    values: dict[str, dict[str, Any]] = {}
    for entry in shipped_policies():
        if entry.plugin in CORE_PLUGINS or entry.params is None:
            continue
        for info in describe(entry.params):
            values.setdefault(entry.plugin, {})[f"{entry.name}.{info.name}"] = info.default
    return values


def policy_keys() -> Iterator[tuple[PolicyEntry, str, ParameterInfo]]:
    """Every parameter of every shipped policy: ``(entry, dotted key, parameter)``."""
    for entry in shipped_policies():
        if entry.params is None:
            continue
        section = dict((k, s) for k, s, _ in KIND_SECTIONS)[entry.kind]
        for info in describe(entry.params):
            yield entry, f"{section}.params.{info.name}", info


# -- the document ----------------------------------------------------------------------

INTRO = """\
<!-- Generated by `python -m hrdsim.docgen > docs/scenarios.md`; do not edit by hand.
     Edit the prose in hrdsim/docgen.py and the tables' metadata where each setting
     is declared (hrdsim/scenario.py, plugins/hrdsim_plugins/*.py). -->

# Scenario files: every key

A scenario is a [TOML](https://toml.io) file that describes an organisation, its
strategy and work, and the policies it tries: how learning time is allotted, how HR
developers are organised, and how learning is facilitated near teams. This page lists
every key a scenario can set, with its type, default, unit, allowed range, meaning and
the source of its default. The tables below are generated from the settings' own
declarations, so they always match the code; [model.md](model.md) explains the
equations each parameter enters.

## File structure

A scenario has a few top-level keys and one TOML table per part of the model:

| Table | What it describes |
|---|---|
| (top level) | name, horizon, replications, seed and the list of skills |
| `[organisation]` | units, teams, team size, working hours, starting capability, learning agility |
| `[strategy]` | the required level of each skill, and strategic shifts (`[[strategy.shifts]]`) |
| `[work]` | planned work, unplanned urgent work ("fires"), productivity, backlog |
| `[learning]` | the learning-time policy, chosen by name, and its `[learning.params]` |
| `[modes.on_the_job]`, `[modes.social]`, `[modes.formal]` | what an hour of each mode does |
| `[dynamics]` | forgetting, consolidation and fading of new learning, facilitation memory |
| `[operating_model]` | the HR operating model, the number of HR developers, and its params |
| `[facilitation]` | the facilitation policy and its `[facilitation.params]` |
| `[costs]` | hourly costs for the cost outcomes |

Only `name`, `skills` and `strategy.required` (with at least one skill above 0) must be
given; everything else has a default. Rules checked when a scenario is read:

* every skill named in `strategy.required` or in a shift's `required` must be in
  `skills`; skills not listed in `strategy.required` are not needed at the start
  (level 0), and required levels lie between 0 and 1;
* skill names are unique, and a shift's `week` lies within the horizon (`0` to
  `weeks − 1`);
* an unknown key, a value of the wrong type or a value out of range is an error that
  names the file and the dotted key, never a silent default;
* a table changes only the keys it names: `[modes.formal]` with just `transfer = 0.5`
  (or `--set modes.formal.transfer=0.5`) keeps that mode's other defaults;
* the learning mix (`on_the_job + social + formal` in `[learning.params]`) must sum
  to 1, and the `protected` policy's `floor` may not exceed its `share`.

Policies are chosen by name: `policy = "protected"` in `[learning]`. Each policy
declares its own parameters, listed below under its name; they go in the section's
`params` table and are checked against the chosen policy only. `hrdsim plugins`
lists the policies installed, including those of third-party plugins.

## `extends`: vary one thing

A scenario may begin with `extends = "other.toml"` (a path relative to the file that
names it) to start from another scenario and change only what it sets:

* tables are merged key by key, recursively, and the child's values win;
* a value that is not a table (a number, a text, a list such as `skills` or the
  `[[strategy.shifts]]` list) is replaced as a whole, not merged;
* **a child that chooses a different `policy` in a section does not inherit the
  parent's `params` for that section**: parameters belong to a policy, so the child
  starts from the new policy's defaults plus whatever `params` it sets itself. A child
  that keeps the parent's policy inherits its `params` and may override single keys;
* chains may be several files long (`c.toml` extends `b.toml` extends `a.toml`); a
  cycle is an error;
* errors name the file in the chain that set the offending key.

## `--set`: override a key from the command line

`hrdsim run` and `hrdsim validate` take any number of `--set KEY=VALUE` options,
applied after all `extends` files are merged:

* `KEY` is a dotted key as in the tables below (`work.fires_per_team_week`,
  `learning.params.share`, `modes.formal.transfer`);
* `VALUE` is read as a TOML value (`0.1`, `4`, `true`, `"text"`, `[1, 2]`,
  `{ a = 0.5 }`); if it is not valid TOML it is taken as a plain string, so
  `--set learning.policy=protected` needs no quotes;
* choosing another policy (`--set learning.policy=protected`) drops the parameters
  set for the previous one, exactly as `extends` does; policy choices are applied
  before the other overrides, so `--set learning.params.floor=0.05 --set
  learning.policy=protected` works in either order;
* `--replications`, `--seed` and `--weeks` are shorthands for setting those
  top-level keys;
* items of a list (one shift of `[[strategy.shifts]]`) cannot be set one by one.

```console
hrdsim run scenarios/firefighting.toml \\
    --set learning.policy=protected --set learning.params.floor=0.05
hrdsim run scenarios/baseline.toml \\
    --set operating_model.developers=8 --set facilitation.params.interval_weeks=4
```

## An annotated example

```toml
# A scenario that changes three things relative to the bundled baseline.
extends = "baseline.toml"           # start from scenarios/baseline.toml
name = "Protected time, embedded developers, monthly dialogue"
description = "Half a day a week protected for learning; HR developers embedded near teams."
weeks = 260                         # five years of weekly steps
replications = 20                   # independent runs; outputs give mean and 95% CI

[learning]
policy = "protected"                # another policy: the parent's params are NOT inherited

[learning.params]
share = 0.10                        # 10% of contracted hours planned for learning
floor = 0.05                        # half of it cannot be taken by work pressure
on_the_job = 0.6                    # the mix must sum to 1
social = 0.3
formal = 0.1

[operating_model]
policy = "octopus"                  # developers embedded with clusters of teams
developers = 6                      # the same staffing as the baseline

[operating_model.params]
developers_per_arm = 1
overhead_hours = 0.5                # assumption: an embedded developer knows the context
detection_weeks = 0.25              # assumption: needs are seen sooner

[facilitation.params]               # same policy as the parent (near_team): params merge
interval_weeks = 4                  # a session about monthly instead of every 8 weeks

[[strategy.shifts]]                 # a list: replaces any shifts of the parent
week = 156                          # at the start of year four
label = "AI strategy"
required = { ai_fluency = 0.6, process_craft = 0.0 }   # 0 makes a skill obsolete
```

## Every key
"""

POLICY_INTRO = """\
## Policy parameters

Each policy's parameters go in the `params` table of its section
(`[learning.params]`, `[operating_model.params]`, `[facilitation.params]`) and are
validated against the chosen policy only. The policies below are those shipped with
hrdsim (package `hrdsim_plugins`); `hrdsim plugins` lists any others installed.
"""


def render() -> str:
    """The whole of ``docs/scenarios.md``."""
    parts = [INTRO]
    for section in scenario_sections():
        title = section.header if section.key else "Top level"
        parts.append(f"### {title}\n")
        doc = (section.cls.__doc__ or "").strip()
        if doc:
            parts.append(" ".join(doc.split()) + "\n")
        if "<" in section.key:
            options = section.key[section.key.index("<") + 1 : section.key.index(">")]
            parts.append(
                "Here `<" + options + ">` stands for each of "
                + ", ".join(f"`{o}`" for o in options.split("|"))
                + ". Their defaults are in the table above; a table written in a scenario "
                "changes only the keys it names.\n"
            )
        rows = [(_join(section.key, info.name), info) for info in describe(section.cls)]
        parts.append(table(rows, section.default) + "\n")
    parts.append(POLICY_INTRO)
    entries = shipped_policies()
    for kind, section, title in KIND_SECTIONS:
        table_name = "[[practices]]" if kind == "practice" else f"[{section}]"
        parts.append(f"### {title} (`{table_name}`)\n")
        for entry in (e for e in entries if e.kind == kind):
            parts.append(f"#### `{section}.policy = \"{entry.name}\"`\n")
            parts.append(f"{entry.summary} (plugin `{entry.plugin}`)\n")
            if entry.params is None:
                parts.append("This policy takes no parameters.\n")
                continue
            rows = [(f"{section}.params.{info.name}", info) for info in describe(entry.params)]
            parts.append(table(rows) + "\n")
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the generated document, write it (``--output``) or check it (``--check``)."""
    parser = argparse.ArgumentParser(
        prog="python -m hrdsim.docgen", description="Generate docs/scenarios.md."
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--output", type=Path, help="write the document to this file")
    group.add_argument("--check", type=Path, help="exit 1 if this file is not up to date")
    args = parser.parse_args(argv)
    text = render()
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
        return 0
    if args.check is not None:
        current = args.check.read_text(encoding="utf-8") if args.check.exists() else ""
        if current != text:
            print(f"{args.check} is out of date; run: python -m hrdsim.docgen "
                  f"--output {args.check}", file=sys.stderr)
            return 1
        return 0
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
