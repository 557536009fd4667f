"""The notebooks as a student meets them: run by hand, they write nothing into notebooks/,
print no file paths and no PosixPath, show what they compute (readings in full, forest
plots inline) and state no number the data did not give.
"""

from __future__ import annotations

import ast
import re
import shutil
import warnings
from pathlib import Path

import pytest
from conftest import ROOT

from b12cohort import report as rpt

NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.py"))


def test_start_notebook_writes_to_a_temporary_folder_and_formats_warnings_without_paths():
    saved = warnings.formatwarning
    try:
        out = rpt.start_notebook(None)
        assert isinstance(out, str) and Path(out).is_dir()
        assert Path(out).resolve() != (ROOT / "notebooks").resolve()
        assert rpt.start_notebook(".") == "."
        line = warnings.formatwarning("msg", UserWarning, "/home/student/x.py", 3)
        assert line == "UserWarning: msg\n"
        Path(out).rmdir()
    finally:
        warnings.formatwarning = saved


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_starts_with_start_notebook_and_ends_without_a_value(path, tmp_path):
    source = path.read_text(encoding="utf-8")
    assert re.search(r"^OUT = None\b", source, flags=re.M), "OUT must default to None"
    assert "OUT = rpt.start_notebook(OUT)" in source
    last_cell = ast.parse(source.rsplit("# %%", 1)[1])
    last = last_cell.body[-1]  # the statement whose value Jupyter would show
    assert isinstance(last, ast.Expr) and ast.unparse(last.value.func) == "rpt.write_summary"
    assert rpt.write_summary("00", {"a": 1}, tmp_path) is None  # the cell shows nothing


def test_notebook_texts_do_not_state_what_the_data_must_give():
    nb02 = (ROOT / "notebooks" / "02_descriptive.py").read_text(encoding="utf-8")
    assert "sits between" not in nb02
    assert "mid_p_between" in nb02  # computed per row instead
    nb04 = (ROOT / "notebooks" / "04_course_and_case.py").read_text(encoding="utf-8")
    assert "6 of 19" not in nb04
    assert "incidence['n']" in nb04
    nb03 = (ROOT / "notebooks" / "03_association.py").read_text(encoding="utf-8")
    assert "rpt.show_readings(assoc)" in nb03  # every reading in full
    nb05 = (ROOT / "notebooks" / "05_literature.py").read_text(encoding="utf-8")
    assert "rpt.show_figures(forest_plots)" in nb05  # forest plots shown inline


def test_gitignore_keeps_notebook_outputs_out_of_git():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    for folder in ("notebooks/figures/", "notebooks/tables/", "notebooks/_site/"):
        assert folder in ignored


@pytest.mark.slow
def test_a_notebook_run_by_hand_writes_nothing_beside_it(tmp_path):
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    here = tmp_path / "notebooks"
    here.mkdir()
    shutil.copy(ROOT / "notebooks" / "04_course_and_case.py", here)
    nb = jupytext.read(here / "04_course_and_case.py")
    nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(here)}}
    ).execute()
    assert sorted(p.name for p in here.iterdir()) == ["04_course_and_case.py"]
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            texts.append(output.get("text", "") + str(output.get("data", {}).get("text/plain", "")))
    joined = "\n".join(texts)
    assert "PosixPath" not in joined
    assert not re.search(r"\.py:\d+:", joined)  # no warning with a file path
    assert nb.cells[-1].get("outputs", []) == []
    assert re.search(r"Involuntary movements on treatment: \d+ of \d+ infants", joined)


@pytest.mark.slow
def test_show_readings_and_figures_show_everything(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    long = "x" * 300
    shown = rpt.show_readings(pd.DataFrame({"analysis": ["primary"], "reading": [long]}))
    assert long in shown._repr_markdown_()
    saved = []
    for name in ("a", "b"):
        fig, ax = plt.subplots()
        ax.plot([0, 1])
        saved.append(rpt.save_figure(fig, name, tmp_path))
    page = rpt.show_figures(saved)._repr_html_()
    assert page.count('<img src="data:image/png;base64,') == 2


def test_a_saved_figure_shows_its_alt_text_in_the_notebook(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import b12cohort
    from b12cohort.figures import plot_prevalence

    saved = rpt.save_figure(plot_prevalence(b12cohort.load_example()), "prevalence", tmp_path)
    png, metadata = saved._repr_png_()
    assert png.startswith(b"\x89PNG")
    assert metadata["alt"].startswith("Dot-and-interval plot") and "19/19" in metadata["alt"]
    assert 'alt="Dot-and-interval plot' in rpt.show_figures([saved])._repr_html_()
