"""Zuofang's Datasette customisation: hooks (hooks.py), templates/ and the plugins/ folder
that `datasette --plugins-dir` loads (thin ASCII-only shims importing from here)."""
