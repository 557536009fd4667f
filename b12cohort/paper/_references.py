"""The references of the methods the package runs, keyed by what the results name.

:data:`REFERENCES` holds one entry per paper (the citations of the numpydoc References
sections of the statistics modules), :data:`METHOD_RULES` maps a result's ``test`` (a
substring, case-insensitive) and ``method`` token to the sentence the methods paragraph
writes and the references it cites. Private to :mod:`b12cohort.paper.manuscript`.
"""

from __future__ import annotations

from typing import NamedTuple

__all__: list[str] = []


class Reference(NamedTuple):
    """One bibliography entry (BibTeX fields; ``author`` in BibTeX form, "Last, F and ...")."""

    key: str
    kind: str  # article, book, misc, manual
    author: str
    title: str
    year: int
    journal: str = ""
    volume: str = ""
    number: str = ""
    pages: str = ""
    publisher: str = ""
    note: str = ""


_R = Reference
REFERENCES: dict[str, Reference] = {
    r.key: r
    for r in (
        _R("clopper1934", "article", "Clopper, C. J. and Pearson, E. S.",
           "The use of confidence or fiducial limits illustrated in the case of the binomial",
           1934, "Biometrika", "26", "4", "404--413"),
        _R("wilson1927", "article", "Wilson, E. B.",
           "Probable inference, the law of succession, and statistical inference", 1927,
           "Journal of the American Statistical Association", "22", "158", "209--212"),
        _R("brown2001", "article", "Brown, L. D. and Cai, T. T. and DasGupta, A.",
           "Interval estimation for a binomial proportion", 2001, "Statistical Science", "16",
           "2", "101--133"),
        _R("fisher1934", "book", "Fisher, R. A.", "Statistical Methods for Research Workers",
           1934, publisher="Oliver and Boyd", note="5th edition"),
        _R("freeman1951", "article", "Freeman, G. H. and Halton, J. H.",
           "Note on an exact treatment of contingency, goodness of fit and other problems of "
           "significance", 1951, "Biometrika", "38", "1-2", "141--149"),
        _R("mehta1983", "article", "Mehta, C. R. and Patel, N. R.",
           "A network algorithm for performing Fisher's exact test in r x c contingency tables",
           1983, "Journal of the American Statistical Association", "78", "382", "427--434"),
        _R("agresti2002", "book", "Agresti, A.", "Categorical Data Analysis", 2002,
           publisher="Wiley", note="2nd edition"),
        _R("cochran1954", "article", "Cochran, W. G.",
           "Some methods for strengthening the common chi-squared tests", 1954, "Biometrics",
           "10", "4", "417--451"),
        _R("armitage1955", "article", "Armitage, P.",
           "Tests for linear trends in proportions and frequencies", 1955, "Biometrics", "11",
           "3", "375--386"),
        _R("hothorn2008", "article",
           "Hothorn, T. and Hornik, K. and van de Wiel, M. A. and Zeileis, A.",
           "Implementing a class of permutation tests: the coin package", 2008,
           "Journal of Statistical Software", "28", "8", "1--23"),
        _R("wilcoxon1945", "article", "Wilcoxon, F.", "Individual comparisons by ranking methods",
           1945, "Biometrics Bulletin", "1", "6", "80--83"),
        _R("mann1947", "article", "Mann, H. B. and Whitney, D. R.",
           "On a test of whether one of two random variables is stochastically larger than the "
           "other", 1947, "Annals of Mathematical Statistics", "18", "1", "50--60"),
        _R("hodges1963", "article", "Hodges, J. L. and Lehmann, E. L.",
           "Estimates of location based on rank tests", 1963,
           "Annals of Mathematical Statistics", "34", "2", "598--611"),
        _R("bauer1972", "article", "Bauer, D. F.",
           "Constructing confidence sets using rank statistics", 1972,
           "Journal of the American Statistical Association", "67", "339", "687--690"),
        _R("kruskal1952", "article", "Kruskal, W. H. and Wallis, W. A.",
           "Use of ranks in one-criterion variance analysis", 1952,
           "Journal of the American Statistical Association", "47", "260", "583--621"),
        _R("spearman1904", "article", "Spearman, C.",
           "The proof and measurement of association between two things", 1904,
           "American Journal of Psychology", "15", "1", "72--101"),
        _R("fieller1957", "article", "Fieller, E. C. and Hartley, H. O. and Pearson, E. S.",
           "Tests for rank correlation coefficients. I", 1957, "Biometrika", "44", "3-4",
           "470--481"),
        _R("best1975", "article", "Best, D. J. and Roberts, D. E.",
           "Algorithm AS 89: the upper tail probabilities of Spearman's rho", 1975,
           "Applied Statistics", "24", "3", "377--379"),
        _R("bonett2000", "article", "Bonett, D. G. and Wright, T. A.",
           "Sample size requirements for estimating Pearson, Kendall and Spearman correlations",
           2000, "Psychometrika", "65", "1", "23--28"),
        _R("holm1979", "article", "Holm, S.",
           "A simple sequentially rejective multiple test procedure", 1979,
           "Scandinavian Journal of Statistics", "6", "2", "65--70"),
        _R("cohen1988", "book", "Cohen, J.",
           "Statistical Power Analysis for the Behavioral Sciences", 1988,
           publisher="Lawrence Erlbaum", note="2nd edition"),
        _R("schuirmann1987", "article", "Schuirmann, D. J.",
           "A comparison of the two one-sided tests procedure and the power approach for "
           "assessing the equivalence of average bioavailability", 1987,
           "Journal of Pharmacokinetics and Biopharmaceutics", "15", "6", "657--680"),
        _R("goertzen2010", "article", "Goertzen, J. R. and Cribbie, R. A.",
           "Detecting a lack of association: an equivalence testing approach", 2010,
           "British Journal of Mathematical and Statistical Psychology", "63", "3", "527--537"),
        _R("kaplan1958", "article", "Kaplan, E. L. and Meier, P.",
           "Nonparametric estimation from incomplete observations", 1958,
           "Journal of the American Statistical Association", "53", "282", "457--481"),
        _R("greenwood1926", "book", "Greenwood, M.", "The natural duration of cancer", 1926,
           publisher="HMSO", note="Reports on Public Health and Medical Subjects 33"),
        _R("brookmeyer1982", "article", "Brookmeyer, R. and Crowley, J.",
           "A confidence interval for the median survival time", 1982, "Biometrics", "38", "1",
           "29--41"),
        _R("dersimonian1986", "article", "DerSimonian, R. and Laird, N.",
           "Meta-analysis in clinical trials", 1986, "Controlled Clinical Trials", "7", "3",
           "177--188"),
        _R("viechtbauer2010", "article", "Viechtbauer, W.",
           "Conducting meta-analyses in R with the metafor package", 2010,
           "Journal of Statistical Software", "36", "3", "1--48"),
        _R("higgins2002", "article", "Higgins, J. P. T. and Thompson, S. G.",
           "Quantifying heterogeneity in a meta-analysis", 2002, "Statistics in Medicine", "21",
           "11", "1539--1558"),
        _R("vonelm2007", "article",
           "von Elm, E. and Altman, D. G. and Egger, M. and Pocock, S. J. and "
           "G{\\o}tzsche, P. C. and Vandenbroucke, J. P.",
           "The Strengthening the Reporting of Observational Studies in Epidemiology (STROBE) "
           "statement: guidelines for reporting observational studies", 2007, "Lancet", "370",
           "9596", "1453--1457"),
        _R("benchimol2015", "article",
           "Benchimol, E. I. and Smeeth, L. and Guttmann, A. and Harron, K. and Moher, D. and "
           "Petersen, I. and S{\\o}rensen, H. T. and von Elm, E. and Langan, S. M.",
           "The REporting of studies Conducted using Observational Routinely-collected health "
           "Data (RECORD) statement", 2015, "PLoS Medicine", "12", "10", "e1001885"),
        _R("taranushenko2022", "article",
           "Taranushenko, T. E. and Falaleeva, S. O. and Borisova, E. V. and "
           "Makarevskaya, N. Yu.",
           "Nervous system lesion in infants with vitamin B12 deficiency anemia", 2022,
           "EC Clinical and Medical Case Reports", "5", "8", "02--08"),
        _R("b12cohort", "manual", "{b12cohort contributors}",
           "b12cohort: retrospective cohort analysis of infant vitamin B12 deficiency", 2026,
           note="Python package"),
    )
}  # fmt: skip


class MethodRule(NamedTuple):
    """A method the results name: how it is matched, the sentence, the references."""

    family: str  # the paragraph it belongs to (its order is the order of the methods text)
    test: str  # lowercase substring of the result's ``test`` ("" matches any)
    method: str | None  # the ``method`` token, None for any
    sentence: str
    keys: tuple[str, ...]


#: The methods paragraph, in this order. A rule applies when some result that ran
#: matches its ``test`` and ``method``.
METHOD_RULES: tuple[MethodRule, ...] = (
    MethodRule("describe", "clopper-pearson", None,
               "Proportions are given with exact (Clopper–Pearson) confidence intervals",
               ("clopper1934",)),
    MethodRule("describe", "wilson", None,
               "Proportions are given with Wilson score confidence intervals",
               ("wilson1927", "brown2001")),
    MethodRule("groups", "fisher's exact test", None,
               "Binary variables were compared between groups with Fisher's exact test",
               ("fisher1934",)),
    MethodRule("groups", "fisher–freeman–halton", None,
               "Categorical variables were compared between groups with the Fisher–Freeman–"
               "Halton exact test, computed with the network algorithm",
               ("freeman1951", "mehta1983")),
    MethodRule("groups", "kruskal-wallis", "exact",
               "Continuous variables were compared between groups with the Kruskal–Wallis "
               "test and its exact permutation p-value", ("kruskal1952",)),
    MethodRule("groups", "kruskal-wallis", None,
               "Continuous variables were compared between groups with the Kruskal–Wallis "
               "test", ("kruskal1952",)),
    MethodRule("groups", "mann-whitney u", None,
               "Continuous variables were compared between two groups with the Mann–Whitney "
               "(Wilcoxon rank-sum) test", ("wilcoxon1945", "mann1947")),
    MethodRule("association", "spearman's rank correlation", None,
               "The primary analysis was Spearman's rank correlation of the number of "
               "neurological signs with haemoglobin, with a Fisher z confidence interval "
               "(Bonett–Wright standard error)",
               ("spearman1904", "fieller1957", "bonett2000")),
    MethodRule("spearman p", "spearman's rank correlation", "permutation",
               "Its p-value came from a seeded Monte Carlo permutation test", ()),
    MethodRule("spearman p", "spearman's rank correlation", "exact",
               "Its p-value was exact (the permutation distribution of ρ)", ("best1975",)),
    MethodRule("association", "linear-by-linear", None,
               "The second primary analysis was the linear-by-linear association test of the "
               "number of neurological signs across the ordered anaemia grades (grade scores 1, "
               "2, 3; M² = (n − 1)r², r the correlation of the scores)",
               ("agresti2002",)),
    MethodRule("lbl p", "linear-by-linear", "exact",
               "Its p-value is exact: the conditional distribution of the statistic given both "
               "margins, computed by the network algorithm", ("mehta1983",)),
    MethodRule("lbl p", "linear-by-linear", "asymptotic",
               "Its p-value is asymptotic (M² against the χ² distribution on 1 degree of "
               "freedom)", ()),
    MethodRule("lbl p", "linear-by-linear", "monte-carlo",
               "Its p-value came from seeded Monte Carlo sampling of tables with both margins "
               "fixed", ("hothorn2008",)),
    MethodRule("primary holm", "holm", "primary adjustment",
               "The primary p-values were adjusted with Holm's method as a family of their own, "
               "apart from the secondary tests", ("holm1979",)),
    MethodRule("association", "tost equivalence", None,
               "Whether the data exclude a strong correlation was tested with two one-sided "
               "tests (TOST) against the equivalence bounds",
               ("schuirmann1987", "goertzen2010")),
    MethodRule("association", "power of spearman", None,
               "The smallest correlation Spearman's test could detect with 80% power at this n "
               "was computed for a two-sided test at α = 0.05 (Fisher z with the Bonett–Wright "
               "variance)", ("cohen1988", "bonett2000")),
    MethodRule("secondary", "cochran–armitage", None,
               "Each sign was tested for a trend across the ordered anaemia grades with the "
               "Cochran–Armitage test (exact permutation p-value where feasible)",
               ("cochran1954", "armitage1955", "hothorn2008")),
    MethodRule("secondary", "wilcoxon rank-sum", None,
               "Haemoglobin was compared between infants with and without each sign with the "
               "Wilcoxon rank-sum (Mann–Whitney) test, with the Hodges–Lehmann shift and its "
               "confidence interval as the effect size",
               ("wilcoxon1945", "mann1947", "hodges1963", "bauer1972")),
    MethodRule("secondary", "holm", "adjustment",
               "The secondary per-sign p-values were adjusted together with Holm's method",
               ("holm1979",)),
    MethodRule("course", "kaplan-meier", None,
               "The time to resolution of involuntary movements was estimated with the "
               "Kaplan–Meier method (Greenwood standard errors; the median with the Brookmeyer–"
               "Crowley interval), so that unresolved infants contribute their follow-up",
               ("kaplan1958", "greenwood1926", "brookmeyer1982")),
    MethodRule("literature", "random-effects meta-analysis", None,
               "Where two or more published series reported a sign, their prevalences were "
               "pooled with a random-effects model (REML, logit scale); a single series was "
               "shown alone with its exact interval, and heterogeneity (τ², I², the prediction "
               "interval) was read only with three or more series",
               ("dersimonian1986", "viechtbauer2010", "higgins2002")),
)  # fmt: skip


def _plain(text: str) -> str:
    """BibTeX escapes as the characters they stand for."""
    return text.replace("{\\o}", "ø")


def author_list(author: str) -> str:
    """BibTeX authors as a Vancouver list: "Clopper CJ, Pearson ES"."""
    out = []
    for person in author.split(" and "):
        person = person.strip().strip("{}")
        if "," not in person:
            out.append(person)
            continue
        last, first = (p.strip() for p in person.split(",", 1))
        initials = "".join(w[0] for w in first.replace(".", " ").split() if w[0].isalpha())
        out.append(f"{_plain(last)} {initials}")
    if len(out) > 6:
        out = [*out[:3], "et al"]
    return ", ".join(out)


def formatted(ref: Reference) -> str:
    """A reference as a Vancouver-style line."""
    title = _plain(ref.title)
    authors = author_list(ref.author)
    if ref.kind == "article":
        issue = f"({ref.number})" if ref.number else ""
        return (
            f"{authors}. {title}. {ref.journal}. {ref.year};{ref.volume}{issue}:"
            f"{ref.pages.replace('--', '–')}."
        )
    extra = f" {ref.note}." if ref.note else ""
    publisher = f" {ref.publisher};" if ref.publisher else ""
    return f"{authors}. {title}.{extra}{publisher} {ref.year}."


def bibtex(ref: Reference) -> str:
    """One BibTeX entry, fields in a fixed order."""
    fields = [("author", ref.author), ("title", "{" + ref.title + "}"), ("year", str(ref.year))]
    for name in ("journal", "volume", "number", "pages", "publisher", "note"):
        value = getattr(ref, name)
        if value:
            fields.append((name, value))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{ref.kind}{{{ref.key},\n{body}\n}}\n"
