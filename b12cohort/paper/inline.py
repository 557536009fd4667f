"""Results as a journal writes them in running text (the ``inline_text`` of gtsummary).

:func:`inline` turns any result of the package (a :class:`~b12cohort.core.results.Result`,
one row of a tidy result table such as :func:`b12cohort.prevalence` or
:func:`b12cohort.association_summary`, or such a table with ``row=``) into the phrase a
results section prints: a proportion as ``19 of 19 (100%; 95% CI 82–100%)``, an
estimate as ``ρ = −0.21 (95% CI −0.61 to 0.27)``, a p-value as ``p = 0.034`` or
``p < 0.001``, with the test that ran. The numbers are the result's own, unrounded
until here; this module only formats them.

Formatting rules (every one an option):

* percentages with ``pct_digits`` decimals (default 0), a proportion's interval with an
  en dash (``82–100%``);
* an estimate's interval with an en dash when both limits are non-negative, with "to"
  when a limit is negative (``−0.61 to 0.27``: a dash would read as a minus sign);
  negative numbers with a true minus sign (U+2212);
* p-values with ``p_digits`` decimals (default 3, the package's tables), three decimals
  below 0.1 whatever ``p_digits`` (so that 0.046 is never printed as 0.05), ``p <
  0.001`` below 0.001 and ``p > 0.99`` above 0.99 with ``p_digits=2``;
* the level of every interval as it was computed (``confidence`` of the result).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from b12cohort.core.errors import ArgumentError
from b12cohort.core.results import Result
from b12cohort.core.tables import format_number

__all__ = ["INLINE_FIELDS", "format_ci", "format_p_inline", "format_pct", "inline"]

MINUS = "\u2212"
EN_DASH = "\u2013"

#: The placeholders a ``pattern`` may use (missing ones format as empty strings).
INLINE_FIELDS = (
    "events", "n", "pct", "estimate", "ci_low", "ci_high", "ci", "conf_level", "p",
    "statistic", "test", "method", "label",
)  # fmt: skip

_PROPORTION_PATTERN = "{events} of {n} ({pct}; {conf_level} CI {ci})"
_ESTIMATE_PATTERN = "{label} = {estimate} ({conf_level} CI {ci})"
_TESTED_SUFFIX = "; {test}, {p}"

#: How an estimate is labelled, by the result's ``estimate_type`` / ``estimator``.
_LABELS = (
    ("spearman", "ρ"),
    ("kendall", "τ"),
    ("pearson", "r"),
    ("odds ratio", "OR"),
    ("hodges", "difference"),
    ("wilcoxon", "Hodges–Lehmann difference"),
    ("mantel", "OR"),
    ("trend z", "z"),
    ("of correlations", "pooled r"),
    (") - p(", "risk difference"),  # an unconditional exact test: P(y | a) - P(y | b)
)

_ROW_KEYS = ("variable", "outcome", "statistic", "term", "item", "sign", "stage", "label")


def _finite(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def format_pct(proportion: float, *, pct_digits: int = 0) -> str:
    """A proportion as a percentage: ``0.6316 -> '63%'``; ``'not estimable'`` for NaN.

    >>> format_pct(12 / 19), format_pct(12 / 19, pct_digits=1)
    ('63%', '63.2%')
    """
    if not _finite(proportion):
        return "not estimable"
    return format_number(100 * float(proportion), pct_digits) + "%"


def _num(x: float, digits: int) -> str:
    return format_number(x, digits, missing="not estimable", minus=MINUS, infinity="∞")


def format_ci(low: float, high: float, *, digits: int = 2, percent: bool = False) -> str:
    """An interval: ``82–100%`` for proportions, ``0.12–0.71``, ``−0.61 to 0.27``.

    >>> format_ci(0.8235, 1.0, percent=True, digits=0), format_ci(-0.61, 0.27)
    ('82–100%', '−0.61 to 0.27')
    """
    if not (_finite(low) and _finite(high)):
        return "not estimable"
    if percent:
        return f"{format_number(100 * low, digits)}{EN_DASH}{format_number(100 * high, digits)}%"
    a, b = _num(low, digits), _num(high, digits)
    if a.startswith(MINUS) or b.startswith(MINUS):  # as shown: -0.001 prints as 0.00
        return f"{a} to {b}"
    return f"{a}{EN_DASH}{b}"


def format_p_inline(p: float, *, p_digits: int = 3) -> str:
    """A p-value for running text.

    >>> [format_p_inline(p) for p in (0.0004, 0.0341, 0.5)]
    ['p < 0.001', 'p = 0.034', 'p = 0.500']
    >>> [format_p_inline(p, p_digits=2) for p in (0.046, 0.34, 0.996)]
    ['p = 0.046', 'p = 0.34', 'p > 0.99']
    """
    if not _finite(p):
        return "p not computed"
    p = float(p)
    if p < 0.001:
        return "p < 0.001"
    if p_digits < 3 and p > 1 - 10.0**-p_digits:
        return f"p > {1 - 10.0**-p_digits:.{p_digits}f}"
    digits = max(p_digits, 3) if p < 0.1 else p_digits
    return f"p = {p:.{digits}f}"


def _as_mapping(result: Any, *, row: Any, function: str) -> dict[str, Any]:
    """The fields of a result, a row, or the selected row of a table, as a dict."""
    if isinstance(result, Result):
        fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
        table = next(
            (fields[k] for k in ("incidence", "coefficients", "table") if k in fields), None
        )
        if row is not None:
            if not isinstance(table, pd.DataFrame):
                raise ArgumentError(
                    f"{function}(): row={row!r} was given, but a {type(result).__name__} has no "
                    "table of rows to choose from. Leave `row` out."
                )
            own = {k: v for k, v in fields.items() if not isinstance(v, pd.DataFrame)}
            return {**own, **_select(table, row, function=function)}
        if "incidence" in fields and isinstance(fields["incidence"], pd.DataFrame):
            inc = fields["incidence"].iloc[0].to_dict()  # a treatment course: its incidence
            return {**inc, "confidence": result.confidence, "is_proportion": True,
                    "test": "Clopper-Pearson exact interval", "method": "exact"}  # fmt: skip
        return fields
    if isinstance(result, pd.DataFrame):
        if row is None:
            if len(result) != 1:
                raise ArgumentError(
                    f"{function}(): the table has {len(result)} rows; choose one with row= "
                    f"(a label of its {_key_column(result) or 'index'} column, or a position)."
                )
            return result.iloc[0].to_dict()
        return _select(result, row, function=function)
    if isinstance(result, pd.Series):
        return result.to_dict()
    if isinstance(result, Mapping):
        return dict(result)
    raise ArgumentError(
        f"{function}(): cannot format a {type(result).__name__}. Pass a b12cohort result "
        "(any subclass of b12cohort.core.results.Result), a row of a result table (a pandas "
        "Series or a dict), or a table with row=."
    )


def _key_column(table: pd.DataFrame) -> str | None:
    return next((c for c in _ROW_KEYS if c in table.columns), None)


def _select(table: pd.DataFrame, row: Any, *, function: str) -> dict[str, Any]:
    if isinstance(row, int) and not isinstance(row, bool):
        if not -len(table) <= row < len(table):
            raise ArgumentError(
                f"{function}(): row={row} is out of range for a table of {len(table)} rows."
            )
        return table.iloc[row].to_dict()
    key = _key_column(table)
    if key is None and not isinstance(table.index, pd.RangeIndex):  # labelled rows (terms)
        if row not in table.index:
            labels = ", ".join(map(str, table.index))
            raise ArgumentError(
                f"{function}(): row={row!r} is not a row of the table; it holds: {labels}."
            )
        return {"term": row, **table.loc[row].to_dict()}
    if key is None:
        raise ArgumentError(
            f"{function}(): row={row!r} names a row, but the table has no column to look it "
            f"up in (one of {', '.join(_ROW_KEYS)}). Give a position instead, e.g. row=0."
        )
    hits = table[table[key].astype(str) == str(row)]
    if hits.empty:
        labels = ", ".join(map(str, dict.fromkeys(table[key].astype(str))))
        raise ArgumentError(
            f"{function}(): row={row!r} is not in the {key!r} column; it holds: {labels}."
        )
    if len(hits) > 1:
        raise ArgumentError(
            f"{function}(): row={row!r} matches {len(hits)} rows of the {key!r} column; select "
            "one first (e.g. table[table['exposure'] == ...]) or give a position."
        )
    return hits.iloc[0].to_dict()


def _rows_of(result: Result) -> str:
    """The row labels of the table a result holds ("" when it holds none)."""
    for name in ("coefficients", "table"):
        table = getattr(result, name, None)
        if isinstance(table, pd.DataFrame) and len(table):
            key = _key_column(table)
            labels = table[key] if key is not None else table.index
            return ", ".join(map(str, dict.fromkeys(map(str, labels))))
    return ""


def _is_proportion(f: Mapping[str, Any]) -> bool:
    pooled = "pooled" in f and "i2" in f
    if f.get("is_proportion") or (pooled and "correlation" not in str(f.get("test") or "")):
        return True  # a pooled prevalence (a pooled correlation is an estimate)
    if "prevalence" in str(f.get("estimate_type") or "") or str(f.get("test") or "").endswith(
        "of proportions"
    ):
        return True
    if "proportion" in f and _finite(f.get("proportion")) and "events" in f:
        return True
    return f.get("unit") == "proportion"  # a treatment-course summary row


def _label(f: Mapping[str, Any]) -> str:
    kind = " ".join(
        str(f.get(k) or "") for k in ("estimate_type", "estimator", "estimand", "test")
    ).lower()
    return next((label for word, label in _LABELS if word in kind), "estimate")


def _special(f: Mapping[str, Any], *, pattern, digits, pct_digits, p_digits) -> str | None:
    """Results whose numbers are not an estimate, a proportion or a p-value."""
    if pattern is not None:
        return None
    if "rho" in f and "power" in f and "n_exact" in f:  # a sample size
        return (
            f"n = {int(f['n'])} for {format_pct(f['power'])} power to detect ρ = "
            f"{_num(f['rho'], digits)} (two-sided α = {1 - float(f['confidence']):g}; {f['test']})"
        )
    if "rho" in f and "power" in f:  # the smallest detectable correlation
        return (
            f"|ρ| ≥ {_num(f['rho'], digits)} detectable with {format_pct(f['power'])} power at "
            f"n = {int(f['n'])} (two-sided α = {1 - float(f['confidence']):g}; {f['test']})"
        )
    if "p_min" in f and "n_tables" in f:  # the tables the published margins allow
        low, high = (
            format_p_inline(f[k], p_digits=p_digits).removeprefix("p = ").replace("p < ", "<")
            for k in ("p_min", "p_max")
        )
        return (
            f"{int(f['n_tables'])} compatible tables, p from {low} to {high}, "
            f"{int(f['n_reject'])} with p < {1 - float(f['confidence']):g} ({f['test']})"
        )
    if "signs_present" in f and "patient_id" in f:  # a case profile
        present = ", ".join(str(s).replace("_", " ") for s in f["signs_present"]) or "none"
        age = f"{f['age_months']:g} months" if _finite(f.get("age_months")) else "age not recorded"
        return f"{f['patient_id']}, {age}; signs: {present}"
    return None


def inline(
    result: Any,
    *,
    row: Any = None,
    pattern: str | None = None,
    digits: int = 2,
    pct_digits: int = 0,
    p_digits: int = 3,
    show_test: bool = True,
    label: str | None = None,
) -> str:
    """Format a result the way a journal writes it in running text.

    Parameters
    ----------
    result : Result, pandas.Series, dict or pandas.DataFrame
        Any result of the package, one row of a tidy result table, or a table (then
        ``row`` chooses the row, unless the table has one row).
    row : str or int, optional
        With a table (or a result holding one, e.g. a logistic model's terms): the row,
        by its label in the first of the columns ``variable``, ``outcome``,
        ``statistic``, ``term``, ``item``, ``sign``, ``stage``, ``label`` the table has,
        or by position.
    pattern : str, optional
        A :meth:`str.format` pattern over the placeholders of :data:`INLINE_FIELDS`
        (``{events}``, ``{n}``, ``{pct}``, ``{estimate}``, ``{ci}``, ``{ci_low}``,
        ``{ci_high}``, ``{conf_level}``, ``{p}``, ``{statistic}``, ``{test}``,
        ``{method}``, ``{label}``). Default: ``"{events} of {n} ({pct}; {conf_level} CI
        {ci})"`` for a proportion, ``"{label} = {estimate} ({conf_level} CI {ci})"``
        for an estimate, followed by ``"; {test}, {p}"`` when a p-value was computed
        (and ``show_test``).
    digits : int
        Decimals of estimates and their limits (default 2).
    pct_digits : int
        Decimals of percentages (default 0, as journals print small cohorts).
    p_digits : int
        Decimals of p-values (default 3; see the module notes).
    show_test : bool
        Append the test and its p-value to the default pattern.
    label : str, optional
        The estimate's symbol (default from the result: ρ, τ, r, OR, z, or "estimate").

    Returns
    -------
    str

    Raises
    ------
    ArgumentError
        ``result`` is not a result, row or table; ``row`` is missing, unknown or ambiguous;
        ``pattern`` names a placeholder outside :data:`INLINE_FIELDS`; the result carries
        neither a proportion, an estimate nor a p-value (then pass ``pattern``).

    Examples
    --------
    >>> inline({"events": 19, "n": 19, "proportion": 1.0, "ci_low": 0.8235, "ci_high": 1.0,
    ...         "confidence": 0.95})
    '19 of 19 (100%; 95% CI 82–100%)'
    >>> inline({"estimate": -0.213, "ci_low": -0.61, "ci_high": 0.27, "confidence": 0.95,
    ...         "p_value": 0.381, "test": "Spearman's rank correlation rho"})
    "ρ = −0.21 (95% CI −0.61 to 0.27); Spearman's rank correlation rho, p = 0.381"
    >>> inline({"p_value": 0.0004, "test": "Fisher–Freeman–Halton exact test"})
    'Fisher–Freeman–Halton exact test, p < 0.001'
    """
    f = _as_mapping(result, row=row, function="inline")
    special = _special(f, pattern=pattern, digits=digits, pct_digits=pct_digits, p_digits=p_digits)
    if special is not None:
        return special
    if "odds_ratio" in f and "estimate" not in f:  # Fisher's test of a 2 x 2 table
        f = {**f, "estimate": f["odds_ratio"], "estimate_type": "odds ratio"}
    elif "or_ci_low" in f and _finite(f.get("odds_ratio")):  # a proportional-odds slope
        f = {**f, "estimate": f["odds_ratio"], "ci_low": f["or_ci_low"],
             "ci_high": f["or_ci_high"], "estimate_type": "odds ratio"}  # fmt: skip
    elif "odds_ratio" in f and "std_error" in f:  # a logistic model's term (CI of the OR)
        f = {**f, "estimate": f["odds_ratio"], "estimate_type": "odds ratio"}
    confidence = f.get("confidence_achieved", f.get("confidence"))
    conf_level = format_pct(confidence) if _finite(confidence) else "95%"
    proportion = _is_proportion(f)
    if proportion:
        events = f.get("events")
        n = f.get("n")
        value = f.get("proportion", f.get("estimate"))
        if not _finite(value) and _finite(events) and _finite(n) and float(n) > 0:
            value = float(events) / float(n)
    else:
        events, n, value = f.get("events"), f.get("n"), f.get("estimate")
    has_p = _finite(f.get("p_value"))
    has_estimate = _finite(value)
    values = {
        "events": str(int(events)) if _finite(events) else "",
        "n": str(int(n)) if _finite(n) else "",
        "pct": format_pct(value, pct_digits=pct_digits) if proportion else "",
        "estimate": _num(value, digits) if has_estimate else "not estimable",
        "ci_low": _num(f.get("ci_low"), digits),
        "ci_high": _num(f.get("ci_high"), digits),
        "ci": format_ci(f.get("ci_low"), f.get("ci_high"), digits=pct_digits, percent=True)
        if proportion
        else format_ci(f.get("ci_low"), f.get("ci_high"), digits=digits),
        "conf_level": conf_level,
        "p": format_p_inline(f.get("p_value"), p_digits=p_digits),
        "statistic": _num(f.get("statistic"), digits) if _finite(f.get("statistic")) else "",
        "test": str(f.get("test") or ""),
        "method": str(f.get("method") or ""),
        "label": label or _label(f),
    }
    if pattern is None:
        if proportion:
            pattern = (
                _PROPORTION_PATTERN
                if values["events"] and values["n"]
                else "{pct} ({conf_level} CI {ci})"
            )
        elif has_estimate and (_finite(f.get("ci_low")) or _finite(f.get("ci_high"))):
            pattern = _ESTIMATE_PATTERN
        elif has_estimate:
            pattern = "{label} = {estimate}"
        elif has_p:
            return (
                f"{values['test']}, {values['p']}" if show_test and values["test"] else values["p"]
            )
        elif isinstance(result, Result) and _rows_of(result):
            raise ArgumentError(
                f"inline(): a {type(result).__name__} holds one result per row of its table; "
                f"choose one with row= (one of: {_rows_of(result)}, or a position)."
            )
        else:
            raise ArgumentError(
                f"inline(): the {type(result).__name__} carries no proportion, estimate or "
                "p-value to format (its test: "
                f"{values['test'] or 'none'}). Pass pattern= with the fields you want, e.g. "
                "pattern='{test}'."
            )
        if show_test and has_p and values["test"]:
            pattern += _TESTED_SUFFIX
    try:
        return pattern.format(**values)
    except (KeyError, IndexError) as err:
        raise ArgumentError(
            f"inline(): pattern={pattern!r} uses {err}, which is not a placeholder; use "
            f"{', '.join('{' + k + '}' for k in INLINE_FIELDS)}."
        ) from None
