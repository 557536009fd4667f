"""Property tests of the readings: the words must follow from the numbers.

The sentences of :func:`b12cohort.association_summary` are built by
:mod:`b12cohort.stats._wording` and :mod:`b12cohort.stats._readings`. Here, for any
numbers Hypothesis draws: the stated direction matches the sign of the estimate,
"rises"/"falls" are said only of monotone proportions, the strength words follow the
stated scale, each side of an interval is read separately (never an |rho| made from the
wider end), and no reading says "no correlation", "no association" or "unrelated".
The same is checked end to end on small cohorts drawn by Hypothesis.
"""

from __future__ import annotations

import math
import re
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import b12cohort
from b12cohort.stats._sentences import correlation_reading, tost_reading
from b12cohort.stats._wording import (
    STRENGTH_SCALE,
    interval_reading,
    is_nondecreasing,
    is_nonincreasing,
    pattern_reading,
    relation,
    strength,
)

FORBIDDEN = ("no correlation", "no association", "unrelated")
rho = st.floats(min_value=-0.999, max_value=0.999, allow_nan=False).map(lambda x: round(x, 3))


def _ordered(values):
    return sorted(values)


@pytest.mark.parametrize(
    ("r", "word"),
    [(0.0, "negligible"), (0.099, "negligible"), (0.1, "weak"), (-0.29, "weak"), (0.3, "moderate"),
     (-0.5, "moderately strong"), (0.69, "moderately strong"), (0.7, "strong"), (-1.0, "strong")],
)  # fmt: skip
def test_strength_scale(r, word):
    assert strength(r) == word
    assert [w for _, w in STRENGTH_SCALE][-1] == "strong"


def test_the_example_of_the_issue():
    text = interval_reading(-0.62, 0.26)
    assert text == (
        "compatible with correlations from −0.62 to 0.26: from a moderately strong inverse "
        "relation to a weak positive one"
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(rho, min_size=3, max_size=3).map(_ordered))
def test_correlation_reading_follows_the_numbers(values):
    low, est, high = values
    text = correlation_reading(est, low, high, 0.95, 0.5, "Power sentence.")("")
    lowered = text.lower()
    for phrase in FORBIDDEN:
        assert phrase not in lowered
    assert "|ρ| =" not in text  # never an |rho| made from the wider end
    # the estimate's direction is its sign
    stated = re.search(r"The estimate is (a correlation of zero|an? ([a-z ]+?) relation);", text)
    assert stated is not None, text
    if est < 0:
        assert stated.group(2).endswith("inverse") and strength(est) in stated.group(2)
    elif est > 0:
        assert stated.group(2).endswith("positive") and strength(est) in stated.group(2)
    else:
        assert stated.group(1) == "a correlation of zero"
    # each side of the interval separately, with its own strength word
    if low < 0 < high:
        assert relation(low) in text
        assert relation(high).removesuffix(" relation") + " one" in text
    if low > 0:
        assert "inverse" not in text.split("The estimate")[1] and "all positive" in text
        assert "indicate a positive correlation" in text
    if high < 0:
        assert "positive" not in text.split("The estimate")[1] and "all inverse" in text
        assert "indicate an inverse correlation" in text


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 12), min_size=2, max_size=5),
    st.lists(st.integers(1, 12), min_size=5, max_size=5),
)
def test_pattern_says_rises_or_falls_only_when_monotone(events, sizes):
    sizes = sizes[: len(events)]
    props = [min(e, n) / n for e, n in zip(events, sizes, strict=False)]
    levels = [f"g{i}" for i in range(len(props))]
    text = pattern_reading(levels, props)
    all_equal = len(set(props)) == 1
    assert ("rises" in text) == (is_nondecreasing(props) and not all_equal)
    assert ("falls" in text) == (is_nonincreasing(props) and not all_equal)
    if all_equal:
        assert "same in every grade" in text
    claim = re.search(r"(higher|lower) in (g\d) than in (.+)$", text)
    if claim:
        where = props[levels.index(claim.group(2))]
        others = [props[levels.index(g)] for g in re.findall(r"g\d", claim.group(3))]
        assert len(others) == len(props) - 1
        if claim.group(1) == "higher":
            assert all(where > p for p in others)
        else:
            assert all(where < p for p in others)


@settings(max_examples=200, deadline=None)
@given(st.lists(rho, min_size=3, max_size=3).map(_ordered), st.sampled_from([0.3, 0.5]))
def test_tost_reading_reads_each_side(values, bound):
    low, est, high = values
    p_lower, p_upper = (0.01 if low > -bound else 0.5), (0.01 if high < bound else 0.5)
    tost = SimpleNamespace(
        ci_low=low, ci_high=high, estimate=est, p_lower=p_lower, p_upper=p_upper,
        equivalent=low > -bound and high < bound,
    )  # fmt: skip
    text = tost_reading(tost, bound, 0.05)
    assert ("it excludes positive" in text) == (high < bound)
    assert ("it excludes inverse" in text) == (low > -bound)
    assert ("is shown" in text) == (low > -bound and high < bound)
    assert "|ρ|" not in text
    for phrase in FORBIDDEN:
        assert phrase not in text.lower()


# ---------------------------------------------------------------- the power sentence
@settings(max_examples=15, deadline=None, derandomize=True)
@given(
    st.integers(6, 60).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(0, 6), min_size=n, max_size=n),
            st.lists(st.integers(50, 120), min_size=n, max_size=n),
        )
    )
)
def test_the_power_reading_states_the_field_of_its_result(columns):
    from b12cohort.stats._readings import correlation_rows

    score, hb = columns
    df = pd.DataFrame({"neuro_score": score, "hb_g_l": np.asarray(hb, dtype=float)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = correlation_rows(
            df, scheme_label="who-2011", confidence=0.95, random_state=1, bound=0.4, caught=[]
        )
    det = [r for r in rows if r["comparison"] == "detectable correlation at this n"]
    if not det:  # a constant column: no correlation, no power row
        return
    (row,) = det
    result = b12cohort.detectable_correlation(n=row["n"], method="spearman")
    assert row["estimate"] == result.rho and row["test"] == result.test
    stated = re.findall(r"\|ρ\| ≥ (-?\d+\.\d+)", row["reading"])
    assert stated == [f"{result.rho:.2f}"]
    primary = rows[0]
    reading = primary["_reading"]("") if "_reading" in primary else primary["reading"]
    assert re.findall(r"\|ρ\| ≥ (-?\d+\.\d+)", reading) == [f"{result.rho:.2f}"]


# ---------------------------------------------------------------- end to end
@st.composite
def cohorts(draw):
    n = draw(st.integers(8, 24))
    hb = draw(st.lists(st.integers(55, 109), min_size=n, max_size=n))
    sign = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    other = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    df = pd.DataFrame(
        {
            "hb_g_l": np.asarray(hb, dtype=float),
            "adynamia": pd.array(sign, dtype="boolean"),
            "hyporeflexia": pd.array(other, dtype="boolean"),
        }
    )
    df["anemia_grade"] = b12cohort.grade_anemia(df["hb_g_l"], scheme="who-2011")
    df["neuro_score"] = df["adynamia"].astype(int) + df["hyporeflexia"].astype(int)
    return df


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(cohorts())
@pytest.mark.slow
def test_summary_readings_match_their_rows(df):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = b12cohort.association_summary(df, signs=["adynamia", "hyporeflexia"])
    for reading in table["reading"]:
        for phrase in FORBIDDEN:
            assert phrase not in reading.lower(), reading
    for _, row in table[table["comparison"].str.startswith("trend")].iterrows():
        if row["test"] == "not tested":
            continue
        shares = [
            int(k) / int(m) for k, m in re.findall(r"\((\d+)/(\d+)\)", row["reading"].split(";")[0])
        ]
        all_equal = len(set(shares)) == 1
        assert ("rises" in row["reading"]) == (is_nondecreasing(shares) and not all_equal)
        assert ("falls" in row["reading"]) == (is_nonincreasing(shares) and not all_equal)
        if row["p_value"] >= 0.05:
            assert "not evidence of absence" in row["reading"]
    primary = table[table["analysis"] == "primary"].iloc[0]
    if primary["test"] != "not tested" and math.isfinite(primary["estimate"]):
        stated = re.search(
            r"The estimate is (?:a|an) [a-z ]*?(inverse|positive) relation", primary["reading"]
        )
        if primary["estimate"] != 0:
            assert stated and stated.group(1) == (
                "inverse" if primary["estimate"] < 0 else "positive"
            )
        both = table[table["analysis"] == "primary"]
        if both["p_value"].notna().sum() == 2:  # the two primaries: a family of their own
            assert "primary analyses, Holm-adjusted over the two" in primary["reading"]
            assert primary["p_adjusted"] >= primary["p_value"]
        else:
            assert "not adjusted for multiplicity" in primary["reading"]
