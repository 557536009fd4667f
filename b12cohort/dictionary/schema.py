"""The data dictionary: a Frictionless Table Schema read into frozen objects.

``data/schema/cohort.schema.json`` is the single source of truth; the package reads that
very file (installed as ``b12cohort._bundled.schema``). The human data dictionary (``data/schema/README.md``) and the
blank template (``data/schema/cohort_template.csv``) are generated from it by
:func:`write_schema_docs` (``b12cohort schema --write data/schema``), and a test checks
that all of them are in sync.

Only the parts of Table Schema that b12cohort uses are interpreted: field ``name``,
``type`` (string, number, integer, boolean), ``title``, ``description``, ``constraints``
(``required``, ``unique``, ``minimum``, ``maximum``, ``enum``, ``maxLength``),
``trueValues``/``falseValues``, and the schema-level ``missingValues`` and
``primaryKey``. b12cohort adds a few custom properties (Table Schema allows them):
``unit``, ``columnRequired``, ``role``, ``codes``, ``alternativeUnits`` and
``plausibility``.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from b12cohort._bundled import bundled_file
from b12cohort.core.errors import ArgumentError

__all__ = [
    "BOOLEAN_FALSE",
    "BOOLEAN_TRUE",
    "NEURO_SIGNS",
    "AlternativeUnit",
    "Field",
    "Schema",
    "load_schema",
    "render_data_dictionary",
    "render_template",
    "write_schema_docs",
]

#: The six signs counted by ``neuro_score``, in the order the paper reports them.
NEURO_SIGNS = (
    "hypotonia",
    "adynamia",
    "developmental_delay",
    "developmental_regression",
    "hyporeflexia",
    "seizures",
)

#: Spellings read as True in boolean fields (matched after stripping and lower-casing).
BOOLEAN_TRUE = ("yes", "y", "true", "t", "1", "+", "да", "д", "evet", "var")
#: Spellings read as False. In a yes/no column the hyphen "-", the minus sign "−"
#: (U+2212) and the en dash "–" mean *absent*, as Russian clinical records write a sign
#: as "+" or "-" (elsewhere "-" is a missing-value marker). "hayır"/"yok": Turkish.
BOOLEAN_FALSE = (
    "no",
    "n",
    "false",
    "f",
    "0",
    "-",
    "\u2212",
    "\u2013",
    "нет",
    "н",
    "hayır",
    "hayir",
    "yok",
)

_TYPES = {"string", "number", "integer", "boolean"}


@dataclass(frozen=True)
class AlternativeUnit:
    """A column holding a field in another unit: ``canonical = value * factor``."""

    name: str
    unit: str
    factor: float
    note: str = ""
    divides: bool = False  # the schema gave a divisor: canonical = value / divisor

    def to_canonical(self, values):
        """Convert ``values`` (scalar or array) to the canonical unit."""
        return values / self.factor if self.divides else values * self.factor

    def from_canonical(self, values):
        """Convert canonical ``values`` back to this unit."""
        return values * self.factor if self.divides else values / self.factor

    @property
    def formula(self) -> str:
        return f"/ {self.factor:g}" if self.divides else f"x {self.factor:g}"


@dataclass(frozen=True)
class Field:
    """One column of the data dictionary."""

    name: str
    type: str
    title: str = ""
    description: str = ""
    unit: str | None = None
    role: str | None = None
    column_required: bool = False
    required: bool = False
    unique: bool = False
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple[str, ...] | None = None
    max_length: int | None = None
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    true_values: tuple[str, ...] = BOOLEAN_TRUE
    false_values: tuple[str, ...] = BOOLEAN_FALSE
    alternative_units: tuple[AlternativeUnit, ...] = ()
    plausibility: str | None = None

    @property
    def is_numeric(self) -> bool:
        return self.type in {"number", "integer"}

    def __hash__(self) -> int:  # codes is a dict; fields are identified by name
        return hash(self.name)


@dataclass(frozen=True, eq=False)
class Schema:
    """A parsed Table Schema. Build one with :func:`load_schema`."""

    name: str
    title: str
    version: str
    fields: tuple[Field, ...]
    missing_values: tuple[str, ...]
    primary_key: tuple[str, ...]
    rules: tuple[dict, ...]
    source: str
    raw: dict = field(repr=False, default_factory=dict)

    @property
    def names(self) -> list[str]:
        """Canonical field names, in schema order."""
        return [f.name for f in self.fields]

    @property
    def required_columns(self) -> list[str]:
        """Fields that must be present as columns."""
        return [f.name for f in self.fields if f.column_required]

    def field(self, name: str) -> Field:
        """The field called ``name``; ArgumentError naming the closest field otherwise."""
        for f in self.fields:
            if f.name == name:
                return f
        from b12cohort.core.arguments import closest

        near = closest(name, self.names)
        raise ArgumentError(
            f"the schema has no field {name!r}"
            + (f" (did you mean {near!r}?)" if near else "")
            + f"; fields: {', '.join(self.names)}."
        )

    @property
    def summary(self):
        """The data dictionary as a table: one row per field."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "name": f.name,
                    "type": f.type,
                    "unit": f.unit or "",
                    "required": "column and value"
                    if f.column_required and f.required
                    else (
                        "column" if f.column_required else ("value" if f.required else "optional")
                    ),
                    "minimum": f.minimum,
                    "maximum": f.maximum,
                    "allowed": " / ".join(f.enum) if f.enum else "",
                    "other units": ", ".join(f"{a.name} ({a.unit})" for a in f.alternative_units),
                    "title": f.title,
                }
                for f in self.fields
            ]
        )

    @property
    def alternative_columns(self) -> dict[str, tuple[Field, AlternativeUnit]]:
        """Alternative-unit column name -> (canonical field, conversion)."""
        return {alt.name: (f, alt) for f in self.fields for alt in f.alternative_units}

    def __deepcopy__(self, memo):  # immutable: share it (pandas deep-copies DataFrame.attrs)
        return self


def _parse_field(raw: dict, where: str) -> Field:
    if not isinstance(raw, dict) or "name" not in raw:
        raise ArgumentError(f"{where}: every field needs a 'name'; got {raw!r}.")
    name = raw["name"]
    ftype = raw.get("type", "string")
    if ftype not in _TYPES:
        raise ArgumentError(
            f"{where}: field {name!r} has type {ftype!r}; b12cohort understands "
            f"{', '.join(sorted(_TYPES))}."
        )
    c = raw.get("constraints", {}) or {}
    alts = []
    for a in raw.get("alternativeUnits", []) or []:
        if "factor" in a:
            alts.append(
                AlternativeUnit(a["name"], a.get("unit", ""), float(a["factor"]), a.get("note", ""))
            )
        elif "divisor" in a:
            alts.append(
                AlternativeUnit(
                    a["name"], a.get("unit", ""), float(a["divisor"]), a.get("note", ""), True
                )
            )
        else:
            raise ArgumentError(
                f"{where}: alternative unit {a!r} of {name!r} needs a factor or a divisor."
            )
    lower = lambda vals: tuple(str(v).strip().lower() for v in vals)  # noqa: E731
    return Field(
        name=name,
        type=ftype,
        title=raw.get("title", ""),
        description=raw.get("description", ""),
        unit=raw.get("unit"),
        role=raw.get("role"),
        column_required=bool(raw.get("columnRequired", False)),
        required=bool(c.get("required", False)),
        unique=bool(c.get("unique", False)),
        minimum=c.get("minimum"),
        maximum=c.get("maximum"),
        enum=tuple(c["enum"]) if "enum" in c else None,
        max_length=c.get("maxLength"),
        codes={k: lower(v) for k, v in (raw.get("codes") or {}).items()},
        true_values=lower(raw["trueValues"]) if "trueValues" in raw else BOOLEAN_TRUE,
        false_values=lower(raw["falseValues"]) if "falseValues" in raw else BOOLEAN_FALSE,
        alternative_units=tuple(alts),
        plausibility=raw.get("plausibility"),
    )


def schema_from_dict(raw: dict, *, source: str = "<dict>") -> Schema:
    """Build a :class:`Schema` from an already-parsed Table Schema dictionary."""
    if not isinstance(raw, dict) or not isinstance(raw.get("fields"), list) or not raw["fields"]:
        raise ArgumentError(f"{source}: a Table Schema needs a non-empty 'fields' list.")
    fields = tuple(_parse_field(f, source) for f in raw["fields"])
    names = [f.name for f in fields]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ArgumentError(f"{source}: field names must be unique; repeated: {', '.join(dupes)}.")
    pk = raw.get("primaryKey", [])
    pk = (pk,) if isinstance(pk, str) else tuple(pk)
    return Schema(
        name=raw.get("name", ""),
        title=raw.get("title", ""),
        version=str(raw.get("version", "")),
        fields=fields,
        missing_values=tuple(raw.get("missingValues", [""])),
        primary_key=pk,
        rules=tuple(raw.get("rules", [])),
        source=source,
        raw=raw,
    )


@lru_cache(maxsize=1)
def _bundled() -> Schema:
    text = bundled_file("schema", "cohort.schema.json").read_text("utf-8")
    return schema_from_dict(json.loads(text), source="data/schema/cohort.schema.json")


def load_schema(schema: str | Path | dict | Schema | None = None) -> Schema:
    """Read a Table Schema.

    Parameters
    ----------
    schema : str, Path, dict, Schema or None
        None for the bundled data dictionary; a path to a Table Schema JSON file; an
        already-parsed dictionary; or a :class:`Schema` (returned as is).

    Returns
    -------
    Schema

    Raises
    ------
    ArgumentError
        The file cannot be read or is not a Table Schema b12cohort understands.

    Examples
    --------
    >>> from b12cohort import load_schema
    >>> s = load_schema()
    >>> s.required_columns[:3]
    ['patient_id', 'sex', 'age_months']
    >>> s.field("hb_g_l").unit
    'g/L'
    """
    if schema is None:
        return _bundled()
    if isinstance(schema, Schema):
        return schema
    if isinstance(schema, dict):
        return schema_from_dict(schema)
    path = Path(schema)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ArgumentError(f"cannot read the schema file {path}: {exc.strerror or exc}.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArgumentError(f"the schema file {path} is not valid UTF-8 JSON: {exc}.") from None
    return schema_from_dict(raw, source=str(path))


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_data_dictionary(schema: Schema | None = None) -> str:
    """The human data dictionary (Markdown) generated from the schema."""
    s = load_schema(schema)
    out = [
        "# Data dictionary",
        "",
        "<!-- Generated from cohort.schema.json by `b12cohort schema --write data/schema`. "
        "Do not edit by hand. -->",
        "",
        f"**{s.title}** (schema `{s.name}`, version {s.version}).",
        "",
        s.raw.get("description", ""),
        "",
        "Empty cells and the codes "
        + ", ".join(f"`{m}`" for m in s.missing_values if m)
        + " are read as missing. Booleans accept (case-insensitively) "
        + ", ".join(f"`{v}`" for v in BOOLEAN_TRUE)
        + " for yes and "
        + ", ".join(f"`{v}`" for v in BOOLEAN_FALSE)
        + " for no. Primary key: "
        + ", ".join(f"`{k}`" for k in s.primary_key)
        + ".",
        "",
        "| column | type | unit | required | allowed values | title |",
        "|---|---|---|---|---|---|",
    ]
    for f in s.fields:
        req = (
            "column and value"
            if f.column_required and f.required
            else ("column" if f.column_required else ("value" if f.required else "optional"))
        )
        allowed = []
        if f.enum:
            allowed.append(" / ".join(f.enum))
        if f.minimum is not None or f.maximum is not None:
            allowed.append(f"{f.minimum:g} to {f.maximum:g}")
        if f.type == "boolean":
            allowed.append("yes / no")
        if f.unique:
            allowed.append("unique")
        out.append(
            f"| `{f.name}` | {f.type} | {_md_cell(f.unit or '')} | {req} | "
            f"{_md_cell('; '.join(allowed))} | {_md_cell(f.title)} |"
        )
    out += ["", "## Fields", ""]
    for f in s.fields:
        out += [f"### `{f.name}`: {f.title}", "", f.description, ""]
        if f.plausibility:
            out += [f"Plausible range source: {f.plausibility}.", ""]
        for code, spellings in f.codes.items():
            out += [f"- `{code}` also accepted as: " + ", ".join(f"`{x}`" for x in spellings)]
        for alt in f.alternative_units:
            out += [
                f"- Column `{alt.name}` ({alt.unit}) is accepted instead and converted: "
                f"{f.name} = {alt.name} {alt.formula}. {alt.note}"
            ]
        if f.codes or f.alternative_units:
            out.append("")
    if s.rules:
        out += ["## Rules across fields", ""]
        out += [f"- `{r['name']}`: {r['description']}" for r in s.rules]
        out.append("")
    return "\n".join(out)


def render_template(schema: Schema | None = None) -> str:
    """A blank CSV template (header row only) with every schema field."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(load_schema(schema).names)
    return buf.getvalue()


def write_schema_docs(directory: str | Path, schema: Schema | None = None) -> list[Path]:
    """Write ``README.md`` and ``cohort_template.csv`` generated from the schema into ``directory``."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (
        ("README.md", render_data_dictionary(schema)),
        ("cohort_template.csv", render_template(schema)),
    ):
        p = d / name
        p.write_text(text, encoding="utf-8", newline="\n")
        written.append(p)
    return written
