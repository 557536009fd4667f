"""load_cohort: formats, encodings, units, codes, failures, provenance and immutability."""

from __future__ import annotations

import io
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLE_CSV, sha256

import b12cohort
from b12cohort import (
    ArgumentError,
    CohortValidationError,
    DataQualityWarning,
    IdentifierWarning,
    cleaning_log,
    load_cohort,
    load_metadata,
)
from b12cohort.core.errors import FAILURE_COLUMNS

pytestmark = pytest.mark.filterwarnings("ignore::b12cohort.SchemeRangeWarning")


@pytest.fixture(scope="module")
def example():
    return b12cohort.load_example()


@pytest.fixture
def raw() -> pd.DataFrame:
    """The example file's cells as text, as a hospital export would hold them."""
    return pd.read_csv(EXAMPLE_CSV, skiprows=7, dtype=str, keep_default_na=False)


def write(tmp_path, frame: pd.DataFrame, name="cohort.csv", **kw):
    path = tmp_path / name
    frame.to_csv(path, index=False, **kw)
    return path


def failures_of(source, **kw) -> pd.DataFrame:
    with pytest.raises(CohortValidationError) as info:
        load_cohort(source, **kw)
    f = info.value.failures
    assert list(f.columns) == list(FAILURE_COLUMNS)
    return f


# -- the canonical frame ------------------------------------------------------------------
def test_example_canonical_dtypes_and_index(example):
    assert len(example) == 19
    assert example.index.name == "row" and example.index.tolist() == list(range(1, 20))
    assert str(example["patient_id"].dtype) == "string"
    assert isinstance(example["sex"].dtype, pd.CategoricalDtype) and list(
        example["sex"].cat.categories
    ) == ["F", "M"]
    for c in ("age_months", "hb_g_l", "b12_pg_ml", "mcv_fl", "b12_pmol_l"):
        assert example[c].dtype == "float64", c
    for c in ("admission_year", "im_onset_day", "im_resolution_day"):
        assert str(example[c].dtype) == "Int64", c
    for c in ("hypotonia", "adynamia", "brain_atrophy", "involuntary_movements_on_treatment"):
        assert str(example[c].dtype) == "boolean", c
    grade = example["anemia_grade"]
    assert grade.cat.ordered and list(grade.cat.categories) == [
        "none",
        "mild",
        "moderate",
        "severe",
    ]
    assert example["neuro_score"].dtype == "int64"


def test_example_published_counts(example):
    assert example["hypotonia"].sum() == 19
    assert example["adynamia"].sum() == 12
    assert example["developmental_delay"].sum() == 12
    assert example["hyporeflexia"].sum() == 8
    assert example["involuntary_movements_on_treatment"].sum() == 6
    assert example["age_months"].between(3, 24).all() and (example["b12_pg_ml"] < 83).all()
    assert (example["hb_g_l"] < 110).all()
    case = example[example["patient_id"] == "K07"].iloc[0]
    assert case["sex"] == "M" and case["age_months"] == 8
    assert case["developmental_regression"] and case["brain_atrophy"]
    im = example[example["involuntary_movements_on_treatment"].fillna(False)]
    assert im["im_onset_day"].between(3, 5).all() and im["im_resolution_day"].between(21, 42).all()


def test_derived_columns(example):
    signs = [
        "hypotonia",
        "adynamia",
        "developmental_delay",
        "developmental_regression",
        "hyporeflexia",
        "seizures",
    ]
    expected = example[signs].fillna(False).astype(int).sum(axis=1)
    assert (example["neuro_score"] == expected).all()
    assert (example["neuro_items_missing"] == 0).all()
    np.testing.assert_allclose(example["b12_pmol_l"], example["b12_pg_ml"] * 0.7378)
    assert (example["anemia_grade"] == b12cohort.grade_anemia(example["hb_g_l"])).all()


def test_metadata_and_log_travel_with_the_frame(example):
    meta = load_metadata(example)
    assert meta.n_rows == 19 and meta.encoding == "utf-8" and meta.delimiter == ","
    assert meta.source.startswith("b12cohort example data")
    assert meta.sha256 == sha256(EXAMPLE_CSV)
    assert meta.scheme == "who-2011"
    assert any("outside the age range" in n for n in meta.notes)
    log = cleaning_log(example)
    assert list(log.columns) == ["row", "column", "original", "new", "rule", "detail"]
    # the example is clean: only file-level notes, no changed cells
    assert log["row"].isna().all()
    # metadata survives ordinary pandas operations
    assert load_metadata(example[example["sex"] == "M"]) is meta


def test_load_metadata_refuses_a_plain_frame():
    with pytest.raises(ArgumentError, match="load_cohort"):
        load_metadata(pd.DataFrame({"a": [1]}))


# -- the messy export of the issue -----------------------------------------------------------
RU_MAP = {
    "Код": "patient_id",
    "Пол": "sex",
    "Возраст, мес": "age_months",
    "Hb, г/дл": "hb_g_dl",
    "B12, пмоль/л": "b12_pmol_l",
    "Гипотония": "hypotonia",
    "Адинамия": "adynamia",
    "ЗПМР": "developmental_delay",
    "Гипорефлексия": "hyporeflexia",
    "Гиперкинезы на лечении": "involuntary_movements_on_treatment",
}


def messy_export(raw: pd.DataFrame) -> pd.DataFrame:
    yesno = {"true": "да", "false": "нет"}
    return pd.DataFrame(
        {
            "ФИО": [f"Иванов Иван {i}" for i in range(len(raw))],
            "Код": raw["patient_id"],
            "Пол": raw["sex"].map({"M": "муж", "F": "Жен"}),
            "Возраст, мес": raw["age_months"],
            "Hb, г/дл": (raw["hb_g_l"].astype(float) / 10).map(
                lambda v: f"{v:.1f}".replace(".", ",")
            ),
            "B12, пмоль/л": (raw["b12_pg_ml"].astype(float) * 0.7378).map(
                lambda v: f"{v:.4f}".replace(".", ",")
            ),
            "Гипотония": raw["hypotonia"].map(yesno),
            "Адинамия": raw["adynamia"].map({"true": "Да", "false": "НЕТ"}),
            "ЗПМР": raw["developmental_delay"].map({"true": "+", "false": "-"}),
            "Гипорефлексия": raw["hyporeflexia"].map({"true": "1", "false": "0"}),
            "Гиперкинезы на лечении": raw["involuntary_movements_on_treatment"].map(yesno),
        }
    )


def test_cp1251_semicolon_decimal_comma_other_units(tmp_path, raw, example):
    path = write(tmp_path, messy_export(raw), sep=";", encoding="cp1251")
    (tmp_path / "map.json").write_text(json.dumps(RU_MAP, ensure_ascii=False), encoding="utf-8")
    before = sha256(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cohort = load_cohort(path, columns=tmp_path / "map.json", false_values=["-"])
    assert sha256(path) == before  # the raw input is never changed
    kinds = {type(w.message) for w in caught}
    assert IdentifierWarning in kinds
    ident = next(str(w.message) for w in caught if isinstance(w.message, IdentifierWarning))
    assert "ФИО" in ident and "Иванов" not in ident  # names the column, never a value
    assert "ФИО" not in cohort.columns
    meta = load_metadata(cohort)
    assert (meta.encoding, meta.delimiter, meta.decimal) == ("cp1251", ";", ",")
    np.testing.assert_allclose(cohort["hb_g_l"], example["hb_g_l"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(cohort["b12_pg_ml"], example["b12_pg_ml"], rtol=0, atol=1e-3)
    for c in (
        "hypotonia",
        "adynamia",
        "developmental_delay",
        "hyporeflexia",
        "involuntary_movements_on_treatment",
    ):
        assert cohort[c].tolist() == example[c].tolist(), c
    assert cohort["sex"].tolist() == example["sex"].tolist()
    # the laboratory's own pmol/L values are kept, not recomputed
    assert cohort["b12_pmol_l"].tolist() == [
        float(v.replace(",", ".")) for v in messy_export(raw)["B12, пмоль/л"]
    ]
    log = cleaning_log(cohort)
    rules = set(log["rule"])
    assert {"unit-conversion", "boolean-code", "code", "rename", "drop-column"} <= rules
    hb = log[(log["column"] == "Hb, г/дл") & (log["rule"] == "unit-conversion")]
    assert len(hb) == 19 and hb["row"].tolist() == list(range(1, 20))
    assert hb["original"].iloc[0] == "9.7" and hb["new"].iloc[0] == "97.0"


def test_minus_means_no_in_yes_no_columns_and_is_a_data_warning(tmp_path, raw):
    # issue 12: a sign written '-' is absent; reading it as missing gave 12/12 = 100%
    path = write(tmp_path, messy_export(raw), sep=";", encoding="cp1251")
    cohort = load_cohort(path, columns=RU_MAP)
    assert cohort["developmental_delay"].isna().sum() == 0
    assert int(cohort["developmental_delay"].sum()) == 12 and len(cohort) == 19
    warnings_ = load_metadata(cohort).warnings
    assert any("7 cell(s) written '-' were read as no" in w for w in warnings_)
    log = cleaning_log(cohort)
    minus = log[(log["rule"] == "boolean-code") & (log["original"] == "-")]
    assert len(minus) and set(minus["new"]) == {"False"}


@pytest.mark.parametrize(
    ("kw", "encoding"),
    [
        ({"sep": ","}, "utf-8"),
        ({"sep": ","}, "utf-8-sig"),
        ({"sep": ";"}, "utf-16"),
        ({"sep": "\t"}, "utf-8"),
        ({"sep": ",", "lineterminator": "\r\n"}, "utf-8"),
    ],
)
def test_encodings_delimiters_line_endings(tmp_path, raw, example, kw, encoding):
    path = write(tmp_path, raw, encoding=encoding, **kw)
    cohort = load_cohort(path)
    pd.testing.assert_frame_equal(cohort, example, check_exact=True)


def test_whitespace_blank_lines_trailing_delimiters(tmp_path, raw, example):
    text = raw.to_csv(index=False)
    lines = text.splitlines()
    header = ",".join(f"  {h} " for h in lines[0].split(","))
    body = [ln + "," for ln in lines[1:]]
    body.insert(3, "")  # a blank line
    body[5] = body[5].replace(",M,", ", M ,", 1).replace(",F,", ", F ,", 1)
    path = tmp_path / "ws.csv"
    path.write_text("\n".join([header + ",", *body]) + "\n", encoding="utf-8")
    cohort = load_cohort(path)
    pd.testing.assert_frame_equal(cohort, example)
    log = cleaning_log(cohort)
    assert "whitespace" in set(log["rule"])


def test_failures_report_file_lines_with_comments_blank_lines_and_quotes(tmp_path, raw):
    bad = raw.copy()
    bad.loc[4, "hb_g_l"] = "1500"  # data row 5
    text = bad.to_csv(index=False).splitlines()
    # a quoted cell spanning two lines in data row 2, and a blank line before row 4
    text[2] = text[2].replace("K02", '"K\n02"', 1)
    text.insert(4, "")
    path = tmp_path / "q.csv"
    path.write_text("# a comment\n# another\n" + "\n".join(text) + "\n", encoding="utf-8")
    f = failures_of(path)
    hb = f[f["column"] == "hb_g_l"].iloc[0]
    # header line 3; rows 1..3 on lines 4, 5-6, 7; blank line 8; row 4 line 9; row 5 line 10
    assert (hb["row"], hb["line"]) == (5, 10)
    assert hb["message"].startswith(
        "row 5 (line 10): hb_g_l = 1500 is above the plausible maximum 200 g/L"
    )


def test_a_dataframe_source_is_never_modified(raw, example):
    frame = raw.copy()
    snapshot = frame.copy(deep=True)
    cohort = load_cohort(frame)
    pd.testing.assert_frame_equal(frame, snapshot)
    pd.testing.assert_frame_equal(cohort, example, check_exact=True)
    assert load_metadata(cohort).source == "<DataFrame>"


def test_headers_match_case_and_spacing_insensitively(raw, example):
    frame = raw.rename(columns={"hb_g_l": "HB G L", "patient_id": "Patient-ID"})
    cohort = load_cohort(frame)
    assert cohort["hb_g_l"].tolist() == example["hb_g_l"].tolist()
    renames = cleaning_log(cohort).query("rule == 'rename'")
    assert set(renames["original"]) == {"HB G L", "Patient-ID"}


@pytest.mark.parametrize(
    ("column", "factor", "target"),
    [
        ("hb_g_dl", 10.0, "hb_g_l"),
        ("hb_mmol_l", 16.11, "hb_g_l"),
        ("b12_pmol_l", 1 / 0.7378, "b12_pg_ml"),
        ("folate_nmol_l", 1 / 2.266, "folate_ng_ml"),
    ],
)
def test_unit_conversions(raw, column, factor, target):
    frame = raw.copy()
    canonical = frame[target].replace("", np.nan).astype(float)
    frame[target] = (canonical / factor).map(lambda v: repr(v))
    frame = frame.rename(columns={target: column})
    cohort = load_cohort(frame)
    np.testing.assert_allclose(cohort[target], canonical, rtol=1e-12)


def test_two_units_for_one_measurement_is_an_error(raw):
    frame = raw.assign(hb_g_dl=(raw["hb_g_l"].astype(float) / 10).astype(str))
    f = failures_of(frame)
    assert f["rule"].tolist() == ["one-unit"] and "hb_g_dl" in f["message"].iloc[0]


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("yes", True),
        ("YES", True),
        ("y", True),
        ("True", True),
        ("1", True),
        ("+", True),
        ("да", True),
        ("Д", True),
        ("no", False),
        ("N", False),
        ("false", False),
        ("0", False),
        ("\u2212", False),
        ("нет", False),
        ("НЕТ", False),
        ("", None),
        ("NA", None),
        ("n/a", None),
        ("-", False),  # issue 12: a sign written '-' is absent
        ("\u2013", False),
        ("Evet", True),
        ("Hayır", False),
    ],
)
def test_boolean_spellings(raw, spelling, expected):
    frame = raw.copy()
    frame.loc[0, "hyporeflexia"] = spelling
    value = load_cohort(frame)["hyporeflexia"].iloc[0]
    assert (value is pd.NA) if expected is None else (value == expected)


def test_sex_codes_are_recoded_and_logged(raw):
    frame = raw.copy()
    frame.loc[0, "sex"] = "девочка"
    frame.loc[1, "sex"] = "Male"
    cohort = load_cohort(frame)
    assert cohort["sex"].iloc[:2].tolist() == ["F", "M"]
    log = cleaning_log(cohort).query("rule == 'code'")
    assert log[["row", "original", "new"]].values.tolist() == [
        [1, "девочка", "F"],
        [2, "Male", "M"],
    ]


# -- failures -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("column", "value", "rule", "fragment"),
    [
        ("hb_g_l", "1500", "maximum", "above the plausible maximum 200 g/L"),
        ("hb_g_l", "9.5", "minimum", "name it hb_g_dl (9.5 g/dL = 95 g/L)"),
        ("hb_g_l", "1e309", "finite", "not a finite number"),
        ("hb_g_l", "NaN", "type", "leave the cell empty"),
        ("hb_g_l", "1 234", "type", "thousands separator"),
        ("hb_g_l", "95 г/л", "type", "text after the number"),
        ("hb_g_l", "12.03.2019", "type", "looks like a date"),
        ("age_months", "-2", "minimum", "negative value is impossible"),
        ("age_months", "abc", "type", "is not a number"),
        ("b12_pg_ml", "", "required", "is required"),
        ("admission_year", "2015.5", "integer", "whole number"),
        ("hypotonia", "maybe", "boolean", "not a recognised yes/no code"),
        ("sex", "X", "enum", "use M or F"),
        ("patient_id", "", "required", "is required"),
    ],
)
def test_each_rule_names_row_line_column_and_value(tmp_path, raw, column, value, rule, fragment):
    bad = raw.copy()
    bad.loc[6, column] = value  # data row 7, file line 8
    f = failures_of(write(tmp_path, bad))
    assert len(f) == 1, f["message"].tolist()
    got = f.iloc[0]
    assert (got["row"], got["line"], got["column"], got["rule"]) == (7, 8, column, rule)
    assert got["message"].startswith(f"row 7 (line 8): {column} = ")
    assert fragment in got["message"]


def test_every_failure_is_collected_not_just_the_first(tmp_path, raw):
    bad = raw.copy()
    bad.loc[0, "hb_g_l"] = "1500"
    bad.loc[3, "age_months"] = "-1"
    bad.loc[9, "hypotonia"] = "?"
    bad.loc[12, "b12_pg_ml"] = "x"
    f = failures_of(write(tmp_path, bad))
    assert f[["row", "column"]].values.tolist() == [
        [1, "hb_g_l"],
        [4, "age_months"],
        [10, "hypotonia"],
        [13, "b12_pg_ml"],
    ]


def test_duplicate_id_names_the_id_and_both_rows(tmp_path, raw):
    bad = raw.copy()
    bad.loc[5, "patient_id"] = "K02"
    f = failures_of(write(tmp_path, bad))
    msg = f.iloc[0]["message"]
    assert f.iloc[0]["rule"] == "unique" and f.iloc[0]["row"] == 6
    assert "K02" in msg and "row 2 (line 3)" in msg and "row 6 (line 7)" in msg


def test_missing_required_column_lists_columns_and_closest_match(raw):
    f = failures_of(raw.rename(columns={"hb_g_l": "hb_gl"}))
    msg = f.iloc[0]["message"]
    assert f.iloc[0]["rule"] == "required-column"
    assert "hb_g_l or hb_g_dl or hb_mmol_l" in msg and "closest column in the file: 'hb_gl'" in msg
    assert "Columns present:" in msg and "patient_id" in msg


def test_cross_field_rules(raw):
    bad = raw.copy()
    bad.loc[0, "im_onset_day"] = "4"  # K01 has no involuntary movements
    row = bad.index[bad["patient_id"] == "K02"][0]
    bad.loc[row, "im_resolution_day"] = "2"  # before onset (4)
    f = failures_of(bad)
    assert f["rule"].tolist() == ["onset_requires_movements", "resolution_after_onset"]


def test_unknown_mapping_target_is_an_argument_error(raw):
    with pytest.raises(ArgumentError, match="did you mean 'hb_g_l'"):
        load_cohort(raw, columns={"hb_g_l": "hb_gl"})


def test_duplicate_header_is_reported(tmp_path, raw):
    path = tmp_path / "dup.csv"
    text = raw.to_csv(index=False).splitlines()
    path.write_text(
        "\n".join([text[0] + ",mcv_fl", *[t + ",1" for t in text[1:]]]), encoding="utf-8"
    )
    f = failures_of(path)
    assert f.iloc[0]["rule"] == "unique-header"


def test_invalid_rows_can_be_set_aside_and_accounted_for(raw):
    bad = raw.copy()
    bad.loc[[2, 7], "hb_g_l"] = "1500"
    with pytest.warns(DataQualityWarning, match="2 of 19 row"):
        cohort = load_cohort(bad, invalid_rows="exclude")
    meta = load_metadata(cohort)
    assert len(cohort) == 17 and meta.n_invalid_rows == 2
    assert sorted(set(cohort.index) | set(meta.invalid["row"])) == list(range(1, 20))


def test_identifier_like_ids_are_refused_without_values(raw):
    frame = raw.copy()
    frame.loc[0, "patient_id"] = "Petrov Ivan"
    frame.loc[1, "patient_id"] = "01.02.2019"
    with pytest.raises(CohortValidationError) as info:
        load_cohort(frame)
    text = str(info.value) + info.value.failures.to_csv()
    assert "1 cell(s) that look like a date" in text and "1 cell(s) that look like a name" in text
    assert "Petrov" not in text and "2019" not in text
    assert list(info.value.failures["rule"]) == ["no-identifiers"]


def test_pseudonymise_replaces_codes_and_writes_the_key_only_where_asked(raw, tmp_path):
    frame = raw.copy()
    frame.loc[0, "patient_id"] = "Petrov Ivan"
    key = tmp_path / "private" / "key.csv"
    cohort = load_cohort(frame, pseudonymise=key)
    assert cohort["patient_id"].tolist() == [f"P{i:03d}" for i in range(1, len(raw) + 1)]
    lines = key.read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["code,pseudonym", "Petrov Ivan,P001"] and len(lines) == len(raw) + 1
    again = load_cohort(frame, pseudonymise=tmp_path / "k2.csv")  # stable
    assert again["patient_id"].tolist() == cohort["patient_id"].tolist()
    log = cleaning_log(cohort).to_csv()
    assert "Petrov" not in log and "Petrov" not in repr(load_metadata(cohort).summary)


def test_unknown_columns_are_dropped_and_logged(raw):
    cohort = load_cohort(raw.assign(ward="3", comment="x"))
    assert "ward" not in cohort.columns
    dropped = load_metadata(cohort).dropped_columns
    assert set(dropped["column"]) == {"ward", "comment"}


def test_optional_columns_may_be_absent(raw):
    required = b12cohort.load_schema().required_columns
    cohort = load_cohort(raw[required])
    assert list(cohort.columns) == [
        *required,
        "b12_pmol_l",
        "anemia_grade",
        "neuro_score",
        "neuro_items_missing",
    ]
    assert (cohort["neuro_items_missing"] == 2).all()  # regression and seizures not recorded


def test_excel_single_sheet(tmp_path, raw, example):
    path = tmp_path / "cohort.xlsx"
    frame = raw.replace("", np.nan)
    for c in ("age_months", "hb_g_l", "b12_pg_ml", "mcv_fl"):
        frame[c] = frame[c].astype(float)
    frame.to_excel(path, index=False)
    cohort = load_cohort(path)
    pd.testing.assert_frame_equal(cohort, example)
    assert load_metadata(cohort).format == "xlsx"


def test_read_table_shows_the_raw_cells(tmp_path, raw):
    table = b12cohort.read_table(write(tmp_path, raw, sep=";"))
    assert list(table.columns) == list(raw.columns) and table.iloc[0, 0] == "K01"


def test_csv_loaded_from_bytes_in_memory_is_rejected_cleanly():
    with pytest.raises(CohortValidationError, match="file not found"):
        load_cohort(str(io.StringIO("x")))


def test_warnings_point_at_the_callers_line(raw):
    frame = raw.assign(ФИО="x")
    frame.loc[0, "hb_g_l"] = "1500"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_cohort(frame, invalid_rows="exclude")
    assert caught and {w.filename for w in caught} == {__file__}


def test_the_garbage_collector_is_paused_only_while_loading(raw):
    import gc

    assert gc.isenabled()
    load_cohort(raw)
    assert gc.isenabled()
    with pytest.raises(CohortValidationError):
        load_cohort(raw.assign(hb_g_l="x"))
    assert gc.isenabled()
    gc.disable()
    try:
        load_cohort(raw)
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()


# ---------------------------------------------------------------- vectorised work (issue 18)
@pytest.fixture(scope="module")
def simulated_exports(tmp_path_factory):
    """UTF-8 exports of simulated cohorts of 2,000 and 20,000 infants."""
    from b12cohort.cohort.export import write_export
    from b12cohort.cohort.simulate import simulate_cohort

    folder = tmp_path_factory.mktemp("simulated")
    out = {}
    for n in (2_000, 20_000):
        raw = simulate_cohort(n=n, random_state=2022, missing=0.05, validate=False)
        out[n] = write_export(raw, path=folder / f"cohort_{n}.csv").data
    return out


def test_one_uniqueness_check_and_one_parse_per_column(simulated_exports, monkeypatch):
    import b12cohort.reading.load as loader

    calls: dict[str, list[str]] = {}

    def counting(name):
        real = getattr(loader, name)

        def wrapper(values, field, *args, **kwargs):
            calls.setdefault(name, []).append(field.name)
            return real(values, field, *args, **kwargs)

        monkeypatch.setattr(loader, name, wrapper)

    for name in ("check_unique", "parse_number", "parse_boolean", "parse_text"):
        counting(name)
    cohort = load_cohort(simulated_exports[2_000])
    assert calls["check_unique"] == ["patient_id"]  # one uniqueness check, on the one unique field
    parsed = calls["parse_number"] + calls["parse_boolean"] + calls["parse_text"]
    assert sorted(parsed) == sorted(set(parsed))  # every column parsed once
    assert set(parsed) | set(loader.DERIVED_COLUMNS) == set(cohort.columns)


def test_no_python_loop_over_rows(simulated_exports):
    """Ten times the rows add far fewer Python calls than rows (a per-row loop adds >= 1 each)."""
    import cProfile
    import pstats

    def calls(path):
        prof = cProfile.Profile()
        prof.runcall(load_cohort, path)
        return sum(nc for (_cc, nc, *_rest) in pstats.Stats(prof).stats.values())

    load_cohort(simulated_exports[2_000])  # lazy imports
    small, big = calls(simulated_exports[2_000]), calls(simulated_exports[20_000])
    assert big - small < 0.1 * (20_000 - 2_000), (small, big)


def test_a_loaded_file_is_writeable_and_a_dataframe_source_shares_nothing(raw, example):

    frame = raw.copy()
    snapshot = frame.copy(deep=True)
    cohort = load_cohort(frame)
    cohort.loc[cohort.index[0], "hb_g_l"] = 1.0  # an edit of the cohort never reaches the source
    cohort["age_months"] += 1
    pd.testing.assert_frame_equal(frame, snapshot)
    assert cohort["hb_g_l"].iloc[0] == 1.0


def test_a_file_cohort_can_be_edited_in_place(tmp_path, example):
    from b12cohort.cohort.export import write_export

    path = write_export(example, path=tmp_path / "cohort.csv").data
    cohort = load_cohort(path)
    before = cohort["hb_g_l"].to_numpy().copy()
    cohort.loc[cohort.index[0], "hb_g_l"] = 1.0
    cohort["b12_pg_ml"] *= 2
    assert cohort["hb_g_l"].iloc[0] == 1.0
    np.testing.assert_array_equal(cohort["hb_g_l"].to_numpy()[1:], before[1:])
    pd.testing.assert_frame_equal(load_cohort(path), example, check_exact=True)
