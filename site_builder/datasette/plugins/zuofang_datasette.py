"""Datasette plugin for registry.db (loaded with --plugins-dir by `zuofang serve`).

The hooks live in site_builder/datasette/hooks.py. This file stays ASCII-only because
Datasette reads plugin files with the locale's encoding, and a process whose locale is "C"
(Pelican sets it; so do bare servers) cannot decode UTF-8 source.
"""
from site_builder.datasette.hooks import (  # noqa: F401 - pluggy finds the hooks by name here
    extra_template_vars,
    prepare_connection,
    prepare_jinja2_environment,
    render_cell,
)
