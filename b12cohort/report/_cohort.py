"""The cohort a report analyses, loaded once per process and shared by its notebooks.

``b12cohort report`` validates the data once, in its main process, and hands the cleaned
cohort to the notebook kernels as a pickle in the build folder (``_site/cohort.pickle``,
removed before the manifest is written; its path is in the kernels' environment as
``B12COHORT_REPORT_COHORT``). A kernel's :func:`report_cohort` reads that file instead of
reading and validating the export again, when the file was made from the same input and
arguments; a notebook run by hand loads the data itself, as before.
"""

from __future__ import annotations

import os
import pickle
from functools import lru_cache
from pathlib import Path

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


#: Environment variable naming the cohort pickle of a report build (set for its kernels).
SHARED_ENV = "B12COHORT_REPORT_COHORT"


def share_cohort(cohort, path: str | Path, key: tuple) -> Path:
    """Write ``cohort`` (and the ``key`` of the arguments it was loaded with) for the kernels."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        pickle.dump((key, cohort), fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def shared_cohort(key: tuple, path: str | Path | None = None):
    """The cohort a report build shared (``path``, default: the kernels' environment
    variable :data:`SHARED_ENV`) when it was loaded with ``key``; None otherwise."""
    path = path or os.environ.get(SHARED_ENV)
    if not path or not Path(path).is_file():
        return None
    with open(path, "rb") as fh:  # written by this build's own main process
        shared_key, cohort = pickle.load(fh)
    return cohort if shared_key == key else None


@lru_cache(maxsize=4)
def _cached_cohort(data, sha, columns, scheme, invalid_rows, options):
    import warnings

    shared = shared_cohort((data, sha, columns, scheme, invalid_rows, options))
    if shared is not None:
        return shared

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
    arguments), so the notebooks of one report share it instead of re-reading the file;
    in a report's kernels, read from the build's pickle (module docstring). Returns a
    copy (copy-on-write: no data are copied until one is changed), so changing it does
    not affect the other notebooks.
    """
    cohort = _cached_cohort(*cohort_key(data, columns=columns, scheme=scheme,
                                        invalid_rows=invalid_rows, **read_options))  # fmt: skip
    return cohort.copy(deep=False)


def cohort_key(data=None, *, columns=None, scheme="who-2011", invalid_rows="raise", **read_options):
    """The cache key of :func:`report_cohort`: input path, its SHA-256, and the arguments."""
    sha = sha256_file(data) if data is not None else None
    options = tuple(
        sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in read_options.items())
    )
    return (
        None if data is None else str(data),
        sha,
        None if columns is None else str(columns),
        scheme,
        invalid_rows,
        options,
    )
