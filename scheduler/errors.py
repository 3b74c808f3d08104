"""Errors a user can act on: bad input (exit 2) and impossible rosters (exit 1)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as a spreadsheet user would look for it."""

    file: str
    message: str
    row: int | None = None  # 1-based, as Excel shows it (header is row 1)
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class InputError(Exception):
    """Bad input; carries every problem found, not just the first. Exit code 2."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InfeasibleError(Exception):
    """No roster satisfies the hard rules; `reasons` are in a scheduler's words. Exit code 1."""

    exit_code = 1

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__("\n".join(self.reasons))


class Stopped(KeyboardInterrupt):
    """Ctrl-C after part of the output was written: `written` says what is on disk. Exit code 130."""

    def __init__(self, written: str):
        self.written = written
        super().__init__(written)
