"""Significance tests of the survey, stored beside the data they describe.

The build runs :func:`stats.run.run_stats` after the checks; ``python -m stats``
recomputes a published warehouse. The ``stats`` schema holds ``tests`` (one row
per hypothesis × method, with Holm and Benjamini–Hochberg adjusted p-values),
``contingency_cells``, ``regression_coefficients``, ``report_claims`` (the
report's comparisons in words, checked) and ``run_info``. scipy and statsmodels
are imported inside the functions that use them, so importing this package is
cheap.
"""
