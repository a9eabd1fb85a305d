"""Cells of the CSV downloads (a transcript, the reports' export): one rule for all."""

from __future__ import annotations

FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run a cell that starts so


def safe_cell(text: str) -> str:
    """``text``, quoted with a leading apostrophe where a spreadsheet would take it for a formula."""
    return "'" + text if text.startswith(FORMULA) else text
