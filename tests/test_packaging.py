"""The wheel ships exactly the packages we mean, with the console script and entry points."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT


def test_wheel_top_level_names_and_entry_points(tmp_path: Path) -> None:
    """Only `hrdsim` and `hrdsim_plugins` are installed; no module called `plugins`."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path),
         str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = tmp_path.glob("hrdsim-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"hrdsim", "hrdsim_plugins"}
    assert "hrdsim/py.typed" in names
    assert "hrdsim_plugins/py.typed" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "hrdsim = hrdsim.cli:main" in text
    assert "learning_time = hrdsim_plugins.learning_time" in text
