"""A site summary: what one hospital releases for a pooled analysis, and nothing more.

:func:`site_summary` turns a loaded cohort into a :class:`SiteSummary`: row accounting,
the eligibility and grading choices, and per neurological sign the pieces the pooled
exact tests need (margins, observed statistic, exact null distribution), the counts for
prevalence pooling and Mantel–Haenszel, and Fisher's z of Spearman's rho with its n.
The site's :class:`~b12cohort.multisite.policy.DisclosurePolicy` is applied before
anything is stored: an item that would break it is withheld and listed, with the reason.
The JSON form is checked against ``data/schema/site_summary.schema.json``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from b12cohort.core.errors import ArgumentError, CohortValidationError
from b12cohort.multisite.policy import DisclosurePolicy, trend_revealed_cells

__all__ = [
    "SCHEMA_VERSION",
    "SiteSummary",
    "analysis_frame",
    "load_site_summary",
    "site_summary",
]

SCHEMA_VERSION = "1.0"
#: The exposure of the 2 x 2 x K analysis: moderate or severe versus mild anaemia.
EXPOSURE = "moderate_or_severe"
CORRELATION = ("neuro_score", "hb_g_l")


def analysis_frame(included: pd.DataFrame) -> pd.DataFrame:
    """The analysed infants with the derived columns the pooled analyses use.

    Adds ``moderate_or_severe`` (True: moderate or severe, False: mild, missing: no
    anaemia or no grade) and ``neuro_score`` when absent. Not modified in place.
    """
    out = included.copy()
    grade = out["anemia_grade"]
    exposure = pd.Series(pd.NA, index=out.index, dtype="boolean")
    exposure[grade.isin(["moderate", "severe"]).to_numpy()] = True
    exposure[(grade == "mild").to_numpy()] = False
    out[EXPOSURE] = exposure
    if "neuro_score" not in out:
        from b12cohort.dictionary.derived import neuro_score

        out["neuro_score"] = neuro_score(out)
    return out


@dataclasses.dataclass(frozen=True)
class SiteSummary:
    """What one site releases (see :func:`site_summary`); ``to_json`` / :func:`load_site_summary`.

    Attributes
    ----------
    site : str
    content : dict
        The JSON document (schema ``data/schema/site_summary.schema.json``): ``flow``,
        ``grading``, ``eligibility``, ``policy``, ``analyses`` and ``withheld``.
    """

    site: str
    content: dict

    @property
    def withheld(self) -> pd.DataFrame:
        """One row per withheld item: ``analysis, item, rule, reason``."""
        return pd.DataFrame(
            self.content["withheld"], columns=["analysis", "item", "rule", "reason"]
        )

    @property
    def flow(self) -> pd.DataFrame:
        return pd.DataFrame(self.content["flow"], columns=["stage", "reason", "n"])

    def to_dict(self) -> dict:
        return json.loads(json.dumps(self.content))

    def to_json(self, path=None) -> str:
        text = json.dumps(self.content, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text


def _input_sha256(data: pd.DataFrame, meta) -> str:
    if meta is not None and getattr(meta, "sha256", None):
        return str(meta.sha256)
    digest = pd.util.hash_pandas_object(data.reset_index(drop=True), index=False).to_numpy()
    return hashlib.sha256(digest.tobytes()).hexdigest()


def _flow(data, meta, age_months, b12_below, policy, withheld):
    from b12cohort.cohort.eligibility import apply_eligibility

    included, excluded = apply_eligibility(data, age_months=age_months, b12_below=b12_below)
    n_invalid = meta.n_invalid_rows if meta is not None else 0
    n_rows = meta.n_rows if meta is not None else len(data)
    rows = [
        {"stage": "assessed", "reason": "", "n": int(n_rows)},
        {"stage": "invalid", "reason": "", "n": int(n_invalid)},
    ]
    for criterion, n in excluded["criterion"].value_counts(sort=False).sort_index().items():
        n = int(n)
        if policy.small([n]):
            withheld.append(_why("flow", str(criterion), "min_cell_count", [n], policy))
            rows.append({"stage": "excluded", "reason": str(criterion), "n": None})
        else:
            rows.append({"stage": "excluded", "reason": str(criterion), "n": n})
    rows.append({"stage": "excluded", "reason": "total", "n": len(excluded)})
    rows.append({"stage": "analysed", "reason": "", "n": len(included)})
    return included, rows


def _why(analysis, item, rule, counts, policy):
    if rule == "min_infants":
        reason = f"fewer than min_infants = {policy.min_infants} infants in this analysis"
    else:
        reason = (
            f"it would release {len(counts)} count(s) between 1 and min_cell_count - 1 = "
            f"{policy.min_cell_count - 1} (directly or through the margins and statistic)"
        )
    return {"analysis": analysis, "item": item, "rule": rule, "reason": reason}


def _too_few(analysis, item):
    return {
        "analysis": analysis, "item": item, "rule": "no-variation",
        "reason": "fewer than two infants in this analysis: no conditional information",
    }  # fmt: skip


def _sign_items(work, sign, k, levels, policy, withheld):
    """Prevalence, trend and Mantel–Haenszel pieces of one sign (None when withheld)."""
    from b12cohort.stats._stratified_exact import hypergeometric_distribution
    from b12cohort.stats.stratified import trend_piece

    out = {}
    y = work[sign]
    present = y.notna().to_numpy()
    events, n = int(y[present].astype(bool).sum()), int(present.sum())
    out["prevalence"] = {"events": events, "n": n}
    small = policy.small([events, n - events])
    if n < policy.min_infants:
        withheld.append(_why("prevalence", sign, "min_infants", [], policy))
        out["prevalence"] = None
    elif small:
        withheld.append(_why("prevalence", sign, "min_cell_count", small, policy))
        out["prevalence"] = None
    # trend across the grades
    g = work["anemia_grade"]
    ok = present & g.notna().to_numpy()
    codes = pd.Categorical(g[ok], categories=levels).codes
    yv = y[ok].to_numpy(dtype=bool)
    n_i = np.bincount(codes, minlength=len(levels))
    x_i = np.bincount(codes, weights=yv, minlength=len(levels)).round().astype(np.int64)
    piece = None
    if n_i.sum() >= 2:
        piece = trend_piece(n_i, x_i, k, exact=True)
    n_compatible, revealed = (
        trend_revealed_cells(n_i, int(x_i.sum()), k, int(np.sum(x_i * k))) if piece else (0, [])
    )
    small = policy.small([*n_i.tolist(), int(x_i.sum()), int(n_i.sum() - x_i.sum()), *revealed])
    if piece is None:
        withheld.append(_too_few("trend", sign))
        out["trend"] = None
    elif n_i.sum() < policy.min_infants:
        withheld.append(_why("trend", sign, "min_infants", [], policy))
        out["trend"] = None
    elif small:
        withheld.append(_why("trend", sign, "min_cell_count", small, policy))
        out["trend"] = None
    else:
        out["trend"] = {
            "n_i": list(piece.n_i), "events": piece.events, "t": int(piece.t),
            "mean": piece.mean, "var": piece.var, "offset": piece.offset,
            "prob": list(piece.prob), "compatible_tables": n_compatible,
        }  # fmt: skip
    # 2 x 2: moderate-or-severe vs mild
    e = work[EXPOSURE]
    ok2 = present & e.notna().to_numpy()
    ev, yv2 = e[ok2].to_numpy(dtype=bool), y[ok2].to_numpy(dtype=bool)
    a, b = int(np.sum(ev & yv2)), int(np.sum(ev & ~yv2))
    c, d = int(np.sum(~ev & yv2)), int(np.sum(~ev & ~yv2))
    small = policy.small([a, b, c, d, a + b, c + d, a + c, b + d])
    if a + b + c + d < 2:
        withheld.append(_too_few("mantel_haenszel", sign))
        out["mantel_haenszel"] = None
    elif a + b + c + d < policy.min_infants:
        withheld.append(_why("mantel_haenszel", sign, "min_infants", [], policy))
        out["mantel_haenszel"] = None
    elif small:
        withheld.append(_why("mantel_haenszel", sign, "min_cell_count", small, policy))
        out["mantel_haenszel"] = None
    else:
        off, prob = hypergeometric_distribution(a + c, b + d, a + b)
        out["mantel_haenszel"] = {
            "a": a, "b": b, "c": c, "d": d, "offset": int(off), "prob": [float(v) for v in prob],
        }  # fmt: skip
    return out


def _correlation(work, policy, withheld):
    from scipy.stats import spearmanr

    x, y = (work[c].astype("float64") for c in CORRELATION)
    ok = (x.notna() & y.notna()).to_numpy()
    n = int(ok.sum())
    if n < max(4, policy.min_infants):
        withheld.append(_why("correlation", "neuro_score~hb_g_l", "min_infants", [], policy))
        return None
    rho = float(spearmanr(x[ok], y[ok]).statistic)
    if not math.isfinite(rho) or abs(rho) >= 1:
        withheld.append(
            {
                "analysis": "correlation", "item": "neuro_score~hb_g_l", "rule": "no-variation",
                "reason": "Spearman's rho is undefined or ±1 (Fisher's z infinite) at this site",
            }
        )  # fmt: skip
        return None
    return {
        "x": CORRELATION[0], "y": CORRELATION[1], "method": "spearman", "rho": rho,
        "fisher_z": math.atanh(rho), "n": n,
    }  # fmt: skip


def site_summary(
    data: pd.DataFrame,
    *,
    site: str,
    policy: DisclosurePolicy | None = None,
    age_months=(3, 24),
    b12_below: float | None = 83.0,
    signs=None,
) -> SiteSummary:
    r"""What a site releases for a pooled analysis: counts and exact null distributions.

    Parameters
    ----------
    data : pandas.DataFrame
        The site's cohort as :func:`b12cohort.load_cohort` returns it (graded; its
        metadata give the row accounting and the input's hash). Not modified.
    site : str
        A short name of the site (1-60 characters, any script; no control characters or
        ``< > & " \``; no patient data).
    policy : DisclosurePolicy, optional
        The site's disclosure policy (default :class:`DisclosurePolicy()`).
    age_months, b12_below
        Eligibility criteria (:func:`b12cohort.apply_eligibility`); recorded.
    signs : sequence of str, optional
        Neurological signs (default: those of the data dictionary present in ``data``).

    Returns
    -------
    SiteSummary

    Notes
    -----
    Per sign: ``prevalence`` (events, n), ``trend`` (infants per anaemia grade, events,
    the observed ``Σ x_i k_i`` on the integer grade scores, its permutation mean and
    variance and its exact null distribution given the margins), ``mantel_haenszel`` (the
    2x2 table of the sign against moderate-or-severe vs mild anaemia and the
    hypergeometric null distribution of its top-left cell); once: Spearman's rho of
    ``neuro_score`` and Hb with Fisher's z and n. Every count each item releases, also
    through the margins and statistic (:func:`~b12cohort.multisite.policy.trend_revealed_cells`),
    is checked against the policy before it is stored.

    Examples
    --------
    >>> import b12cohort
    >>> s = site_summary(b12cohort.load_example(), site="Krasnoyarsk")
    >>> s.content["flow"][-1], sorted(s.content["analyses"])
    ({'stage': 'analysed', 'reason': '', 'n': 19}, ['correlation', 'signs'])
    """
    from b12cohort.core.version import __version__
    from b12cohort.dictionary.derived import ANEMIA_GRADES
    from b12cohort.dictionary.metadata import load_metadata
    from b12cohort.dictionary.schema import NEURO_SIGNS

    fn = "site_summary"
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(f"{fn}(): `data` must be a DataFrame; got {type(data).__name__}.")
    if (
        not isinstance(site, str)
        or not site.strip()
        or len(site) > 60
        or any(ord(ch) < 32 or ch in '<>&"\\' for ch in site)
    ):
        raise ArgumentError(
            f"{fn}(): `site` must be a short name (1-60 characters, no control characters "
            f"or < > & \" \\); got {site!r}. Use e.g. the hospital's city."
        )
    policy = DisclosurePolicy() if policy is None else policy
    if not isinstance(policy, DisclosurePolicy):
        raise ArgumentError(f"{fn}(): `policy` must be a DisclosurePolicy; got {policy!r}.")
    for col in ("anemia_grade", "hb_g_l", "age_months", "b12_pg_ml"):
        if col not in data:
            raise ArgumentError(
                f"{fn}(): column {col!r} not found; pass the cohort as load_cohort() returns it."
            )
    try:
        meta = load_metadata(data)
    except (ArgumentError, KeyError, TypeError):
        meta = None
    withheld: list[dict] = []
    included, flow = _flow(data, meta, age_months, b12_below, policy, withheld)
    work = analysis_frame(included)
    sign_list = [s for s in NEURO_SIGNS if s in work] if signs is None else list(signs)
    levels = list(ANEMIA_GRADES)
    k = np.arange(len(levels))  # scores 1..4 shifted to 0..3 (the test is shift-invariant)
    analyses: dict[str, Any] = {"signs": {}, "correlation": None}
    if len(work) < policy.min_infants:
        withheld.append(_why("all", "all analyses", "min_infants", [], policy))
        for s in sign_list:
            analyses["signs"][s] = {"prevalence": None, "trend": None, "mantel_haenszel": None}
    else:
        for s in sign_list:
            analyses["signs"][s] = _sign_items(work, s, k, levels, policy, withheld)
        analyses["correlation"] = _correlation(work, policy, withheld)
    content = {
        "schema_version": SCHEMA_VERSION,
        "b12cohort_version": __version__,
        "site": site,
        "input_sha256": _input_sha256(data, meta),
        "grading": {
            "scheme": meta.scheme if meta is not None else "as in data",
            "levels": levels,
            "scores": [float(v) for v in k + 1],
        },
        "eligibility": {
            "age_months": None if age_months is None else [float(v) for v in age_months],
            "b12_below": None if b12_below is None else float(b12_below),
        },
        "policy": policy.to_dict(),
        "flow": flow,
        "analyses": analyses,
        "withheld": withheld,
    }
    return SiteSummary(site=site, content=content)


def _schema() -> dict:
    from b12cohort._bundled import bundled_file

    return json.loads(bundled_file("schema", "site_summary.schema.json").read_text("utf-8"))


def validate_content(content: Any, *, source: str) -> None:
    """Check a site summary document against the JSON Schema (CohortValidationError)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(content), key=lambda e: list(e.path))
    if errors:
        lines = [
            f"  at {'/'.join(map(str, e.path)) or '(top level)'}: {e.message[:200]}"
            for e in errors[:10]
        ]
        raise CohortValidationError(
            f"{source}: not a valid b12cohort site summary ({len(errors)} problem(s) against "
            f"site_summary.schema.json):\n" + "\n".join(lines) + "\nRegenerate it with "
            "`b12cohort site-summary` from the same b12cohort version.",
            source=source,
        )


def load_site_summary(path) -> SiteSummary:
    """Read and validate a site summary JSON file."""
    path = Path(path)
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CohortValidationError(
            f"{path}: cannot be read as a site summary ({err}). Pass the JSON file that "
            "`b12cohort site-summary` wrote.",
            source=str(path),
        ) from err
    validate_content(content, source=str(path))
    return SiteSummary(site=content["site"], content=content)
