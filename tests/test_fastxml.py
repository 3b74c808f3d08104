"""The faster workbook writer and reader (scheduler.workbook.fastxml, .fastread) give exactly what
openpyxl gives: the same file, the same rows; and anything unusual goes through openpyxl."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment

import scheduler.workbook.reader as reader
from scheduler.workbook import fastread, fastxml, read_assignments
from tests.test_workbook import report, roster, scenario, written  # noqa: F401 - fixtures

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def members(path: Path) -> dict[str, bytes]:
    """Every part of an xlsx but the time it was saved."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def rows_by_openpyxl(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return {name: list(wb[name].iter_rows(values_only=True)) for name in wb.sheetnames}
    finally:
        wb.close()


def rows_by_fastread(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return {name: fastread.sheet_values(wb[name]) for name in wb.sheetnames}
    finally:
        wb.close()


def odd_workbook() -> openpyxl.Workbook:
    """Cells of every kind the fast path takes, and some it hands to openpyxl."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Assignments"
    ws.append(["text", "  spaces at the ends  ", "", "a & b < c", 3, 2.5, float("1e-7"), True, False])
    ws.append([dt.datetime(2026, 11, 11, 9, 30), dt.date(2026, 11, 11), dt.time(8, 0), "=SUM(E1:F1)", None, "x"])
    ws["B2"].number_format = "0.0"
    ws["A3"] = "commented"
    ws["A3"].comment = Comment("a note", "me")
    ws["B3"] = "linked"
    ws["B3"].hyperlink = "https://example.com"
    ws.row_dimensions[4].height = 30
    ws["C4"] = 4
    ws["C6"] = "after a missing row"
    ws["D6"].font = openpyxl.styles.Font(bold=True)
    return wb


def test_fast_save_writes_the_file_openpyxl_writes(tmp_path):
    odd_workbook().save(tmp_path / "openpyxl.xlsx")
    fastxml.save(odd_workbook(), tmp_path / "fast.xlsx")
    assert members(tmp_path / "fast.xlsx") == members(tmp_path / "openpyxl.xlsx")


def test_a_roster_workbook_is_the_file_openpyxl_writes(written, tmp_path, monkeypatch):  # noqa: F811
    import scheduler.workbook.writer as writer

    fast = written("fast.xlsx", lang="zh", changes=[], options=[[0, 1.0, 2.0, None, "yes"]])[0]
    monkeypatch.setattr(writer, "save_workbook", lambda wb, path: wb.save(path))
    monkeypatch.setattr(writer, "PLAIN_ROWS", False)  # every Assignments row an openpyxl cell
    slow = written("slow.xlsx", lang="zh", changes=[], options=[[0, 1.0, 2.0, None, "yes"]])[0]
    assert members(fast) == members(slow)


def test_fast_read_gives_openpyxl_rows(written, tmp_path):  # noqa: F811
    path = written()[0]
    assert rows_by_fastread(path) == rows_by_openpyxl(path)
    odd = tmp_path / "odd.xlsx"
    odd_workbook().save(odd)
    wb = openpyxl.load_workbook(odd, read_only=True, data_only=True)
    assert fastread.sheet_values(wb["Assignments"]) == list(wb["Assignments"].iter_rows(values_only=True))
    wb.close()


def test_a_hand_edited_workbook_reads_the_same_both_ways(written, tmp_path):  # noqa: F811
    # a scheduler opens the published roster, moves a shift by hand, leaves a blank row, types
    # a date as text and saves: openpyxl (not read-only) rewrites every part of the file
    path = written()[0]
    wb = openpyxl.load_workbook(path)
    ws = wb["Assignments"]
    ws["F2"] = ws["F2"].value + dt.timedelta(hours=1)
    ws.insert_rows(3)
    ws["C4"] = "2026-11-11"
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    assert rows_by_fastread(edited) == rows_by_openpyxl(edited)

    def openpyxl_only(ws):
        raise fastread.Unusual("test")

    fast = read_assignments(edited)
    reader_values, reader.sheet_values = reader.sheet_values, openpyxl_only
    try:
        assert read_assignments(edited) == fast
    finally:
        reader.sheet_values = reader_values


def test_rich_text_goes_through_openpyxl(tmp_path):
    path = tmp_path / "rich.xlsx"
    odd_workbook().save(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"<is><t>text</t></is>", b"<is><r><t>te</t></r><r><t>xt</t></r></is>", 1)
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    with pytest.raises(fastread.Unusual):
        fastread.sheet_values(wb["Assignments"])
    assert reader._values(wb["Assignments"])[0][0] == "text"  # openpyxl read it
    wb.close()


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_a_workbook_libreoffice_saved_reads_the_same_both_ways(written, tmp_path):  # noqa: F811
    # Excel and LibreOffice write shared strings and styles of their own
    path = written()[0]
    out = tmp_path / "lo"
    profile = (out / "profile").resolve().as_uri()
    done = subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx",
                           "--outdir", str(out), str(path)], capture_output=True, text=True, timeout=180)
    resaved = out / path.name
    assert done.returncode == 0 and resaved.exists(), done.stderr
    with zipfile.ZipFile(resaved) as z:
        assert "xl/sharedStrings.xml" in z.namelist()
    assert rows_by_fastread(resaved) == rows_by_openpyxl(resaved)
    assert read_assignments(resaved) == read_assignments(path)


def test_an_empty_sheet_or_a_stated_size_beyond_the_data_reads_as_openpyxl_reads_it(tmp_path):
    empty = tmp_path / "empty.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Assignments"
    wb.save(empty)
    header = tmp_path / "header.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Assignments"
    wb.active.append(["employee_id", "name", "date", "shift", "queue", "start", "end", "hours"])
    wb.save(header)
    stated = tmp_path / "stated.xlsx"  # the sheet says A1:H4 and holds one row
    with zipfile.ZipFile(header) as z, zipfile.ZipFile(stated, "w") as out:
        for item in z.infolist():
            data = z.read(item.filename)
            out.writestr(item, data.replace(b'ref="A1:H1"', b'ref="A1:H4"') if item.filename.endswith("sheet1.xml")
                         else data)
    for path in (empty, header, stated):
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        assert fastread.sheet_values(wb["Assignments"]) == list(wb["Assignments"].iter_rows(values_only=True)), path
        wb.close()


def assignments_rows() -> list[dict]:
    """Assignments rows, mostly plain, with every kind of value PlainRows refuses among them."""
    day = dt.date(2026, 11, 11)
    rows = []
    for k in range(12):
        start = dt.datetime(2026, 11, 11, 8) + dt.timedelta(hours=k)
        rows.append({"employee_id": f"E{k:03d}", "name": "张三 & <b>" if k % 2 else "=HYPERLINK(\"x\")",
                     "date": day, "shift": "E", "queue": "pre_sales", "start": start,
                     "end": start + dt.timedelta(hours=2, minutes=30), "hours": 2.5})
    rows[3]["name"] = ""                      # empty text
    rows[4]["name"] = None                    # no value
    rows[5]["name"] = " spaces "              # spaces at its ends
    rows[6]["name"] = "bell\x07"              # a character an xlsx cannot hold
    rows[7]["hours"] = float("inf")           # not finite
    rows[8]["hours"] = 3                      # another type than the column's
    rows[9]["date"] = dt.datetime(2026, 11, 11)
    return rows


def assignments_workbook(rows: list[dict], plain: bool, monkeypatch) -> openpyxl.Workbook:
    import scheduler.workbook.writer as writer

    monkeypatch.setattr(writer, "PLAIN_ROWS", plain)
    wb = openpyxl.Workbook()
    writer._assignments_sheet(wb.active, rows)
    return wb


def test_assignments_rows_kept_as_values_are_the_file_of_openpyxl_cells(tmp_path, monkeypatch):
    rows = assignments_rows()
    fast = assignments_workbook(rows, True, monkeypatch)
    kept = fast.active._plain_rows.rows
    # the first row (the templates) and the last are cells, and so is every unusual row
    assert sorted(kept) == [3, 4, 12]
    assert fast.active.max_row == len(rows) + 1
    fastxml.save(fast, tmp_path / "kept.xlsx")
    assignments_workbook(rows, False, monkeypatch).save(tmp_path / "cells.xlsx")
    assert members(tmp_path / "kept.xlsx") == members(tmp_path / "cells.xlsx")
    assert rows_by_openpyxl(tmp_path / "kept.xlsx") == rows_by_openpyxl(tmp_path / "cells.xlsx")


def test_kept_rows_touched_later_or_made_cells_give_the_same_file(tmp_path, monkeypatch):
    rows = assignments_rows()
    # a kept row given a height and another given a cell after the sheet was written
    fast = assignments_workbook(rows, True, monkeypatch)
    fast.active.row_dimensions[4].height = 30
    fast.active["J12"] = "note"
    fastxml.save(fast, tmp_path / "touched.xlsx")
    slow = assignments_workbook(rows, False, monkeypatch)
    slow.active.row_dimensions[4].height = 30
    slow.active["J12"] = "note"
    slow.save(tmp_path / "cells.xlsx")
    assert members(tmp_path / "touched.xlsx") == members(tmp_path / "cells.xlsx")
    # made cells (what the writer does when lxml writes the rows): openpyxl's own save agrees
    made = assignments_workbook(rows, True, monkeypatch)
    made.active._plain_rows.materialize(made.active)
    assert not hasattr(made.active, "_plain_rows")
    made.save(tmp_path / "made.xlsx")
    assignments_workbook(rows, False, monkeypatch).save(tmp_path / "cells2.xlsx")
    assert members(tmp_path / "made.xlsx") == members(tmp_path / "cells2.xlsx")


def test_coverage_as_rows_or_as_a_dataframe_gives_the_same_file(written, scenario, roster):  # noqa: F811
    from scheduler.grid import Grid
    from scheduler.kpi import coverage_rows

    frame = written("frame.xlsx")[0]  # the fixture passes kpi.coverage's DataFrame
    rows = written("rows.xlsx", coverage=coverage_rows(scenario, Grid(scenario), roster))[0]
    assert members(frame) == members(rows)


def scan_and_tree(xml: bytes, width=None, height=None, strings=("shared",)) -> tuple:
    args = (width, height, list(strings), {1}, set(), openpyxl.utils.datetime.CALENDAR_WINDOWS_1900)
    try:
        scanned = fastread._scan(xml, *args, {}, {})
    except fastread._NotPlain:
        scanned = None
    return scanned, fastread._tree(xml, *args, {}, {})


SHEET = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:D4"/>'
         "<sheetData>{}</sheetData></worksheet>")


def test_the_plain_sheet_scan_reads_what_the_element_tree_reads(written):  # noqa: F811
    path = written()[0]
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb["Assignments"]
    with ws._get_source() as src:
        xml = src.read()
    args = (ws.max_column, ws.max_row, ws._shared_strings, wb._date_formats, wb._timedelta_formats, wb.epoch)
    assert fastread._scan(xml, *args, {}, {}) == fastread._tree(xml, *args, {}, {})  # our own sheet: scanned
    wb.close()
    plain = [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a &amp; b &lt;c&gt; &#34;&#x4e2d;&quot;</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t/></is></c><c r="C1" t="inlineStr"><is><t></t></is></c>'
        '<c r="D1" t="inlineStr"/></row>',
        '<row r="2" spans="1:4" ht="20"><c r="A2" s="1"><v>46337.5</v></c><c r="B2" t="s"><v>0</v></c>'
        '<c r="C2" t="b"><v>1</v></c><c r="D2"><v/></c></row><row r="4"/>',
        '\n  <row r="1">\n    <c r="A1" t="inlineStr"><is><t xml:space="preserve"> x </t></is></c>\n  </row>\n',
        '<row r="1"><c r="B1" t="str"><v>text</v></c><c r="A1" t="inlineStr"><v>ignored</v></c></row>',
        '<row r="1"/><row r="9"><c r="A9"><v>3</v></c></row>',  # beyond the stated size
    ]
    for data in plain:
        scanned, tree = scan_and_tree(SHEET.format(data).encode(), width=4, height=4)
        assert scanned == tree, data
    # not in the plain grammar: left to the element tree
    others = [
        '<row r="1"><c r="A1" t="inlineStr"><is><r><t>rich</t></r></is></c></row>',
        '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row>',
        '<row r="1"><c s="1" r="A1"><v>2</v></c></row>',
        '<row r="1"><c r="A1" t="inlineStr"><is><t>line\r\nend</t></is></c></row>',
        '<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[x]]></t></is></c></row>',
    ]
    for data in others:
        xml = SHEET.format(data).encode()
        with pytest.raises(fastread._NotPlain):
            fastread._scan(xml, 4, 4, [], set(), set(), None, {}, {})
    declared = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + SHEET.format(plain[1]).encode()
    assert scan_and_tree(declared, width=4, height=4)[0] is not None
    latin = b'<?xml version="1.0" encoding="ISO-8859-1"?>' + SHEET.format(plain[1]).encode()
    for foreign in (SHEET.replace("2006/main", "2006/other").format(plain[1]).encode(), latin,
                    SHEET.replace("<worksheet ", "<x:worksheet ").format(plain[1]).encode()):
        with pytest.raises(fastread._NotPlain):
            fastread._scan(foreign, 4, 4, [], set(), set(), None, {}, {})


def test_kept_rows_where_their_xml_could_differ_are_made_cells(tmp_path, monkeypatch):
    rows = assignments_rows()[:3]

    def odd(last: bool) -> openpyxl.Workbook:
        wb = assignments_workbook(rows, True, monkeypatch)
        plain = wb.active._plain_rows
        assert sorted(plain.rows) == [3]
        if last:  # a kept row beyond the last cell
            plain.rows[9] = plain.rows[3]
        else:  # a template written after a kept row
            plain.like[0] = wb.active["A4"]
        return wb

    for last in (True, False):
        fast = odd(last)
        fastxml.save(fast, tmp_path / "fast.xlsx")
        assert not hasattr(fast.active, "_plain_rows")  # made cells, written by the ordinary path
        cells = odd(last)
        cells.active._plain_rows.materialize(cells.active)
        cells.save(tmp_path / "cells.xlsx")
        assert members(tmp_path / "fast.xlsx") == members(tmp_path / "cells.xlsx")
