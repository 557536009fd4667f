"""Comparing report folders and explaining why they differ (``report --check``, ``verify``).

A report folder carries ``MANIFEST.json``: what went in (the input and mapping file by
name and hash, every bundled input, the parameters, the git commit), where it was built
(OS, machine, Python, FreeType, package versions) and the SHA-256 of every output.
:func:`compare_reports` reads the two manifests first, so that it can say *why* files
differ, then compares the files and sorts every difference into

- **numbers**: a CSV (the unrounded tables, the cleaning log, the participant flow) or
  the row accounting differs, or one is missing on one side;
- **rendering**: only figures, notebooks, the landing page or the rounded Markdown,
  LaTeX and HTML tables differ (typically another matplotlib, FreeType or nbconvert).

:func:`verify_report` checks a folder against its own manifest, without rebuilding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from b12cohort.core.errors import ArgumentError
from b12cohort.report._io import sha256_file

__all__ = [
    "EXIT_IDENTICAL",
    "EXIT_NUMBERS",
    "EXIT_RENDERING",
    "CheckResult",
    "compare_reports",
    "verify_report",
]

#: Exit status of ``report --check`` and ``verify``: every file identical (or intact).
EXIT_IDENTICAL = 0
#: Every CSV (every number) identical; only figures, pages or rounded tables differ.
EXIT_RENDERING = 3
#: A CSV differs, is missing or is extra: the numbers differ.
EXIT_NUMBERS = 4

_VERDICTS = {
    EXIT_IDENTICAL: "identical",
    EXIT_RENDERING: "same numbers, different rendering",
    EXIT_NUMBERS: "different numbers",
}


@dataclass(frozen=True)
class CheckResult:
    """What :func:`compare_reports` or :func:`verify_report` found.

    Attributes
    ----------
    status : int
        :data:`EXIT_IDENTICAL` (0), :data:`EXIT_RENDERING` (3) or :data:`EXIT_NUMBERS` (4).
    problems : tuple of (str, str)
        Each differing, missing or extra file (POSIX path inside the folder) and what is
        wrong with it; empty when ``status`` is 0.
    causes : tuple of str
        What the manifests say differs (input, mapping file, bundled inputs, parameters,
        package versions, platform, git commit), one sentence each, in that order.
    numbers : tuple of str
        The files among ``problems`` that hold numbers (CSVs).
    """

    status: int
    problems: tuple[tuple[str, str], ...] = ()
    causes: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        """``"identical"``, ``"same numbers, different rendering"`` or ``"different numbers"``."""
        return _VERDICTS[self.status]


def is_data_file(path: str) -> bool:
    """Whether a report file holds numbers (an unrounded CSV) rather than their rendering."""
    return path.endswith(".csv")


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): sha256_file(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "MANIFEST.json"
    }


def read_manifest(folder: Path) -> dict:
    """The manifest of a report folder, or an :class:`ArgumentError` that says what is wrong."""
    path = Path(folder) / "MANIFEST.json"
    if not path.is_file():
        raise ArgumentError(
            f"{folder} has no MANIFEST.json: it is not a b12cohort report folder. Build one "
            f"with `b12cohort report --out {folder}`."
        )
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArgumentError(
            f"{path} is not valid JSON ({exc}); it was edited or truncated. Rebuild the "
            "report with `b12cohort report`."
        ) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("outputs"), dict):
        raise ArgumentError(
            f"{path} has no `outputs` table of file hashes; rebuild the report with "
            "`b12cohort report`."
        )
    return manifest


def _classify(problems: list[tuple[str, str]], *, rows_differ: bool = False) -> CheckResult:
    problems = sorted(problems)
    numbers = tuple(p for p, _ in problems if is_data_file(p))
    if numbers or rows_differ:
        status = EXIT_NUMBERS
    elif problems:
        status = EXIT_RENDERING
    else:
        status = EXIT_IDENTICAL
    return CheckResult(status=status, problems=tuple(problems), numbers=numbers)


def verify_report(folder) -> CheckResult:
    """Check a report folder against its own ``MANIFEST.json``, without rebuilding it.

    Every file listed in the manifest must exist with the recorded SHA-256, and no other
    file may be present.

    Returns
    -------
    CheckResult
        ``status`` 0 when the folder is intact; 3 when only rendered files (figures,
        pages, rounded tables) no longer match; 4 when a CSV does. ``problems`` names
        each file: ``"changed since the build"``, ``"missing"`` or ``"not in the MANIFEST"``.

    Raises
    ------
    ArgumentError
        The folder has no readable manifest.
    """
    folder = Path(folder)
    recorded = read_manifest(folder)["outputs"]
    actual = _hashes(folder)
    problems = [(f, "missing") for f in recorded if f not in actual]
    problems += [(f, "not in the MANIFEST") for f in actual if f not in recorded]
    problems += [
        (f, "changed since the build") for f in actual if f in recorded and actual[f] != recorded[f]
    ]
    return _classify(problems)


def _short(digest) -> str:
    return str(digest)[:12] + "…" if digest else "none"


def _dict_changes(a: dict, b: dict) -> list[str]:
    return [
        f"{k} {a.get(k)} → {b.get(k)}"
        for k in sorted(set(a) | set(b), key=str)
        if a.get(k) != b.get(k)
    ]


def manifest_causes(ref: dict, new: dict) -> list[str]:
    """Sentences saying what differs between two manifests (``ref`` the report checked)."""
    causes = []
    ri, ni = ref.get("input", {}), new.get("input", {})
    if ri.get("sha256") != ni.get("sha256"):
        causes.append(
            f"the input differs: {ri.get('source')} (SHA-256 {_short(ri.get('sha256'))}) in the "
            f"report, {ni.get('source')} ({_short(ni.get('sha256'))}) in the rebuild"
        )
    if ref.get("mapping") != new.get("mapping"):
        causes.append(f"the mapping file differs: {ref.get('mapping')} → {new.get('mapping')}")
    rb, nb = ref.get("bundled_inputs", {}), new.get("bundled_inputs", {})
    bundled = sorted(k for k in set(rb) | set(nb) if rb.get(k) != nb.get(k))
    if bundled:
        causes.append("bundled inputs differ: " + ", ".join(bundled))
    params = _dict_changes(ref.get("parameters", {}), new.get("parameters", {}))
    if params:
        causes.append("the parameters differ: " + "; ".join(params))
    versions = _dict_changes(ref.get("versions", {}), new.get("versions", {}))
    if versions:
        causes.append("these package versions differ: " + ", ".join(versions))
    platform = _dict_changes(ref.get("platform", {}), new.get("platform", {}))
    if platform:
        causes.append("the platform differs: " + ", ".join(platform))
    if ref.get("rows") != new.get("rows"):
        causes.append(f"the row accounting differs: {ref.get('rows')} → {new.get('rows')}")
    rg, ng = ref.get("source", {}), new.get("source", {})
    if rg != ng:
        causes.append(
            f"built from {rg.get('git_commit', 'an unrecorded commit')}, rebuilt from "
            f"{ng.get('git_commit', 'an unrecorded commit')} (information: the commit alone "
            "changes no output)"
        )
    return causes


def compare_reports(reference, rebuilt) -> CheckResult:
    """Compare a report folder with a rebuild of it: manifests first, then every file.

    ``MANIFEST.json`` itself is not compared byte for byte: its fields are compared and
    explained (:attr:`CheckResult.causes`), and every other file by content. A
    reference folder that no longer matches its own manifest is reported as such.

    Returns
    -------
    CheckResult
        ``problems`` uses ``"differs"``, ``"missing from the rebuild"`` (only in the
        reference) and ``"not in the committed report"`` (only in the rebuild).
    """
    reference, rebuilt = Path(reference), Path(rebuilt)
    new = read_manifest(rebuilt)
    causes = []
    try:
        ref = read_manifest(reference)
    except ArgumentError as exc:
        ref = {}
        causes.append(str(exc))
    else:
        tampered = verify_report(reference)
        if tampered.problems:
            causes.append(
                "the report was changed after it was built; these files no longer match its "
                "MANIFEST: " + ", ".join(p for p, _ in tampered.problems)
            )
    causes += manifest_causes(ref, new) if ref else []
    a, b = _hashes(reference), _hashes(rebuilt)
    problems = [(f, "not in the committed report") for f in b if f not in a]
    problems += [(f, "missing from the rebuild") for f in a if f not in b]
    problems += [(f, "differs") for f in a if f in b and a[f] != b[f]]
    result = _classify(problems, rows_differ=bool(ref) and ref.get("rows") != new.get("rows"))
    return CheckResult(
        status=result.status, problems=result.problems, causes=tuple(causes), numbers=result.numbers
    )


def explain(result: CheckResult, folder, *, rebuilt: bool) -> str:
    """The text ``report --check`` and ``verify`` print."""
    against = "a fresh rebuild" if rebuilt else "its MANIFEST"
    if result.status == EXIT_IDENTICAL:
        head = f"IDENTICAL  {folder}: every file is identical to {against}"
    elif result.status == EXIT_RENDERING:
        kinds = sorted({p.split("/")[0] if "/" in p else p for p, _ in result.problems})
        head = (
            f"SAME NUMBERS, DIFFERENT RENDERING  {folder}: every CSV table is identical to "
            f"{against}; {len(result.problems)} rendered file(s) differ ({', '.join(kinds)})"
        )
    else:
        head = (
            f"DIFFERENT NUMBERS  {folder}: {len(result.numbers)} CSV table(s) differ from {against}"
            f" ({len(result.problems)} file(s) in all)"
        )
    lines = [head + f" [exit {result.status}]"]
    if result.causes:
        lines.append("why (from the MANIFEST):")
        lines += [f"  - {c}" for c in result.causes]
    elif result.status != EXIT_IDENTICAL and rebuilt:
        lines.append(
            "why: the manifests record the same input, parameters, versions and platform; "
            "look for a font or system library that differs"
        )
    for path, what in result.problems:
        kind = "numbers" if is_data_file(path) else "rendering"
        lines.append(f"  {path}: {what} ({kind})")
    return "\n".join(lines)
