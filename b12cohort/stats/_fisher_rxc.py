"""The R×C Fisher–Freeman–Halton p-value of :func:`~b12cohort.stats.contingency.fisher_exact_table`:
which engine runs, decided before any enumeration, and the words saying so (private).

:func:`rxc_pvalue` estimates the work of the exact test up front
(:func:`b12cohort.stats._fexact_plan.work_estimate`), then

* runs it when the estimate is within ``max_work`` (``method_detail``: "exact: estimated
  ... work units within max_work=...");
* otherwise, under ``p_method="auto"``, goes straight to Monte Carlo without enumerating
  (``method_detail`` says what the estimate was and how to force the exact test), and
  under ``p_method="exact"`` raises :class:`ExactTestInfeasibleError` at once;
* if an exact run meets its budget after all (the estimate is not a bound), falls back to
  Monte Carlo (``"auto"``) or raises (``"exact"``), and ``method_detail`` says that the
  estimate was wrong and how much work had been done.

Every switch is also in ``note`` and warned (:class:`ApproximationWarning`).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from b12cohort.core.errors import ApproximationWarning, ArgumentError, ExactTestInfeasibleError
from b12cohort.stats import _fexact, _fexact_plan

__all__ = ["rng_and_seed", "rxc_pvalue"]


def rng_and_seed(random_state: Any, function: str):
    """A numpy Generator and the seed to record (None for a Generator passed in)."""
    if isinstance(random_state, np.random.Generator):
        return random_state, None
    if random_state is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))
    elif isinstance(random_state, int | np.integer) and not isinstance(random_state, bool):
        seed = int(random_state)
        if seed < 0:
            raise ArgumentError(
                f"{function}(): `random_state` must be a non-negative integer seed, None or "
                f"a numpy Generator; got {random_state!r}."
            )
    else:
        raise ArgumentError(
            f"{function}(): `random_state` must be an integer seed, None or a numpy "
            f"Generator; got {random_state!r}."
        )
    return np.random.default_rng(seed), seed


def _monte_carlo(x, n_resamples, random_state, function):
    rng, seed = rng_and_seed(random_state, function)
    p, se = _fexact.monte_carlo_pvalue(x, n_resamples, rng)
    seed_text = f"seed {seed}" if seed is not None else "a Generator passed in"
    mc = {"n_resamples": n_resamples, "random_state": seed, "mc_standard_error": se}
    return p, mc, f"Monte Carlo ({n_resamples:,} resamples, {seed_text})"


def _switch(x, work, why, msg, n_resamples, random_state, function, notes) -> dict:
    """Monte Carlo instead of the exact test: noted, warned and said in ``method_detail``."""
    p, mc, what = _monte_carlo(x, n_resamples, random_state, function)
    notes.append(msg)
    warnings.warn(f"{function}(): {msg}.", ApproximationWarning, stacklevel=5)
    return {"p_value": p, "method": "monte-carlo", "work": work,
            "method_detail": f"{what}: {why}", **mc}  # fmt: skip


def rxc_pvalue(x, *, method, max_work, n_resamples, random_state, function, notes) -> dict:
    """p-value of an R×C table (at least 2×2, not 2×2 or 2×2 asked by Monte Carlo).

    ``method`` is ``"auto"``, ``"exact"`` or ``"monte-carlo"``; ``notes`` (a list) gets
    the switch messages. Returns the fields of :class:`FisherResult` it decides:
    ``p_value, method, method_detail, work, n_resamples, random_state, mc_standard_error``.
    """
    mc = {"n_resamples": None, "random_state": None, "mc_standard_error": None}
    shape = f"{x.shape[0]}×{x.shape[1]}"
    if method == "monte-carlo":
        p, mc, what = _monte_carlo(x, n_resamples, random_state, function)
        return {"p_value": p, "method": "monte-carlo", "work": None,
                "method_detail": f"{what}: p_method='monte-carlo' asked for", **mc}  # fmt: skip
    prepared = _fexact.prepare(x)
    estimate, bound = _fexact_plan.work_estimate(prepared[0])
    force = "raise max_work to run the exact test (p_method='exact' then refuses Monte Carlo)"
    if estimate > max_work:
        work = int(min(estimate, 2**62))
        if method == "exact":
            raise ExactTestInfeasibleError(
                f"{function}(): the exact test on this {shape} table (n = {int(x.sum())}) "
                f"needs about {estimate:.3g} work units (partial tables; estimated before "
                f"enumerating), more than max_work={max_work:,}. Raise max_work (slower, "
                "more memory) or use p_method='auto' / 'monte-carlo'."
            )
        why = (
            f"the exact enumeration was estimated at ~{estimate:.3g} work units "
            f"(partial tables), beyond max_work={max_work:,}; {force}"
        )
        msg = (
            f"exact enumeration estimated at about {estimate:.3g} work units ({work:,}), "
            f"more than max_work={max_work:,}; p-value estimated by Monte Carlo with "
            f"{n_resamples:,} simulated tables (no enumeration done)"
        )
        return _switch(x, work, why, msg, n_resamples, random_state, function, notes)
    try:
        p, work = _fexact.fexact_pvalue(x, max_work=max_work, prepared=prepared)
    except _fexact.WorkLimitExceeded as err:
        work = int(min(err.work + err.needed, 2**62))  # lower bound of the exact work
        if method == "exact":
            raise ExactTestInfeasibleError(
                f"{function}(): the exact test on this {shape} table (n = {int(x.sum())}) "
                f"needs at least {work:,} work units (partial tables), more than "
                f"max_work={max_work:,} (estimated at {estimate:.3g} beforehand). Raise "
                "max_work (slower, more memory) or use p_method='auto' / 'monte-carlo'."
            ) from None
        why = (
            f"the exact enumeration was estimated at ~{estimate:.3g} work units, "
            f"within max_work={max_work:,}, but met the budget after {err.work:,} units "
            f"(at least {work:,} needed), so it fell back to Monte Carlo; {force}"
        )
        msg = (
            f"exact enumeration would need at least {work:,} partial tables, more than "
            f"max_work={max_work:,} (the up-front estimate, {estimate:.3g}, was too low); "
            f"p-value estimated by Monte Carlo with {n_resamples:,} simulated tables"
        )
        return _switch(x, work, why, msg, n_resamples, random_state, function, notes)
    kind = f"at most {bound:,.0f}" if bound <= max_work else f"estimated at {estimate:,.0f}"
    detail = (
        f"exact: {kind} work units (partial tables) within max_work={max_work:,}; {work:,} used"
    )
    return {"p_value": p, "method": "exact", "work": int(work), "method_detail": detail, **mc}
