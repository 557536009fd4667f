"""Derived variables: anaemia grade, neurological score, B12 in pmol/L.

Anaemia grading schemes are *data*: a threshold table with its citation
(``b12cohort/resources/anemia_schemes.csv``). Users add their own with
:func:`register_scheme`; every result records the scheme that produced it.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from b12cohort.core.arguments import check_choice
from b12cohort.core.errors import ArgumentError, SchemeRangeWarning
from b12cohort.dictionary.schema import NEURO_SIGNS

__all__ = [
    "ANEMIA_GRADES",
    "DERIVED_FROM",
    "anemia_schemes",
    "grade_anemia",
    "neuro_items_missing",
    "neuro_score",
    "register_scheme",
]

#: Anaemia grades, in order of severity.
ANEMIA_GRADES = ("none", "mild", "moderate", "severe")

#: Derived column -> the columns it is computed from. A test of a source column across
#: the groups of its derived column (Hb across grades defined by Hb) is circular; Table 1
#: does not run it.
DERIVED_FROM: dict[str, tuple[str, ...]] = {
    "anemia_grade": ("hb_g_l", "hb_g_dl"),
    "neuro_score": tuple(NEURO_SIGNS),
    "neuro_items_missing": tuple(NEURO_SIGNS),
    "b12_pmol_l": ("b12_pg_ml",),
}
_COLUMNS = [
    "scheme",
    "age_min_months",
    "age_max_months",
    "anemia_below",
    "moderate_below",
    "severe_below",
    "citation",
]
_user_schemes: dict[str, pd.DataFrame] = {}


@lru_cache(maxsize=1)
def _builtin() -> pd.DataFrame:
    with (
        resources.files("b12cohort")
        .joinpath("resources/anemia_schemes.csv")
        .open("r", encoding="utf-8") as fh
    ):
        return pd.read_csv(fh)


def anemia_schemes() -> pd.DataFrame:
    """All known grading schemes as one threshold table.

    Returns
    -------
    pandas.DataFrame
        One row per scheme and age band: ``scheme``, ``age_min_months`` (inclusive),
        ``age_max_months`` (exclusive), ``anemia_below`` (Hb below this is anaemia, g/L),
        ``moderate_below``, ``severe_below`` and ``citation``. Grades are half-open:
        none if Hb >= anemia_below; mild if moderate_below <= Hb < anemia_below; moderate
        if severe_below <= Hb < moderate_below; severe if Hb < severe_below.

    Notes
    -----
    Built in: ``"who-2011"`` (WHO 2011, children 6-59 months: none >= 110, mild 100-109,
    moderate 70-99, severe < 70 g/L) and ``"ru-clinical"`` (Russian paediatric practice:
    none >= 110, mild 90-109, moderate 70-89, severe < 70 g/L).

    The WHO 2024 guideline lowered the anaemia cut-off for children 6-23 months to
    105 g/L. It is not built in because we could not check its severity bands against
    the guideline itself; once you have its Table 1, register it::

        register_scheme("who-2024", bands=[
            {"age_min_months": 6, "age_max_months": 24, "anemia_below": 105, ...},
            {"age_min_months": 24, "age_max_months": 60, "anemia_below": 110, ...},
        ], citation="WHO. Guideline on haemoglobin cutoffs to define anaemia in individuals and populations. Geneva: WHO; 2024.")

    Examples
    --------
    >>> anemia_schemes()[["scheme", "anemia_below", "moderate_below", "severe_below"]]
            scheme  anemia_below  moderate_below  severe_below
    0     who-2011           110             100            70
    1  ru-clinical           110              90            70
    """
    frames = [_builtin(), *_user_schemes.values()]
    return pd.concat(frames, ignore_index=True)[_COLUMNS]


def register_scheme(name: str, *, bands, citation: str, replace: bool = False) -> None:
    """Add a grading scheme.

    Parameters
    ----------
    name : str
        Scheme name used as ``scheme=`` elsewhere.
    bands : list of dict or pandas.DataFrame
        One entry per age band with ``age_min_months``, ``age_max_months``,
        ``anemia_below``, ``moderate_below``, ``severe_below`` (g/L). Bands must not
        overlap and thresholds must decrease (anemia_below > moderate_below > severe_below).
    citation : str
        Where the thresholds come from (shown in reports).
    replace : bool
        Allow replacing a scheme registered earlier (built-in schemes cannot be replaced).

    Raises
    ------
    ArgumentError
        Missing columns, overlapping bands, thresholds out of order, or a name clash.
    """
    if not isinstance(name, str) or not name:
        raise ArgumentError("register_scheme(): `name` must be a non-empty string.")
    if name in set(_builtin()["scheme"]) or (name in _user_schemes and not replace):
        raise ArgumentError(
            f"register_scheme(): a scheme called {name!r} exists; choose another name"
            + ("" if name in set(_builtin()["scheme"]) else " or pass replace=True")
            + "."
        )
    table = pd.DataFrame(bands).copy()
    need = _COLUMNS[1:6]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise ArgumentError(
            f"register_scheme(): every band needs {', '.join(need)}; missing {', '.join(missing)}."
        )
    t = table[need].astype(float)
    if not (
        (t["anemia_below"] > t["moderate_below"]) & (t["moderate_below"] > t["severe_below"])
    ).all():
        raise ArgumentError(
            "register_scheme(): thresholds must decrease: anemia_below > moderate_below > severe_below."
        )
    t = t.sort_values("age_min_months")
    if (t["age_min_months"].to_numpy()[1:] < t["age_max_months"].to_numpy()[:-1]).any() or (
        t["age_min_months"] >= t["age_max_months"]
    ).any():
        raise ArgumentError("register_scheme(): age bands must be non-empty and must not overlap.")
    t.insert(0, "scheme", name)
    t["citation"] = citation
    _user_schemes[name] = t


def grade_anemia(hb_g_l, *, scheme: str = "who-2011", age_months=None) -> pd.Series:
    """Grade anaemia severity from haemoglobin.

    Parameters
    ----------
    hb_g_l : array-like or pandas.Series
        Haemoglobin, g/L. Missing values give a missing grade.
    scheme : str
        A scheme name from :func:`anemia_schemes` (``"who-2011"`` by default,
        ``"ru-clinical"``, or one added with :func:`register_scheme`).
    age_months : array-like, optional
        Age of each infant, for schemes whose thresholds depend on age. Without it the
        scheme's first band is used. Ages outside every band use the nearest band and
        raise :class:`~b12cohort.core.errors.SchemeRangeWarning` (e.g. WHO 2011 is defined
        from 6 months; younger infants are graded with its 6-59 month thresholds).

    Returns
    -------
    pandas.Series
        Ordered categorical ``none < mild < moderate < severe`` named ``anemia_grade``,
        aligned with ``hb_g_l``. ``.attrs["anemia_scheme"]`` records the scheme and
        ``.attrs["outside_scheme_ages"]`` how many infants were outside its age range.

    Notes
    -----
    Bands are half-open: under who-2011, Hb 100.0 is mild and 99.9 moderate.

    References
    ----------
    World Health Organization. Haemoglobin concentrations for the diagnosis of anaemia and
    assessment of severity. Geneva: WHO; 2011 (WHO/NMH/NHD/MNM/11.1).

    Examples
    --------
    >>> grade_anemia([115, 100.0, 99.9, 69.9]).tolist()
    ['none', 'mild', 'moderate', 'severe']
    >>> grade_anemia([95], scheme="ru-clinical").tolist()
    ['mild']
    """
    table = anemia_schemes()
    known = list(dict.fromkeys(table["scheme"]))
    scheme = check_choice(scheme, known, name="scheme", function="grade_anemia")
    bands = table[table["scheme"] == scheme].sort_values("age_min_months").reset_index(drop=True)
    index = hb_g_l.index if isinstance(hb_g_l, pd.Series) else None
    hb = np.asarray(pd.to_numeric(pd.Series(hb_g_l), errors="coerce"), dtype="float64")
    n = hb.size
    if age_months is None:
        band = np.zeros(n, dtype=np.int64)
        outside = 0
    else:
        age = np.asarray(pd.to_numeric(pd.Series(age_months), errors="coerce"), dtype="float64")
        if age.size != n:
            raise ArgumentError(
                f"grade_anemia(): `age_months` has {age.size} values but `hb_g_l` has {n}."
            )
        lo, hi = bands["age_min_months"].to_numpy(float), bands["age_max_months"].to_numpy(float)
        band = np.clip(np.searchsorted(lo, age, side="right") - 1, 0, len(bands) - 1)
        known_age = ~np.isnan(age)
        inside = known_age & (age >= lo[band]) & (age < hi[band])
        # nearest band for ages below the first or above the last
        band = np.where(known_age & (age >= hi[-1]), len(bands) - 1, band)
        outside = int((known_age & ~inside).sum())
        if outside:
            ranges = ", ".join(f"{a:g} to under {b:g}" for a, b in zip(lo, hi, strict=True))
            warnings.warn(
                f"grade_anemia(): {outside} infant(s) are outside the age range of scheme {scheme!r} "
                f"({ranges} months); they were graded with the nearest age band.",
                SchemeRangeWarning,
                stacklevel=2,
            )
    # thresholds decrease (register_scheme checks it), so the grade is the number of
    # thresholds the value is below: three comparisons, summed as int8; NaN is no grade
    codes = np.zeros(n, dtype=np.int8)
    for column in ("anemia_below", "moderate_below", "severe_below"):
        limits = bands[column].to_numpy(float)
        codes += hb < (limits[0] if len(limits) == 1 else limits[band])
    codes[np.isnan(hb)] = -1
    cat = pd.Categorical.from_codes(codes, categories=list(ANEMIA_GRADES), ordered=True)
    out = pd.Series(cat, index=index, name="anemia_grade")
    out.attrs["anemia_scheme"] = scheme
    out.attrs["outside_scheme_ages"] = outside
    return out


def _signs(data: pd.DataFrame, signs) -> list[str]:
    return list(NEURO_SIGNS if signs is None else signs)


def neuro_score(data: pd.DataFrame, *, signs=None) -> pd.Series:
    """Number of neurological signs present per infant.

    A sign counts when it is True; a sign that is missing, or whose column is absent,
    counts as not present (see :func:`neuro_items_missing` for how many were unknown).

    Parameters
    ----------
    data : pandas.DataFrame
    signs : sequence of str, optional
        Defaults to :data:`b12cohort.dictionary.schema.NEURO_SIGNS` (hypotonia, adynamia,
        developmental_delay, developmental_regression, hyporeflexia, seizures).

    Returns
    -------
    pandas.Series of int64 named ``neuro_score``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"hypotonia": pd.array([True, True], dtype="boolean"),
    ...                    "adynamia": pd.array([True, None], dtype="boolean")})
    >>> neuro_score(df).tolist(), neuro_items_missing(df).tolist()
    ([2, 1], [4, 5])
    """
    total = np.zeros(len(data), dtype=np.int64)
    for s in _signs(data, signs):
        if s in data.columns:
            total += data[s].fillna(False).to_numpy(dtype=bool)
    return pd.Series(total, index=data.index, name="neuro_score")


def neuro_items_missing(data: pd.DataFrame, *, signs=None) -> pd.Series:
    """How many of the neurological signs were not recorded (missing cell or absent column)."""
    total = np.zeros(len(data), dtype=np.int64)
    for s in _signs(data, signs):
        total += data[s].isna().to_numpy() if s in data.columns else 1
    return pd.Series(total, index=data.index, name="neuro_items_missing")
