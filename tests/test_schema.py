"""The data dictionary: one source of truth, generated documents in sync, contract names."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

from b12cohort import ArgumentError, load_schema
from b12cohort.dictionary.schema import NEURO_SIGNS, render_data_dictionary, render_template

SCHEMA = ROOT / "data" / "schema" / "cohort.schema.json"

CONTRACT = [
    "patient_id",
    "sex",
    "age_months",
    "admission_year",
    "hb_g_l",
    "rbc_10e12_l",
    "mcv_fl",
    "b12_pg_ml",
    "folate_ng_ml",
    "homocysteine_umol_l",
    "hypotonia",
    "adynamia",
    "developmental_delay",
    "developmental_regression",
    "hyporeflexia",
    "seizures",
    "tremor_before_treatment",
    "involuntary_movements_on_treatment",
    "im_onset_day",
    "im_resolution_day",
    "im_followup_day",
    "brain_atrophy",
    "exclusive_breastfeeding",
    "maternal_b12_low",
    "cyanocobalamin_dose_ug",
]
REQUIRED = [
    "patient_id",
    "sex",
    "age_months",
    "hb_g_l",
    "b12_pg_ml",
    "hypotonia",
    "adynamia",
    "developmental_delay",
    "hyporeflexia",
    "involuntary_movements_on_treatment",
]


def test_the_package_reads_the_repository_schema_itself():
    from b12cohort._bundled import bundled_file

    assert bundled_file("schema", "cohort.schema.json").read_bytes() == SCHEMA.read_bytes()
    assert load_schema().source == "data/schema/cohort.schema.json"


def test_generated_dictionary_and_template_are_in_sync():
    schema = load_schema(SCHEMA)
    assert (ROOT / "data" / "schema" / "README.md").read_text("utf-8") == render_data_dictionary(
        schema
    ), (
        "regenerate with: b12cohort schema --schema data/schema/cohort.schema.json --write data/schema"
    )
    assert (ROOT / "data" / "schema" / "cohort_template.csv").read_text("utf-8") == render_template(
        schema
    )


def test_contract_field_names_and_required_columns():
    s = load_schema()
    # the contract names, in order; im_followup_day (censoring time) is our addition
    assert s.names == CONTRACT
    assert s.required_columns == REQUIRED
    assert s.primary_key == ("patient_id",)
    assert set(NEURO_SIGNS) <= set(s.names)


def test_frictionless_shape():
    raw = json.loads(SCHEMA.read_text("utf-8"))
    assert {"fields", "missingValues", "primaryKey"} <= set(raw)
    for f in raw["fields"]:
        assert {"name", "type", "title", "description"} <= set(f), f["name"]
        assert f["type"] in {"string", "number", "integer", "boolean"}
        if f["type"] in {"number", "integer"}:
            assert "unit" in f and {"minimum", "maximum"} <= set(f["constraints"]), f["name"]
            assert "plausibility" in f, f["name"]


@pytest.mark.parametrize(
    ("field", "lo", "hi"), [("hb_g_l", 20, 200), ("age_months", 0, 60), ("b12_pg_ml", 0, 2000)]
)
def test_plausibility_ranges(field, lo, hi):
    f = load_schema().field(field)
    assert (f.minimum, f.maximum) == (lo, hi)


def test_alternative_units():
    alts = load_schema().alternative_columns
    assert alts["hb_g_dl"][1].to_canonical(9.5) == 95.0
    assert alts["hb_mmol_l"][1].to_canonical(1.0) == 16.11
    assert alts["b12_pmol_l"][1].to_canonical(73.78) == pytest.approx(100.0, rel=1e-12)


def test_bad_schema_files_get_clear_errors(tmp_path):
    p = tmp_path / "s.json"
    p.write_text("{not json", encoding="utf-8")
    with pytest.raises(ArgumentError, match="not valid UTF-8 JSON"):
        load_schema(p)
    p.write_text(json.dumps({"fields": [{"name": "a", "type": "date"}]}), encoding="utf-8")
    with pytest.raises(ArgumentError, match="type 'date'"):
        load_schema(p)
    with pytest.raises(ArgumentError, match="did you mean 'hb_g_l'"):
        load_schema().field("hb_gl")
