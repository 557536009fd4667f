"""The landing page ``index.html``: one self-contained page gathering what the notebooks wrote.

Nothing is loaded from the network (no fonts, scripts or stylesheets from elsewhere);
figures and tables are the report's own files, linked relatively, so the folder can be
zipped, mailed or served as it is.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from b12cohort.report._io import atomic_write
from b12cohort.report._notebooks import NOTEBOOKS

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;margin:0 auto;padding:1rem 1.5rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{border-bottom:2px solid #0072B2;padding-bottom:.2rem;margin-top:2.2rem}
.banner{background:#fff4d6;border-left:6px solid #E69F00;padding:.8rem 1rem;margin:1rem 0}
.note{color:#555;font-size:.92rem}
table.b12-table,table.tableone{border-collapse:collapse;font-size:.85rem;margin:.6rem 0}
.b12-table th,.b12-table td,.tableone th,.tableone td{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
.b12-table th,.tableone th{background:#f2f6fa;white-space:nowrap}
.scroll{overflow-x:auto}
figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.9rem;color:#444}
nav.toc a{margin-right:.9rem}
.reading{background:#eef6fb;border-left:5px solid #0072B2;padding:.6rem .9rem}
code{background:#f4f4f4;padding:0 .2rem}
"""

_TITLES = {
    "01_cleaning_validation": "1. Cleaning and validation",
    "02_descriptive": "2. Descriptive statistics and replication",
    "03_association": "3. Association with the degree of anaemia",
    "04_course_and_case": "4. Treatment course and case report",
    "05_literature": "5. Comparison with the literature",
}


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _table(build: Path, name: str) -> str:
    frag = _read(build / "tables" / f"{name}.html")
    if not frag:
        return ""
    links = " · ".join(
        f'<a href="tables/{name}.{ext}">{ext.upper()}</a>'
        for ext in ("csv", "md", "tex")
        if (build / "tables" / f"{name}.{ext}").exists()
    )
    return f'<div class="scroll">{frag}</div><p class="note">Download: {links}</p>'


def _view(
    build: Path, name: str, columns: dict[str, str], *, where: tuple[str, str] | None = None
) -> str:
    """A condensed, rounded view of ``tables/<name>.csv`` (the full table stays one click away)."""
    import csv

    from b12cohort.core.tables import format_cell

    path = build / "tables" / f"{name}.csv"
    if not path.exists():
        return ""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if where is not None:
        rows = [r for r in rows if r.get(where[0]) != where[1]]
    cols = [c for c in columns if rows and c in rows[0]]

    def cell(value: str, col: str) -> str:
        try:
            number = float(value)
        except ValueError:
            return html.escape({"True": "yes", "False": "no"}.get(value, value))
        return html.escape(
            format_cell(
                int(number)
                if number.is_integer() and "p_" not in col and col not in {"estimate", "proportion"}
                else number,
                col,
            )
        )

    head = "".join(f"<th>{html.escape(columns[c])}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(r[c], c)}</td>" for c in cols) + "</tr>\n" for r in rows
    )
    links = " · ".join(
        f'<a href="tables/{name}.{ext}">{ext.upper()}</a>'
        for ext in ("html", "csv", "md", "tex")
        if (build / "tables" / f"{name}.{ext}").exists()
    )
    return (
        f'<div class="scroll"><table class="b12-table"><thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table></div>'
        f'<p class="note">Condensed view; the full table: {links}</p>'
    )


def _figure(build: Path, name: str, caption: str) -> str:
    if not (build / "figures" / f"{name}.svg").exists():
        return ""
    alt = html.escape(caption)
    png = (
        f' (<a href="figures/{name}.png">PNG</a>)'
        if (build / "figures" / f"{name}.png").exists()
        else ""
    )
    return f'<figure><img src="figures/{name}.svg" alt="{alt}"><figcaption>{alt}{png}</figcaption></figure>'


def _summary(build: Path) -> dict:
    out = {}
    for p in sorted((build / "_site").glob("*.json")):
        out[p.stem] = json.loads(p.read_text(encoding="utf-8"))
    return out


def _kv_table(rows) -> str:
    body = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows
    )
    return f'<table class="b12-table">{body}</table>'


def write_site(build: Path, *, parameters: dict, meta, flow) -> Path:
    """Write ``index.html`` into the build folder from the files the notebooks produced."""
    from b12cohort.core.version import __version__

    s = _summary(build)
    example = parameters["DATA"] is None
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>b12cohort report: {esc(meta.source if example else Path(meta.source).name)}</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Nervous system lesions in infants with vitamin B12 deficiency anaemia</h1>",
        '<p class="note">A reproducible re-analysis in the manner of Taranushenko TE, Falaleeva SO, Borisova EV, '
        "Makarevskaya NYu. <i>Nervous System Lesion in Infants with Vitamin B12 Deficiency Anemia.</i> "
        f"EC Clinical and Medical Case Reports 2022;5(8):02-08. Generated by b12cohort {esc(__version__)}.</p>",
    ]
    if example:
        parts.append(
            '<div class="banner"><strong>These data are a reconstruction, not patient data.</strong> '
            "The individual data of the paper were never published. The bundled cohort reproduces every "
            "published figure (19 infants, 3–24 months, B12 &lt; 83 pg/mL, the sign prevalences, the case "
            "report) and fills everything else with plausible, illustrative values. Numbers below that go "
            "beyond the published figures describe the reconstruction, not the Krasnoyarsk infants.</div>"
        )
    parts.append(
        '<nav class="toc"><a href="#data">Data</a><a href="#methods">Methods</a><a href="#flow">Flow</a>'
        '<a href="#replication">Replication</a><a href="#table1">Table 1</a><a href="#prevalence">Prevalence</a>'
        '<a href="#association">Association</a><a href="#course">Treatment course</a>'
        '<a href="#literature">Literature</a><a href="#files">Notebooks and files</a></nav>'
    )
    # data source
    rows = flow.set_index("stage")["n"].groupby(level=0, sort=False).sum()
    parts += [
        '<h2 id="data">Data source</h2>',
        _kv_table([(r.item, r.value) for r in meta.summary.itertuples() if r.item != "note"]),
        "<p>"
        + "<br>".join(esc(r.value) for r in meta.summary.itertuples() if r.item == "note")
        + "</p>",
    ]
    # methods
    parts += [
        '<h2 id="methods">Methods (STROBE summary)</h2>',
        "<ul>",
        "<li><b>Design and setting.</b> Retrospective cohort of infants with vitamin B12 deficiency anaemia "
        "(the paper: Krasnoyarsk Regional Clinical Center for Maternity and Childhood Protection, 2012–2019).</li>",
        "<li><b>Participants.</b> Eligibility as in the paper: age 3–24 months and serum B12 below 83 pg/mL. "
        f"Rows: {int(rows.get('assessed', 0))} assessed, {int(rows.get('invalid', 0))} invalid, "
        f"{int(rows.get('excluded', 0))} excluded, {int(rows.get('analysed', 0))} analysed (see the flow).</li>",
        "<li><b>Variables.</b> As defined in the data dictionary (<code>b12cohort schema</code>); anaemia graded "
        f"with scheme <code>{esc(parameters['SCHEME'])}</code>; <code>neuro_score</code> counts hypotonia, adynamia, "
        "developmental delay, developmental regression, hyporeflexia and seizures.</li>",
        '<li><b>Data handling.</b> Raw input read-only; every change logged (<a href="cleaning_log.csv">cleaning_log.csv</a>); '
        "identifier columns dropped unread; missing values kept missing (a sign not recorded counts as absent in "
        "neuro_score; the number not recorded is reported).</li>",
        "<li><b>Statistical methods.</b> Prevalences with exact Clopper–Pearson 95% CIs. Sign × anaemia grade: exact "
        "Fisher–Freeman–Halton test and exact Cochran–Armitage trend test. Haemoglobin by sign: Wilcoxon rank-sum "
        "test with the Hodges–Lehmann shift and its CI. neuro_score × haemoglobin: Spearman's ρ with a Fisher-z CI "
        "(Bonett–Wright SE), the smallest correlation detectable with 80% power, and a TOST equivalence test. "
        "p-values Holm-adjusted. Time to resolution of involuntary movements: Kaplan–Meier. Literature: "
        "random-effects meta-analysis of logit proportions (REML). Each table names the test that produced each "
        "number; automatic switches (e.g. exact to Monte Carlo) are recorded in the tables.</li>",
        "<li><b>Software.</b> Python with b12cohort, pandas, SciPy, statsmodels, matplotlib; exact versions and "
        'checksums of every file in <a href="MANIFEST.json">MANIFEST.json</a>. <code>b12cohort report --check</code> '
        "rebuilds the report and compares it byte for byte.</li>",
        "</ul>",
    ]
    parts += [
        '<h2 id="flow">Participant flow</h2>',
        _figure(build, "participant_flow", "Participant flow (STROBE 13c)"),
        _table(build, "participant_flow"),
    ]
    rep = s.get("02", {})
    verdict = ""
    if rep:
        verdict = f'<p class="reading">{rep.get("replication_matches", 0)} of {rep.get("replication_rows", 0)} published figures are reproduced by these data.</p>'
    parts += [
        '<h2 id="replication">Replication of the published figures</h2>',
        verdict,
        _view(
            build,
            "replication",
            {
                "item": "item",
                "published": "published",
                "computed": "computed",
                "match": "match",
                "status": "status",
            },
        ),
    ]
    parts += [
        '<h2 id="table1">Table 1</h2>',
        _table(build, "table_one"),
        '<p class="note">By anaemia grade: <a href="tables/table_one_by_grade.html">HTML</a> · <a href="tables/table_one_by_grade.csv">CSV</a></p>',
    ]
    parts += [
        '<h2 id="prevalence">Prevalence of each sign</h2>',
        _figure(
            build, "prevalence", "Prevalence with exact 95% CIs; published percentages overlaid"
        ),
        _table(build, "prevalence"),
        _figure(build, "b12_vs_hb", "Serum B12 against haemoglobin"),
    ]
    a = s.get("03", {})
    parts += [
        '<h2 id="association">Does neurology track the degree of anaemia?</h2>',
        f'<p class="reading">{esc(a.get("headline", ""))}</p>' if a else "",
        _figure(build, "hb_by_neuro_score", "Haemoglobin against the number of neurological signs"),
        _figure(build, "sign_by_grade", "Each sign against the anaemia grade"),
        _view(
            build,
            "association",
            {
                "outcome": "outcome",
                "exposure": "against",
                "test": "test",
                "estimate": "estimate",
                "ci_low": "CI low",
                "ci_high": "CI high",
                "p_value": "p",
                "p_adjusted": "p (Holm)",
                "reading": "reading",
            },
            where=("test", "not tested"),
        ),
        '<p class="note">Sensitivity analysis with the other grading scheme: <a href="tables/association_other_scheme.html">HTML</a> · '
        '<a href="tables/association_other_scheme.csv">CSV</a></p>',
    ]
    c = s.get("04", {})
    parts += [
        '<h2 id="course">Treatment course and case report</h2>',
        _table(build, "course_summary"),
        _figure(
            build,
            "treatment_course",
            "Involuntary movements during cyanocobalamin treatment: per infant and Kaplan–Meier",
        ),
        f"<h3>Case report</h3><p>{esc(c['case_text'])}</p>" if c.get("case_text") else "",
        _table(build, "case_profile"),
    ]
    forests = sorted((build / "figures").glob("forest_*.svg"))
    parts += [
        '<h2 id="literature">Comparison with published infant B12 series</h2>',
        _view(
            build,
            "literature_comparison",
            {
                "sign": "sign",
                "events": "n",
                "total": "N",
                "proportion": "cohort",
                "ci_low": "CI low",
                "ci_high": "CI high",
                "k": "studies",
                "pooled_estimate": "pooled",
                "pooled_ci_low": "pooled CI low",
                "pooled_ci_high": "pooled CI high",
                "pi_low": "PI low",
                "pi_high": "PI high",
                "i2": "I²",
            },
        ),
    ]
    parts += [
        _figure(build, p.stem, f"Forest plot: {p.stem.removeprefix('forest_').replace('_', ' ')}")
        for p in forests
    ]
    parts += [
        "<h3>Neurology against haemoglobin in other studies</h3>",
        _table(build, "literature_neurology_vs_hb"),
    ]
    nb_links = "".join(
        f'<li><a href="notebooks/{n}.html">{esc(_TITLES.get(n, n))}</a></li>'
        for n in NOTEBOOKS
        if (build / "notebooks" / f"{n}.html").exists()
    )
    table_links = ", ".join(
        f'<a href="tables/{p.name}">{esc(p.name)}</a>'
        for p in sorted((build / "tables").glob("*.csv"))
    )
    parts += [
        '<h2 id="files">Notebooks and files</h2>',
        f"<p>The executed notebooks (the pipeline that produced every number on this page):</p><ul>{nb_links}</ul>",
        f'<p>Tables (CSV, unrounded): {table_links}.</p><p><a href="cleaning_log.csv">cleaning_log.csv</a> · '
        '<a href="participant_flow.csv">participant_flow.csv</a> · <a href="MANIFEST.json">MANIFEST.json</a></p>',
        "</body></html>",
    ]
    return atomic_write(build / "index.html", "\n".join(p for p in parts if p) + "\n")
