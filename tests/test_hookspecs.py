"""The hook API is documented: every hook and every argument."""

from __future__ import annotations

import inspect

import pytest

from hrdsim import hookspecs

HOOKS = [
    (name, func)
    for name, func in vars(hookspecs).items()
    if name.startswith("hrdsim_") and callable(func)
]


def test_hooks_exist_in_run_order() -> None:
    """The hook-spec module lists the hooks in the order a run calls them."""
    assert [name for name, _ in HOOKS] == [
        "hrdsim_register_policies",
        "hrdsim_run_start",
        "hrdsim_event",
        "hrdsim_collect_metrics",
        "hrdsim_run_finish",
    ]


@pytest.mark.parametrize(("name", "func"), HOOKS, ids=[n for n, _ in HOOKS])
def test_every_hook_and_argument_is_documented(name: str, func: object) -> None:
    """Each hook says when it is called, documents every :param:, its return and version."""
    doc = inspect.getdoc(func) or ""
    assert "Called" in doc, f"{name} does not say when it is called"
    for parameter in inspect.signature(func).parameters:  # type: ignore[arg-type]
        assert f":param {parameter}:" in doc, f"{name} does not document {parameter}"
    assert ":return:" in doc, f"{name} does not say what its return means"
    assert ".. versionadded::" in doc, f"{name} does not say since which version it exists"


@pytest.mark.parametrize(("name", "func"), HOOKS, ids=[n for n, _ in HOOKS])
def test_every_hook_is_fully_typed(name: str, func: object) -> None:
    """Each hook's arguments and return carry type annotations."""
    signature = inspect.signature(func)  # type: ignore[arg-type]
    for parameter in signature.parameters.values():
        assert parameter.annotation is not inspect.Parameter.empty, f"{name}.{parameter.name}"
    assert signature.return_annotation is not inspect.Signature.empty, name


#: The hook API 1.0 as released: hook name → argument names. Hooks may gain
#: arguments in a minor version; none listed here may ever disappear or be renamed.
API_1_0 = {
    "hrdsim_register_policies": ["registry"],
    "hrdsim_run_start": ["run"],
    "hrdsim_event": ["event", "run"],
    "hrdsim_collect_metrics": ["run"],
    "hrdsim_run_finish": ["run", "metrics"],
}


def test_no_hook_or_argument_of_api_1_0_was_removed_or_renamed() -> None:
    """Plugins written for hook API 1.0 keep working: its hooks and arguments all still exist."""
    specs = dict(HOOKS)
    assert hookspecs.HOOK_API_VERSION[0] == 1
    for name, arguments in API_1_0.items():
        assert name in specs, f"hook {name} was removed"
        have = list(inspect.signature(specs[name]).parameters)  # type: ignore[arg-type]
        assert have[: len(arguments)] == arguments, f"{name}: {arguments} became {have}"
