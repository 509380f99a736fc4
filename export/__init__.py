"""Labelled exports of the published warehouse for analysts working in R, SPSS, Stata or a spreadsheet.

``python -m export --format sav|dta|parquet|xlsx --out <folder> [--wave W]`` (``make export``) reads the
published warehouse read-only and writes, into one folder:

* the kept respondents, wide (``marts.respondents_wide``), with the codebook's variable and value labels;
* every answer, long (``marts.answers``);
* the report's tables and figures as one workbook with French headings (``rapport_tableaux.xlsx``);
* ``variables.csv`` (each variable's names, labels and codes) and a French ``README.txt``.

Every label comes from the warehouse's own codebook, so a file always describes the build it was cut from;
nothing here lists a question. The modules each do one thing: :mod:`export.warehouse` opens the source,
:mod:`export.tables` selects what is written, :mod:`export.labels` turns the codebook into names and labels,
:mod:`export.headings` holds the French headings of the long tables, :mod:`export.labelled` writes ``.sav`` and
``.dta``, :mod:`export.workbook` writes reproducible ``.xlsx``, :mod:`export.stamp` pins the creation time of
``.sav``/``.dta`` headers, :mod:`export.notice` writes ``README.txt`` and ``variables.csv``, and
:mod:`export.run` puts them together per format.
"""
