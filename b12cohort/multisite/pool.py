"""Pool site summaries: exact stratified tests, random-effects prevalence and correlation."""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from b12cohort.core.errors import ArgumentError, CohortValidationError
from b12cohort.core.results import Result
from b12cohort.multisite.summary import SiteSummary, load_site_summary, validate_content

__all__ = ["MultiSiteResult", "pool_sites"]

TEST = "pooled multi-site analysis (site-stratified exact tests, random-effects pooling)"
TABLE_COLUMNS = (
    "outcome", "analysis", "test", "method", "n_sites", "n", "estimate", "estimate_type",
    "ci_low", "ci_high", "p_value", "heterogeneity", "heterogeneity_p_value", "reading",
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class MultiSiteResult(Result):
    """Result of :func:`pool_sites`.

    Attributes
    ----------
    test, method, method_detail : str
        ``method`` is ``"exact"`` (the stratified tests); each row of ``table`` names its own.
    sites : tuple of str
    n : int
        Infants analysed over all sites (from the participant flows).
    confidence : float
    table : pandas.DataFrame
        One row per sign and analysis (``trend``, ``mantel_haenszel``, ``prevalence``)
        plus one for the correlation: ``outcome, analysis, test, method, n_sites, n,
        estimate, estimate_type, ci_low, ci_high, p_value, heterogeneity`` (Breslow–Day
        statistic, or I² for the random-effects rows), ``heterogeneity_p_value`` and a
        ``reading``.
    site_use : pandas.DataFrame
        One row per site, analysis and sign: ``site, analysis, outcome, used, reason`` —
        which analyses could not use which site, and why (the site's policy withheld it,
        or the site has fewer than two infants in it).
    flows : pandas.DataFrame
        ``site, stage, reason, n``: each site's participant flow.
    site_estimates : pandas.DataFrame
        Per site and sign: ``site, outcome, events, n`` (prevalence) for the forest plot.
    """

    test: str
    method: str
    method_detail: str
    sites: tuple
    n: int
    confidence: float
    table: pd.DataFrame
    site_use: pd.DataFrame
    flows: pd.DataFrame
    site_estimates: pd.DataFrame


def _check(summaries) -> list[SiteSummary]:
    fn = "pool_sites"
    out = []
    for s in summaries:
        if isinstance(s, SiteSummary):
            validate_content(s.to_dict(), source=f"site summary {s.site!r}")
            out.append(s)
        else:
            out.append(load_site_summary(s))
    if len(out) < 2:
        raise ArgumentError(f"{fn}(): pooling needs at least two site summaries; got {len(out)}.")
    names = [s.site for s in out]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise CohortValidationError(
            f"{fn}(): site name(s) {', '.join(map(repr, dup))} appear more than once; each "
            "site summary must name a different site."
        )
    for s in out:
        _check_distributions(s)
    for key, what in (("schema_version", "schema versions"), ("grading", "anaemia gradings")):
        seen = {repr(s.content[key]) for s in out}
        if len(seen) > 1:
            detail = "; ".join(f"{s.site}: {s.content[key]}" for s in out)
            raise CohortValidationError(
                f"{fn}(): the site summaries have different {what} ({detail}); regenerate "
                "them with the same b12cohort version and anaemia scheme."
            )
    return out


def _check_distributions(s: SiteSummary) -> None:
    """Each released null distribution must be the one its released margins imply."""
    from b12cohort.stats._stratified_exact import hypergeometric_distribution
    from b12cohort.stats.stratified import trend_piece

    k = np.asarray(s.content["grading"]["scores"], dtype=float) - 1.0
    bad = []
    for sign, items in s.content["analyses"]["signs"].items():
        tr, mh = items.get("trend"), items.get("mantel_haenszel")
        if tr is not None:
            n_i = np.asarray(tr["n_i"])
            x_i = np.zeros_like(n_i)  # the distribution and moments depend on the margins only
            left = tr["events"]
            for i, n in enumerate(n_i):
                x_i[i] = min(n, left)
                left -= x_i[i]
            ref = trend_piece(n_i, x_i, k.astype(np.int64), exact=True)
            if (
                left != 0
                or ref.offset != tr["offset"]
                or len(ref.prob) != len(tr["prob"])
                or not np.allclose(ref.prob, tr["prob"], rtol=1e-9, atol=1e-15)
                or not math.isclose(ref.mean, tr["mean"], rel_tol=1e-12)
                or not math.isclose(ref.var, tr["var"], rel_tol=1e-12, abs_tol=1e-15)
            ):
                bad.append(f"{sign}/trend")
        if mh is not None:
            off, prob = hypergeometric_distribution(
                mh["a"] + mh["c"], mh["b"] + mh["d"], mh["a"] + mh["b"]
            )
            if (
                off != mh["offset"]
                or len(prob) != len(mh["prob"])
                or not np.allclose(prob, mh["prob"], rtol=1e-9, atol=1e-15)
            ):
                bad.append(f"{sign}/mantel_haenszel")
    if bad:
        raise CohortValidationError(
            f"site summary {s.site!r}: the released null distribution of {', '.join(bad)} is "
            "not the one its released margins imply (the file was edited or is corrupt); "
            "ask the site to regenerate it with `b12cohort site-summary`."
        )


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _row(**kw):
    row = dict.fromkeys(TABLE_COLUMNS, math.nan)
    row.update(kw)
    return row


def _trend_row(sign, used, confidence):
    from b12cohort.stats.stratified import TREND_TEST, TrendPiece, pooled_trend

    pieces = [
        TrendPiece(**{k: v for k, v in p.items() if k != "compatible_tables"}) for _, p in used
    ]
    n = sum(sum(p["n_i"]) for _, p in used)
    z, p = pooled_trend(pieces, alternative="two-sided", exact=True) if pieces else (math.nan,) * 2
    if not math.isfinite(z):
        return _row(
            outcome=sign, analysis="trend", test=TREND_TEST, method="not-tested",
            n_sites=len(used), n=n, estimate_type="standardised trend z",
            reading=f"The trend of {sign} across anaemia grades could not be tested: no usable "
            "site has variation in both the sign and the grade.",
        )  # fmt: skip
    direction = "more" if z > 0 else "less"
    return _row(
        outcome=sign, analysis="trend", test=TREND_TEST, method="exact", n_sites=len(used), n=n,
        estimate=z, estimate_type="standardised trend z (positive: more frequent in more severe grades)",
        p_value=p,
        reading=f"Within sites, {sign} was {direction} frequent in more severe anaemia grades "
        f"(z = {z:.2f}, exact site-stratified Cochran–Armitage test, {_p_text(p)}, "
        f"{len(used)} sites, {n} infants). "
        + ("" if p < 0.05 else "A large p does not show that the sign is unrelated to the grade."),
    )  # fmt: skip


def _mh_row(sign, used, confidence):
    from b12cohort.stats.mantel_haenszel import MH_TEST, pooled_mantel_haenszel
    from b12cohort.stats.stratified import TablePiece

    pieces = [TablePiece(p["a"], p["b"], p["c"], p["d"]) for _, p in used]
    n = sum(p["a"] + p["b"] + p["c"] + p["d"] for _, p in used)
    x = np.array([[p.a, p.b, p.c, p.d] for p in pieces]).reshape(-1, 4)
    informative = ((x[:, 0] + x[:, 1]) > 0) & ((x[:, 2] + x[:, 3]) > 0)
    informative &= ((x[:, 0] + x[:, 2]) > 0) & ((x[:, 1] + x[:, 3]) > 0)
    base = {
        "outcome": sign,
        "analysis": "mantel_haenszel",
        "test": MH_TEST,
        "n_sites": len(used),
        "n": n,
    }
    if not informative.any():
        return _row(
            **base, method="not-tested", estimate_type="common odds ratio",
            reading=f"The odds ratio of {sign} for moderate-or-severe vs mild anaemia could not be "
            "estimated: no usable site has both the sign's values in both grade groups.",
        )  # fmt: skip
    r = pooled_mantel_haenszel(pieces, exact=True, alternative="two-sided", confidence=confidence)
    bd = r["breslow_day_p_value"]
    het = (
        f"Breslow–Day test of equal odds ratios across sites {_p_text(bd)} (little power "
        "with few sites)."
        if math.isfinite(bd)
        else "Heterogeneity across sites could not be tested (fewer than two informative sites)."
    )
    return _row(
        **base, method="exact", estimate=r["estimate"],
        estimate_type="common odds ratio, conditional MLE (moderate-or-severe vs mild anaemia)",
        ci_low=r["ci_low"], ci_high=r["ci_high"], p_value=r["p_value"],
        heterogeneity=r["breslow_day_statistic"], heterogeneity_p_value=bd,
        reading=f"Common odds ratio of {sign}, moderate-or-severe vs mild anaemia: "
        f"{r['estimate']:.2f} ({confidence:.0%} exact CI {r['ci_low']:.2f} to {r['ci_high']:.2f}; "
        f"exact conditional test {_p_text(r['p_value'])}; Mantel–Haenszel estimate "
        f"{r['mh_odds_ratio']:.2f}). Odds ratios in that interval are compatible with the data. "
        + het,
    )  # fmt: skip


def _prevalence_row(sign, used, confidence):
    from b12cohort.stats.meta import pool_prevalence

    events = [p["events"] for _, p in used]
    totals = [p["n"] for _, p in used]
    if not used:
        return _row(
            outcome=sign, analysis="prevalence", test="random-effects pooled prevalence",
            method="not-tested", n_sites=0, n=0, estimate_type="pooled prevalence (REML, logit)",
            reading=f"The prevalence of {sign} could not be pooled: no site released it.",
        )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = pool_prevalence(
            events, totals=totals, confidence=confidence, studies=[s for s, _ in used]
        )
    interval = f"{r.estimate:.0%} ({confidence:.0%} CI {r.ci_low:.0%} to {r.ci_high:.0%})"
    if not r.pooled:  # issue 13: one site is shown alone, with its exact interval
        kind = "single-site prevalence (exact CI)"
        reading = (
            f"Prevalence of {sign} from one site only ({used[0][0]}): {interval}, exact; "
            "nothing is pooled."
        )
    else:
        kind = "pooled prevalence (REML, logit)"
        reading = f"Pooled prevalence of {sign}: {interval} over {len(used)} sites; "
        reading += (
            f"between-site I² = {r.i2:.0%} (Cochran's Q {_p_text(r.q_p_value)})."
            if r.k >= 3
            else "two sites cannot estimate how much sites differ, so heterogeneity is not read."
        )
    return _row(
        outcome=sign, analysis="prevalence", test=r.test, method=r.method,
        n_sites=len(used), n=int(sum(totals)), estimate=r.estimate, estimate_type=kind,
        ci_low=r.ci_low, ci_high=r.ci_high, heterogeneity=r.i2,
        heterogeneity_p_value=r.q_p_value, reading=reading,
    )  # fmt: skip


def pool_sites(summaries: Sequence, *, confidence: float = 0.95) -> MultiSiteResult:
    """Pool site summaries into site-stratified exact tests and random-effects estimates.

    Parameters
    ----------
    summaries : sequence of SiteSummary or paths
        At least two; files are read and validated against the JSON Schema.
    confidence : float

    Returns
    -------
    MultiSiteResult

    Raises
    ------
    CohortValidationError
        A file that does not match the schema, mixed schema versions, sites graded
        differently, repeated site names.

    Notes
    -----
    For each sign: the exact site-stratified Cochran–Armitage trend test across the
    anaemia grades (the sites' exact null distributions convolved:
    :func:`b12cohort.stats.stratified.pooled_trend`), the exact 2 x 2 x K test and
    conditional-MLE common odds ratio of the sign against moderate-or-severe vs mild
    anaemia with the Breslow–Day test of heterogeneity
    (:func:`b12cohort.stats.mantel_haenszel.pooled_mantel_haenszel`), the random-effects
    pooled prevalence (:func:`b12cohort.pool_prevalence`); once, the random-effects pooled
    Spearman correlation of ``neuro_score`` with Hb (Fisher's z, REML). These equal the
    stratified functions on the concatenated rows of the sites used (to rounding; tested
    to 1e-12). A site enters an analysis only if it released that item and has at least
    two infants in it; ``site_use`` says which site was left out of what, and why.
    """
    from b12cohort.core.arguments import check_confidence

    confidence = check_confidence(confidence, function="pool_sites")
    sums = _check(summaries)
    signs = list(dict.fromkeys(s for x in sums for s in x.content["analyses"]["signs"]))
    rows, use, estimates = [], [], []
    for sign in signs:
        for analysis, builder in (
            ("trend", _trend_row), ("mantel_haenszel", _mh_row), ("prevalence", _prevalence_row),
        ):  # fmt: skip
            used = []
            for s in sums:
                item = s.content["analyses"]["signs"].get(sign, {}).get(analysis)
                reason = _unused_reason(s, analysis, sign, item)
                use.append({"site": s.site, "analysis": analysis, "outcome": sign,
                            "used": reason is None, "reason": reason or ""})  # fmt: skip
                if reason is None:
                    used.append((s.site, item))
                    if analysis == "prevalence":
                        estimates.append({"site": s.site, "outcome": sign, **item})
            rows.append(builder(sign, used, confidence))
    rows.append(_correlation_row(sums, use, confidence))
    flows = pd.DataFrame(
        [{"site": s.site, **r} for s in sums for r in s.content["flow"]],
        columns=["site", "stage", "reason", "n"],
    )
    n = int(flows.loc[flows["stage"] == "analysed", "n"].sum())
    return MultiSiteResult(
        test=TEST, method="exact",
        method_detail="exact site-stratified trend and 2 x 2 x K tests; random-effects (REML) "
        "prevalence and correlation",
        sites=tuple(s.site for s in sums), n=n, confidence=confidence,
        table=pd.DataFrame(rows, columns=list(TABLE_COLUMNS)),
        site_use=pd.DataFrame(use, columns=["site", "analysis", "outcome", "used", "reason"]),
        flows=flows,
        site_estimates=pd.DataFrame(estimates, columns=["site", "outcome", "events", "n"]),
    )  # fmt: skip


def _unused_reason(s: SiteSummary, analysis: str, item_name: str, item) -> str | None:
    if item is None:
        for w in s.content["withheld"]:
            if w["analysis"] in (analysis, "all") and w["item"] in (item_name, "all analyses"):
                return f"withheld by the site's policy: {w['reason']}"
        return "not in the site summary"
    size = {"trend": lambda p: sum(p["n_i"]), "prevalence": lambda p: p["n"],
            "mantel_haenszel": lambda p: p["a"] + p["b"] + p["c"] + p["d"],
            "correlation": lambda p: p["n"]}[analysis](item)  # fmt: skip
    if size < 2:
        return "fewer than two infants in this analysis (no conditional information)"
    return None


def _correlation_row(sums, use, confidence):
    used = []
    for s in sums:
        item = s.content["analyses"]["correlation"]
        reason = _unused_reason(s, "correlation", "neuro_score~hb_g_l", item)
        use.append({"site": s.site, "analysis": "correlation", "outcome": "neuro_score",
                    "used": reason is None, "reason": reason or ""})  # fmt: skip
        if reason is None:
            used.append(item)
    base = {"outcome": "neuro_score", "analysis": "correlation",
            "test": "random-effects pooled Spearman correlation (Fisher's z, REML)",
            "n_sites": len(used), "n": sum(i["n"] for i in used),
            "estimate_type": "pooled Spearman rho, neurological score vs Hb"}  # fmt: skip
    if len(used) < 2:
        return _row(
            **base, method="not-tested",
            reading="The correlation of the neurological score with Hb could not be pooled: "
            f"{len(used)} site(s) released it.",
        )  # fmt: skip
    from b12cohort.stats.meta import pool_correlation

    r = pool_correlation(
        [i["fisher_z"] for i in used], n=[i["n"] for i in used], confidence=confidence
    )
    return _row(
        **base, method=r.method, estimate=r.estimate, ci_low=r.ci_low,
        ci_high=r.ci_high, p_value=r.p_value, heterogeneity=r.i2,
        heterogeneity_p_value=r.q_p_value,
        reading=f"Pooled Spearman rho of the neurological score with Hb: {r.estimate:.2f} "
        f"({confidence:.0%} CI {r.ci_low:.2f} to {r.ci_high:.2f}, {_p_text(r.p_value)}) "
        f"over {len(used)} sites; correlations in that interval are compatible with the data; "
        f"between-site I² = {r.i2:.0%}.",
    )  # fmt: skip
