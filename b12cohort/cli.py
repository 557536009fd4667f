"""Command-line interface: ``b12cohort <command> ...`` (also ``python -m b12cohort``).

Exit status: 0 success; 2 invalid or unreadable data, or wrong arguments; 1 an internal
error (a bug: please report it with the output of ``--debug``). ``report --check`` and
``verify`` add 3 (same numbers, different rendering) and 4 (different numbers). No
traceback is shown unless ``--debug`` is given.
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from pathlib import Path

EXIT_OK, EXIT_INTERNAL, EXIT_DATA = 0, 1, 2
# messages written for both audiences say "(Python: ...)" for the API; the command line
# shows the option or the file instead, never a Python call
_PYTHON_HINT = re.compile(r"\s*\(Python: [^()]*(?:\([^()]*\)[^()]*)*\)")


def _for_cli(message) -> str:
    return _PYTHON_HINT.sub("", str(message))


def _add_read_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--columns",
        metavar="MAP",
        help='JSON file mapping source column names to schema names, e.g. {"Гемоглобин, г/дл": "hb_g_dl"}',
    )
    p.add_argument(
        "--sheet",
        help="Excel sheet: its name, or its number counted from 1 (needed when several sheets hold data)",
    )
    p.add_argument(
        "--header-row",
        type=int,
        metavar="N",
        help="line (CSV) or sheet row (XLSX) of the header, counted from 1 (default: the first "
        "row whose cells name schema columns)",
    )
    p.add_argument(
        "--pseudonymise",
        metavar="MAPFILE",
        help="replace patient codes by P001, P002, ... and write the key only to MAPFILE "
        "(never inside the report folder); without it, codes that look like names, dates or "
        "phone numbers are refused",
    )
    p.add_argument("--encoding", help="force the text encoding (default: detect UTF-8 / cp1251)")
    p.add_argument(
        "--delimiter", choices=[",", ";", "tab"], help="force the field delimiter (default: detect)"
    )
    p.add_argument("--decimal", choices=[".", ","], help="force the decimal mark (default: detect)")
    p.add_argument(
        "--true-values",
        nargs="+",
        default=(),
        metavar="CODE",
        help="extra spellings of 'yes' in yes/no columns",
    )
    p.add_argument(
        "--false-values",
        nargs="+",
        default=(),
        metavar="CODE",
        help="extra spellings of 'no' (e.g. --false-values - when '-' means no)",
    )
    p.add_argument(
        "--schema",
        help="a Table Schema JSON file to validate against (default: the bundled data dictionary)",
    )


def _add_figure_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--figure-formats",
        metavar="LIST",
        help="figure files to write, comma-separated from png, svg, pdf, tiff "
        "(default: png,svg,pdf; TIFF: 600 dpi, RGB, LZW; PNG: 300 dpi; svg or png required)",
    )
    width = p.add_mutually_exclusive_group()
    width.add_argument(
        "--figure-width",
        metavar="MM",
        help="print width of every figure in millimetres, 40 to 250; heights follow each "
        "figure's aspect (default: each figure's own size)",
    )
    width.add_argument(
        "--journal-column",
        choices=["single", "double"],
        help="print width of a journal column: single 85 mm, double 175 mm",
    )


def _read_kwargs(args) -> dict:
    sheet = args.sheet  # a name, or digits: a number counted from 1 unless a sheet has that name
    return {
        "pseudonymise": args.pseudonymise,
        "header_row": args.header_row,
        "columns": args.columns,
        "schema": args.schema,
        "sheet": sheet,
        "encoding": args.encoding,
        "delimiter": "\t" if args.delimiter == "tab" else args.delimiter,
        "decimal": args.decimal,
        "true_values": tuple(args.true_values),
        "false_values": tuple(args.false_values),
    }


_CHECK_STATUSES = """exit status of --check (and of `b12cohort verify`):
  0  identical: every file matches (the rebuild, or the MANIFEST)
  3  same numbers, different rendering: every CSV table is identical; only figures,
     notebooks, the landing page or the rounded Markdown/LaTeX/HTML tables differ
  4  different numbers: a CSV table differs, is missing or is extra
  2  the data, the arguments or the MANIFEST cannot be used (the message says why)
  1  an internal error (a bug)
The text output says why the files differ, from the two MANIFESTs: the input hash, the
mapping file, bundled inputs, parameters, package versions, platform (FreeType, OS,
Python) or git commit."""


def build_parser() -> argparse.ArgumentParser:
    from b12cohort.core.version import __version__

    parser = argparse.ArgumentParser(
        prog="b12cohort",
        description="Retrospective cohort analysis of infant vitamin B12 deficiency (Taranushenko et al. 2022).",
    )
    parser.add_argument("--version", action="version", version=f"b12cohort {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    v = sub.add_parser(
        "validate", help="check a cohort file against the data dictionary and list every problem"
    )
    v.add_argument("path", help="CSV, TSV or XLSX file")
    _add_read_options(v)
    v.add_argument(
        "--format",
        choices=["text", "csv", "json"],
        default="text",
        help="how to print the failures (default: text)",
    )

    m = sub.add_parser(
        "map",
        help="read an export's header and write a column mapping for you to check (every guess marked)",
    )
    m.add_argument("path", help="CSV, TSV or XLSX file")
    m.add_argument(
        "--out",
        metavar="MAPPING",
        default="mapping.json",
        help="where to write the mapping (default: mapping.json; an existing file is not overwritten)",
    )
    m.add_argument("--sheet", help="Excel sheet: its name, or its number counted from 1")
    m.add_argument("--encoding", help="force the text encoding (default: detect UTF-8 / cp1251)")
    m.add_argument("--header-row", type=int, metavar="N", help="line or sheet row of the header")

    s = sub.add_parser(
        "schema", help="show the data dictionary, or write its README and blank template"
    )
    s.add_argument(
        "--write",
        metavar="DIR",
        help="write README.md and cohort_template.csv generated from the schema into DIR (and cohort.schema.json when DIR has none)",
    )
    s.add_argument(
        "--schema", help="a Table Schema JSON file (default: the bundled data dictionary)"
    )

    r = sub.add_parser(
        "report",
        help="build the full report (tables, figures, notebooks, landing page)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_CHECK_STATUSES,
    )
    r.add_argument(
        "--data", metavar="PATH", help="cohort file (default: the bundled reconstructed example)"
    )
    r.add_argument(
        "--out", metavar="DIR", default="reports", help="output folder (default: ./reports)"
    )
    r.add_argument(
        "--scheme", default="who-2011", help="anaemia grading scheme (who-2011, ru-clinical, ...)"
    )
    r.add_argument(
        "--check",
        action="store_true",
        help="rebuild in a temporary folder, compare with --out (MANIFEST first, then every "
        "file) and say why they differ; exit status below",
    )
    r.add_argument(
        "--invalid-rows",
        choices=["raise", "exclude"],
        default="raise",
        help="stop on invalid rows (default) or set them aside and account for them in the flow",
    )
    r.add_argument(
        "--case",
        metavar="ID",
        help="patient_id to profile as the case report (default: K07 for the example, none otherwise)",
    )
    r.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="kernels executing the notebooks in parallel (default: 2, or 1 on a single-CPU machine)",
    )
    r.add_argument(
        "--docx-template",
        metavar="PATH",
        help="a Word document or template (.docx, .dotx: e.g. the journal's) whose styles and page setup "
        "tables/tables.docx uses; styles it lacks (Caption, B12 Table, B12 Table Text, B12 Table "
        "Note) are added, based on its Normal style",
    )
    _add_figure_options(r)
    _add_read_options(r)

    f = sub.add_parser(
        "verify",
        help="check a report folder against its own MANIFEST (every file's SHA-256), without rebuilding",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_CHECK_STATUSES,
    )
    f.add_argument("folder", metavar="DIR", help="a report folder (holding MANIFEST.json)")
    from b12cohort.multisite.commands import add_parsers

    add_parsers(sub, _add_read_options)
    return parser


def _print_warnings(caught) -> None:
    seen = set()
    for w in caught:
        text = f"warning: {_for_cli(w.message)}"
        if text not in seen:
            seen.add(text)
            print(text, file=sys.stderr)


def cmd_validate(args) -> int:
    import pandas as pd

    from b12cohort.core.errors import CohortValidationError
    from b12cohort.dictionary.metadata import load_metadata
    from b12cohort.reading.load import load_cohort

    try:
        cohort = load_cohort(args.path, **_read_kwargs(args))
    except CohortValidationError as exc:
        failures = exc.failures
        if args.format == "csv":
            from b12cohort.core.tables import neutralise_csv_injection

            neutralise_csv_injection(failures).to_csv(sys.stdout, index=False, lineterminator="\n")
        elif args.format == "json":
            print(failures.to_json(orient="records", force_ascii=False, indent=1))
        else:
            n_rows = failures["row"].dropna().nunique()
            print(f"INVALID  {args.path}")
            print(f"{len(failures)} problem(s)" + (f" in {n_rows} row(s)" if n_rows else "") + ":")
            by = failures.assign(column=failures["column"].fillna("(file)").astype(str))
            counts = by.groupby(["column", "rule"], sort=True).size()
            for (col, rule), k in counts.items():
                print(f"  {k:>5} x {col}: {rule}")
            print()
            shown = 5  # messages per column and rule; the rest are counted, not repeated
            for (_col, _rule), group in by.groupby(["column", "rule"], sort=False):
                for msg in group["message"].head(shown):
                    print(f"- {_for_cli(msg)}")
                if len(group) > shown:
                    print(
                        f"  ... and {len(group) - shown} more like this in the same column "
                        f"(every one: b12cohort validate {args.path} --format csv)"
                    )
        return EXIT_DATA
    meta = load_metadata(cohort)
    if args.format != "text":
        print(
            pd.DataFrame(columns=["row", "line", "column", "value", "rule", "message"]).to_csv(
                index=False
            )
            if args.format == "csv"
            else "[]"
        )
        return EXIT_OK
    print(f"VALID  {args.path}")
    if args.pseudonymise:
        print(
            f"patient codes replaced by pseudonyms; the key is in {args.pseudonymise} (keep it private)"
        )
    print(f"{len(cohort)} infant(s); read as {', '.join(meta.notes)}")
    print(
        "columns used: "
        + ", ".join(f"{src} -> {dst}" if src != dst else dst for dst, src in meta.columns.items())
    )
    if len(meta.dropped_columns):
        print(
            "columns not used: "
            + "; ".join(f"{c} ({r})" for c, r in meta.dropped_columns.itertuples(index=False))
        )
    if meta.warnings:
        print(f"data warnings ({len(meta.warnings)}): rules that can change a conclusion")
        for sentence in meta.warnings:
            print(f"  ! {sentence}")
    summary = meta.log.summary()
    changes = summary[~summary["rule"].isin(["read", "rename", "drop-column"])]
    if len(changes):
        print(f"changes made while cleaning ({int(changes['n_cells'].fillna(1).sum())} cell(s)):")
        for rec in changes.itertuples(index=False):
            what = (
                f"{rec.original!r} -> {rec.new!r}"
                if rec.original not in ("(per cell)", "")
                else rec.detail
            )
            print(
                f"  {rec.column}: {rec.rule}: {what}"
                + (f" ({rec.n_cells} cell(s))" if pd.notna(rec.n_cells) else "")
            )
    return EXIT_OK


def cmd_map(args) -> int:
    import json

    from b12cohort.dictionary.schema import load_schema
    from b12cohort.reading.headers import header_score
    from b12cohort.reading.sniff import sniff
    from b12cohort.reading.synonyms import guess_mapping

    out = Path(args.out)
    if out.exists():
        from b12cohort.core.errors import ArgumentError

        raise ArgumentError(
            f"{out} exists; b12cohort map never overwrites a mapping. Pass another --out, or "
            "delete the file first."
        )
    schema = load_schema()
    sheet = args.sheet
    sn = sniff(
        args.path,
        encoding=args.encoding,
        sheet=sheet,
        header_match=header_score(schema, {}),
        header_row=args.header_row,
    )
    guesses = guess_mapping(sn.headers, schema)
    out.write_text(json.dumps(guesses, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    targets = set(schema.names) | set(schema.alternative_columns)
    exact = [h for h in sn.headers if h in targets]
    unmatched = [h for h in sn.headers if h and h not in guesses and h not in exact]
    print(f'wrote {out}: {len(guesses)} column(s) guessed (each marked "guess": true)')
    for header, entry in guesses.items():
        print(f"  {header} -> {entry['column']}  (guess: check it)")
    if exact:
        print(f"already schema names (no mapping needed): {', '.join(exact)}")
    if unmatched:
        print(f"not matched (not used unless you add them): {', '.join(unmatched)}")
    missing = [
        f.name
        for f in schema.fields
        if f.column_required
        and f.name not in exact
        and not any(
            e["column"] in (f.name, *[a.name for a in f.alternative_units])
            for e in guesses.values()
        )
    ]
    if missing:
        print(f"required columns still unmapped: {', '.join(missing)}")
    print(f"check every line of {out}, then: b12cohort validate {args.path} --columns {out}")
    return EXIT_OK


def cmd_schema(args) -> int:
    from b12cohort.dictionary.schema import load_schema, render_data_dictionary, write_schema_docs

    schema = load_schema(args.schema)
    if args.write:
        out = Path(args.write)
        for p in write_schema_docs(out, schema):
            print(f"wrote {p}")
        target = out / "cohort.schema.json"
        if not target.exists():  # never overwrite a schema: it is the source of truth
            import json

            target.write_text(
                json.dumps(schema.raw, ensure_ascii=False, indent=2) + "\n",
                encoding="utf-8",
                newline="\n",
            )
            print(f"wrote {target}")
        return EXIT_OK
    print(render_data_dictionary(schema))
    return EXIT_OK


def cmd_report(args) -> int:
    from b12cohort.report import run_report_command

    if args.pseudonymise:
        key, out = Path(args.pseudonymise).resolve(), Path(args.out).resolve()
        if key == out or out in key.parents:
            from b12cohort.core.errors import ArgumentError

            raise ArgumentError(
                f"--pseudonymise {args.pseudonymise} is inside the report folder {args.out}, "
                "which is meant to be shared; the key of the pseudonyms must stay private. "
                "Write it elsewhere, e.g. --pseudonymise ../pseudonym_key.csv."
            )
    return run_report_command(args, read_kwargs=_read_kwargs(args))


def cmd_verify(args) -> int:
    from b12cohort.report import run_verify_command

    return run_verify_command(args)


def cmd_site_summary(args) -> int:
    from b12cohort.multisite.commands import cmd_site_summary as run

    return run(args, _read_kwargs(args))


def cmd_pool(args) -> int:
    from b12cohort.multisite.commands import cmd_pool as run

    return run(args)


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_DATA
    handler = {
        "validate": cmd_validate,
        "map": cmd_map,
        "schema": cmd_schema,
        "report": cmd_report,
        "verify": cmd_verify,
        "site-summary": cmd_site_summary,
        "pool": cmd_pool,
    }[args.command]
    from b12cohort.core.errors import B12CohortError

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code = handler(args)
        except B12CohortError as exc:
            if args.debug:
                raise
            print(f"error: {_for_cli(exc)}", file=sys.stderr)
            code = EXIT_DATA
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            code = 130
        except Exception as exc:  # a bug: say so plainly, without a traceback
            if args.debug:
                raise
            print(
                f"internal error ({type(exc).__name__}: {exc}). This is a bug in b12cohort; "
                "please report it with the output of the same command with --debug.",
                file=sys.stderr,
            )
            code = EXIT_INTERNAL
    from b12cohort.core.errors import B12CohortWarning

    _print_warnings([w for w in caught if issubclass(w.category, B12CohortWarning)])
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
