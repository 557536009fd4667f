"""The landing page ``index.html``: one self-contained page gathering what the notebooks wrote.

Nothing is loaded from the network (no fonts, scripts or stylesheets from elsewhere);
figures and tables are the report's own files, linked relatively, so the folder can be
zipped, mailed or served as it is. The page is the autoescaped Jinja2 template
``b12cohort/resources/site/index.html.j2``; this module only gathers its values. The
layout is readable from 390 px (a phone) upwards: the page never scrolls sideways,
every table fits or scrolls in its own box (with a shadow at the edge that has more),
long values such as hashes wrap, and figures scale (each links to its full-size SVG).
"""

from __future__ import annotations

import json
from pathlib import Path

from markupsafe import Markup

from b12cohort.figures._print import JOURNAL_COLUMNS, PNG_DPI, TIFF_DPI
from b12cohort.report._io import atomic_write
from b12cohort.report._notebooks import NOTEBOOKS

_CSS = """
*,*::before,*::after{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;margin:0 auto;padding:1rem clamp(.75rem,3vw,1.5rem);color:#1b1b1b;line-height:1.45;overflow-wrap:break-word}
h1{font-size:clamp(1.3rem,4.5vw,1.7rem);margin-bottom:.2rem}h2{border-bottom:2px solid #0072B2;padding-bottom:.2rem;margin-top:2.2rem}
.banner{background:#fff4d6;border-left:6px solid #E69F00;padding:.8rem 1rem;margin:1rem 0}
.note{color:#555;font-size:.92rem}
table.b12-table{border-collapse:collapse;font-size:.85rem;margin:0}
.b12-table caption{text-align:left;font-weight:600;padding:.25rem .5rem}
.b12-table th,.b12-table td{border-bottom:1px solid #ddd;padding:.25rem .4rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
.b12-table td{min-width:2.5rem}.b12-table td.prose{min-width:min(12rem,60vw)}
.b12-table thead th{background:#f2f6fa}
.b12-table.kv th{min-width:6rem}.b12-table.kv td{overflow-wrap:anywhere;min-width:0}
.b12cohort-table-notes{font-size:.85rem;color:#444;padding-left:1.2rem;margin:.4rem .5rem}
.scroll{max-width:100%;overflow-x:auto;margin:.6rem 0;border:1px solid #e3e3e3;
background:linear-gradient(to right,#fff 30%,rgba(255,255,255,0)) left/2.5rem 100% no-repeat local,
linear-gradient(to left,#fff 30%,rgba(255,255,255,0)) right/2.5rem 100% no-repeat local,
radial-gradient(farthest-side at 0 50%,rgba(0,0,0,.28),rgba(0,0,0,0)) left/.9rem 100% no-repeat scroll,
radial-gradient(farthest-side at 100% 50%,rgba(0,0,0,.28),rgba(0,0,0,0)) right/.9rem 100% no-repeat scroll;background-color:#fff}
.scroll:focus{outline:2px solid #0072B2}
figure{margin:1rem 0}figure img{display:block;max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.9rem;color:#444}figcaption .files{display:block;font-size:.85rem}
nav.toc{display:flex;flex-wrap:wrap;gap:.3rem .9rem}
.reading{background:#eef6fb;border-left:5px solid #0072B2;padding:.6rem .9rem}
code{background:#f4f4f4;padding:0 .2rem;overflow-wrap:anywhere}
"""
_TITLES = {
    "01_cleaning_validation": "1. Cleaning and validation",
    "02_descriptive": "2. Descriptive statistics and replication",
    "03_association": "3. Association with the degree of anaemia",
    "04_course_and_case": "4. Treatment course and case report",
    "05_literature": "5. Comparison with the literature",
    "06_audit": "6. Auditing the published claim from its margins",
}


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _links(build: Path, name: str, exts) -> list[tuple[str, str]]:
    return [
        (ext.upper(), f"tables/{name}.{ext}")
        for ext in exts
        if (build / "tables" / f"{name}.{ext}").exists()
    ]


def _table(build: Path, name: str, label: str) -> dict | None:
    """A table fragment written (and escaped) by :func:`b12cohort.core.tables.render_html`."""
    frag = _read(build / "tables" / f"{name}.html")
    if not frag:
        return None
    return {
        "fragment": Markup(frag),
        "links": _links(build, name, ("csv", "md", "tex")),
        "label": label,
    }


def _view(
    build: Path,
    name: str,
    columns: dict[str, str],
    label: str,
    *,
    where: tuple[str, str] | None = None,
) -> dict | None:
    """A condensed, rounded view of ``tables/<name>.csv`` (the full table stays one click away)."""
    import csv

    import pandas as pd

    from b12cohort.core.tables import format_cell, render_html

    path = build / "tables" / f"{name}.csv"
    if not path.exists():
        return None
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if where is not None:
        rows = [r for r in rows if r.get(where[0]) != where[1]]
    cols = [c for c in columns if rows and c in rows[0]]

    def cell(value: str, col: str) -> str:
        try:
            number = float(value)
        except ValueError:
            return {"True": "yes", "False": "no"}.get(value, value)
        whole = number.is_integer() and "p_" not in col and col not in {"estimate", "proportion"}
        return format_cell(int(number) if whole else number, col)

    shown = pd.DataFrame(
        [[cell(r[c], c) for c in cols] for r in rows], columns=[columns[c] for c in cols]
    )
    return {
        "fragment": Markup(render_html(shown)),  # escaped by the table writer
        "links": _links(build, name, ("html", "csv", "md", "tex")),
        "label": label,
    }


#: How the page names each figure file (the PNG and TIFF at the saver's resolutions).
_FILE_LABELS = {
    "png": f"PNG, {PNG_DPI} dpi",
    "pdf": "PDF",
    "tiff": f"TIFF, {TIFF_DPI} dpi",
    "svg": "SVG",
}


def _figure(build: Path, name: str, caption: str, width: str = "") -> dict | None:
    """A figure: the file the page shows (SVG, else PNG), a compact line linking the
    other files written (``--figure-formats``; with the print width when one was given),
    its caption, and the alt text its plotting function wrote from the numbers drawn
    (``_site/alt/<name>.txt``; the caption when there is none). A caption the figure
    carries (``_site/captions/<name>.txt``: it drew aggregates, and says why) replaces
    the default one."""
    written = [f for f in _FILE_LABELS if (build / "figures" / f"{name}.{f}").exists()]
    shown = next((f for f in ("svg", "png") if f in written), None)
    if shown is None:
        return None
    alt = _read(build / "_site" / "alt" / f"{name}.txt").strip()
    caption = _read(build / "_site" / "captions" / f"{name}.txt").strip() or caption
    return {
        "name": name,
        "src": f"figures/{name}.{shown}",
        "caption": caption,
        "alt": alt or caption,
        "files": [(_FILE_LABELS[f], f"figures/{name}.{f}") for f in written if f != shown],
        "width": width,
    }


def _print_width(parameters: dict) -> str:
    """ "85 mm wide (single journal column)" for the page, "" at the figures' own size."""
    figures = parameters.get("FIGURES") or {}
    column = figures.get("column")
    if column is not None:
        return f"{JOURNAL_COLUMNS[column]:g} mm wide ({column} journal column)"
    if figures.get("width_mm") is not None:
        return f"{figures['width_mm']:g} mm wide"
    return ""


def _limitations(build: Path, parameters: dict, other_scheme: str | None) -> list:
    """The Limitations section, from the analysed cohort and the tables of the build."""
    from b12cohort.cohort.eligibility import apply_eligibility
    from b12cohort.report._cohort import cohort_key, report_cohort, shared_cohort
    from b12cohort.report._limitations import limitations_from_build

    args = (parameters["DATA"],)
    kwargs = {
        "columns": parameters["COLUMNS"],
        "scheme": parameters["SCHEME"],
        "invalid_rows": parameters["INVALID_ROWS"],
        **parameters["READ_OPTIONS"],
    }
    # the cohort the build validated and shared with its kernels (else loaded again)
    cohort = shared_cohort(cohort_key(*args, **kwargs), build / "_site" / "cohort.pickle")
    if cohort is None:
        cohort = report_cohort(*args, **kwargs)
    included, _ = apply_eligibility(cohort)
    return limitations_from_build(build, parameters, included, other_scheme=other_scheme)


def _summary(build: Path) -> dict:
    out = {}
    for p in sorted((build / "_site").glob("*.json")):
        out[p.stem] = json.loads(p.read_text(encoding="utf-8"))
    return out


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    folder = Path(__file__).resolve().parent.parent / "resources" / "site"
    return Environment(
        loader=FileSystemLoader(folder),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


_FIGURES = {
    "participant_flow": "Participant flow (STROBE 13c)",
    "prevalence": "Prevalence with exact 95% CIs; published percentages overlaid",
    "b12_vs_hb": "Serum B12 against haemoglobin",
    "hb_by_neuro_score": "Haemoglobin against the number of neurological signs",
    "sign_by_grade": "Each sign against the anaemia grade",
    "treatment_course": (
        "Involuntary movements during cyanocobalamin treatment: per infant and Kaplan–Meier"
    ),
    "audit_published_claim": (
        "Fisher–Freeman–Halton p of every table the published margins allow, against its "
        "risk difference between the most and least severe grade"
    ),
    "audit_published_claim_trend": (
        "Exact trend-test p of every table the published margins allow, against its slope"
    ),
}

_TABLES = {
    "participant_flow": "Participant flow",
    "table_one": "Table 1",
    "prevalence": "Prevalence of each sign",
    "association": "Association with the degree of anaemia",
    "course_summary": "Treatment course",
    "case_profile": "Case profile",
}

_VIEWS = {
    "replication": (
        "Replication of the published figures",
        {"item": "item", "published": "published", "computed": "computed", "match": "match",
         "status": "status"},
        None,
    ),
    "literature_comparison": (
        "Comparison with the literature",
        {"sign": "sign", "events": "n", "total": "N", "proportion": "cohort", "ci_low": "CI low",
         "ci_high": "CI high", "k": "studies", "synthesis": "literature",
         "comparator_estimate": "published", "reading": "reading"},
        None,
    ),
    "audit_readings": (
        "What the published margins allow, sign by sign",
        {"sign": "sign", "verdict": "verdict",
         "strong_effect_undetected": "a strong association could have gone undetected",
         "reading": "reading"},
        None,
    ),
    "audit_grim": (
        "Are the printed percentages possible with the printed n?",
        {"label": "item", "printed": "printed", "n": "n", "consistent": "possible",
         "possible_counts": "counts that round to it", "note": "note"},
        None,
    ),
    "audit_recompute_literature": (
        "Printed results of the neurology-versus-Hb studies, recomputed",
        {"label": "study", "check": "check", "test": "test", "printed": "printed", "n": "n",
         "consistent": "consistent", "note": "note"},
        None,
    ),
    "literature_neurology_vs_hb": (
        "Neurology against haemoglobin in other studies",
        {"study": "study", "N": "N", "neurological_measure": "neurological measure",
         "haematological_measure": "haematological measure", "finding": "finding",
         "direction": "direction"},
        None,
    ),
}  # fmt: skip


def source_name(meta, parameters: dict) -> str:
    """How the page and the manifest name the input: the bundled example's label, else the file name."""
    return meta.source if parameters["DATA"] is None else Path(meta.source).name


def write_site(
    build: Path, *, parameters: dict, meta, flow, manuscript: dict | None = None
) -> Path:
    """Write ``index.html`` into the build folder from the files the notebooks produced."""
    from b12cohort.core.constants import ELIGIBLE_AGE_MONTHS, ELIGIBLE_B12_BELOW_PG_ML
    from b12cohort.core.version import __version__

    s = _summary(build)
    name = source_name(meta, parameters)
    width = _print_width(parameters)
    rows = flow.set_index("stage")["n"].groupby(level=0, sort=False).sum()
    rep = s.get("02", {})
    lo, hi = ELIGIBLE_AGE_MONTHS
    context = {
        "css": Markup(_CSS),
        "version": __version__,
        "source_name": name,
        "example": parameters["DATA"] is None,
        "age_range": f"{lo:g}–{hi:g}",
        "b12_below": f"{ELIGIBLE_B12_BELOW_PG_ML:g}",
        "data_source": [
            (r.item, name if r.item == "source" else r.value)
            for r in meta.summary.itertuples()
            if r.item not in {"note", "data warning"}
        ],
        "data_notes": [r.value for r in meta.summary.itertuples() if r.item == "note"],
        "data_warnings": list(meta.warnings),
        "rows": {k: int(rows.get(k, 0)) for k in ("assessed", "invalid", "excluded", "analysed")},
        "scheme": parameters["SCHEME"],
        "figures": {k: _figure(build, k, caption, width) for k, caption in _FIGURES.items()},
        "tables": {k: _table(build, k, label) for k, label in _TABLES.items()},
        "views": {
            k: _view(build, k, columns, label, where=where)
            for k, (label, columns, where) in _VIEWS.items()
        },
        "replication": (
            {"matches": rep.get("replication_matches", 0), "rows": rep.get("replication_rows", 0)}
            if rep
            else None
        ),
        "limitations": _limitations(build, parameters, s.get("03", {}).get("other_scheme")),
        "headline": s.get("03", {}).get("headline", ""),
        "case_text": s.get("04", {}).get("case_text", ""),
        "forests": [
            _figure(
                build, stem, f"Forest plot: {stem.removeprefix('forest_').replace('_', ' ')}", width
            )
            for stem in sorted({p.stem for p in (build / "figures").glob("forest_*.*")})
        ],
        "notebooks": [
            (f"notebooks/{n}.html", _TITLES.get(n, n))
            for n in NOTEBOOKS
            if (build / "notebooks" / f"{n}.html").exists()
        ],
        "table_csvs": [p.name for p in sorted((build / "tables").glob("*.csv"))],
        "manuscript": manuscript,
    }
    page = _environment().get_template("index.html.j2").render(**context)
    return atomic_write(build / "index.html", page)
