"""The pooled report: ``b12cohort pool site*.json --out DIR``."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import pandas as pd

from b12cohort.multisite.pool import MultiSiteResult, pool_sites
from b12cohort.multisite.summary import load_site_summary

__all__ = ["build_pooled_report"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _csv(frame: pd.DataFrame, path: Path) -> None:
    from b12cohort.core.tables import render_csv

    shown = frame.copy()
    for col in shown.columns:
        if pd.api.types.is_float_dtype(shown[col].dtype):
            shown[col] = shown[col].map(lambda v: v if not math.isfinite(v) else float(f"{v:.12g}"))
    render_csv(shown, path)


def _num(v, digits=3) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float) and math.isinf(v):
        return "∞" if v > 0 else "−∞"
    return f"{v:.{digits}g}"


def _drawable_flow(flow: pd.DataFrame) -> pd.DataFrame:
    """A site's released flow as :func:`~b12cohort.figures.flow.plot_flow` draws it.

    Exclusion reasons withheld by the site's policy become one row, "withheld reasons
    (small counts)", holding the released total minus the released reasons (which anyone
    can compute from the file, so the figure reveals nothing more).
    """
    excluded = flow[flow["stage"] == "excluded"]
    total = excluded.loc[excluded["reason"] == "total", "n"]
    reasons = excluded[(excluded["reason"] != "total")]
    known = reasons[reasons["n"].notna()]
    rows = flow[flow["stage"] != "excluded"].to_dict("records")
    rows[2:2] = known.to_dict("records")
    if reasons["n"].isna().any() and len(total):
        rest = int(total.iloc[0]) - int(known["n"].sum())
        rows.insert(
            2 + len(known),
            {"stage": "excluded", "reason": "withheld reasons (small counts)", "n": rest},
        )
    return pd.DataFrame(rows, columns=["stage", "reason", "n"]).astype({"n": int})


def _figures(result: MultiSiteResult, out: Path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from b12cohort.figures._style import save_figure
    from b12cohort.figures.flow import plot_flow
    from b12cohort.figures.forest import plot_forest

    (out / "figures").mkdir(exist_ok=True)
    forests, flows = [], []
    est = result.site_estimates
    for sign in dict.fromkeys(est["outcome"]):
        rows = est[est["outcome"] == sign].rename(columns={"n": "total", "site": "study"})
        if len(rows) < 2:
            continue
        ax = plot_forest(rows, title=f"{sign}: prevalence by site")
        path = f"figures/forest_{sign}.svg"
        save_figure(ax, out / path)
        plt.close(ax.figure)
        forests.append({"path": path, "alt": f"Forest plot of the prevalence of {sign} by site"})
    for i, site in enumerate(result.sites):
        flow = _drawable_flow(result.flows[result.flows["site"] == site].drop(columns="site"))
        ax = plot_flow(flow.reset_index(drop=True))
        path = f"figures/flow_{i + 1:02d}.svg"
        save_figure(ax, out / path)
        plt.close(ax.figure)
        flows.append({"path": path, "alt": f"Participant flow at {site}"})
    return forests, flows


def build_pooled_report(paths, out) -> MultiSiteResult:
    """Pool site summary files and write the report into ``out``.

    Writes ``index.html`` (an autoescaped Jinja2 template), ``tables/pooled_results.csv``,
    ``tables/site_use.csv``, ``tables/flows.csv``, ``tables/site_prevalence.csv``, a forest
    plot of the prevalence by site for each sign and a participant flow per site under
    ``figures/``, and ``MANIFEST.json`` with the SHA-256 of every input site file and
    every output.
    """
    import jinja2

    from b12cohort.core.version import __version__

    paths = [Path(p) for p in paths]
    summaries = [load_site_summary(p) for p in paths]
    result = pool_sites(summaries)
    out = Path(out)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    _csv(result.table, out / "tables" / "pooled_results.csv")
    _csv(result.site_use, out / "tables" / "site_use.csv")
    _csv(result.flows, out / "tables" / "flows.csv")
    _csv(result.site_estimates, out / "tables" / "site_prevalence.csv")
    forests, flows = _figures(result, out)
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("b12cohort", "resources"),
        autoescape=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
    )  # fmt: skip
    rows = [
        {**r, "estimate": _num(r["estimate"]), "p_value": _num(r["p_value"])}
        for r in result.table.to_dict("records")
    ]
    inputs = [
        {"site": s.site, "file": p.name, "sha256": _sha256(p)}
        for s, p in zip(summaries, paths, strict=True)
    ]
    html = env.get_template("pooled_report.html.j2").render(
        title="Pooled multi-site analysis", sites=list(result.sites), n_sites=len(result.sites),
        n=result.n, version=__version__, method_detail=result.method_detail, rows=rows,
        unused=result.site_use[~result.site_use["used"]].to_dict("records"),
        forests=forests, flows=flows, inputs=inputs,
    )  # fmt: skip
    (out / "index.html").write_text(html, encoding="utf-8", newline="\n")
    outputs = {
        p.relative_to(out).as_posix(): _sha256(p)
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "MANIFEST.json"
    }
    manifest = {"generator": "b12cohort pool", "b12cohort_version": __version__,
                "inputs": inputs, "outputs": outputs}  # fmt: skip
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return result
