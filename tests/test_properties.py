"""Property tests (Hypothesis) for the loader, validator and cleaner.

* a generated valid cohort, written in any supported dialect, always validates and reads
  back to the values it was generated from;
* a single corrupted cell is reported at exactly its row and column;
* unit conversions round-trip;
* fuzzing: whatever the bytes (or the cells of an Excel workbook), the loader returns a
  valid frame or raises CohortValidationError; nothing else escapes.
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLE_CSV
from hypothesis import assume, given
from hypothesis import strategies as st

from b12cohort import CohortValidationError, load_cohort, load_schema

SCHEMA = load_schema()
TRUE = ["yes", "Yes", "y", "true", "1", "+", "да", "Да"]
FALSE = ["no", "No", "n", "false", "0", "\u2212", "нет", "НЕТ"]
SIGNS = [
    "hypotonia",
    "adynamia",
    "developmental_delay",
    "hyporeflexia",
    "involuntary_movements_on_treatment",
]


def _number(field):
    f = SCHEMA.field(field)
    return st.floats(min_value=f.minimum, max_value=f.maximum, allow_nan=False).map(
        lambda v: round(v, 2)
    )


@st.composite
def cohorts(draw, min_rows=1, max_rows=25):
    n = draw(st.integers(min_rows, max_rows))
    rows = []
    for i in range(n):
        rows.append(
            {
                "patient_id": f"P{i:03d}",
                "sex": draw(st.sampled_from(["M", "F", "m", "f", "муж", "жен", "male", "girl"])),
                "age_months": draw(_number("age_months")),
                "hb_g_l": draw(_number("hb_g_l")),
                "b12_pg_ml": draw(_number("b12_pg_ml")),
                **{
                    s: draw(st.one_of(st.sampled_from(TRUE), st.sampled_from(FALSE), st.just("")))
                    for s in SIGNS
                },
            }
        )
    return pd.DataFrame(rows)


def _write(frame: pd.DataFrame, tmp_path, dialect: str):
    out = frame.copy()
    sep, decimal, encoding = {
        "comma": (",", ".", "utf-8"),
        "semicolon": (";", ",", "cp1251"),
        "tab": ("\t", ".", "utf-8-sig"),
    }[dialect]
    if dialect == "semicolon":
        out = out.map(
            lambda v: v.replace("\u2212", "-") if isinstance(v, str) else v
        )  # cp1251 has no minus sign
        out = out.replace({"-": "нет"})
    path = tmp_path / f"c_{dialect}.csv"
    out.to_csv(path, sep=sep, decimal=decimal, index=False, encoding=encoding)
    return path, out


def _expected_bool(v):
    if v in TRUE:
        return True
    if v in FALSE or v in ("-",):
        return False
    return None


@given(cohorts(), st.sampled_from(["comma", "semicolon", "tab"]))
@pytest.mark.slow
def test_generated_valid_cohorts_validate_and_read_back(tmp_path_factory, frame, dialect):
    path, written = _write(frame, tmp_path_factory.mktemp("p"), dialect)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cohort = load_cohort(path)
    assert len(cohort) == len(frame)
    np.testing.assert_allclose(cohort["hb_g_l"], frame["hb_g_l"], rtol=1e-12)
    np.testing.assert_allclose(cohort["age_months"], frame["age_months"], rtol=1e-12)
    for s in SIGNS:
        expected = [_expected_bool(v) for v in written[s]]
        got = [None if v is pd.NA else bool(v) for v in cohort[s]]
        assert got == expected, s


CORRUPTIONS = {
    "hb_g_l": ["1500", "-5", "abc", "1e309", "NaN"],
    "age_months": ["61", "-1", "x"],
    "b12_pg_ml": ["2001", "?"],
    "hypotonia": ["maybe", "2"],
    "sex": ["X"],
}


@given(cohorts(min_rows=2), st.data())
@pytest.mark.slow
def test_a_single_corrupted_cell_is_reported_at_its_row_and_column(frame, data):
    column = data.draw(st.sampled_from(sorted(CORRUPTIONS)))
    value = data.draw(st.sampled_from(CORRUPTIONS[column]))
    row = data.draw(st.integers(0, len(frame) - 1))
    bad = frame.astype(str)
    bad.loc[row, column] = value
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            load_cohort(bad)
    except CohortValidationError as exc:
        f = exc.failures
        assert f[["row", "column"]].drop_duplicates().values.tolist() == [[row + 1, column]]
        assert value in f["message"].iloc[0] or value == "1e309"
    else:
        raise AssertionError(f"{column} = {value!r} at row {row + 1} was not reported")


@given(st.floats(min_value=1e-3, max_value=1e4, allow_nan=False))
def test_unit_conversions_round_trip(value):
    for alt_name, (_field, alt) in SCHEMA.alternative_columns.items():
        back = alt.from_canonical(alt.to_canonical(value))
        assert np.isclose(back, value, rtol=1e-13, atol=0), alt_name


EXAMPLE_BYTES = EXAMPLE_CSV.read_bytes()


@given(
    st.lists(
        st.tuples(
            st.integers(0, len(EXAMPLE_BYTES) - 1),
            st.integers(0, 255),
            st.sampled_from(["flip", "insert", "delete"]),
        ),
        min_size=1,
        max_size=8,
    )
)
@pytest.mark.slow
def test_fuzz_random_byte_corruptions(tmp_path_factory, edits):
    data = bytearray(EXAMPLE_BYTES)
    for pos, byte, op in edits:
        pos = min(pos, len(data) - 1)
        if op == "flip":
            data[pos] = byte
        elif op == "insert":
            data.insert(pos, byte)
        elif len(data) > 1:
            del data[pos]
    path = tmp_path_factory.mktemp("fuzz") / "f.csv"
    path.write_bytes(bytes(data))
    _only_frame_or_validation_error(path)
    assert path.read_bytes() == bytes(data)  # never changed


@given(
    st.lists(
        st.lists(
            st.one_of(st.text(max_size=6), st.floats(), st.integers(), st.booleans(), st.none()),
            min_size=10,
            max_size=10,
        ),
        min_size=1,
        max_size=8,
    )
)
@pytest.mark.slow
def test_fuzz_random_cells(rows):
    columns = ["patient_id", "sex", "age_months", "hb_g_l", "b12_pg_ml", *SIGNS]
    frame = pd.DataFrame(rows, columns=columns)
    assume(len(frame))
    _only_frame_or_validation_error(frame)


def _only_frame_or_validation_error(source):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cohort = load_cohort(source)
    except CohortValidationError as exc:
        assert len(exc.failures) >= 1
        return
    assert isinstance(cohort, pd.DataFrame)
    assert set(SCHEMA.required_columns) <= set(cohort.columns)
    assert cohort["patient_id"].is_unique and cohort["patient_id"].notna().all()
    assert cohort["hb_g_l"].between(20, 200).all()


# -- Excel: random cell corruptions written with openpyxl ------------------------------------
EXAMPLE_ROWS = pd.read_csv(EXAMPLE_CSV, skiprows=7, dtype=str, keep_default_na=False)
_cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.sampled_from(["=1+1", "=A1", "#N/A", "#DIV/0!", " 97 ", "1 250", "12,5", "да", "-", "NA"]),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    st.times(),
    st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=3000)),
)


@given(
    st.lists(
        st.tuples(
            st.integers(0, len(EXAMPLE_ROWS)),  # sheet row 1 is the header
            st.integers(0, EXAMPLE_ROWS.shape[1]),  # one column beyond the table
            _cell_values,
            st.sampled_from([None, "General", "DD.MM.YYYY", "h:mm", "0.00%", "@"]),
        ),
        min_size=1,
        max_size=6,
    )
)
@pytest.mark.slow
def test_fuzz_excel_cell_corruptions(tmp_path_factory, edits):
    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(EXAMPLE_ROWS.columns))
    for row in EXAMPLE_ROWS.itertuples(index=False):
        ws.append([_excel_cell(v) for v in row])
    for r, c, value, number_format in edits:
        cell = ws.cell(row=r + 1, column=c + 1)
        if isinstance(value, str) and value.startswith("="):
            cell.value = value  # a formula
        else:
            try:
                cell.value = value
            except (ValueError, TypeError, IllegalCharacterError):  # openpyxl refuses it
                assume(False)
        if number_format:
            cell.number_format = number_format
    path = tmp_path_factory.mktemp("xlsx") / "f.xlsx"
    try:
        wb.save(path)
    except (ValueError, TypeError, OverflowError):
        assume(False)
    before = path.read_bytes()
    _only_frame_or_validation_error(path)
    assert path.read_bytes() == before


def _excel_cell(text: str):
    """A CSV cell as a spreadsheet would hold it: numbers as numbers, empty as empty."""
    if text == "":
        return None
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return text
