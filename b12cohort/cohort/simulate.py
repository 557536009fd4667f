"""Synthetic cohorts: schema-valid infants with a known Hb-neurology association.

:func:`simulate_cohort` draws any number of infants (10 to 10^6 and more) whose columns
follow the data dictionary, with marginal distributions modelled on the reconstructed
example cohort and the published series in ``data/literature`` (every choice is listed in
:data:`MARGINALS` and in the Notes of :func:`simulate_cohort`). The association between
haemoglobin and the neurological signs is set by one number, the latent correlation
``rho`` of a Gaussian copula; :func:`population_spearman` gives the Spearman correlation
between Hb and ``neuro_score`` that this implies in the population, so the power of a
test can be checked by simulation.

:func:`b12cohort.cohort.export.write_export` writes such a cohort the way hospital
systems do.

Everything here is synthetic. Never present a simulated cohort as data.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from b12cohort.core.arguments import check_choice, check_positive_int
from b12cohort.core.constants import DEFAULT_SEED
from b12cohort.core.errors import ArgumentError, SchemeRangeWarning
from b12cohort.dictionary.schema import NEURO_SIGNS

__all__ = [
    "DEFAULT_PREVALENCE",
    "MARGINALS",
    "SimulationSettings",
    "population_spearman",
    "simulate_cohort",
]

#: Key of :attr:`pandas.DataFrame.attrs` holding the :class:`SimulationSettings`.
ATTR = "b12cohort_simulation"

#: Neurological variables driven by the latent severity (thresholded Gaussians).
NEURO_VARIABLES = (*NEURO_SIGNS, "tremor_before_treatment", "involuntary_movements_on_treatment")

#: Default prevalence of every yes/no column, among infants in whom it was recorded.
DEFAULT_PREVALENCE: dict[str, float] = {
    # the paper (Taranushenko et al. 2022): 19/19, 12/19, 12/19, 8/19, 6/19
    "hypotonia": 19 / 19,
    "adynamia": 12 / 19,
    "developmental_delay": 12 / 19,
    "hyporeflexia": 8 / 19,
    "involuntary_movements_on_treatment": 6 / 19,
    # not published for the cohort: the reconstructed example and data/literature
    "developmental_regression": 0.05,  # the paper's case report only (1/19 in the example)
    "seizures": 0.05,  # 1/19 in the example; a minority of infant series
    "tremor_before_treatment": 0.27,  # pooled 38/138: 25/85 Norway 2022, 7/21 Acipayam 2020, 6/32 Klin Padiatr 2023
    "brain_atrophy": 0.5,  # among imaged infants (9/9 Goraya 2015, 21/21 Acipayam 2020, 1/4 in the example)
    "exclusive_breastfeeding": 15 / 19,  # the example; the usual mechanism
    "maternal_b12_low": 0.9,  # among mothers tested (12/12 in the example)
}

#: Marginal distributions of the other columns (documentation; the code uses these numbers).
MARGINALS: dict[str, str] = {
    "patient_id": "S0001, S0002, ... (zero-padded to the width of n)",
    "sex": "M with probability 0.57 (Taskesen 2011: 24 of 42 boys; the example 11/19)",
    "age_months": "log-normal, median 9 months, log-SD 0.5, truncated to the paper's 3-24 months, whole months",
    "admission_year": "uniform on the paper's 2012-2019",
    "hb_g_l": "normal(hb_mean, hb_sd) truncated to hb_range, whole g/L (the example: 62-106, mean 87)",
    "mcv_fl": "107 - 0.45 (Hb - 88) + normal(0, 3), clipped to 80-130, whole fL (the example: lower Hb, higher MCV)",
    "rbc_10e12_l": "Hb x 1000 / (MCHC x MCV) with MCHC normal(330, 12) g/L clipped to 290-370, 2 decimals",
    "b12_pg_ml": "log-normal, median 55 pg/mL, log-SD 0.3, truncated to 20-82 (inclusion < 83), whole pg/mL, independent of Hb",
    "folate_ng_ml": "normal(10, 2) clipped to 4-25, 1 decimal (folate normal or high when B12 is deficient)",
    "homocysteine_umol_l": "log-normal, median 35 umol/L, log-SD 0.5, clipped to 5-300, 1 decimal",
    "im_onset_day": "uniform on 3-5 days after the first dose (the published timing)",
    "im_resolution_day": "uniform on 21-42 days (3-6 weeks), observed when not later than the follow-up day",
    "im_followup_day": "follow-up uniform on 21-120 days; given (censored course) when the movements outlast it (about 10%)",
    "brain_atrophy": "imaged with probability 0.25 (4/19 in the example), missing when not imaged",
    "maternal_b12_low": "mother tested with probability 12/19 (the example), missing when not tested",
    "cyanocobalamin_dose_ug": "200 ug when Hb < 70 g/L, else 100 ug (the example)",
}

_YES_NO = np.array(["no", "yes", None], dtype=object)
_P_MALE = 0.57
_P_IMAGED = 0.25
_P_MOTHER_TESTED = 12 / 19
_ID_PREFIX = "S"

# columns in schema order; the export keeps this order
_COLUMNS = (
    "patient_id", "sex", "age_months", "admission_year", "hb_g_l", "rbc_10e12_l", "mcv_fl",
    "b12_pg_ml", "folate_ng_ml", "homocysteine_umol_l", "hypotonia", "adynamia",
    "developmental_delay", "developmental_regression", "hyporeflexia", "seizures",
    "tremor_before_treatment", "involuntary_movements_on_treatment", "im_onset_day",
    "im_resolution_day", "im_followup_day", "brain_atrophy", "exclusive_breastfeeding",
    "maternal_b12_low", "cyanocobalamin_dose_ug",
)  # fmt: skip
_BOOLEAN = (*NEURO_VARIABLES, "brain_atrophy", "exclusive_breastfeeding", "maternal_b12_low")
_INTEGER = ("admission_year", "im_onset_day", "im_resolution_day", "im_followup_day")
_TIMING = ("im_onset_day", "im_resolution_day", "im_followup_day")
# cells that may be empty (the schema requires patient_id, sex, age, Hb and B12); the
# timing columns follow involuntary_movements_on_treatment instead
_MAY_BE_MISSING = tuple(
    c
    for c in _COLUMNS
    if c not in {"patient_id", "sex", "age_months", "hb_g_l", "b12_pg_ml", *_TIMING}
)


@dataclass(frozen=True)
class SimulationSettings:
    """How a simulated cohort was drawn (``cohort.attrs["b12cohort_simulation"]``).

    Attributes
    ----------
    n, seed, rho, loading, hb_mean, hb_sd, hb_range, missing, scheme
        The arguments of :func:`simulate_cohort` (``seed`` is None when a Generator or
        no seed was given).
    prevalence : dict
        Prevalence used for every yes/no column (defaults merged with the argument).
    population_spearman : float
        Spearman correlation between Hb and ``neuro_score`` in the population these
        settings define (:func:`population_spearman`); the target a sample estimates.
    """

    n: int
    seed: int | None
    rho: float
    loading: float
    prevalence: dict = field(hash=False)
    hb_mean: float
    hb_sd: float
    hb_range: tuple[float, float]
    missing: float
    scheme: str
    population_spearman: float

    def __deepcopy__(self, memo):  # immutable: shared when pandas copies DataFrame.attrs
        return self


# ---------------------------------------------------------------------------------------
# argument checks
# ---------------------------------------------------------------------------------------
def _check_unit(value, *, name: str, function: str, low=0.0, high=1.0, open_high=False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = float("nan")
    ok = low <= v < high if open_high else low <= v <= high
    if isinstance(value, bool) or not ok:
        bracket = ")" if open_high else "]"
        raise ArgumentError(
            f"{function}(): `{name}` must be a number in [{low:g}, {high:g}{bracket}; got {value!r}."
        )
    return v


def _check_prevalence(prevalence, *, function: str) -> dict[str, float]:
    out = dict(DEFAULT_PREVALENCE)
    if prevalence is None:
        return out
    if not isinstance(prevalence, dict):
        raise ArgumentError(
            f"{function}(): `prevalence` must be a dict such as {{'adynamia': 0.5}}; got {type(prevalence).__name__}."
        )
    for key, value in prevalence.items():
        check_choice(key, tuple(DEFAULT_PREVALENCE), name="prevalence key", function=function)
        out[key] = _check_unit(value, name=f"prevalence[{key!r}]", function=function)
    return out


def _check_hb(hb_mean, hb_sd, hb_range, *, function: str):
    try:
        mean, sd = float(hb_mean), float(hb_sd)
        lo, hi = (float(x) for x in hb_range)
    except (TypeError, ValueError):
        raise ArgumentError(
            f"{function}(): `hb_mean`, `hb_sd` must be numbers and `hb_range` a pair (low, high) in g/L; "
            f"got {hb_mean!r}, {hb_sd!r}, {hb_range!r}."
        ) from None
    if not (np.isfinite(mean) and np.isfinite(sd) and sd > 0):
        raise ArgumentError(f"{function}(): `hb_sd` must be a positive number; got {hb_sd!r}.")
    if not 20 <= lo < hi <= 200:
        raise ArgumentError(
            f"{function}(): `hb_range` must satisfy 20 <= low < high <= 200 g/L (the schema's plausible "
            f"range); got {hb_range!r}."
        )
    if ndtr((hi + 0.5 - mean) / sd) - ndtr((lo - 0.5 - mean) / sd) < 1e-6:
        raise ArgumentError(
            f"{function}(): normal({mean:g}, {sd:g}) puts almost no mass in hb_range {hb_range!r}; "
            "move hb_mean into the range."
        )
    return mean, sd, (lo, hi)


# ---------------------------------------------------------------------------------------
# drawing
# ---------------------------------------------------------------------------------------
def _truncated(z: np.ndarray, mean: float, sd: float, lo: float, hi: float) -> np.ndarray:
    """Map standard normals to normal(mean, sd) truncated to [lo, hi] through their quantiles.

    A monotone transform of ``z``, so rank correlations with ``z`` are kept (the copula).
    """
    a, b = ndtr((lo - mean) / sd), ndtr((hi - mean) / sd)
    u = a + ndtr(z) * (b - a)
    return mean + sd * ndtri(np.clip(u, 1e-300, 1 - 1e-16))


def _thresholds(prevalence: dict[str, float]) -> dict[str, float]:
    """Latent threshold t with P(N(0, 1) > t) = p (t = -inf for p = 1, +inf for p = 0)."""
    with np.errstate(divide="ignore"):
        return {k: float(-ndtri(p)) for k, p in prevalence.items()}


def _patient_ids(n: int) -> np.ndarray:
    """S0001, S0002, ... as an object array (digits written straight into bytes: fast)."""
    width = max(4, len(str(n)))
    k = np.arange(1, n + 1)
    raw = np.empty((n, width + 1), dtype=np.uint8)
    raw[:, 0] = ord(_ID_PREFIX)
    raw[:, 1:] = 48 + (k[:, None] // 10 ** np.arange(width - 1, -1, -1)) % 10
    return raw.view(f"S{width + 1}").ravel().astype("U").astype(object)


def _draw(
    n: int, rng: np.random.Generator, *, rho, loading, prev, hb_mean, hb_sd, hb_range, missing
):
    """Every column as numpy arrays (float NaN / boolean with a mask)."""
    # one independent stream per concern: changing one setting leaves the other columns alone
    (s_sex, s_age, s_year, s_latent, s_lab, s_b12, s_signs, s_course, s_other, s_missing) = (
        rng.spawn(10)
    )
    out: dict[str, Any] = {}
    out["patient_id"] = _patient_ids(n)
    out["sex"] = np.array(["F", "M"], dtype=object)[(s_sex.random(n) < _P_MALE).view(np.int8)]
    age = np.exp(_truncated(s_age.standard_normal(n), np.log(9.0), 0.5, np.log(2.5), np.log(24.5)))
    out["age_months"] = np.clip(np.rint(age), 3, 24)
    out["admission_year"] = s_year.integers(2012, 2020, n).astype(float)
    # Gaussian copula: (z_hb, severity) standard bivariate normal with correlation rho
    z_hb = s_latent.standard_normal(n)
    severity = rho * z_hb + np.sqrt(1.0 - rho * rho) * s_latent.standard_normal(n)
    lo, hi = hb_range
    hb = np.rint(_truncated(z_hb, hb_mean, hb_sd, lo - 0.5, hi + 0.5))
    out["hb_g_l"] = np.clip(hb, lo, hi)
    lab = s_lab.standard_normal((3, n))
    mcv = np.clip(np.rint(107.0 - 0.45 * (hb - 88.0) + 3.0 * lab[0]), 80, 130)
    mchc = np.clip(330.0 + 12.0 * lab[1], 290, 370)
    out["rbc_10e12_l"] = np.clip(np.round(hb * 1000.0 / (mchc * mcv), 2), 0.5, 8.0)
    out["mcv_fl"] = mcv
    b12 = np.exp(
        _truncated(s_b12.standard_normal(n), np.log(55.0), 0.3, np.log(19.5), np.log(82.5))
    )
    out["b12_pg_ml"] = np.clip(np.rint(b12), 20, 82)
    out["folate_ng_ml"] = np.clip(np.round(10.0 + 2.0 * lab[2], 1), 4, 25)
    out["homocysteine_umol_l"] = np.clip(
        np.round(35.0 * np.exp(0.5 * s_b12.standard_normal(n)), 1), 5, 300
    )
    # neurological variables: Y_j = loading * severity + sqrt(1 - loading^2) * e_j > t_j
    t = _thresholds(prev)
    noise = s_signs.standard_normal((len(NEURO_VARIABLES) + 1, n))
    spread = np.sqrt(1.0 - loading * loading)
    for j, name in enumerate((*NEURO_VARIABLES, "brain_atrophy")):
        out[name] = loading * severity + spread * noise[j] > t[name]
    im = out["involuntary_movements_on_treatment"]
    onset = s_course.integers(3, 6, n).astype(float)
    resolution = s_course.integers(21, 43, n).astype(float)
    followup = s_course.integers(21, 121, n).astype(float)
    resolved = resolution <= followup
    out["im_onset_day"] = np.where(im, onset, np.nan)
    out["im_resolution_day"] = np.where(im & resolved, resolution, np.nan)
    out["im_followup_day"] = np.where(im & ~resolved, followup, np.nan)
    u = s_other.random((4, n))
    imaged = u[0] < _P_IMAGED
    out["exclusive_breastfeeding"] = u[1] < prev["exclusive_breastfeeding"]
    tested = u[2] < _P_MOTHER_TESTED
    out["maternal_b12_low"] = u[3] < prev["maternal_b12_low"]
    out["cyanocobalamin_dose_ug"] = np.where(hb < 70, 200.0, 100.0)
    na = {c: np.zeros(n, dtype=bool) for c in _BOOLEAN}
    na["brain_atrophy"] = ~imaged
    na["maternal_b12_low"] = ~tested
    if missing > 0:
        drop = s_missing.random((len(_MAY_BE_MISSING), n)) < missing
        for c, d in zip(_MAY_BE_MISSING, drop, strict=True):
            if c in na:
                na[c] |= d
            else:
                out[c] = np.where(d, np.nan, out[c])
        for c in _TIMING:  # timing only for infants recorded with movements
            out[c] = np.where(na["involuntary_movements_on_treatment"], np.nan, out[c])
    return out, na


def population_spearman(
    *, rho: float, prevalence: dict | None = None, loading: float = 0.7, missing: float = 0.0
) -> float:
    """Spearman correlation between Hb and ``neuro_score`` in a simulated population.

    The population value of the statistic that :func:`simulate_cohort` samples estimate
    (what Spearman's rho of a cohort converges to as n grows), for the same ``rho``,
    ``prevalence``, ``loading`` and ``missing``. It does not depend on the Hb marginal
    (``hb_mean``, ``hb_sd``, ``hb_range``), since ranks do not.

    Parameters
    ----------
    rho : float
        Latent correlation between Hb and neurological severity (see
        :func:`simulate_cohort`), in [-1, 1].
    prevalence : dict, optional
        As in :func:`simulate_cohort`.
    loading : float
        As in :func:`simulate_cohort`, in [0, 1).
    missing : float
        As in :func:`simulate_cohort`: a sign not recorded counts as absent in
        ``neuro_score``.

    Returns
    -------
    float
        The population Spearman correlation; NaN when ``neuro_score`` cannot vary (every
        sign's prevalence is 0 or 1).

    Notes
    -----
    Spearman's rho of a sample with average ranks for ties converges to
    ``corr(F(X), G(Y))``, where ``F`` is the distribution function of Hb (continuous:
    ``F(X)`` is uniform, variance 1/12) and ``G(y) = P(Y < y) + P(Y = y) / 2`` is the
    mid-distribution function of the discrete ``neuro_score`` ``Y`` (Kruskal 1958).
    Given the latent severity ``L``, the signs are independent Bernoulli variables with
    ``P(sign j | L) = (1 - missing) Phi((loading L - t_j) / sqrt(1 - loading^2))``, so
    ``Y | L`` is Poisson-binomial, and Hb is independent of ``Y`` given ``L`` with
    ``E[F(X) | L] = Phi(rho L / sqrt(2 - rho^2))``. Hence

        rho_S = (E_L[E[F(X) | L] E[G(Y) | L]] - 1/4) / sqrt(Var G(Y) / 12),

    integrated over ``L ~ N(0, 1)`` on a grid of 4,001 points (error < 1e-6). Rounding
    Hb to whole g/L creates ties that change the value by less than 0.001. The tests
    check it against Spearman's rho of a simulated cohort of 200,000 infants.

    References
    ----------
    Kruskal WH. Ordinal measures of association. J Am Stat Assoc. 1958;53(284):814-861.

    Examples
    --------
    >>> round(population_spearman(rho=-0.6), 3), round(population_spearman(rho=-1.0), 3)
    (-0.459, -0.782)
    >>> abs(population_spearman(rho=0.0)) < 1e-12
    True
    """
    function = "population_spearman"
    rho = _check_unit(rho, name="rho", function=function, low=-1.0)
    loading = _check_unit(loading, name="loading", function=function, open_high=True)
    missing = _check_unit(missing, name="missing", function=function, open_high=True)
    prev = _check_prevalence(prevalence, function=function)
    t = _thresholds(prev)
    grid = np.linspace(-9.0, 9.0, 4001)
    w = np.exp(-0.5 * grid * grid)
    w /= w.sum()
    spread = np.sqrt(1.0 - loading * loading)
    dist = np.zeros((grid.size, len(NEURO_SIGNS) + 1))
    dist[:, 0] = 1.0
    for k, sign in enumerate(NEURO_SIGNS):  # Poisson-binomial by convolution
        q = (1.0 - missing) * ndtr((loading * grid - t[sign]) / spread)[:, None]
        dist[:, 1 : k + 2] = dist[:, 1 : k + 2] * (1 - q) + dist[:, : k + 1] * q
        dist[:, 0] *= 1 - q[:, 0]
    p_y = w @ dist
    mid = np.cumsum(p_y) - p_y / 2.0
    var_g = float(p_y @ mid**2 - 0.25)
    if var_g < 1e-14:
        return float("nan")
    e_u = ndtr(rho * grid / np.sqrt(2.0 - rho * rho))
    cov = float(w @ (e_u * (dist @ mid)) - 0.25)
    return float(cov / np.sqrt(var_g / 12.0))


def _raw_frame(out: dict, na: dict, n: int) -> pd.DataFrame:
    """The export as a hospital system holds it: text ids and codes, numbers, yes/no words."""
    cols: dict[str, Any] = {}
    for c in _COLUMNS:
        v = out[c]
        if c in _BOOLEAN:  # object arrays by indexing: no string is created per cell
            code = np.where(na[c], 2, np.asarray(v, dtype=np.int8))
            cols[c] = pd.Series(_YES_NO[code], dtype=object)
        elif c in _INTEGER:
            cols[c] = pd.array(v, dtype="Int64") if np.isnan(v).any() else v.astype(np.int64)
        else:
            cols[c] = v
    return pd.DataFrame(cols, index=pd.RangeIndex(n))


def _typed_frame(out: dict, na: dict, n: int) -> pd.DataFrame:
    """The same values with the canonical dtypes, the fastest input of load_cohort."""
    cols: dict[str, Any] = {}
    for c in _COLUMNS:
        v = out[c]
        if c in _BOOLEAN:
            cols[c] = pd.arrays.BooleanArray(np.asarray(v, dtype=bool), na[c].copy())
        elif c in _INTEGER:
            cols[c] = pd.array(v, dtype="Int64")
        elif c in ("patient_id", "sex"):
            cols[c] = pd.array(v, dtype="string")
        else:
            cols[c] = v
    return pd.DataFrame(cols, index=pd.RangeIndex(n))


def simulate_cohort(
    *,
    n: int,
    random_state: int | np.random.Generator | None = DEFAULT_SEED,
    rho: float = 0.0,
    prevalence: dict | None = None,
    loading: float = 0.7,
    hb_mean: float = 88.0,
    hb_sd: float = 13.0,
    hb_range: tuple[float, float] = (40.0, 109.0),
    missing: float = 0.0,
    scheme: str = "who-2011",
    validate: bool = True,
) -> pd.DataFrame:
    """A synthetic cohort of ``n`` infants with B12-deficiency anaemia, valid by the schema.

    For tests, teaching and benchmarks. The margins imitate the paper and the literature
    (Notes); the association between haemoglobin and the neurological signs is set by
    ``rho``. **Synthetic: never present it as data.**

    Parameters
    ----------
    n : int
        Number of infants (>= 1). 10^6 rows take 1-2 s (benchmarks/README.md).
    random_state : int, numpy.random.Generator or None
        Seed of :func:`numpy.random.default_rng` (default
        :data:`~b12cohort.core.constants.DEFAULT_SEED`): the same seed and arguments give
        the identical frame. ``None`` draws fresh entropy (not reproducible).
    rho : float
        Latent correlation, in [-1, 1], between haemoglobin and a latent neurological
        *severity* (Gaussian copula, Notes). Negative: the more anaemic, the more signs
        (the relation the paper says it did not see); 0: no association (default). The
        Spearman correlation between Hb and ``neuro_score`` it implies is weaker; it is
        :func:`population_spearman` and is stored in the settings.
    prevalence : dict, optional
        Overrides of :data:`DEFAULT_PREVALENCE`, e.g. ``{"hypotonia": 0.9}``: the
        probability that a yes/no column is yes among infants in whom it is recorded
        (``brain_atrophy``: among the imaged; ``maternal_b12_low``: among mothers tested).
        Defaults: the paper's hypotonia 19/19, adynamia 12/19, developmental delay 12/19,
        hyporeflexia 8/19, involuntary movements on treatment 6/19; the others in Notes.
    loading : float
        Correlation, in [0, 1), of each neurological variable's latent value with the
        severity. Signs then correlate with each other (latent correlation ``loading^2``)
        and with Hb (latent correlation ``rho * loading``). Default 0.7.
    hb_mean, hb_sd : float
        Mean and SD (g/L) of the normal distribution of Hb before truncation.
        Default 88 and 13, as the example cohort (mean 87, SD 13).
    hb_range : (float, float)
        Hb is truncated to this range and rounded to whole g/L. Default 40-109: every
        infant anaemic, as the paper's inclusion criterion; use e.g. (40, 140) to include
        B12-deficient infants without anaemia.
    missing : float
        Probability, in [0, 1), that a cell which may be empty is empty (missing
        completely at random): every column except patient_id, sex, age, Hb and B12
        (whose values the schema requires) and the movement timings (empty exactly when
        ``involuntary_movements_on_treatment`` is not yes). Default 0.
    scheme : str
        Anaemia grading of the derived ``anemia_grade`` (as :func:`b12cohort.load_cohort`).
    validate : bool
        True (default): the cohort goes through :func:`b12cohort.load_cohort` and comes
        back canonical, with derived columns and metadata. False: the raw export frame
        (text codes ``"M"``/``"F"``, yes/no words, numbers, nullable integers), e.g. to
        pass to :func:`write_export` or to load yourself.

    Returns
    -------
    pandas.DataFrame
        With ``validate=True`` the canonical cohort frame (see
        :func:`b12cohort.load_cohort`): every schema column, ``b12_pmol_l``,
        ``anemia_grade``, ``neuro_score``, ``neuro_items_missing``, indexed by ``row``
        1..n. ``attrs["b12cohort_simulation"]`` holds the :class:`SimulationSettings`
        (including ``population_spearman``); ``attrs["b12cohort"]`` the loader's
        metadata (source ``"<DataFrame>"``).

    Raises
    ------
    ArgumentError
        ``n`` not a whole number >= 1; ``rho``, ``loading``, ``missing`` or a prevalence
        out of range; an unknown prevalence key; ``hb_range`` outside 20-200 g/L.

    Notes
    -----
    *Association.* A Gaussian copula: ``(Z, L)`` is standard bivariate normal with
    correlation ``rho``; Hb is a monotone transform of ``Z`` (the quantile of the
    truncated normal), and each neurological variable ``j`` (the six signs of
    ``neuro_score``, tremor before treatment, involuntary movements on treatment and,
    among the imaged, brain atrophy) is present when
    ``loading * L + sqrt(1 - loading^2) * e_j > t_j`` with independent ``e_j ~ N(0, 1)``
    and ``t_j = Phi^{-1}(1 - p_j)``, so that its prevalence is exactly ``p_j`` whatever
    ``rho``. With ``rho = 0`` Hb is independent of every sign (every null hypothesis of
    :func:`b12cohort.association_summary` is true); the signs still correlate with each
    other through ``L``. A prevalence of 1 (hypotonia by default) is a sign present in
    everyone, which carries no information on Hb.

    *Margins* (:data:`MARGINALS`): sex M 57% (Taskesen 2011, 24/42); age log-normal
    (median 9 months) truncated to the paper's 3-24 months; admission 2012-2019 (paper);
    Hb truncated normal; MCV falling with Hb (macrocytosis of B12 deficiency) and a red
    cell count consistent with Hb and MCV (MCHC about 330 g/L); B12 log-normal (median 55
    pg/mL) below the paper's 83 pg/mL, independent of Hb (the level predicts anaemia
    poorly); folate normal (median 10 ng/mL); homocysteine log-normal (median 35
    umol/L, raised as in B12 deficiency); involuntary movements start 3-5 days after the
    first dose and resolve after 21-42 days (the published timing), censored (follow-up
    day given instead) in about 10%; a quarter of infants imaged; 12/19 of mothers
    tested; dose 200 ug below Hb 70 g/L, else 100 ug (the example). Prevalences not
    published for the cohort: developmental regression and seizures 5% (1/19 each in the
    example), tremor before treatment 27% (pooled 38/138 from the series in
    ``data/literature``), brain atrophy 50% of the imaged, exclusive breastfeeding 15/19,
    low maternal B12 90% of those tested. All of these are illustrative choices.

    *Speed.* Fully vectorised (no Python loop over infants); at 10^6 rows drawing the
    raw frame takes about 0.7 s and :func:`~b12cohort.load_cohort` about as much again
    (benchmarks/README.md).

    *Independence.* Rows are independent and identically distributed, so one cohort of
    ``k * n`` infants can be cut into ``k`` independent cohorts of ``n`` (what the power
    check in the tests does). Each concern (sex, age, Hb and severity, laboratory values,
    signs, treatment course, ...) draws from its own child stream of ``seed``: changing
    one prevalence changes only that column (and ``neuro_score``), and changing ``rho``
    leaves Hb as it was.

    Examples
    --------
    >>> import b12cohort
    >>> cohort = b12cohort.simulate_cohort(n=500, random_state=1, rho=-0.5)
    >>> cohort.shape
    (500, 29)
    >>> cohort["anemia_grade"].cat.categories.tolist()
    ['none', 'mild', 'moderate', 'severe']
    >>> round(cohort.attrs["b12cohort_simulation"].population_spearman, 3)
    -0.381
    >>> raw = b12cohort.simulate_cohort(n=3, random_state=1, validate=False)
    >>> raw[["patient_id", "sex", "hb_g_l", "adynamia"]]
      patient_id sex  hb_g_l adynamia
    0      S0001   F    59.0       no
    1      S0002   M    99.0       no
    2      S0003   F    78.0      yes
    """
    function = "simulate_cohort"
    n = check_positive_int(n, name="n", function=function)
    rho = _check_unit(rho, name="rho", function=function, low=-1.0)
    loading = _check_unit(loading, name="loading", function=function, open_high=True)
    missing = _check_unit(missing, name="missing", function=function, open_high=True)
    prev = _check_prevalence(prevalence, function=function)
    hb_mean, hb_sd, hb_range = _check_hb(hb_mean, hb_sd, hb_range, function=function)
    if not isinstance(validate, bool):
        raise ArgumentError(f"{function}(): `validate` must be True or False; got {validate!r}.")
    seed = random_state
    if not (seed is None or isinstance(seed, np.random.Generator)):
        seed = check_positive_int(seed, name="random_state", function=function, minimum=0)
    out, na = _draw(
        n,
        np.random.default_rng(seed),
        rho=rho,
        loading=loading,
        prev=prev,
        hb_mean=hb_mean,
        hb_sd=hb_sd,
        hb_range=hb_range,
        missing=missing,
    )
    if not validate:
        return _raw_frame(out, na, n)
    from b12cohort.reading.load import load_cohort

    with warnings.catch_warnings():
        # infants under 6 months are graded with WHO's 6-59 month thresholds; the loader
        # records this in the metadata notes (as for the example cohort)
        warnings.simplefilter("ignore", SchemeRangeWarning)
        cohort = load_cohort(_typed_frame(out, na, n), scheme=scheme)
    cohort.attrs[ATTR] = SimulationSettings(
        n=n,
        seed=seed if isinstance(seed, int) else None,
        rho=rho,
        loading=loading,
        prevalence=prev,
        hb_mean=hb_mean,
        hb_sd=hb_sd,
        hb_range=hb_range,
        missing=missing,
        scheme=scheme,
        population_spearman=population_spearman(
            rho=rho, prevalence=prev, loading=loading, missing=missing
        ),
    )
    return cohort
