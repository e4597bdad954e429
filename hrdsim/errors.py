"""Errors hrdsim raises on purpose.

Every error a user can cause derives from :class:`HrdsimError`; the command
line turns them into one clear message and exit code 2, never a traceback::

    HrdsimError
    ├── ScenarioError      a scenario file or override is wrong (file, key, problem)
    ├── PluginError        a plugin failed to load or misbehaved (plugin, hook)
    └── OutputError        results could not be written (path, problem)
"""

from __future__ import annotations


class HrdsimError(Exception):
    """Base of every error hrdsim raises deliberately."""


class ScenarioError(HrdsimError):
    """A scenario cannot be used as written.

    :param source: the file (or ``--set`` / ``--replications``...) where the problem is.
    :param key: dotted key inside the scenario, e.g. ``learning.params.share``;
        empty when the problem concerns the whole file.
    :param problem: what is wrong and what was expected.
    :param hint: what the user can do about it (optional).
    """

    def __init__(self, source: str, key: str, problem: str, hint: str = "") -> None:
        self.source = source
        self.key = key
        self.problem = problem
        self.hint = hint
        # the fields as args, so that copies (SimPy re-raises one) rebuild the error
        super().__init__(source, key, problem, hint)

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        where = f"{self.source}: {self.key}" if self.key else self.source
        text = f"{where}: {self.problem}"
        return f"{text} ({self.hint})" if self.hint else text


class PluginError(HrdsimError):
    """A plugin could not be loaded or raised inside a hook or a policy.

    :param plugin: the plugin's name (entry point or module).
    :param hook: the hook or policy method involved, if any.
    :param problem: what went wrong.
    """

    def __init__(self, plugin: str, hook: str, problem: str) -> None:
        self.plugin = plugin
        self.hook = hook
        self.problem = problem
        super().__init__(plugin, hook, problem)

    def __str__(self) -> str:
        where = f"plugin {self.plugin!r}" + (f", {self.hook}" if self.hook else "")
        return f"{where}: {self.problem}"


class OutputError(HrdsimError):
    """Results could not be written where the user asked."""
