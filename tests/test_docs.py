"""The reference in docs/ names everything a user can type: every command and flag of the CLI,
every key of scenario.toml and every column of the scenario files. A new flag, key or column
fails here until it is documented."""

from __future__ import annotations

import argparse
from pathlib import Path

from pydantic import BaseModel

from scheduler.cli import build_parser
from scheduler.scenario import (
    ABSENCE_OPTIONAL,
    ABSENCE_REQUIRED,
    DEMAND_COLUMNS,
    STAFF_OPTIONAL,
    STAFF_REQUIRED,
    ForecastPlan,
    Move,
    Queue,
    Rules,
    ScenarioConfig,
    ShiftType,
    SolverSettings,
)
from scheduler.scenario.template import LOCKS_HEADER, REQUESTS_HEADER

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_and_flag_is_in_docs_cli():
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name, sub in _subcommands(build_parser()).items():
        assert f"scheduler {name}" in text, f"docs/cli.md: document the command {name}"
        for action in sub._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert flag in text, f"docs/cli.md: document {name} {flag}"


def _keys(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def test_every_key_and_column_is_in_docs_scenario_format():
    text = (DOCS / "scenario-format.md").read_text(encoding="utf-8")
    for model in (ScenarioConfig, Queue, ShiftType, Rules, Move, ForecastPlan, SolverSettings):
        for key in _keys(model):
            assert any(form in text for form in (f"`{key}`", f"[{key}]", f"[[{key}]]")), \
                f"docs/scenario-format.md: document the key {key} of {model.__name__}"
    for column in (*STAFF_REQUIRED, *STAFF_OPTIONAL, *DEMAND_COLUMNS, *ABSENCE_REQUIRED, *ABSENCE_OPTIONAL,
                   *REQUESTS_HEADER, *LOCKS_HEADER):
        assert f"`{column}`" in text, f"docs/scenario-format.md: document the column {column}"


def test_the_readme_links_every_doc():
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    for doc in DOCS.glob("*.md"):
        assert f"docs/{doc.name}" in readme, f"README.md: link docs/{doc.name}"
