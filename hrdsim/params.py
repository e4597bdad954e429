"""Declared parameters: one place that says what every setting means.

Scenario sections and policy parameters are attrs classes whose fields are
made with :func:`setting`. A setting carries its default, bounds, unit, a
one-line meaning and its source; :func:`build` turns a TOML table into such a
class, and every mistake becomes a :class:`~hrdsim.errors.ScenarioError` that
names the file, the dotted key and what was expected. The same metadata
generates the parameter tables in ``docs/`` and ``hrdsim plugins show``.

Example (a policy's parameters)::

    @attrs.frozen
    class Params:
        share: float = setting(0.05, ge=0, le=1, unit="share of hours",
                               doc="Hours planned for learning.",
                               source="Bersin 2014: about 1% at baseline")
"""

from __future__ import annotations

import difflib
import json
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Literal, get_args, get_origin

import attrs

from hrdsim.errors import ScenarioError

_MISSING = attrs.NOTHING

#: A function that tells which file a dotted key came from.
SourceOf = Callable[[str], str]


class InvalidValue(ValueError):
    """Raised by a cross-field validator to point at the offending key.

    :param key: dotted key relative to the table being built.
    :param problem: what is wrong and what was expected.
    """

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem
        super().__init__(f"{key}: {problem}")


def setting(
    default: Any = _MISSING,
    *,
    doc: str,
    unit: str = "",
    source: str = "",
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
    factory: Callable[[], Any] | None = None,
) -> Any:
    """Declare one parameter of a scenario section or a policy.

    :param default: the value used when the scenario does not set it; omit
        for a required setting.
    :param doc: one line saying what the parameter means, in HR terms.
    :param unit: the unit (``"hours/week"``, ``"share"``...), empty if none.
    :param source: where the default comes from: a citation, or
        ``"assumption: ..."`` with the reason.
    :param ge, le, gt, lt: inclusive and exclusive numeric bounds.
    :param factory: builds a mutable default (lists, tables).
    """
    metadata = {
        "doc": doc,
        "unit": unit,
        "source": source,
        "bounds": {"ge": ge, "le": le, "gt": gt, "lt": lt},
    }
    if factory is not None:
        return attrs.field(factory=factory, metadata=metadata)
    return attrs.field(default=default, metadata=metadata)


@attrs.frozen
class ParameterInfo:
    """A parameter's declaration, as shown in documentation."""

    name: str
    type: str
    default: Any
    unit: str
    doc: str
    source: str
    bounds: str


def describe(cls: type) -> list[ParameterInfo]:
    """The declared parameters of an attrs class, in declaration order."""
    attrs.resolve_types(cls)
    infos = []
    for field in attrs.fields(cls):
        meta = field.metadata
        default: Any
        if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            default = field.default.factory()
        elif field.default is _MISSING:
            default = "(required)"
        else:
            default = field.default
        infos.append(
            ParameterInfo(
                name=field.name,
                type=_type_name(field.type),
                default=default,
                unit=meta.get("unit", ""),
                doc=meta.get("doc", ""),
                source=meta.get("source", ""),
                bounds=_bounds_text(meta.get("bounds", {})),
            )
        )
    return infos


def build(cls: type[Any], data: Any, key: str, source_of: SourceOf) -> Any:
    """Build an instance of attrs class ``cls`` from a TOML table.

    :param data: the table (a dict) read from the scenario.
    :param key: dotted key of the table, for messages (``""`` at top level).
    :param source_of: tells which file a dotted key was read from.
    :raises ScenarioError: on unknown keys, wrong types, values out of range
        or missing required keys.
    """
    where = key or "(top level)"
    if not isinstance(data, Mapping):
        raise ScenarioError(
            source_of(key), where, f"expected a table, got {_describe_value(data)}"
        )
    attrs.resolve_types(cls)
    fields = {f.name: f for f in attrs.fields(cls)}
    for name in data:
        if name not in fields:
            raise ScenarioError(
                source_of(_join(key, name)),
                _join(key, name),
                "unknown key" + did_you_mean(name, list(fields)),
                f"known keys here: {', '.join(fields)}",
            )
    values = {}
    for name, field in fields.items():
        child = _join(key, name)
        if name not in data:
            if field.default is _MISSING:
                raise ScenarioError(
                    source_of(key), child, f"missing; expected {_type_name(field.type)}"
                )
            continue
        given = data[name]
        default = _default_of(field)
        if attrs.has(field.type) and isinstance(given, Mapping) and attrs.has(type(default)):
            # a partial table changes only the keys it names; the rest keep their defaults
            given = {**attrs.asdict(default, recurse=False), **given}
        value = _convert(field.type, given, child, source_of)
        _check_bounds(value, field.metadata.get("bounds", {}), child, source_of)
        values[name] = value
    try:
        return cls(**values)
    except InvalidValue as exc:  # a cross-field validator refused
        bad = _join(key, exc.key)
        raise ScenarioError(source_of(bad), bad, exc.problem) from None


def _default_of(field: Any) -> Any:
    if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
        return field.default.factory()
    return field.default


def _convert(tp: Any, value: Any, key: str, source_of: SourceOf) -> Any:
    origin = get_origin(tp)
    if tp is Any:
        return value
    if attrs.has(tp) and isinstance(value, tp):  # a default kept from a partial table
        return value
    if attrs.has(tp):
        return build(tp, value, key, source_of)
    if origin is Literal:
        choices = get_args(tp)
        if value not in choices:
            raise ScenarioError(
                source_of(key),
                key,
                f"expected one of {', '.join(map(repr, choices))}, got {value!r}"
                + did_you_mean(str(value), [str(c) for c in choices]),
            )
        return value
    if origin in (typing.Union, types.UnionType):
        options = get_args(tp)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _convert(option, value, key, source_of)
            except ScenarioError as exc:
                errors.append(exc)
        raise errors[0]
    if origin in (tuple, list):
        if not isinstance(value, list | tuple):
            raise _type_error(tp, value, key, source_of)
        args = get_args(tp)
        item_type = args[0] if args else Any
        items = [_convert(item_type, v, f"{key}[{i}]", source_of) for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin in (dict, Mapping) or tp in (dict, Mapping):
        if not isinstance(value, Mapping):
            raise _type_error(tp, value, key, source_of)
        args = get_args(tp)
        value_type = args[1] if len(args) == 2 else Any
        return {
            str(k): _convert(value_type, v, _join(key, str(k)), source_of)
            for k, v in value.items()
        }
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _type_error(tp, value, key, source_of)
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _type_error(tp, value, key, source_of)
        return value
    if tp in (str, bool):
        if not isinstance(value, tp):
            raise _type_error(tp, value, key, source_of)
        return value
    raise TypeError(f"hrdsim cannot read settings of type {tp!r} (key {key})")


def _check_bounds(value: Any, bounds: Mapping[str, Any], key: str, source_of: SourceOf) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return
    ge, le, gt, lt = (bounds.get(b) for b in ("ge", "le", "gt", "lt"))
    ok = (
        (ge is None or value >= ge)
        and (le is None or value <= le)
        and (gt is None or value > gt)
        and (lt is None or value < lt)
    )
    if not ok:
        raise ScenarioError(
            source_of(key), key, f"{value!r} is out of range; expected {_bounds_text(bounds)}"
        )


def _bounds_text(bounds: Mapping[str, Any]) -> str:
    ge, le, gt, lt = (bounds.get(b) for b in ("ge", "le", "gt", "lt"))
    low = f"≥ {ge}" if ge is not None else f"> {gt}" if gt is not None else ""
    high = f"≤ {le}" if le is not None else f"< {lt}" if lt is not None else ""
    return " and ".join(p for p in (low, high) if p) or "any value"


def _type_error(tp: Any, value: Any, key: str, source_of: SourceOf) -> ScenarioError:
    return ScenarioError(
        source_of(key), key, f"expected {_type_name(tp)}, got {_describe_value(value)}"
    )


def _type_name(tp: Any) -> str:
    if attrs.has(tp):
        return "a table"
    origin = get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(repr(c) for c in get_args(tp))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in get_args(tp) if a is not type(None))
    if origin in (list, tuple):
        args = get_args(tp)
        return f"a list of {_plural(_type_name(args[0]))}" if args else "a list"
    if origin in (dict, Mapping) or tp in (dict, Mapping):
        args = get_args(tp)
        return f"a table of {_plural(_type_name(args[1]))}" if len(args) == 2 else "a table"
    return {
        float: "a number",
        int: "a whole number",
        str: "a text string",
        bool: "true or false",
    }.get(tp, getattr(tp, "__name__", str(tp)))


def _plural(name: str) -> str:
    """``"a number"`` → ``"numbers"``, for "a list of numbers"."""
    return f"{name[2:]}s" if name.startswith("a ") and " or " not in name else name


def _describe_value(value: Any) -> str:
    """A value as the scenario file spells it, and what kind of value that is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the text {json.dumps(value, ensure_ascii=False)}"
    kind = {int: "the whole number", float: "the number"}.get(type(value))
    if kind is not None:
        return f"{kind} {value!r}"
    return {list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


def did_you_mean(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return f" - did you mean {close[0]!r}?" if close else ""


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name
