"""Constants shared by every layer: defined once, imported where used.

``DEFAULT_SEED`` is the package's one default for every ``random_state=`` (Monte Carlo
p-values, permutation tests, bootstrap intervals, simulation): results with randomness are
reproducible by default, and a caller who wants another stream passes ``random_state``.
"""

from __future__ import annotations

__all__ = ["DEFAULT_SEED"]

#: Default ``random_state`` of every function that draws random numbers (the date the
#: paper's series was published, 2022-08-01).
DEFAULT_SEED = 20220801
