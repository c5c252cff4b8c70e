"""The Datasette plugin `pip install zuofang` brings: the `datasette` entry point names this module
(pyproject.toml), so a plain `datasette registry.db` searches Chinese correctly, describes the
database from its own tables and shows codes in Chinese; `zuofang serve` uses the same plugin.

A package of its own, without templates/ or static/: Datasette serves the templates found beside
a plugin's module to every database, and the site's Datasette templates are for `zuofang serve`.
"""
from site_builder.datasette.facets import register_facet_classes  # noqa: F401 - pluggy finds hooks by name
from site_builder.datasette.hooks import (  # noqa: F401
    extra_template_vars,
    prepare_connection,
    prepare_jinja2_environment,
    render_cell,
)
from site_builder.datasette.served_metadata import get_metadata, startup  # noqa: F401
from site_builder.datasette.responses import asgi_wrapper, register_output_renderer  # noqa: F401

NAME = "zuofang"  # the entry point's name


def register(pm) -> None:
    """Register this plugin with Datasette's plugin manager unless the entry point did (a
    checkout run without installing it)."""
    import sys

    module = sys.modules[__name__]
    if pm.get_plugin(NAME) is None and not pm.is_registered(module):
        pm.register(module, name=NAME)
