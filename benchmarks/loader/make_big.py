"""Write large valid cohort files for timing the loader (throwaway data, not a simulation).

    python benchmarks/loader/make_big.py [N] [OUTDIR]

Writes ``big_utf8.csv`` (UTF-8, comma, decimal point, true/false), ``big_quoted.csv`` (the
same with every field quoted) and ``big_cp1251.csv`` (Windows-1251, semicolon, decimal
comma, да/нет and муж/жен), all with every schema column and N rows (default 10^6). Values are drawn uniformly inside the
schema's plausible ranges and respect the cross-field rules, so ``load_cohort`` accepts
them; they carry no clinical meaning (use ``b12cohort.simulate_cohort`` for that).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from b12cohort import load_schema


def make(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    schema = load_schema()
    cols: dict[str, object] = {}
    for f in schema.fields:
        if f.name == "patient_id":
            cols[f.name] = np.char.add("P", np.char.zfill(np.arange(n).astype(str), 7))
        elif f.name == "sex":
            cols[f.name] = rng.choice(np.array(["M", "F"]), n)
        elif f.type == "boolean":
            v = rng.choice(np.array(["true", "false", ""]), n, p=[0.45, 0.45, 0.10])
            cols[f.name] = v
        elif f.name == "admission_year":
            cols[f.name] = rng.integers(2012, 2020, n).astype(str)
        elif f.type == "number":
            lo, hi = f.minimum or 0.0, f.maximum or 100.0
            cols[f.name] = np.round(rng.uniform(lo, hi, n), 1)
    im = rng.random(n) < 0.3
    cols["involuntary_movements_on_treatment"] = np.where(im, "true", "false")
    onset = rng.integers(1, 10, n)
    resolved = rng.random(n) < 0.7
    cols["im_onset_day"] = np.where(im, onset.astype(str), "")
    cols["im_resolution_day"] = np.where(
        im & resolved, (onset + rng.integers(5, 40, n)).astype(str), ""
    )
    cols["im_followup_day"] = np.where(
        im & ~resolved, (onset + rng.integers(5, 90, n)).astype(str), ""
    )
    return pd.DataFrame({f.name: cols[f.name] for f in schema.fields})


def write(frame: pd.DataFrame, out: Path) -> tuple[Path, Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    utf8 = out / "big_utf8.csv"
    frame.to_csv(utf8, index=False)
    quoted = out / "big_quoted.csv"
    frame.to_csv(quoted, index=False, quoting=csv.QUOTE_ALL)
    ru = frame.copy()
    yesno = {"true": "да", "false": "нет", "": ""}
    for c in ru.columns:
        if set(ru[c].iloc[:1000]) <= set(yesno):
            ru[c] = ru[c].map(yesno)
    ru["sex"] = ru["sex"].map({"M": "муж", "F": "жен"})
    cp = out / "big_cp1251.csv"
    ru.to_csv(cp, index=False, sep=";", decimal=",", encoding="cp1251")
    return utf8, quoted, cp


if __name__ == "__main__":
    n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 1_000_000
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("/tmp/b12bench")
    for p in write(make(n), out):
        print(p, p.stat().st_size // 1_000_000, "MB")
