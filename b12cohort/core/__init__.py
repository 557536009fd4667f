"""Foundations every layer may use: the package's exceptions and warnings, argument checks,
the result base class, number and text formatting, the table writer (with its Word and Excel
writers, ``_docx`` and ``_xlsx``) and shared constants.

May import: nothing else from b12cohort (only the standard library, NumPy and pandas; python-docx
and openpyxl inside the functions that write Word and Excel files, so importing stays fast).
"""
