"""Sample size for the test of zero correlation, as R ``pwr::pwr.r.test(n = NULL)``.

Pinned in ``tests/reference/sample_size.R``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from b12cohort.core.arguments import check_alternative, check_between, check_confidence
from b12cohort.core.results import Result
from b12cohort.stats._rports import r_zeroin
from b12cohort.stats.power import _pwr_r_power

__all__ = ["CorrelationSampleSize", "sample_size_correlation"]

#: pwr.r.test searches n in (4 + 1e-10, 1e9) with uniroot's default tolerance.
_N_RANGE = (4 + 1e-10, 1e9)


@dataclass(frozen=True)
class CorrelationSampleSize(Result):
    """Result of :func:`sample_size_correlation` (see there for every field)."""

    test: str
    method: str
    method_detail: str
    rho: float
    power: float
    confidence: float
    alternative: str
    n_exact: float
    n: int
    power_achieved: float
    note: str


def sample_size_correlation(
    *, rho: float, power: float = 0.8, confidence: float = 0.95, alternative: str = "two-sided"
) -> CorrelationSampleSize:
    """Subjects needed to detect a true correlation ``rho`` with the given power.

    Parameters
    ----------
    rho : float
        The correlation to detect, in (-1, 1), not 0. For ``alternative="less"`` a
        negative value is the detectable direction.
    power : float
        Target power, in (0, 1).
    confidence : float
        One minus the significance level (``sig.level = 1 - confidence``).
    alternative : {"two-sided", "less", "greater"}

    Returns
    -------
    CorrelationSampleSize
        ``n_exact`` (R's ``pwr.r.test(...)$n``: the root, not an integer, where uniroot
        stops), ``n`` (its ceiling, the subjects to recruit), ``power_achieved`` (power
        with ``n`` subjects), ``rho``, ``power``, ``confidence``, ``alternative``,
        ``test``, ``method`` (``"asymptotic"``: Fisher's z approximation), ``method_detail``
        and ``note``.

    Raises
    ------
    ArgumentError
        ``rho`` outside (-1, 1) or 0; ``power`` or ``confidence`` outside (0, 1).

    Notes
    -----
    Solves ``power(n) = power`` for the power function of R ``pwr::pwr.r.test`` (pwr
    1.3-0: the critical correlation from the t distribution with ``n - 2`` df and the
    bias-corrected Fisher z ``atanh(r) + r / (2(n - 1))``) with R's root finder (ported,
    same interval and tolerance), so that ``n_exact`` equals R's to rounding.

    References
    ----------
    Cohen J. Statistical Power Analysis for the Behavioral Sciences. 2nd ed. Erlbaum; 1988.

    Examples
    --------
    >>> res = sample_size_correlation(rho=0.5, power=0.8)
    >>> res.n, round(res.n_exact, 3)
    (29, 28.248)
    """
    fn = "sample_size_correlation"
    rho = check_between(rho, -1.0, 1.0, name="rho", function=fn, example="0.3")
    if rho == 0:
        check_between(rho, 0.0, 1.0, name="rho (non-zero)", function=fn, example="0.3")
    power = check_between(power, 0.0, 1.0, name="power", function=fn, example="0.8")
    confidence = check_confidence(confidence, function=fn)
    alternative = check_alternative(alternative, function=fn)
    alpha = 1 - confidence
    n_exact = r_zeroin(lambda n: _pwr_r_power(rho, n, alpha, alternative) - power, *_N_RANGE)
    n = max(4, math.ceil(n_exact - 1e-9))
    return CorrelationSampleSize(
        test="test of zero correlation (power by Fisher's z, pwr.r.test)",
        method="asymptotic",
        method_detail="pwr::pwr.r.test solved for n with R's uniroot",
        rho=rho,
        power=power,
        confidence=confidence,
        alternative=alternative,
        n_exact=float(n_exact),
        n=int(n),
        power_achieved=_pwr_r_power(rho, n, alpha, alternative),
        note="",
    )
