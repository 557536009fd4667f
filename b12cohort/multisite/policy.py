"""The disclosure policy a site applies before it releases a site summary.

What a site summary releases
----------------------------
No row, no identifier, no free text: only counts, the exact null distribution of each
statistic given the site's margins, the observed statistic, and Spearman's rho with its
n. But counts of infants with a given sign and grade *are* information about those
infants, and for small margins an exact null distribution plus the observed statistic
can reveal more than the margins alone:

* the null distribution of the trend statistic is a function of the grade margins (the
  infants per grade) and the number with the sign, so it releases those margins;
* with the observed statistic, the released pieces pin the table down to the tables with
  those margins and that statistic. For a 2x2 table (the Mantel–Haenszel pieces) the
  margins and the top-left count *are* the whole table. For the 2 x 4 grade table the
  statistic often leaves a single compatible table for small sites (then every cell is
  released); with larger margins several tables share the statistic and only what they
  have in common is revealed.

:class:`DisclosurePolicy` therefore checks every count that an item releases explicitly
*or implicitly* (the cells shared by all tables compatible with what is released,
found by enumeration) and withholds the item when one of them breaks the policy. It
cannot protect against what follows from the released counts together with outside
knowledge (e.g. a clinician who knows that the only severe case at the site had
seizures): a site that needs more should raise ``min_cell_count`` or not take part.

Defaults and their source
-------------------------
``min_infants = 3`` and ``min_cell_count = 3``: the defaults of DataSHIELD's disclosure
filters ``nfilter.subset`` (the minimum non-zero count of observations in a subset) and
``nfilter.tab`` (the minimum non-zero cell count of a returned table), as documented in
``dsBaseClient::ds.listDisclosureSettings`` and set by ``dsBase``'s standard disclosure
settings (DataSHIELD: Gaye A et al. Int J Epidemiol. 2014;43(6):1929-1944). As there,
zero counts are released. The same documentation calls 5 "the most common threshold rule
imposed by data releasers worldwide" and notes census providers moving to 10; a site
sets its own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from b12cohort.core.errors import ArgumentError

__all__ = ["DEFAULT_POLICY_SOURCE", "DisclosurePolicy", "trend_revealed_cells"]

DEFAULT_POLICY_SOURCE = (
    "DataSHIELD disclosure filter defaults nfilter.subset = 3 and nfilter.tab = 3 "
    "(dsBaseClient ds.listDisclosureSettings; Gaye et al. 2014, Int J Epidemiol "
    "43:1929-1944); zero counts allowed"
)


@dataclasses.dataclass(frozen=True)
class DisclosurePolicy:
    """What a site allows to leave it (see the module docstring for what is released).

    Parameters
    ----------
    min_infants : int
        Fewer analysed infants than this: nothing but the participant flow's stage totals
        is released.
    min_cell_count : int
        Every count an item releases (explicitly or implicitly) must be 0 or at least
        this; otherwise the item is withheld.
    """

    min_infants: int = 3
    min_cell_count: int = 3
    source: str = DEFAULT_POLICY_SOURCE

    def __post_init__(self):
        for name in ("min_infants", "min_cell_count"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 0:
                raise ArgumentError(
                    f"DisclosurePolicy(): `{name}` must be a whole number >= 0; got {v!r}."
                )

    def small(self, counts: Sequence[int]) -> list[int]:
        """The counts that break the policy (non-zero and below ``min_cell_count``)."""
        return [int(c) for c in counts if 0 < int(c) < self.min_cell_count]

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def trend_revealed_cells(n_i: Sequence[int], events: int, k: Sequence[int], t: int):
    """The cells of the 2 x L table that the trend pieces reveal.

    Returns ``(n_compatible, revealed)``: how many tables (events per level ``x_i``) have
    the released margins and statistic ``Σ x_i k_i = t``, and the list of counts (``x_i``
    and ``n_i − x_i``) that are the same in all of them.
    """
    keep = [i for i, v in enumerate(n_i) if int(v) > 0]  # empty levels reveal only zeros
    n_i = [int(n_i[i]) for i in keep]
    k = [int(k[i]) for i in keep]
    tables: list[tuple[int, ...]] = []

    def walk(i, left, t_left, acc):
        if i == len(n_i) - 1:
            if left <= n_i[i] and left * k[i] == t_left:
                tables.append((*acc, left))
            return
        if i == len(n_i) - 2 and k[i] != k[i + 1]:  # the last two solve two equations
            x, r = divmod(t_left - k[i + 1] * left, k[i] - k[i + 1])
            if r == 0 and 0 <= x <= n_i[i] and 0 <= left - x <= n_i[i + 1]:
                tables.append((*acc, x, left - x))
            return
        rest = sum(n_i[i + 1 :])
        for x in range(max(0, left - rest), min(n_i[i], left) + 1):
            walk(i + 1, left - x, t_left - x * k[i], (*acc, x))

    walk(0, int(events), int(t), ())
    if not tables:
        return 0, []
    arr = np.array(tables)
    fixed = np.all(arr == arr[0], axis=0)
    revealed = []
    for i in np.flatnonzero(fixed):
        revealed += [int(arr[0, i]), n_i[i] - int(arr[0, i])]
    return len(tables), revealed
