"""Significance tests of the survey, stored beside the data they describe.

The build runs :func:`stats.run.run_stats` after the checks; ``python -m stats``
recomputes a published warehouse. The ``stats`` schema holds ``tests`` (one row
per hypothesis × method, with Holm and Benjamini–Hochberg adjusted p-values),
``contingency_cells``, ``regression_coefficients``, ``report_claims`` (the
report's comparisons in words, each checked with the test the report names,
Holm-adjusted among the claims about the same figure or table, beside the
robust method's verdict; see :mod:`stats.claims`) and ``run_info``. scipy and statsmodels
are imported inside the functions that use them, so importing this package is
cheap.
"""
