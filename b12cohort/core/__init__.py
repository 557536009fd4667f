"""Foundations every layer may use: the package's exceptions and warnings, argument checks,
the result base class, number and text formatting, the table writer and shared constants.

May import: nothing else from b12cohort (only the standard library, NumPy and pandas).
"""
