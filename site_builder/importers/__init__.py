"""Importers: read the sampling notices, 双公示 penalty and licence exports bureaus already
publish, and merge them into the registry's CSV files.

sources (files into sheets of text rows) -> aliases (headers into fields) -> sampling /
penalties / licences (rows into registry records, placed on businesses by matching) ->
registry_edit (merged into the CSV files, idempotently) and review (rows that could not be
placed, in import-review.csv); report prints what happened. run.py ties them together.
"""
