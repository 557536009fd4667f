"""One base for every result: what ran, the numbers, and how they display.

Every result class of b12cohort is a frozen dataclass that derives from :class:`Result`.
The base derives everything that used to be written by hand in each class:

* :attr:`Result.summary` — a one-row tidy DataFrame of the scalar fields (tables,
  mappings and arrays stay on the object), in field order;
* :meth:`Result.to_dict` — every field as plain Python (DataFrames as lists of records),
  for JSON;
* ``_repr_html_`` — the summary as an HTML table, so a result displays as a table in
  Jupyter.

Every result carries ``test`` (the name of the test or estimator, e.g. ``"Fisher's exact
test"``) and ``method`` (one fixed token of :data:`METHOD_TOKENS`: how the p-value or
estimate was computed). Prose about what ran — an automatic switch, a continuity
correction, dropped empty levels — goes in ``method_detail`` or ``note``, never in
``method``, so that callers compare ``result.method == "exact"`` instead of parsing text.
"""

from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from b12cohort.core._exportable import Exportable

__all__ = ["METHOD_TOKENS", "Result"]

#: The tokens ``method`` may take, across the package.
METHOD_TOKENS = (
    "exact",  # exact (conditional) distribution, enumerated or computed in closed form
    "asymptotic",  # large-sample normal / chi-squared / t approximation
    "monte-carlo",  # simulated from the exact conditional distribution, seeded
    "permutation",  # resampled permutation distribution, seeded
    "bootstrap",  # bootstrap resampling, seeded
    "maximum-likelihood",  # ordinary maximum likelihood (Wald or profile inference)
    "penalised-likelihood",  # Firth's penalised likelihood
    "random-effects",  # random-effects meta-analysis
    "kaplan-meier",  # product-limit estimator
    "descriptive",  # counts, proportions and quantiles, no test
    "not-tested",  # nothing could be tested (the reason is in ``note``)
)

_SCALARS = (str, bool, int, float, np.integer, np.floating, np.bool_, type(None))


def _plain(value: Any) -> Any:
    """A field value as plain, JSON-ready Python."""
    if isinstance(value, pd.DataFrame):
        return [{k: _plain(v) for k, v in row.items()} for row in value.to_dict("records")]
    if isinstance(value, pd.Series):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Result):
        return value.to_dict()
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else value
    if value is pd.NA or value is pd.NaT:
        return None
    return value


@dataclasses.dataclass(frozen=True)
class Result(Exportable):
    """Base class of every b12cohort result (a frozen dataclass).

    ``to_docx(path)`` and ``to_xlsx(path)`` write :attr:`summary` as a table, its caption
    the result's ``test`` (see :class:`~b12cohort.core._exportable.Exportable`).

    Subclasses declare their fields, among them ``test`` and ``method``; they may set
    :attr:`summary_fields` to choose and order the summary's columns (default: every
    scalar field in declaration order) and override :meth:`_summary_extra` to add
    derived columns (for example the size of a table).
    """

    #: Names of the fields shown in :attr:`summary`, in order (None: every scalar field).
    summary_fields: ClassVar[tuple[str, ...] | None] = None

    def _scalar_fields(self) -> list[str]:
        return [
            f.name
            for f in dataclasses.fields(self)
            if f.repr and isinstance(getattr(self, f.name), _SCALARS)
        ]

    def _summary_extra(self) -> dict[str, Any]:
        """Derived columns of the summary (name -> value); none by default."""
        return {}

    @property
    def summary(self) -> pd.DataFrame:
        """One-row tidy DataFrame of the result's scalar fields (and derived columns)."""
        names = list(self.summary_fields) if self.summary_fields is not None else None
        extra = self._summary_extra()
        if names is None:
            names = self._scalar_fields() + [k for k in extra if k not in self._scalar_fields()]
        row = {n: extra[n] if n in extra else getattr(self, n) for n in names}
        return pd.DataFrame({k: [v] for k, v in row.items()})

    def to_dict(self) -> dict[str, Any]:
        """Every field as plain Python (tables as lists of records), ready for JSON."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def _content(self):
        """For ``to_docx``/``to_xlsx``: the summary, captioned with the test."""
        from b12cohort.core._export import frame_content

        return frame_content(self.summary, title=str(getattr(self, "test", "") or ""))

    def _repr_html_(self) -> str:
        title = html.escape(f"{type(self).__name__}: {getattr(self, 'test', '')}".rstrip(": "))
        table = self.summary.T.rename(columns={0: "value"}).to_html(
            escape=True, na_rep="NaN", float_format=lambda v: f"{v:.6g}"
        )
        return f"<div><strong>{title}</strong>{table}</div>"
