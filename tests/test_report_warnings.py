"""The landing page's "Data warnings" section, and the key-file guard of build_report."""

import json
from pathlib import Path

import pytest
from markupsafe import escape

from b12cohort import load_cohort, load_metadata
from b12cohort.core.errors import ArgumentError
from b12cohort.report import build_report

EXPORTS = Path(__file__).parent / "data" / "exports"
NONE_APPLIED = "No cleaning rule that can change a conclusion applied to these data."


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::b12cohort.B12CohortWarning")
def test_a_report_from_an_export_lists_every_data_warning(tmp_path):
    data = EXPORTS / "ru_title_totals_cp1251.csv"
    columns = EXPORTS / "ru_title_totals.columns.json"
    expected = json.loads((EXPORTS / "ru_title_totals_cp1251.csv.expected.json").read_text())
    warnings = load_metadata(load_cohort(data, columns=columns)).warnings
    assert len(warnings) >= len(expected["warnings"])
    result = build_report(data, out=tmp_path / "report", columns=columns, invalid_rows="exclude")
    page = (result.out / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="data-warnings"') :]
    positions = [section.index(f"<li>{escape(w)}</li>") for w in warnings]
    assert positions == sorted(positions)  # every sentence, escaped, in order
    for fragment in expected["warnings"]:
        assert fragment.replace("'", "&#39;") in section
    assert NONE_APPLIED not in page
    assert '<a href="cleaning_log.csv">' in section


@pytest.mark.parametrize("inside", ["report/key.csv", "report"])
def test_build_report_refuses_a_key_file_inside_the_report_folder(tmp_path, inside):
    with pytest.raises(ArgumentError, match="inside the report folder"):
        build_report(out=tmp_path / "report", pseudonymise=tmp_path / inside)
    assert not (tmp_path / "report").exists()
