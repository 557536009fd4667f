"""The package version, in the lowest layer so that every layer can report it."""

__version__ = "0.3.0"
