"""``import hrdsim`` is cheap: the public API loads on first use, so ``hrdsim --help`` is fast."""

from __future__ import annotations

import subprocess
import sys

import pytest

import hrdsim

HEAVY = ("numpy", "simpy", "scipy", "pyarrow", "pluggy", "attrs")


@pytest.mark.parametrize("module", ["hrdsim", "hrdsim.cli"])
def test_importing_does_not_load_heavy_dependencies(module: str) -> None:
    code = f"import sys, {module}; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_help_does_not_load_heavy_dependencies() -> None:
    code = ("import sys\nfrom hrdsim.cli import main\ntry:\n    main(['--help'])\n"
            "except SystemExit:\n    pass\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_every_export_resolves() -> None:
    for name in hrdsim.__all__:
        assert getattr(hrdsim, name) is not None
        assert name in dir(hrdsim)
    assert isinstance(hrdsim.__version__, str)
    from hrdsim import ServiceDesk, hookspecs  # a name and a submodule, as plugins import them

    assert ServiceDesk.__name__ == "ServiceDesk"
    assert hookspecs.__name__ == "hrdsim.hookspecs"


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        hrdsim.no_such_thing  # noqa: B018
