"""The repository's own data files, installed inside the package without a second copy.

``pyproject.toml`` maps four folders of the repository to subpackages of this one
(``notebooks/`` -> ``b12cohort._bundled.notebooks``, ``data/schema/`` -> ``.schema``,
``data/example/`` -> ``.example``, ``data/literature/`` -> ``.literature``), so that an
editable install reads the files where they are in the repository and a wheel carries them, with no
symlinks (Windows) and no copy to keep in sync. Read them with :func:`bundled_file`.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = ["FOLDERS", "bundled_file"]

#: bundled folder -> where it lives in the repository
FOLDERS = {
    "notebooks": "notebooks",
    "schema": "data/schema",
    "example": "data/example",
    "literature": "data/literature",
}


def bundled_file(folder: str, name: str) -> Traversable:
    """The file ``name`` of a bundled repository folder (see :data:`FOLDERS`)."""
    if folder not in FOLDERS:
        raise KeyError(f"no bundled folder {folder!r}; known: {', '.join(FOLDERS)}")
    inside = resources.files("b12cohort").joinpath("_bundled", folder, name)
    if inside.is_file():  # a wheel: the build copied the folder here
        return inside
    # an editable install or a source checkout: the folder in the repository itself
    return Path(__file__).resolve().parents[2].joinpath(*FOLDERS[folder].split("/"), name)
