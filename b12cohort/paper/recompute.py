"""Recompute published results: statcheck-style p-value checks and GRIM-style checks.

:func:`recompute_published` takes what a paper printed — a test statistic with its
degrees of freedom, counts, or a percentage or mean with its n — recomputes the p-value
(or the possible counts) and flags what the printed numbers cannot all be, allowing for
the rounding the paper printed. It reads three kinds of table:

* a table of printed results, one row per result (columns below);
* the paper's published facts (:func:`~b12cohort.paper.replication.published_facts`):
  every printed percentage is checked against its n;
* the literature table ``load_literature(table="neurology_vs_hb")``: the p-values and
  percentages printed in each row's ``statistic`` and ``quote`` are extracted and
  checked where the row gives what is needed, and rows with nothing to recompute say so.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from b12cohort.core.arguments import check_confidence, check_dataframe
from b12cohort.core.errors import ArgumentError
from b12cohort.stats._rports import wilcox_counts
from b12cohort.stats.contingency import fisher_exact_table

__all__ = ["RECOMPUTE_COLUMNS", "RECOMPUTE_TESTS", "recompute_published"]

#: Values of the ``test`` column of a table of printed results.
RECOMPUTE_TESTS = ("t", "welch_t", "chisq", "z", "r", "fisher", "mann_whitney", "percent", "mean")
#: Columns of the result of :func:`recompute_published`, in order.
RECOMPUTE_COLUMNS = (
    "label", "check", "test", "printed", "statistic", "df", "n", "p_printed", "p_relation",
    "p_recomputed", "p_low", "p_high", "consistent", "decision_error", "possible_counts",
    "note",
)  # fmt: skip
_P_RE = re.compile(
    r"^\s*(?:p\s*)?(?P<rel><=|>=|=|<|>|≤|≥)?\s*(?P<val>\d*\.?\d+(?:e-?\d+)?)\s*$", re.I
)
_NS = {"ns", "n.s.", "n.s", "not significant"}


# --------------------------------------------------------------------------- parsing
def _decimals(value: Any) -> int:
    """Decimals printed: from the text, or the shortest repr of a number."""
    text = value if isinstance(value, str) else repr(float(value))
    text = text.strip().rstrip("%").strip()
    if "e" in text.lower():
        return 0
    return len(text.split(".")[1]) if "." in text else 0


def _number(value: Any) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return math.nan
    try:
        return float(str(value).strip().rstrip("%").replace("−", "-"))
    except ValueError:
        return math.nan


def _parse_p(text: Any, alpha: float) -> tuple[str, float, int] | None:
    """(relation, value, decimals) of a printed p ("0.015", "< .001", "ns"), or None."""
    if text is None or (isinstance(text, float) and math.isnan(text)) or text is pd.NA:
        return None
    raw = str(text).strip()
    if raw.lower() in _NS:
        return ">=", alpha, 0
    m = _P_RE.match(raw.replace(" ", ""))
    if not m:
        raise ArgumentError(
            f"recompute_published(): cannot read the printed p {raw!r}; write it as "
            "printed, e.g. '0.015', '< 0.001', '= .03' or 'ns'."
        )
    rel = {"≤": "<=", "≥": ">="}.get(m["rel"] or "=", m["rel"] or "=")
    return rel, float(m["val"]), _decimals(m["val"])


def _round_half_up(value: Fraction, decimals: int) -> Fraction:
    scale = 10**decimals
    return Fraction(math.floor(value * scale + Fraction(1, 2)), scale)


# --------------------------------------------------------------------------- p-values
def _p_of(test: str, stat: float, df: float, n: float) -> float:
    """Two-sided p of a statistic: R 2 * pt(-|t|, df), pchisq(x, df, lower = FALSE), ..."""
    if test in ("t", "welch_t"):
        return float(2 * stats.t.sf(abs(stat), df))
    if test == "chisq":
        return float(stats.chi2.sf(stat, df))
    if test == "z":
        return float(2 * stats.norm.sf(abs(stat)))
    if test == "r":
        if abs(stat) >= 1:
            return 0.0
        t = stat * math.sqrt((n - 2) / (1 - stat * stat))
        return float(2 * stats.t.sf(abs(t), n - 2))
    raise AssertionError(test)  # pragma: no cover - callers pass known tests


def _p_range(test: str, stat: float, decimals: int, df: float, n: float) -> tuple[float, float]:
    """p at the two ends of the rounding interval of the printed statistic."""
    h = 0.5 * 10.0**-decimals
    lo, hi = abs(stat) - h, abs(stat) + h
    if test == "chisq":
        lo, hi = stat - h, stat + h
    if test == "r":
        hi = min(hi, 1.0)
    ends = [_p_of(test, max(lo, 0.0), df, n), _p_of(test, hi, df, n)]
    return min(ends), max(ends)


def _fisher_2x2(counts) -> float:
    """The package's Fisher test on a 2 × 2 table (R ``fisher.test``)."""
    return float(fisher_exact_table(np.asarray(counts, dtype=np.int64).reshape(2, 2)).p_value)


def _mann_whitney(u: float, n1: int, n2: int) -> tuple[float, str]:
    """Two-sided p of U: exact (R ``wilcox.test(exact = TRUE)``, no ties) or normal."""
    if u == int(u) and n1 < 50 and n2 < 50:
        counts = wilcox_counts(n1, n2)
        total = sum(counts)
        u = int(u)
        tail = sum(counts[u:]) if u > n1 * n2 / 2 else sum(counts[: u + 1])
        return min(1.0, 2 * tail / total), "exact distribution of U (no ties assumed)"
    mu, sd = n1 * n2 / 2, math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
    z = (abs(u - mu) - 0.5) / sd
    return float(min(1.0, 2 * stats.norm.sf(z))), "normal approximation with continuity correction"


def _consistency(p_lo, p_hi, printed, alpha):
    """(consistent, decision_error, note) of a printed p against the recomputed range."""
    rel, v, dec = printed
    half = 0.5 * 10.0**-dec if rel == "=" else 0.0
    if rel == "=" and v == 0:
        rel, v = "<", half  # "p = 0.000" means below half a unit of the last digit
    if rel == "=":
        ok = p_lo <= v + half and p_hi >= v - half
        sig = v < alpha
    elif rel in ("<", "<="):
        ok = p_lo < v or (rel == "<=" and p_lo <= v)
        sig = v <= alpha
    else:
        ok = p_hi > v or (rel == ">=" and p_hi >= v)
        sig = False
    decision = (not ok) and ((sig and p_lo >= alpha) or (not sig and p_hi < alpha))
    note = ""
    if not ok and rel == "=" and p_lo / 2 <= v + half and p_hi / 2 >= v - half:
        note = "consistent with a one-sided p-value (half the two-sided one)"
    return ok, decision, note


# --------------------------------------------------------------------------- GRIM
def _grim(value_text: Any, n: int, events=None, *, kind: str, items: int = 1):
    """(consistent, possible counts text, note) of a printed percentage or mean."""
    value = Fraction(str(_number(value_text)))
    d = _decimals(value_text)
    if kind == "percent":
        possible = [k for k in range(n + 1) if _round_half_up(Fraction(100 * k, n), d) == value]
        trunc = [
            k for k in range(n + 1) if math.floor(Fraction(100 * k, n) * 10**d) == value * 10**d
        ]
        text = ", ".join(map(str, possible))
        if events is not None and not math.isnan(events):
            ok = int(events) in possible
            note = "" if ok else f"{int(events)}/{n} does not round to {value_text}"
        else:
            ok = bool(possible)
            note = "" if ok else f"no count out of {n} rounds to {value_text}"
        if not ok:
            near = sorted(
                {
                    max(0, min(n, k))
                    for k in (math.floor(value * n / 100), math.ceil(value * n / 100))
                }
            )
            note += (
                " (nearest: " + ", ".join(f"{k}/{n} = {100 * k / n:.{d + 1}f}%" for k in near) + ")"
            )
        if not ok and trunc:
            note += f"; truncated rather than rounded, {', '.join(map(str, trunc))}/{n} would"
        return ok, text, note
    cells = n * items
    if cells >= 10**d:
        return True, "", f"GRIM cannot fail: n × items = {cells} ≥ 10^{d}"
    centre = math.floor(value * cells)
    totals = [
        t for t in range(centre - 1, centre + 2) if _round_half_up(Fraction(t, cells), d) == value
    ]
    note = "" if totals else f"no sum of {cells} whole numbers gives a mean of {value_text}"
    return bool(totals), ", ".join(map(str, totals)), note


# --------------------------------------------------------------------------- rows
def _empty_row(label, check, test, printed) -> dict:
    row = dict.fromkeys(RECOMPUTE_COLUMNS, math.nan)
    row.update(label=label, check=check, test=test, printed=printed, note="",
               consistent=pd.NA, decision_error=pd.NA, possible_counts="")  # fmt: skip
    return row


def _check_row(rec: dict, alpha: float, index: int) -> dict:
    test = str(rec.get("test", "")).strip().lower()
    label = rec.get("label") if isinstance(rec.get("label"), str) else f"row {index + 1}"
    if test not in RECOMPUTE_TESTS:
        raise ArgumentError(
            f"recompute_published(): row {index + 1} ({label!r}) has test {test!r}; use one "
            f"of {', '.join(RECOMPUTE_TESTS)}."
        )
    printed = rec.get("printed") if isinstance(rec.get("printed"), str) else ""
    if test in ("percent", "mean"):
        row = _empty_row(label, "GRIM", test, printed or str(rec.get("value")))
        n = _number(rec.get("n"))
        if not n == n or n <= 0:
            raise ArgumentError(
                f"recompute_published(): row {index + 1} ({label!r}): a {test} check needs "
                "`n` (the denominator printed or implied)."
            )
        items = _number(rec.get("items"))
        ok, text, note = _grim(rec.get("value"), int(n), _number(rec.get("events")), kind=test,
                               items=int(items) if items == items else 1)  # fmt: skip
        row.update(n=int(n), consistent=ok, possible_counts=text, note=note)
        return row
    row = _empty_row(label, "p-value", test, printed)
    parsed = _parse_p(rec.get("p"), alpha)
    stat, df, n = _number(rec.get("statistic")), _number(rec.get("df")), _number(rec.get("n"))
    row.update(statistic=stat, df=df, n=n, p_printed=str(rec.get("p", "")).strip())
    notes = []
    if test == "fisher":
        counts = [int(_number(v)) for v in str(rec.get("counts", "")).split(",") if v.strip()]
        if len(counts) != 4:
            raise ArgumentError(
                f"recompute_published(): row {index + 1} ({label!r}): a Fisher check needs "
                f"`counts` 'a,b,c,d' (the 2 × 2 table by rows); got {rec.get('counts')!r}."
            )
        p_lo = p_hi = p = _fisher_2x2(counts)
        row["n"] = sum(counts)
    elif test == "mann_whitney":
        n1, n2 = _number(rec.get("n1")), _number(rec.get("n2"))
        if not (n1 == n1 and n2 == n2 and stat == stat):
            raise ArgumentError(
                f"recompute_published(): row {index + 1} ({label!r}): a Mann–Whitney check "
                "needs `statistic` (U) and the group sizes `n1`, `n2`."
            )
        p, how = _mann_whitney(stat, int(n1), int(n2))
        p_lo = p_hi = p
        row["n"] = int(n1 + n2)
        notes.append(how)
    else:
        need = {"t": df, "welch_t": df, "chisq": df, "r": n, "z": 0.0}[test]
        if not (stat == stat and need == need):
            what = "`n`" if test == "r" else "`df`"
            raise ArgumentError(
                f"recompute_published(): row {index + 1} ({label!r}): a {test} check needs "
                f"`statistic` and {what}; got statistic={rec.get('statistic')!r}."
            )
        p = _p_of(test, stat, df, n)
        p_lo, p_hi = _p_range(test, stat, _decimals(rec.get("statistic")), df, n)
    row.update(p_recomputed=p, p_low=p_lo, p_high=p_hi)
    if parsed is None:
        notes.append("no p printed: recomputed only")
    else:
        row["p_relation"] = parsed[0]
        ok, decision, note = _consistency(p_lo, p_hi, parsed, alpha)
        row.update(consistent=ok, decision_error=decision)
        notes.append(note)
    row["note"] = "; ".join(x for x in notes if x)
    return row


# --------------------------------------------------------------------------- adapters
_PCT_RE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*%")
_MEANS_RE = re.compile(
    r"(\d+(?:\.\d+)?)\s*±\s*(\d+(?:\.\d+)?)\s*vs\.?\s*(\d+(?:\.\d+)?)\s*±\s*(\d+(?:\.\d+)?)"
)
_PRINTED_P_RE = re.compile(r"\bP\s*([=<>])\s*(\d*\.\d+)", re.I)
_SUBSET_N_RE = re.compile(r"\(n\s*=\s*(\d+)\)")


def _welch_range(m1, s1, m2, s2, n_total):
    """Welch t p over every split of ``n_total`` into two groups of at least 2."""
    ps = []
    for n1 in range(2, n_total - 1):
        n2 = n_total - n1
        v1, v2 = s1 * s1 / n1, s2 * s2 / n2
        t = abs(m1 - m2) / math.sqrt(v1 + v2)
        df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
        ps.append(float(2 * stats.t.sf(t, df)))
    return min(ps), max(ps)


def _literature_rows(table: pd.DataFrame, alpha: float) -> list[dict]:
    rows = []
    for rec in table.to_dict("records"):
        label = str(rec.get("study"))
        n = int(rec["N"]) if pd.notna(rec.get("N")) else None
        texts = [str(rec[c]) for c in ("statistic", "quote") if isinstance(rec.get(c), str)]
        found, seen = [], set()
        for text in texts:
            means, p = _MEANS_RE.search(text), _PRINTED_P_RE.search(text)
            if means and p and "means" not in seen:
                seen.add("means")
                subset = _SUBSET_N_RE.search(" ".join(texts))
                total = int(subset.group(1)) if subset else n
                m1, s1, m2, s2 = (float(g) for g in means.groups())
                row = _empty_row(
                    label, "p-value", "welch_t", means.group(0) + f", P {p.group(1)} {p.group(2)}"
                )
                row.update(n=total, p_printed=f"{p.group(1)} {p.group(2)}", p_relation=p.group(1))
                if total:
                    lo, hi = _welch_range(m1, s1, m2, s2, total)
                    ok, _, _ = _consistency(
                        lo, hi, (p.group(1), float(p.group(2)), _decimals(p.group(2))), alpha
                    )
                    row.update(p_low=lo, p_high=hi, consistent=ok, note=(
                        f"group sizes not printed: Welch t from the means ± SD over every split "
                        f"of the {total} infants gives p from {lo:.2g} to {hi:.2g}; the printed "
                        f"P is {'within' if ok else 'outside'} that range (the test used is not "
                        "stated, so this shows what is possible, not what was done)"
                    ))  # fmt: skip
                found.append(row)
            for value in _PCT_RE.findall(text):
                if n is None or ("pct", value) in seen:
                    continue
                seen.add(("pct", value))
                row = _empty_row(label, "GRIM", "percent", f"{value}%")
                ok, possible, note = _grim(f"{value}%", n, None, kind="percent")
                row.update(n=n, consistent=ok, possible_counts=possible, note=(
                    note + f" (if the denominator is all {n} infants; a smaller denominator "
                    "is not excluded)" if not ok else f"possible if the denominator is all {n}"
                ))  # fmt: skip
                found.append(row)
        if not found:
            row = _empty_row(label, "none", "", "")
            row["note"] = (
                "nothing to recompute: no test statistic with its p, and no percentage "
                "with its denominator, is printed"
            )
            found.append(row)
        rows += found
    return rows


def _facts_rows(facts: pd.DataFrame) -> list[dict]:
    rows = []
    for rec in facts.to_dict("records"):
        if str(rec.get("kind")).strip().lower() != "percent" or pd.isna(rec.get("total")):
            continue
        n, events = int(rec["total"]), _number(rec.get("count"))
        row = _empty_row(str(rec["item"]), "GRIM", "percent", str(rec["published"]))
        ok, possible, note = _grim(str(rec["published"]), n, events, kind="percent")
        row.update(n=n, consistent=ok, possible_counts=possible, note=note or (
            f"{int(events)}/{n} = {100 * events / n:.2f}%; the only count(s) out of {n} that "
            f"print as {rec['published']}: {possible}"
        ))  # fmt: skip
        rows.append(row)
    return rows


def recompute_published(table: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """Recompute printed p-values and check printed percentages and means (statcheck, GRIM).

    Parameters
    ----------
    table : pandas.DataFrame
        One of:

        * printed results, one row each: ``test`` (one of :data:`RECOMPUTE_TESTS`),
          ``label``, ``printed`` (text, optional); ``statistic`` (t, χ², z, r or U; give
          it as printed text, e.g. ``"2.20"``, so that its decimals are known — a number
          is read with the decimals of its shortest form), ``df`` (t, Welch t, χ²),
          ``n`` (r; the denominator of a percentage or mean), ``n1``, ``n2``
          (Mann–Whitney), ``counts`` (Fisher: ``"a,b,c,d"``, the 2 × 2 table by rows),
          ``p`` (as printed: ``"0.015"``, ``"< 0.001"``, ``"ns"``), ``value`` (a
          percentage or mean as printed, ``"63%"``, ``"7.49"``), ``events`` (the count
          behind a percentage, optional), ``items`` (items per score for a mean, default 1);
        * the paper's facts (:func:`~b12cohort.paper.replication.published_facts`);
        * ``load_literature(table="neurology_vs_hb")``.
    confidence : float
        ``1 - confidence`` is the significance level of ``decision_error`` (and the p
        that "ns" stands above); default 0.95.

    Returns
    -------
    pandas.DataFrame
        One row per check, columns :data:`RECOMPUTE_COLUMNS`: ``label``, ``check``
        (``"p-value"``, ``"GRIM"`` or ``"none"``), ``test``, ``printed``, ``statistic``,
        ``df``, ``n``, ``p_printed`` (text), ``p_relation`` (``=``, ``<``, ``>``, ...),
        ``p_recomputed`` (from the statistic as printed), ``p_low``, ``p_high`` (p at the
        two ends of the statistic's rounding interval), ``consistent`` (the printed p is
        possible given the printed statistic and its rounding; for GRIM: the printed value
        is possible with the printed n), ``decision_error`` (inconsistent, and the printed
        p is on the other side of ``1 - confidence``), ``possible_counts`` (GRIM: the counts, or
        mean sums, that print as the value), ``note``.

    Notes
    -----
    p-values are two-sided: t as R ``2 * pt(-abs(t), df)`` (Welch: fractional df), χ² as
    ``pchisq(x, df, lower.tail = FALSE)``, z as ``2 * pnorm(-abs(z))``, r through ``t = r
    sqrt((n - 2) / (1 - r^2))``, Fisher as ``fisher.test`` (the package's test), U as
    ``wilcox.test(exact = TRUE)`` (below 50 per group and a whole U; else the normal
    approximation with continuity correction, no tie correction). A printed ``p = v``
    with d decimals is consistent when ``[v - 0.5·10^-d, v + 0.5·10^-d]`` meets
    ``[p_low, p_high]``; ``p < v`` when ``p_low < v``; a note says when the printed p is
    instead half the two-sided one. GRIM (Brown & Heathers 2017): a percentage with d
    decimals is possible when some count k in 0..n rounds (half up) to it; a mean of n ×
    items whole numbers when some whole sum does (it cannot fail once n × items ≥ 10^d).
    Checks make printed numbers possible or impossible; they never show that the
    authors computed them correctly.

    References
    ----------
    Epskamp S, Nuijten MB. statcheck: Extract statistics from articles and recompute p
    values. R package; Nuijten MB et al. Behav Res Methods. 2016;48:1205-1226.
    Brown NJL, Heathers JAJ. The GRIM test. Soc Psychol Personal Sci. 2017;8:363-369.

    Examples
    --------
    >>> printed = pd.DataFrame({"test": ["t"], "statistic": ["2.20"], "df": [28],
    ...                         "p": ["0.015"]})
    >>> recompute_published(printed)[["p_recomputed", "consistent"]].round(4)
       p_recomputed  consistent
    0        0.0362       False
    """
    function = "recompute_published"
    check_dataframe(table, function=function, name="table")
    alpha = round(1.0 - check_confidence(confidence, function=function), 12)
    columns = set(table.columns)
    if {"study", "statistic", "quote", "N"} <= columns:
        rows = _literature_rows(table, alpha)
    elif {"kind", "published", "count", "total"} <= columns:
        rows = _facts_rows(table)
    elif "test" in columns:
        rows = [_check_row(rec, alpha, i) for i, rec in enumerate(table.to_dict("records"))]
    else:
        raise ArgumentError(
            f"{function}(): `table` has none of the layouts it reads (columns "
            f"{sorted(columns)}): give a `test` column (see the docstring), the paper's facts "
            "(published_facts()) or load_literature(table='neurology_vs_hb')."
        )
    out = pd.DataFrame(rows, columns=list(RECOMPUTE_COLUMNS))
    for col in ("consistent", "decision_error"):
        out[col] = out[col].astype("boolean")
    return out
