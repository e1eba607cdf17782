"""The month's Excel exports (time and peak memory) and the district PDF summary (time)."""

from __future__ import annotations

import datetime as dt
import io
import statistics
import time
import tracemalloc

from openpyxl import load_workbook

from orgs.models import OrgUnit, User
from reporting.exports import month_workbook
from reporting.pdf import month_summary_pdf

PDF_TARGET_MS = 1000


def _sheet_rows(content: bytes) -> int:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    # A write-only workbook records no dimensions, so the rows are counted one by one.
    return sum(1 for sheet in workbook.worksheets for _row in sheet.iter_rows(values_only=True))


def _median_ms(fn, repeats: int) -> tuple[float, bytes]:
    times, content = [], b""
    for _ in range(repeats):
        started = time.perf_counter()
        content = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), content


def _peak_bytes(fn) -> int:
    """Peak of Python allocations while `fn` runs (tracemalloc: the heap the export itself holds)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def export(user: User, unit: OrgUnit, period: dt.date, repeats: int) -> dict:
    def make() -> bytes:
        return month_workbook(user=user, unit=unit, period=period)

    make()  # warm caches and imports
    ms, content = _median_ms(make, repeats)
    peak = _peak_bytes(make)
    rows = _sheet_rows(content)
    return {
        "unit": unit.name,
        "ms": round(ms, 1),
        "sheet_rows": rows,
        "bytes": len(content),
        "peak_mb": round(peak / 2**20, 2),
    }


def memory_growth(small: dict, large: dict) -> dict:
    """How much more memory the large export needs per extra sheet row, against what a row holds.

    An export that kept every row (or the records behind it) would grow by
    many kilobytes a row; a streamed one grows by little more than a row's own
    figures while its totals are made.
    """
    extra_rows = large["sheet_rows"] - small["sheet_rows"]
    extra_mb = large["peak_mb"] - small["peak_mb"]
    per_row_kb = extra_mb * 1024 / extra_rows if extra_rows > 0 else None
    return {
        "rows_ratio": round(large["sheet_rows"] / small["sheet_rows"], 1) if small["sheet_rows"] else None,
        "peak_ratio": round(large["peak_mb"] / small["peak_mb"], 2) if small["peak_mb"] else None,
        "kb_per_extra_row": round(per_row_kb, 1) if per_row_kb is not None else None,
    }


def pdf(user: User, unit: OrgUnit, period: dt.date, repeats: int) -> dict:
    def make() -> bytes:
        return month_summary_pdf(user=user, unit=unit, period=period)

    make()
    ms, content = _median_ms(make, repeats)
    return {
        "unit": unit.name,
        "ms": round(ms, 1),
        "bytes": len(content),
        "target": f"ms < {PDF_TARGET_MS}",
        "pass": ms < PDF_TARGET_MS,
    }
