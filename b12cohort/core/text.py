"""Small text helpers shared by the result tables (replication table, case profile)."""

from __future__ import annotations

#: How a value that was not recorded is shown.
NOT_RECORDED = "not recorded"


def number(value: float) -> str:
    """A number as a person writes it: no trailing zeros, no exponent below a million."""
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.0f}"
