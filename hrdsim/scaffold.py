"""``hrdsim new-plugin``: an installable plugin package to start from."""

from __future__ import annotations

import re
from pathlib import Path

from hrdsim.errors import HrdsimError
from hrdsim.hookspecs import HOOK_API_VERSION

#: A small, complete scenario: 30 people in 6 teams, one year, 2 replications.
TINY_SCENARIO = '''\
name = "Tiny test organisation"
weeks = 52
replications = 2
seed = 7
skills = ["craft", "data", "people"]

[organisation]
units = 2
teams_per_unit = 3
team_size = 5

[strategy]
required = { craft = 0.7, data = 0.6, people = 0.5 }

[learning]
policy = "fixed_share"

[operating_model]
policy = "centralised"
developers = 1

[facilitation]
policy = "near_team"
'''


_PYPROJECT = '''\
[build-system]
requires = ["hatchling>=1.24"]
build-backend = "hatchling.build"

[project]
name = "hrdsim-{name}"
version = "0.1.0"
description = "A learning policy for hrdsim."
requires-python = ">=3.11"
dependencies = ["hrdsim"]

[project.optional-dependencies]
test = ["pytest>=8"]

# hrdsim finds the plugin through this entry point.
[project.entry-points.hrdsim]
{name} = "hrdsim_{name}"

[tool.hatch.build.targets.wheel]
packages = ["src/hrdsim_{name}"]
'''

_MODULE = '''\
"""{title}: a learning policy for hrdsim.

Say here, in HR terms, what the policy models and which source backs it.
This one plans a share of hours for learning and lets work pressure take
only what exceeds a protected part of it.
"""

from __future__ import annotations

import attrs
import numpy as np

from hrdsim import MixParams, hookimpl, setting

HRDSIM_HOOK_API = "{api}"


@attrs.frozen
class Params(MixParams):
    share: float = setting(0.08, ge=0, le=1, unit="share of hours",
                           doc="Share of hours planned for learning.",
                           source="our assumption, because ...")
    protected: float = setting(0.5, ge=0, le=1, unit="share of the plan",
                               doc="Part of the plan work pressure cannot take.",
                               source="our assumption, because ...")


class Policy:
    def __init__(self, params: Params, scenario: object) -> None:
        self.params = params
        self.mix = params.mix  # hours split over on the job / social / formal

    def plan(self, state):
        return self.params.share * state.team_hours

    def realise(self, planned, state):
        overflow = np.maximum(state.needed_work_hours - (state.team_hours - planned), 0.0)
        return planned - np.minimum(overflow, (1 - self.params.protected) * planned)


@hookimpl
def hrdsim_register_policies(registry):
    registry.add("learning", "{name}", Policy, params=Params,
                 summary="A share of hours for learning, partly protected.")
'''

_TEST = '''\
"""The {name} policy loads and behaves as its docstring says."""

from hrdsim.testing import run_scenario


def test_policy_is_listed_and_runs(tiny_scenario):
    """The policy is found through its entry point and produces learning."""
    results = run_scenario(tiny_scenario, "learning.policy={name}")
    assert results.resolved.policies["learning"].entry.plugin == "{name}"
    assert results.summary["learning_realised_per_fte"].mean > 0


def test_protecting_more_of_the_plan_keeps_more_learning(tiny_scenario):
    """Under heavy fires, a larger protected part loses less learning to work."""
    fires = ("work.fires_per_team_week=5", "work.fire_hours=10")
    low = run_scenario(tiny_scenario, "learning.policy={name}",
                       "learning.params.protected=0.1", *fires)
    high = run_scenario(tiny_scenario, "learning.policy={name}",
                        "learning.params.protected=0.9", *fires)
    assert (high.summary["learning_lost_share"].mean
            < low.summary["learning_lost_share"].mean)
'''

_CONFTEST = 'pytest_plugins = ["hrdsim.testing"]\n'

_README = '''\
# hrdsim-{name}

A learning policy plugin for hrdsim.

```console
pip install -e '.[test]'
python -m pytest
hrdsim plugins            # lists "{name}"
hrdsim run scenarios/{name}.toml
```
'''


def create_plugin(name: str, directory: Path) -> Path:
    """Write the package ``hrdsim-<name>`` into ``directory``.

    :raises HrdsimError: for a name that is not a Python identifier, or a
        target folder that already exists.
    """
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise HrdsimError(f"plugin name {name!r}: expected lower-case letters, digits and "
                          "underscores, starting with a letter (e.g. 'coaching_circles')")
    target = directory / f"hrdsim-{name}"
    if target.exists():
        raise HrdsimError(f"{target} already exists; choose another name or folder")
    values = {"name": name, "title": name.replace("_", " ").capitalize(),
              "api": ".".join(map(str, HOOK_API_VERSION))}
    files = {
        "pyproject.toml": _PYPROJECT,
        f"src/hrdsim_{name}/__init__.py": _MODULE,
        "tests/conftest.py": _CONFTEST,
        f"tests/test_{name}.py": _TEST,
        "README.md": _README,
    }
    for relative, template in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**values), encoding="utf-8")
    scenario = TINY_SCENARIO.replace('policy = "fixed_share"', f'policy = "{name}"')
    scenario = scenario.replace('name = "Tiny test organisation"',
                                f'name = "{values["title"]} on a small organisation"')
    (target / "scenarios").mkdir()
    (target / "scenarios" / f"{name}.toml").write_text(scenario, encoding="utf-8")
    return target
