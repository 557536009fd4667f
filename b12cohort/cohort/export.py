"""Hospital-style exports of a cohort: what :func:`write_export` writes.

A clean UTF-8 CSV, or a messy cp1251 file with semicolons, decimal commas, Russian
headers, да/нет, Hb in g/dL and B12 in pmol/L (with the JSON column mapping that
:func:`b12cohort.load_cohort` needs), or an XLSX workbook. Used by the tests and the
benchmarks to check that an export loads back into the same cohort.

Everything written from :func:`b12cohort.cohort.simulate.simulate_cohort` is synthetic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from b12cohort.cohort.simulate import _BOOLEAN, _COLUMNS, _INTEGER
from b12cohort.core.arguments import check_choice, check_dataframe
from b12cohort.dictionary.schema import load_schema

__all__ = ["DIALECTS", "ExportFiles", "write_export"]

#: Export dialects of :func:`write_export`.
DIALECTS = ("utf8-comma", "cp1251-semicolon", "xlsx")

# pmol/L per pg/mL, from the data dictionary (its b12_pmol_l alternative unit)
_B12_PMOL_PER_PG = load_schema().alternative_columns["b12_pmol_l"][1].from_canonical(1.0)

# canonical column -> (Russian header, schema target, factor from the canonical unit)
_RUSSIAN = {
    "patient_id": ("Код пациента", "patient_id", None),
    "sex": ("Пол", "sex", None),
    "age_months": ("Возраст, мес", "age_months", None),
    "admission_year": ("Год поступления", "admission_year", None),
    "hb_g_l": ("Гемоглобин, г/дл", "hb_g_dl", 0.1),
    "rbc_10e12_l": ("Эритроциты, 10^12/л", "rbc_10e12_l", None),
    "mcv_fl": ("MCV, фл", "mcv_fl", None),
    "b12_pg_ml": ("Витамин B12, пмоль/л", "b12_pmol_l", _B12_PMOL_PER_PG),
    "folate_ng_ml": ("Фолиевая кислота, нг/мл", "folate_ng_ml", None),
    "homocysteine_umol_l": ("Гомоцистеин, мкмоль/л", "homocysteine_umol_l", None),
    "hypotonia": ("Мышечная гипотония", "hypotonia", None),
    "adynamia": ("Гипо-/адинамия", "adynamia", None),
    "developmental_delay": ("Задержка психомоторного развития", "developmental_delay", None),
    "developmental_regression": ("Регресс навыков", "developmental_regression", None),
    "hyporeflexia": ("Гипорефлексия", "hyporeflexia", None),
    "seizures": ("Судороги", "seizures", None),
    "tremor_before_treatment": ("Тремор до лечения", "tremor_before_treatment", None),
    "involuntary_movements_on_treatment": (
        "Гиперкинезы на фоне лечения",
        "involuntary_movements_on_treatment",
        None,
    ),
    "im_onset_day": ("Гиперкинезы: день появления", "im_onset_day", None),
    "im_resolution_day": ("Гиперкинезы: день купирования", "im_resolution_day", None),
    "im_followup_day": ("Гиперкинезы: последний день наблюдения", "im_followup_day", None),
    "brain_atrophy": ("Атрофия мозга (КТ/МРТ)", "brain_atrophy", None),
    "exclusive_breastfeeding": (
        "Исключительно грудное вскармливание",
        "exclusive_breastfeeding",
        None,
    ),
    "maternal_b12_low": ("Дефицит B12 у матери", "maternal_b12_low", None),
    "cyanocobalamin_dose_ug": ("Доза цианокобаламина, мкг", "cyanocobalamin_dose_ug", None),
}
_PMOL_DECIMALS = 1  # laboratories report B12 in whole or one-decimal pmol/L


@dataclass(frozen=True)
class ExportFiles:
    """What :func:`write_export` wrote.

    Attributes
    ----------
    data : pathlib.Path
        The export.
    columns : pathlib.Path or None
        JSON mapping of its headers to schema names (pass it to
        ``load_cohort(data, columns=columns)``); None when the headers are schema names.
    dialect : str
    encoding, delimiter, decimal : str or None
        How the text file is written (None for XLSX).
    """

    data: Path
    columns: Path | None
    dialect: str
    encoding: str | None
    delimiter: str | None
    decimal: str | None


def _export_values(frame: pd.DataFrame, *, messy: bool) -> pd.DataFrame:
    """Canonical or raw frame -> the cells of an export (canonical units unless messy)."""
    out = {}
    yes, no = ("да", "нет") if messy else ("yes", "no")
    for c in _COLUMNS:
        if c not in frame.columns:
            continue
        s = frame[c]
        if c in _BOOLEAN:
            if pd.api.types.is_bool_dtype(s) and not pd.api.types.is_object_dtype(s):
                code = np.where(s.isna().to_numpy(), 2, s.fillna(False).to_numpy(dtype=np.int8))
            else:  # yes/no words of the raw frame
                text = s.astype(object).to_numpy()
                code = np.where(pd.isna(text), 2, np.where(text == "yes", 1, 0))
            s = pd.Series(np.array([no, yes, None], dtype=object)[code], dtype=object)
        elif c == "sex" and messy:
            s = s.astype(object).map({"M": "м", "F": "ж"})
        elif c in _INTEGER:
            s = s.astype("Int64")
        elif messy and _RUSSIAN[c][2] is not None:
            decimals = 1 if c == "hb_g_l" else _PMOL_DECIMALS
            s = (s.astype("float64") * _RUSSIAN[c][2]).round(decimals)
        out[_RUSSIAN[c][0] if messy else c] = s.to_numpy() if c not in _INTEGER else s.array
    return pd.DataFrame(out)


def write_export(
    frame: pd.DataFrame, *, path, dialect: str = "utf8-comma", columns_path=None
) -> ExportFiles:
    """Write a cohort as a hospital information system would export it.

    Parameters
    ----------
    frame : pandas.DataFrame
        A cohort from :func:`simulate_cohort` (canonical, or raw with ``validate=False``)
        or any canonical cohort frame. Derived columns are not written. Not modified.
    path : str or Path
        The file to write (overwritten).
    dialect : {"utf8-comma", "cp1251-semicolon", "xlsx"}
        ``"utf8-comma"``: UTF-8 CSV, comma-separated, decimal point, schema headers,
        yes/no, M/F, canonical units (loads with no options). ``"cp1251-semicolon"``: the
        messy Russian export: Windows-1251, semicolons, decimal commas, CRLF line ends,
        Russian headers, да/нет, м/ж, Hb in g/dL (1 decimal) and B12 in pmol/L (1
        decimal), with a JSON column mapping written beside it. ``"xlsx"``: the same
        messy layout in an Excel workbook (one sheet; slow beyond ~10^5 rows).
    columns_path : str or Path, optional
        Where to write the column mapping of the messy dialects. Default: ``path`` with
        the suffix ``.columns.json``.

    Returns
    -------
    ExportFiles
        The paths written and how the file is encoded.

    Notes
    -----
    A messy export loads back with
    ``load_cohort(files.data, columns=files.columns)`` into the same cohort, except that
    B12 in pmol/L is rounded to 0.1 pmol/L: ``b12_pmol_l`` keeps the laboratory's value
    and ``b12_pg_ml`` differs from the original by at most 0.05 / 0.7378 = 0.068 pg/mL.
    Hb in g/dL with one decimal is exact for whole g/L.

    Examples
    --------
    >>> import tempfile, pathlib, b12cohort
    >>> from b12cohort.cohort.simulate import simulate_cohort
    >>> from b12cohort.cohort.export import write_export
    >>> cohort = simulate_cohort(n=50, random_state=3)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = write_export(cohort, path=pathlib.Path(tmp) / "export.csv", dialect="cp1251-semicolon")
    ...     again = b12cohort.load_cohort(files.data, columns=files.columns, scheme="ru-clinical")
    >>> bool((again["hb_g_l"] == cohort["hb_g_l"]).all()), files.encoding, files.delimiter
    (True, 'cp1251', ';')
    """
    function = "write_export"
    check_dataframe(frame, function=function, name="frame")
    dialect = check_choice(dialect, DIALECTS, name="dialect", function=function)
    path = Path(path)
    messy = dialect != "utf8-comma"
    values = _export_values(frame, messy=messy)
    mapping_path = None
    if messy:
        mapping_path = (
            Path(columns_path) if columns_path is not None else path.with_suffix(".columns.json")
        )
        mapping = {_RUSSIAN[c][0]: _RUSSIAN[c][1] for c in _COLUMNS if c in frame.columns}
        mapping_path.write_text(
            json.dumps(mapping, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    if dialect == "xlsx":
        values.to_excel(path, index=False, sheet_name="Выгрузка")
        return ExportFiles(path, mapping_path, dialect, None, None, None)
    encoding, sep, decimal = ("cp1251", ";", ",") if messy else ("utf-8", ",", ".")
    values.to_csv(
        path,
        sep=sep,
        decimal=decimal,
        encoding=encoding,
        index=False,
        lineterminator="\r\n" if messy else "\n",
    )
    return ExportFiles(path, mapping_path, dialect, encoding, sep, decimal)
