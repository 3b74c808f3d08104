"""What `pip install .` (not editable) puts in site-packages: every package, and the demo data.

pyproject.toml lists the packages by hand (the demo data is mapped from data/ into
scheduler.demo_data), so a new subpackage must be added there: these tests say so."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

from scheduler.cli import demo_folder

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_package_under_scheduler_is_installed():
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "scheduler").rglob("__init__.py")}
    listed = set(CONFIG["packages"])
    missing = found - listed
    assert not missing, f"add {sorted(missing)} to [tool.setuptools] packages in pyproject.toml"
    assert listed - found == {"scheduler.demo_data"}
    assert CONFIG["package-dir"] == {"scheduler.demo_data": "data"}


def test_every_file_of_the_bundled_scenarios_is_package_data():
    patterns = CONFIG["package-data"]["scheduler.demo_data"]
    files = [p.relative_to(ROOT / "data").as_posix() for p in (ROOT / "data").rglob("*") if p.is_file()]
    assert files
    left_out = [f for f in files if not any(fnmatch.fnmatch(f, pat) and f.count("/") == pat.count("/")
                                            for pat in patterns)]
    assert not left_out, f"add patterns for {left_out} to [tool.setuptools.package-data] in pyproject.toml"


def test_the_demo_is_found_in_a_checkout():
    folder = demo_folder()
    assert (folder / "scenario.toml").is_file() and folder == ROOT / "data" / "double11"


def test_the_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install = [line for line in ci.splitlines() if line.startswith("command -v soffice")]
    assert len(install) == 1 and install[0] in readme.splitlines()
    # after the install: the same steps (lint, then the tests) in the same order
    lines = ci.splitlines()
    pip = next(k for k, line in enumerate(lines) if line.startswith("python -m pip install"))
    ci_steps = [line for line in lines[pip + 1:] if line.strip() and not line.startswith("#")]
    command = next(line for line in readme.splitlines() if ".venv/bin/activate" in line and "pytest" in line)
    readme_steps = command.split(" && ")
    readme_pip = next(k for k, step in enumerate(readme_steps) if step.startswith("pip install"))
    assert ci_steps == readme_steps[readme_pip + 1:]
    assert ci_steps[-1] == "python -m pytest" and "python -m ruff check ." in ci_steps
