"""Fuzz the scenario loader (issue 5): random bytes and mutated valid files as staff.csv, demand.csv,
absences.csv, staff.xlsx and scenario.toml. The only exception allowed out of load_scenario is
InputError, and every problem it carries names a file."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from test_scenario import ABSENCES, DEMAND, STAFF, TOML

from scheduler.errors import InputError
from scheduler.scenario import load_scenario

VALID = {"scenario.toml": TOML, "staff.csv": STAFF, "demand.csv": DEMAND, "absences.csv": ABSENCES}
CSV_FILES = ["staff.csv", "demand.csv", "absences.csv"]
FUZZ = settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

cell_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "0", "-1", "2.5", "1,234", "1,5", "nan", "inf", "1e400", "是", "否", "maybe",
                     "pre_sales", "after_sales", "vip", "A1", "2026-11-11 09:00", "2026-11-11 09:10",
                     "2026-11-12 00:00", "2025-01-01", "#N/A", '"', "=1+1", "\x00", "\ufeff", "；"]),
)


def load(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "scenario"
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        try:
            load_scenario(folder)
        except InputError as exc:
            assert exc.problems
            for p in exc.problems:
                assert p.file and p.message, p
                assert any(n in p.file for n in (*VALID, "staff.xlsx", str(folder))), p


def files_with(name: str, data: bytes) -> dict[str, bytes]:
    files = {n: t.encode("utf-8") for n, t in VALID.items()}
    files[name] = data
    return files


@settings(FUZZ, max_examples=25)
@given(name=st.sampled_from([*VALID]), data=st.binary(max_size=400))
def test_random_bytes(name, data):
    load(files_with(name, data))


@st.composite
def mutated_csv(draw):
    name = draw(st.sampled_from(CSV_FILES))
    rows = list(csv.reader(io.StringIO(VALID[name])))
    for _ in range(draw(st.integers(1, 4))):
        width = max(1, *(len(r) for r in rows))
        op = draw(st.sampled_from(["drop", "duplicate", "swap", "cell", "row", "blank"]))
        j = draw(st.integers(0, width - 1))
        if op == "drop":
            rows = [r[:j] + r[j + 1:] for r in rows]
        elif op == "duplicate":
            rows = [r[:j + 1] + r[j:j + 1] + r[j + 1:] for r in rows]
        elif op == "swap":
            k = draw(st.integers(0, width - 1))
            for r in rows:
                if max(j, k) < len(r):
                    r[j], r[k] = r[k], r[j]
        elif op == "cell":
            i = draw(st.integers(0, len(rows) - 1))
            if j < len(rows[i]):
                rows[i][j] = draw(cell_text)
        elif op == "row":
            rows.insert(draw(st.integers(0, len(rows))), draw(st.lists(cell_text, max_size=width + 1)))
        else:
            rows.insert(draw(st.integers(0, len(rows))), [])
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    data = out.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"])), errors="replace")
    if draw(st.booleans()):
        data = data[:draw(st.integers(0, len(data)))]
    return name, data


@settings(FUZZ, max_examples=40)
@given(mutated_csv())
def test_mutated_csv(case):
    load(files_with(*case))


@st.composite
def mutated_toml(draw):
    lines = TOML.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["drop", "duplicate", "text", "value", "truncate"]))
        if op == "drop":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "text":
            lines[i] = draw(st.text(max_size=20))
        elif op == "value" and "=" in lines[i]:
            value = draw(st.sampled_from(['"x"', "0", "-1", "1e9", "true", "[]", "{}", "2026-11-12", '"25:00"',
                                          '"07:30"', "7.5", "nan", "inf", '["vip"]', "[2026-13-01]"]))
            lines[i] = lines[i].split("=")[0] + "= " + value
        elif op == "truncate":
            lines = lines[:i]
        if not lines:
            lines = [""]
    return "\n".join(lines).encode("utf-8")


@settings(FUZZ, max_examples=25)
@given(mutated_toml())
def test_mutated_toml(data):
    load(files_with("scenario.toml", data))


@settings(FUZZ, max_examples=10)
@given(cells=st.lists(st.tuples(st.integers(1, 7), st.integers(1, 10),
                                st.one_of(cell_text, st.floats(allow_nan=True), st.booleans(), st.none())),
                      max_size=6))
def test_mutated_staff_xlsx(cells):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in csv.reader(io.StringIO(STAFF)):
        ws.append(r)
    for row, col, value in cells:
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)  # openpyxl refuses to write them at all
        ws.cell(row=row, column=col, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    files = files_with("staff.xlsx", buf.getvalue())
    del files["staff.csv"]
    load(files)
