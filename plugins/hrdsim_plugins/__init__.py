"""Policies shipped with hrdsim, written as ordinary plugins.

Each module here is a plugin registered through the ``hrdsim`` entry-point
group, exactly as a third-party plugin is; read one and copy it to write
your own.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hrdsim")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0+unknown"
