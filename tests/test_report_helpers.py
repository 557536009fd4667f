"""The notebook-facing report helpers and the package's exceptions (fast; no report build)."""

from __future__ import annotations

import importlib
import inspect
import io
import pickle
import pkgutil
from importlib import resources

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

import b12cohort
from b12cohort.core import errors
from b12cohort.figures import save_figure as figures_save_figure
from b12cohort.report import save_figure


def _figure():
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [1, 0])
    return fig, ax


def test_the_report_saver_is_the_figure_saver_in_a_folder(tmp_path):
    fig, ax = _figure()
    saved = save_figure(ax, "line", tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in saved.paths] == [
        "figures/line.png",
        "figures/line.svg",
        "figures/line.pdf",
    ]
    assert not plt.fignum_exists(fig.number)  # closed
    assert saved._repr_png_() == (tmp_path / "figures" / "line.png").read_bytes()  # no alt text
    fig2, _ = _figure()
    same = figures_save_figure(fig2, tmp_path / "again", formats=["png", "svg", "pdf"], dpi=300)
    for a, b in zip(saved.paths, same, strict=True):  # same bytes: one saver, fixed metadata
        assert a.read_bytes() == b.read_bytes()
    assert plt.fignum_exists(fig2.number)  # the library saver leaves it open by default
    svg = (tmp_path / "figures" / "line.svg").read_text("utf-8")
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    plt.close(fig2)


def _package_exception_classes():
    found = {}
    for info in pkgutil.walk_packages(b12cohort.__path__, "b12cohort."):
        if info.name.startswith("b12cohort.__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseException | Warning)
                and obj.__module__ == info.name
                and not name.startswith("_")
            ):
                found[f"{info.name}.{name}"] = obj
    return found


# private control-flow signals of numerical engines that never leave their module
_ENGINE_SIGNALS = {
    "b12cohort.reading._csvscan.Irregular",
    "b12cohort.stats._fexact_network.WorkLimitExceeded",
    "b12cohort.stats._kruskal_exact.WorkLimitExceeded",
}


def test_every_public_exception_lives_in_core_errors_and_is_exported():
    classes = _package_exception_classes()
    outside = sorted(set(classes) - _ENGINE_SIGNALS)
    assert all(k.startswith("b12cohort.core.errors.") for k in outside), outside
    for qual, cls in classes.items():
        if qual in _ENGINE_SIGNALS:
            continue
        assert getattr(b12cohort, cls.__name__) is cls, qual
        assert cls.__name__ in b12cohort.__all__
        assert issubclass(cls, b12cohort.B12CohortError | b12cohort.B12CohortWarning), qual


def test_notebook_failed_and_report_error_are_package_errors():
    exc = errors.NotebookFailed("03_association", "ValueError", "bad", "tb")
    assert isinstance(exc, b12cohort.B12CohortError)
    assert issubclass(b12cohort.ReportError, b12cohort.B12CohortError)
    back = pickle.loads(pickle.dumps(exc))
    assert (back.name, back.ename, back.evalue, back.traceback) == (
        "03_association",
        "ValueError",
        "bad",
        "tb",
    )


def test_a_flow_that_does_not_add_up_raises_the_package_error():
    cohort = b12cohort.load_example()
    half = cohort.iloc[:10]  # metadata still say 19 rows were assessed
    with pytest.raises(b12cohort.B12CohortError, match="does not add up.*19 rows"):
        b12cohort.participant_flow(half)


def test_eligibility_defaults_are_the_published_criteria():
    from b12cohort.core.constants import ELIGIBLE_AGE_MONTHS, ELIGIBLE_B12_BELOW_PG_ML

    facts_file = resources.files("b12cohort") / "resources" / "published_krasnoyarsk_2022.csv"
    facts = pd.read_csv(io.StringIO(facts_file.read_text("utf-8")))
    age = facts[facts["variable"] == "age_months"].iloc[0]
    b12 = facts[facts["variable"] == "b12_pg_ml"].iloc[0]
    assert (age["low"], age["high"]) == ELIGIBLE_AGE_MONTHS
    assert b12["high"] == ELIGIBLE_B12_BELOW_PG_ML
    for func in (b12cohort.apply_eligibility, b12cohort.participant_flow):
        params = inspect.signature(func).parameters
        assert params["age_months"].default is ELIGIBLE_AGE_MONTHS
        assert params["b12_below"].default is ELIGIBLE_B12_BELOW_PG_ML


def test_the_b12_conversion_comes_from_the_data_dictionary():
    alt = b12cohort.load_schema().alternative_columns["b12_pmol_l"][1]
    example = b12cohort.load_example()
    pd.testing.assert_series_equal(
        example["b12_pmol_l"], alt.from_canonical(example["b12_pg_ml"]), check_names=False
    )


def _manifest(**changes):
    base = {
        "source": {"git_commit": "a" * 40, "git_modified": False},
        "input": {"source": "mine.csv", "sha256": "1" * 64},
        "mapping": {"name": "map.json", "sha256": "2" * 64},
        "bundled_inputs": {"data/schema/cohort.schema.json": "3" * 64},
        "parameters": {"SCHEME": "who-2011"},
        "rows": {"assessed": 19},
        "platform": {"freetype": "2.14.3", "os": "Linux"},
        "versions": {"matplotlib": "3.11.2"},
        "outputs": {},
    }
    for key, value in changes.items():
        base[key] = value
    return base


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"input": {"source": "mine.csv", "sha256": "9" * 64}}, "the input differs: mine.csv"),
        ({"mapping": {"name": "other.json", "sha256": "2" * 64}}, "the mapping file differs"),
        (
            {"bundled_inputs": {"data/schema/cohort.schema.json": "0" * 64}},
            "bundled inputs differ: data/schema/cohort.schema.json",
        ),
        (
            {"parameters": {"SCHEME": "ru-clinical"}},
            "the parameters differ: SCHEME who-2011 → ru-clinical",
        ),
        (
            {"versions": {"matplotlib": "3.10.0"}},
            "these package versions differ: matplotlib 3.11.2 → 3.10.0",
        ),
        (
            {"platform": {"freetype": "2.6.1", "os": "Linux"}},
            "the platform differs: freetype 2.14.3 → 2.6.1",
        ),
        ({"rows": {"assessed": 18}}, "the row accounting differs"),
        ({"source": {"git_commit": "b" * 40}}, "built from " + "a" * 40),
    ],
)
def test_manifest_causes_name_each_difference(change, expected):
    from b12cohort.report._check import manifest_causes

    assert manifest_causes(_manifest(), _manifest()) == []
    causes = manifest_causes(_manifest(), _manifest(**change))
    assert len(causes) == 1 and causes[0].startswith(expected), causes


def test_a_manifest_from_an_older_version_says_what_it_lacks():
    from b12cohort.report._check import manifest_causes

    old = {
        k: v for k, v in _manifest().items() if k not in {"bundled_inputs", "platform", "source"}
    }
    causes = manifest_causes(old, _manifest())
    assert causes == [
        "the report's MANIFEST does not record bundled_inputs, platform, source (it was built "
        "by an older b12cohort), so these cannot be compared"
    ]
