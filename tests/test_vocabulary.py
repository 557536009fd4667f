"""The README's "One vocabulary" table against ``inspect.signature`` of every public function.

Every callable exported by ``b12cohort`` takes its data first (or nothing) and every other
argument by keyword; the names of the table are spelled one way; old spellings are gone;
every ``random_state`` defaults to the package seed. The lazy export map and the
``TYPE_CHECKING`` imports of ``b12cohort/__init__.py`` name the same objects.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

import b12cohort
from b12cohort.core.constants import DEFAULT_SEED

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")

#: Spellings replaced in 0.2.0 (CHANGELOG.md); none may come back.
RETIRED = {"alpha", "exact", "exact_trend", "conf_type", "max_tables", "max_states", "seed"}
#: Values of p_method across the package.
P_METHODS = {"auto", "exact", "asymptotic", "monte-carlo", "permutation"}


def _vocabulary() -> dict[str, str]:
    """Argument name -> the row of the README table."""
    section = README[README.index("### One vocabulary") :]
    section = section[: section.index("\n#", 1)] if "\n#" in section[1:] else section
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\| `(\w+)` \|", line)
        if match:
            rows[match.group(1)] = line
    return rows


VOCABULARY = _vocabulary()


def _public_functions() -> dict[str, object]:
    out = {}
    for name in b12cohort.__all__:
        obj = getattr(b12cohort, name)
        if inspect.isfunction(obj):
            out[name] = obj
    return out


FUNCTIONS = _public_functions()


def test_the_table_has_the_vocabulary_of_the_house_style():
    assert {
        "p_method", "ci_method", "method", "confidence", "alternative", "p_adjust",
        "random_state", "max_work", "n_resamples",
    } <= set(VOCABULARY)  # fmt: skip


def test_every_public_function_of_every_layer_is_exported():
    expected = {
        "fisher_exact_table", "power_correlation", "published_facts", "binomial_ci",
        "write_export", "clopper_pearson", "simulate_cohort", "plot_forest", "sniff",
    }  # fmt: skip
    assert expected <= set(FUNCTIONS)
    for name in ("ExactTestInfeasibleError", "ArgumentError", "CohortValidationError"):
        assert issubclass(getattr(b12cohort, name), b12cohort.B12CohortError)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_data_first_everything_else_by_keyword(name):
    params = list(inspect.signature(FUNCTIONS[name]).parameters.values())
    positional = [
        p
        for p in params
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
    ]
    assert len(positional) <= 1, f"{name}: only the data may be positional, not {positional}"
    for p in params[len(positional) :]:
        assert p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD), (name, p)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_names_and_defaults_follow_the_table(name):
    params = inspect.signature(FUNCTIONS[name]).parameters
    retired = RETIRED & set(params)
    assert not retired, f"{name}() still spells {sorted(retired)} (see CHANGELOG.md)"
    if "random_state" in params:
        assert params["random_state"].default == DEFAULT_SEED, name
    if "p_method" in params:
        assert params["p_method"].default == "auto", name  # issue 11: one default, trend_test too
    if "confidence" in params:
        assert params["confidence"].default == 0.95, name
    if "alternative" in params:
        assert params["alternative"].default == "two-sided", name
    if "p_adjust" in params:
        assert params["p_adjust"].default == "holm", name


def test_every_name_of_the_table_is_used_by_some_signature():
    used = set()
    for func in FUNCTIONS.values():
        used |= set(inspect.signature(func).parameters)
    assert set(VOCABULARY) <= used, set(VOCABULARY) - used


def test_the_table_states_the_defaults_of_the_signatures():
    assert str(DEFAULT_SEED) in VOCABULARY["random_state"]
    assert '`"holm"`' in VOCABULARY["p_adjust"]
    assert "`0.95`" in VOCABULARY["confidence"]
    for token in P_METHODS:
        assert f'`"{token}"`' in VOCABULARY["p_method"]


def _type_checking_imports() -> dict[str, str]:
    tree = ast.parse((ROOT / "b12cohort" / "__init__.py").read_text(encoding="utf-8"))
    out = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom):
                    for alias in stmt.names:
                        out[alias.asname or alias.name] = stmt.module
    return out


def test_type_checking_block_agrees_with_the_lazy_map():
    assert _type_checking_imports() == b12cohort._LAZY


def test_lazy_names_resolve_to_objects_defined_where_the_map_says():
    for name, module in b12cohort._LAZY.items():
        obj = getattr(b12cohort, name)
        assert getattr(obj, "__module__", module) == module, name
