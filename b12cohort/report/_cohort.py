"""The cohort a report analyses, loaded once per process and shared by its notebooks."""

from __future__ import annotations

from functools import lru_cache

from b12cohort.report._io import sha256_file

__all__ = ["report_cohort", "start_notebook"]


def _warning_line(message, category, filename, lineno, line=None) -> str:
    """A warning as "Category: message", without the file and line it came from."""
    return f"{category.__name__}: {message}\n"


def start_notebook(out=None) -> str:
    """First call of every report notebook: where to write, and warnings without paths.

    Parameters
    ----------
    out : str or path, optional
        The folder the notebook writes its tables and figures to (``b12cohort report``
        passes its build folder). None, as when a student runs a notebook by hand: a new
        temporary folder, so that nothing is written into ``notebooks/``.

    Returns
    -------
    str
        The output folder (a string, so a notebook cell never shows a ``PosixPath``).

    Notes
    -----
    Warnings are printed as "Category: message" from here on: the default format
    starts with the path of the module that warned, which would show the student's
    home folder and virtual environment in the notebook (and differ between machines).
    The report's kernels use the same format.
    """
    import tempfile
    import warnings

    warnings.formatwarning = _warning_line
    if out is None:
        return tempfile.mkdtemp(prefix="b12cohort-notebook-")
    return str(out)


@lru_cache(maxsize=4)
def _cached_cohort(data, sha, columns, scheme, invalid_rows, options):
    import warnings

    from b12cohort.core.errors import SchemeRangeWarning

    if data is None:
        from b12cohort.cohort.datasets import load_example

        return load_example(scheme=scheme)
    from b12cohort.reading.load import load_cohort

    with warnings.catch_warnings():
        # recorded in the cohort's metadata notes, which the notebooks display
        warnings.simplefilter("ignore", SchemeRangeWarning)
        return load_cohort(
            data, columns=columns, scheme=scheme, invalid_rows=invalid_rows, **dict(options)
        )


def report_cohort(
    data=None,
    *,
    columns=None,
    scheme: str = "who-2011",
    invalid_rows: str = "raise",
    **read_options,
):
    """The cohort a report analyses: the bundled example when ``data`` is None.

    Loaded once per process and file content (keyed by the file's SHA-256 and the
    arguments), so the notebooks of one report share it instead of re-reading the file.
    Returns a copy: changing it does not affect the other notebooks.
    """
    sha = sha256_file(data) if data is not None else None
    options = tuple(
        sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in read_options.items())
    )
    cohort = _cached_cohort(
        None if data is None else str(data),
        sha,
        None if columns is None else str(columns),
        scheme,
        invalid_rows,
        options,
    )
    return cohort.copy()
