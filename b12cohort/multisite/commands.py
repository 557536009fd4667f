"""The ``site-summary`` and ``pool`` commands (registered by :mod:`b12cohort.cli`)."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_parsers", "cmd_pool", "cmd_site_summary"]


def add_parsers(sub, add_read_options) -> None:
    s = sub.add_parser(
        "site-summary",
        help="summarise one site's export for a pooled analysis (counts and exact null "
        "distributions only, under the site's disclosure policy)",
    )
    s.add_argument("export", metavar="EXPORT", help="the site's cohort file (CSV, TSV or XLSX)")
    s.add_argument("--site", required=True, metavar="NAME", help="short name of the site")
    s.add_argument("--out", required=True, metavar="FILE", help="the site summary JSON to write")
    s.add_argument("--scheme", default="who-2011", help="anaemia grading scheme (default who-2011)")
    s.add_argument(
        "--invalid-rows", choices=["raise", "exclude"], default="raise",
        help="stop on invalid rows (default) or set them aside and count them in the flow",
    )  # fmt: skip
    s.add_argument(
        "--min-infants", type=int, default=None,
        help="release nothing but the flow below this many analysed infants (default 3)",
    )  # fmt: skip
    s.add_argument(
        "--min-cell-count", type=int, default=None,
        help="withhold any item that would release a count between 1 and this - 1 (default 3)",
    )  # fmt: skip
    add_read_options(s)
    p = sub.add_parser("pool", help="pool site summaries into a report (exact stratified tests)")
    p.add_argument("summaries", nargs="+", metavar="SITE_JSON", help="site summary files")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")


def cmd_site_summary(args: argparse.Namespace, read_kwargs: dict) -> int:
    import warnings

    from b12cohort.core.errors import SchemeRangeWarning
    from b12cohort.multisite.policy import DisclosurePolicy
    from b12cohort.multisite.summary import site_summary
    from b12cohort.reading.load import load_cohort

    defaults = DisclosurePolicy()
    policy = DisclosurePolicy(
        min_infants=defaults.min_infants if args.min_infants is None else args.min_infants,
        min_cell_count=defaults.min_cell_count
        if args.min_cell_count is None
        else args.min_cell_count,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SchemeRangeWarning)
        cohort = load_cohort(
            args.export, scheme=args.scheme, invalid_rows=args.invalid_rows, **read_kwargs
        )
    summary = site_summary(cohort, site=args.site, policy=policy)
    summary.to_json(Path(args.out))
    withheld = summary.withheld
    print(f"wrote {args.out}: site {args.site!r}, {summary.flow['n'].iloc[-1]} infants analysed")
    if len(withheld):
        print(f"withheld under the disclosure policy ({len(withheld)} item(s)):")
        for r in withheld.itertuples(index=False):
            print(f"  {r.analysis} / {r.item}: {r.reason}")
    return 0


def cmd_pool(args: argparse.Namespace) -> int:
    from b12cohort.multisite.report import build_pooled_report

    result = build_pooled_report(args.summaries, args.out)
    unused = result.site_use[~result.site_use["used"]]
    print(f"wrote {Path(args.out) / 'index.html'}: {len(result.sites)} sites, {result.n} infants")
    if len(unused):
        print(f"{len(unused)} site/analysis pair(s) could not be used (see tables/site_use.csv)")
    return 0
