"""The wheel ships the report's templates and message catalogues, not only its modules."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "hrdsim" / "report"


def test_the_wheel_holds_every_template_and_catalogue(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path),
         str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = tmp_path.glob("hrdsim-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    data = [p for folder in ("templates", "locales") for p in (PACKAGE / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts]
    expected = {p.relative_to(ROOT).as_posix() for p in data}
    assert {"hrdsim/report/templates/report.html.j2", "hrdsim/report/locales/fi.toml",
            "hrdsim/report/locales/fi/LC_MESSAGES/model.po"} <= expected
    assert expected <= names, sorted(expected - names)
