"""The documentation matches the code: generated key tables, docs and sources of
every setting, and a model description that covers every outcome and parameter."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest

from hrdsim import docgen
from hrdsim.loader import load_scenario
from hrdsim.metrics import OUTCOMES, TEAM_WEEKLY, WEEKLY
from hrdsim.params import ParameterInfo, describe
from hrdsim.plugins import build_registry, make_plugin_manager
from hrdsim.resolve import resolve
from hrdsim.scenario import Dynamics, Mode, Modes, Work
from tests.conftest import ROOT, SCENARIOS

DOCS = ROOT / "docs"
SCENARIOS_MD = DOCS / "scenarios.md"
MODEL_MD = DOCS / "model.md"

#: A source that starts with "assumption" must go on to give the reason.
ASSUMPTION_REASON_WORDS = 3


def _model_text() -> str:
    return MODEL_MD.read_text(encoding="utf-8")


def _settings() -> list[tuple[str, ParameterInfo]]:
    """Every scenario key and every shipped policy's parameter, with its declaration."""
    rows = [(key, info) for key, _, info in docgen.scenario_keys()]
    rows += [(f"{entry.name}: {key}", info) for entry, key, info in docgen.policy_keys()]
    return rows


def _is_modelling_quantity(info: ParameterInfo) -> bool:
    """A real-valued default: a quantity of the model rather than a count or a choice."""
    return isinstance(info.default, float)


def test_scenarios_md_is_exactly_the_generated_document() -> None:
    """docs/scenarios.md equals what `python -m hrdsim.docgen` generates from the code now."""
    expected = docgen.render()
    actual = SCENARIOS_MD.read_text(encoding="utf-8") if SCENARIOS_MD.exists() else ""
    assert actual == expected, (
        "docs/scenarios.md is out of date; regenerate it with "
        "`python -m hrdsim.docgen --output docs/scenarios.md`"
    )


def test_docgen_check_option_reports_a_stale_file(tmp_path: Path) -> None:
    """`python -m hrdsim.docgen --check FILE` exits 1 for a stale file and 0 for a fresh one."""
    stale = tmp_path / "scenarios.md"
    stale.write_text("old\n", encoding="utf-8")
    assert docgen.main(["--check", str(stale)]) == 1
    assert docgen.main(["--output", str(stale)]) == 0
    assert docgen.main(["--check", str(stale)]) == 0


def test_every_scenario_key_and_policy_parameter_has_a_doc() -> None:
    """Every scenario key, policy parameter and shipped policy says in words what it means."""
    missing = [key for key, info in _settings() if not info.doc.strip()]
    assert not missing, f"settings without doc=: {missing}"
    no_summary = [e.name for e in docgen.shipped_policies() if not e.summary.strip()]
    assert not no_summary, f"policies registered without a summary: {no_summary}"


def test_every_modelling_default_has_a_source_with_a_reason() -> None:
    """Every real-valued default and every mode cite a source; an assumption says why."""
    missing = [key for key, info in _settings() if _is_modelling_quantity(info)
               and not info.source.strip()]
    missing += [f"modes.{info.name}" for info in describe(Modes) if not info.source.strip()]
    assert not missing, (
        f"modelling defaults without source=: {missing}; cite the paper or write "
        "'assumption: <the reason>'"
    )
    bare = []
    for key, info in _settings() + [(f"modes.{i.name}", i) for i in describe(Modes)]:
        text = info.source.strip()
        if text.lower().startswith("assumption"):
            reason = re.sub(r"^assumption\W*", "", text, flags=re.IGNORECASE)
            if len(reason.split()) < ASSUMPTION_REASON_WORDS:
                bare.append(key)
    assert not bare, f"sources that say 'assumption' without the reason: {bare}"


def test_model_md_names_every_outcome_column_and_core_parameter() -> None:
    """docs/model.md mentions every outcome, weekly column and Dynamics/Work/Mode parameter."""
    text = _model_text()
    names = [o.name for o in OUTCOMES] + list(WEEKLY) + list(TEAM_WEEKLY)
    names += [f.name for cls in (Dynamics, Work, Mode) for f in attrs.fields(cls)]
    missing = sorted({n for n in names if f"`{n}`" not in text and f"`{n}." not in text
                      and not re.search(rf"`[\w.]*\.{re.escape(n)}`", text)})
    assert not missing, f"docs/model.md does not mention (in backticks): {missing}"


def _model_md_defaults(text: str | None = None) -> dict[str, set[str]]:
    """A document's defaults tables (header "| Key | Default | ..."): key → defaults quoted."""
    quoted: dict[str, set[str]] = {}
    in_defaults = False
    for line in (_model_text() if text is None else text).splitlines():
        if not line.startswith("|"):
            in_defaults = False
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[:2] == ["Key", "Default"]:
            in_defaults = True
            continue
        if not in_defaults or not cells[0].startswith("`"):
            continue
        for key in re.findall(r"`([^`]+)`", cells[0]):
            quoted.setdefault(key, set()).add(cells[1].strip("`").strip())
    return quoted


def test_model_md_quotes_every_default_with_its_current_value() -> None:
    """docs/model.md's defaults tables list every model default, with the value in the code."""
    quoted = _model_md_defaults()
    expected = {key: docgen.format_value(value) for key, value in docgen.model_defaults().items()}
    missing = sorted(set(expected) - set(quoted))
    assert not missing, f"docs/model.md has no defaults-table row for: {missing}"
    wrong = {k: (sorted(quoted[k]), v) for k, v in expected.items() if quoted[k] != {v}}
    assert not wrong, f"docs/model.md quotes defaults that differ from the code: {wrong}"


def test_annotated_example_in_scenarios_md_is_a_valid_scenario(tmp_path: Path) -> None:
    """The annotated example in docs/scenarios.md loads and resolves with the shipped policies."""
    text = docgen.render()
    blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) == 1
    example = blocks[0].replace('"baseline.toml"', f'"{(SCENARIOS / "baseline.toml").as_posix()}"')
    path = tmp_path / "example.toml"
    path.write_text(example, encoding="utf-8")
    resolved = resolve(load_scenario(path), build_registry(make_plugin_manager()))
    assert resolved.policies["learning"].entry.name == "protected"
    assert resolved.policies["operating_model"].entry.name == "octopus"
    params = resolved.policies["learning"].params
    assert (params.share, params.floor) == (0.10, 0.05)
    assert resolved.policies["facilitation"].params.interval_weeks == 4


@pytest.mark.parametrize("section", ["learning", "operating_model", "facilitation"])
def test_scenarios_md_documents_every_shipped_policy(section: str) -> None:
    """Each shipped policy has its own heading in docs/scenarios.md."""
    text = docgen.render()
    names = [e.name for e in docgen.shipped_policies() if e.kind == section]
    assert names
    for name in names:
        assert f'#### `{section}.policy = "{name}"`' in text


def test_research_docs_quote_every_research_plugin_default() -> None:
    """Each research plugin's parameters have a defaults-table row in docs/research/."""
    text = "\n".join(p.read_text(encoding="utf-8")
                     for p in sorted((ROOT / "docs" / "research").glob("*.md")))
    quoted = _model_md_defaults(text)
    for plugin, values in docgen.research_defaults().items():
        expected = {key: docgen.format_value(value) for key, value in values.items()}
        missing = sorted(set(expected) - set(quoted))
        assert not missing, f"docs/research/ has no defaults-table row for {plugin}: {missing}"
        wrong = {k: (sorted(quoted[k]), v) for k, v in expected.items() if v not in quoted[k]}
        assert not wrong, f"docs/research/ quotes defaults that differ from the code: {wrong}"
