"""What every command shares: turning hrdsim's errors into messages, plugin options."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

#: A scenario or plugin path given on the command line. Click only converts it: the
#: loader checks that it exists and can be read, and says so naming the file (click's
#: own check would print a usage block instead of hrdsim's one line).
SCENARIO_PATH = click.Path(path_type=Path, readable=False)


class UserError(click.ClickException):
    """A problem the user can fix; exit code 2 like click's usage errors."""

    exit_code = 2


def errors_to_messages(func: F) -> F:
    """Turn any :class:`~hrdsim.errors.HrdsimError` into one line and exit code 2
    (set ``HRDSIM_DEBUG=1`` to see the full traceback instead)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from hrdsim.errors import HrdsimError

        try:
            return func(*args, **kwargs)
        except HrdsimError as exc:
            if os.environ.get("HRDSIM_DEBUG"):  # plugin authors want the traceback
                raise
            raise UserError(str(exc)) from None

    return wrapper  # type: ignore[return-value]


def plugin_options(func: F) -> F:
    """``--plugin PATH`` and ``--disable-plugin NAME``, both repeatable."""
    options = [
        click.option("--plugin", "plugin_paths", multiple=True,
                     type=SCENARIO_PATH, metavar="PATH",
                     help="Load a local plugin file or folder (repeatable)."),
        click.option("--disable-plugin", "disabled", multiple=True, metavar="NAME",
                     help="Do not load this plugin (repeatable; also "
                     "HRDSIM_DISABLE_PLUGINS=a,b)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func
