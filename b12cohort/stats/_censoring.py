"""Censored laboratory values (``<50``, ``>2000``) in rank statistics and medians.

The loader keeps the assay's limit in the value column and the direction in a
``<column>_censored`` column (categories ``left``/``right``, NaN where exact); see
:func:`b12cohort.load_cohort`. Ranks are determined when every left limit is at or
below the smallest exact value (every ``<L`` is then below every exact value) and every
right limit at or above the largest; the censored values are then ranked as tied at
the bottom (or top). Otherwise their order is unknown and no rank statistic is computed.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from b12cohort.core.errors import ArgumentError
from b12cohort.core.tables import format_number

_SHARED = {"b12_pmol_l": "b12_pg_ml_censored"}


def censoring(data: pd.DataFrame, column: str) -> pd.Series | None:
    """The censoring directions of ``column`` ("left"/"right"/NaN), or None when none."""
    name = _SHARED.get(column, f"{column}_censored")
    if name not in data.columns or column not in data.columns:
        return None
    flags = data[name].astype(object).where(data[name].notna(), None)
    return flags if flags.isin(["left", "right"]).any() else None


def undetermined_order(values: pd.Series, flags: pd.Series) -> str:
    """Why the order of the censored values is unknown, or "" when it is determined."""
    v = pd.to_numeric(values, errors="coerce").astype(float)
    exact = v[flags.isna() & v.notna()]
    left, right = v[flags == "left"], v[flags == "right"]
    if len(exact) and len(left) and left.max() > exact.min():
        return (
            f"a left limit (<{left.max():g}) is above the smallest exact value "
            f"({exact.min():g}), so whether those values rank below it is unknown"
        )
    if len(exact) and len(right) and right.min() < exact.max():
        return (
            f"a right limit (>{right.min():g}) is below the largest exact value "
            f"({exact.max():g}), so whether those values rank above it is unknown"
        )
    return ""


def rank_ready(data: pd.DataFrame, column: str, *, function: str) -> tuple[pd.Series, str]:
    """``data[column]`` with censored values tied at the bottom/top, and the note saying so.

    Raises ArgumentError when the order of the censored values is not determined.
    """
    values = data[column]
    flags = censoring(data, column)
    if flags is None:
        return values, ""
    why = undetermined_order(values, flags)
    if why:
        raise ArgumentError(
            f"{function}(): column '{column}' holds censored values and {why}; ranks are "
            "undetermined. Leave those rows out (or use an assay with a lower limit), or "
            "compare the censored/exact split with fisher_exact()."
        )
    v = pd.to_numeric(values, errors="coerce").astype(float).copy()
    exact = v[flags.isna() & v.notna()]
    notes = []
    for side, sign, pick in (("left", -1, np.min), ("right", 1, np.max)):
        mask = (flags == side).to_numpy()
        if not mask.any():
            continue
        limit = float(pick(v[mask]))
        if len(exact):
            edge = float(exact.min() if side == "left" else exact.max())
            if (limit - edge) * sign <= 0:
                limit = float(np.nextafter(edge, sign * np.inf))
        v[mask] = limit
        where = "bottom" if side == "left" else "top"
        notes.append(
            f"{int(mask.sum())} {side}-censored value(s) of '{column}' ranked as tied at the "
            f"{where} (at the assay's limit)"
        )
    return pd.Series(v, index=values.index, name=column), "; ".join(notes)


def _order_statistics(values: np.ndarray, flags: np.ndarray):
    """Sorted values (left-censored at -inf, right at +inf) and which are determined."""
    exact = pd.isna(flags)
    left, right = values[flags == "left"], values[flags == "right"]
    lo = left.max() if len(left) else -np.inf
    hi = right.min() if len(right) else np.inf
    placed = np.where(flags == "left", -np.inf, np.where(flags == "right", np.inf, values))
    order = np.argsort(placed, kind="stable")
    srt, ok = placed[order], (exact & (values > lo) & (values < hi))[order]
    return srt, ok, lo, hi


def censored_cell(values, flags, p: float, fmt) -> str | None:
    """The type-7 ``p`` quantile as text when censoring reaches it ("<L", ">U"), else None.

    A quantile is shown as a number only when the order statistics it interpolates are
    exact values above the largest left limit and below the smallest right limit.
    """
    keep = ~np.isnan(values)
    values, flags = values[keep], flags[keep]
    if len(values) == 0 or pd.isna(flags).all():
        return None
    srt, ok, lo, hi = _order_statistics(values, flags)
    h = (len(srt) - 1) * p
    a, b = int(np.floor(h)), int(np.ceil(h))
    if ok[a] and ok[b]:
        return None
    bottom = [not ok[i] and srt[i] <= lo for i in (a, b)]
    top = [not ok[i] and srt[i] >= hi for i in (a, b)]
    if all(bottom):
        return f"<{fmt(lo)}"
    if all(top):
        return f">{fmt(hi)}"
    if bottom[0] and ok[b]:
        return f"<{fmt(srt[b])}"
    if ok[a] and top[1]:
        return f">{fmt(srt[a])}"
    return "undetermined"


def _extremes(values, flags, fmt) -> tuple[str, str]:
    """Min and max as text: "<L" where a left-censored value may be the minimum, etc."""
    keep = ~np.isnan(values)
    v, f = values[keep], flags[keep]
    exact, left, right = v[pd.isna(f)], v[f == "left"], v[f == "right"]
    out = []
    for sign, cens, pick, other in (("<", left, np.min, right), (">", right, np.max, left)):
        if len(cens):
            limit = pick(cens)
            near = limit if not len(exact) or pick([limit, pick(exact)]) == limit else None
            out.append(f"{sign}{fmt(limit)}" if near is not None else f"{sign}={fmt(pick(exact))}")
        else:  # exact on this side unless the other side's censoring reaches it
            edge = pick(exact) if len(exact) else np.nan
            reach = not len(exact) or (other.max() > edge if sign == ">" else other.min() < edge)
            bound = f"<{fmt(other.max())}" if sign == ">" else f">{fmt(other.min())}"
            out.append(bound if reach else fmt(edge))
    return out[0], out[1]


def censored_count_note(variable: str, flags) -> str:
    """How many values of ``variable`` were censored, and at which limits."""
    left, right = int((flags == "left").sum()), int((flags == "right").sum())
    parts = [f"{n} {side}-censored" for n, side in ((left, "left"), (right, "right")) if n]
    return (
        f"{variable}: {' and '.join(parts)} value(s) (outside the assay's range); medians, "
        "quartiles and extremes that the censoring reaches are shown as <L or >U."
    )


def show_censoring(summary, statistics, censored, codes, columns, labels, decimals, notes):
    """Medians and quartiles the censoring reaches become "<L"/">U" (in place); one note per variable."""
    stats_of = {"q1": 0.25, "median": 0.5, "q3": 0.75}
    for var, data in censored.items():
        flags = censoring(data, var).to_numpy(dtype=object)
        values = pd.to_numeric(data[var], errors="coerce").to_numpy(dtype=float)
        fmt = partial(format_number, decimals=decimals[var])
        label = str(labels.get(var, var))
        row = summary.index[(summary["variable"] == label) & (summary["level"] == "median [IQR]")]
        for g, col in enumerate(columns):
            sel = np.ones(len(values), bool) if g == 0 else codes == g - 1
            shown = {}
            for name, p in stats_of.items():
                text = censored_cell(values[sel], flags[sel], p, fmt)
                if text is not None:
                    statistics.loc[
                        (statistics["variable"] == var) & (statistics["group"] == col), name
                    ] = np.nan  # not determined: no number in the statistics either
                shown[name] = text
            if any(shown.values()) and len(row):
                num = {k: shown[k] or fmt(statistics.loc[
                    (statistics["variable"] == var) & (statistics["group"] == col), k
                ].iloc[0]) for k in stats_of}  # fmt: skip
                summary.loc[row[0], col] = f"{num['median']} [{num['q1']}, {num['q3']}]"
            extremes = summary.index[
                (summary.index > (row[0] if len(row) else np.inf))
                & (summary["level"] == "min, max")
            ]
            if len(extremes) and (~pd.isna(flags[sel])).any():
                low, high = _extremes(values[sel], flags[sel], fmt)
                summary.loc[extremes[0], col] = f"{low}, {high}"
        notes.append(censored_count_note(label, flags))
