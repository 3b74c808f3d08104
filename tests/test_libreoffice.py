"""A real client: LibreOffice Calc opens the workbook, prints it to PDF, and pandas reads it back.

Skipped where LibreOffice (`soffice`) is not installed; `.ci/run` installs it when apt can. The
page checks read the PDF's text with `pdftotext` (poppler-utils) and are skipped without it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from test_template import fill_in

from scheduler.app import add_service_bounds, options_for, verify, write_result
from scheduler.grid import Grid
from scheduler.kpi import summary_kpis
from scheduler.scenario import load_scenario
from scheduler.scenario.template import init_folder
from scheduler.solve import solve

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
LANGS = ("en", "zh")


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, Path]:
    """One small roster (the filled-in template, with an absence) written in both languages."""
    base = tmp_path_factory.mktemp("lo")
    folder = base / "shop"
    init_folder(folder)
    fill_in(folder)
    scenario = load_scenario(folder)
    day = scenario.config.start
    (folder / "absences.csv").write_text(f"employee_id,start,end,reason\nE005,{day} 00:00,{day} 23:00,病假\n",
                                         encoding="utf-8")
    scenario = load_scenario(folder)
    roster, report = solve(scenario, options_for(scenario, 1, 1, 0))
    verify(scenario, roster)
    add_service_bounds(scenario, report, summary_kpis(scenario, Grid(scenario), roster), time_limit_s=10)
    # a Changes sheet as a repair writes it (the writer only lays it out)
    first = min(roster.assignments, key=lambda a: (a.start, a.employee_id))
    changes = [{"employee_id": first.employee_id, "name": scenario.agent_by_id[first.employee_id].name,
                "date": first.date, "before": f"{first.shift} {first.queue}", "after": ""}]
    return {lang: write_result(base / lang / "roster.xlsx", scenario, roster, report, lang, changes).files[0]
            for lang in LANGS}


@pytest.fixture(scope="module")
def printed(workbooks) -> dict[str, Path]:
    """Each workbook printed to PDF as its page setup says."""
    return {lang: convert(xlsx, xlsx.parent / "pdf") for lang, xlsx in workbooks.items()}


def convert(xlsx: Path, out: Path, options: str = "") -> Path:
    """xlsx -> PDF with LibreOffice headless, in a profile of its own (a desktop LibreOffice that
    is already running would otherwise take the job and convert nothing)."""
    out.mkdir(parents=True, exist_ok=True)
    profile = (out / "profile").resolve().as_uri()
    target = "pdf" + (f":calc_pdf_Export:{options}" if options else "")
    done = subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
                           "--outdir", str(out), str(xlsx)], capture_output=True, text=True, timeout=180)
    pdf = out / (xlsx.stem + ".pdf")
    assert done.returncode == 0 and pdf.exists(), f"soffice failed: {done.stdout}\n{done.stderr}"
    return pdf


def page_count(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))


def pages_by_sheet(pdf: Path) -> dict[str, list[str]]:
    """Sheet name -> the text of each of its printed pages, all whitespace removed (wrapped lines
    and CJK text compare equal). The footer the writer sets ("Coverage  3 / 12") names the sheet."""
    out: dict[str, list[str]] = {}
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for page in text.split("\f"):
        if not page.strip():
            continue
        footer = re.search(r"(\S+)\s+\d+ / \d+\s*$", page)
        assert footer, f"a page without the sheet-and-page footer:\n{page[-300:]}"
        out.setdefault(footer.group(1), []).append(re.sub(r"\s+", "", page))
    return out


def header_rows(ws) -> list[list[str]]:
    """The bold all-text rows of a sheet (table headers), each as the first word of each cell (a
    header wrapped over two lines comes out of the PDF one line at a time)."""
    rows = []
    for row in ws.iter_rows():
        cells = [c for c in row if c.value is not None]
        if len(cells) >= 2 and all(isinstance(c.value, str) and c.font.b for c in cells):
            rows.append([c.value.split()[0] for c in cells])
    return rows


@pytest.mark.parametrize("lang", LANGS)
def test_every_sheet_converts(workbooks, printed, tmp_path, lang):
    xlsx = workbooks[lang]
    sheets = openpyxl.load_workbook(xlsx).sheetnames
    assert {"Assignments", "Roster", "Coverage", "Summary", "Forecast", "Changes", "Absences"} <= set(sheets)
    assert page_count(printed[lang]) >= len(sheets)
    if PDFTOTEXT is not None:  # every sheet has printed pages of its own
        assert sorted(pages_by_sheet(printed[lang])) == sorted(sheets)
    else:  # one page per sheet: each sheet rendered on its own
        single = convert(xlsx, tmp_path / "single", '{"SinglePageSheets":{"type":"boolean","value":"true"}}')
        assert page_count(single) == len(sheets)


@pytest.mark.parametrize("lang", LANGS)
def test_every_sheet_prints_one_page_wide(workbooks, printed, lang):
    """Each table header's first and last cell are on one page of its sheet, and where the header
    row repeats on every printed page, every page of the sheet shows its first and last header:
    a page without the first would be a strip cut off the right-hand side."""
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    xlsx = workbooks[lang]
    pages = pages_by_sheet(printed[lang])
    wb = openpyxl.load_workbook(xlsx)
    for ws in wb.worksheets:
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
        own = pages[ws.title]
        for header in header_rows(ws):
            first, last = header[0], header[-1]
            assert any(first in p and last in p for p in own), f"{ws.title}: {header} split over pages"
        if ws.print_title_rows and ws.print_title_rows.replace("$", "") == "1:1" and header_rows(ws):
            first, last = header_rows(ws)[0][0], header_rows(ws)[0][-1]
            if ws.cell(row=1, column=1).value is not None and ws.cell(row=1, column=1).font.b:
                for n, p in enumerate(own, start=1):
                    assert first in p and last in p, f"{ws.title}: page {n} is not the whole width"


@pytest.mark.parametrize("lang", LANGS)
def test_summary_notes_print_whole(workbooks, printed, lang):
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    xlsx = workbooks[lang]
    text = "".join(pages_by_sheet(printed[lang])["Summary"])
    ws = openpyxl.load_workbook(xlsx)["Summary"]
    notes = [c.value for c in ws["A"] if isinstance(c.value, str) and c.alignment.wrap_text]
    assert notes
    for note in notes:
        assert re.sub(r"\s+", "", note) in text, f"note cut when printed: {note}"


def test_assignments_read_back_in_pandas_with_datetime_columns(workbooks):
    for lang in LANGS:
        table = pd.read_excel(workbooks[lang], sheet_name="Assignments")
        assert list(table.columns) == ["employee_id", "name", "date", "shift", "queue", "start", "end", "hours"]
        assert len(table) > 0
        for column in ("date", "start", "end"):
            assert pd.api.types.is_datetime64_any_dtype(table[column]), column
        assert pd.api.types.is_numeric_dtype(table["hours"])
        assert (table["end"] > table["start"]).all()
