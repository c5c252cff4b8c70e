"""Zuofang's Datasette customisation: the plugin (plugin/, registered through the `datasette` entry
point: hooks.py, labels.py, facets.py, metadata.py, responses.py), the templates `zuofang serve`
uses (templates/) and the plugins/ folder it passes to `datasette --plugins-dir` (the response
cache, for its immutable databases only)."""
