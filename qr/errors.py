"""Errors of the QR, label and poster stage (reported by the CLI without a traceback)."""
from site_builder.errors import ZuofangError


class FontMissing(ZuofangError):
    """No CJK font to print labels and posters with."""


class RegistryDatabaseError(ZuofangError):
    """registry.db is missing or lacks a table the QR stage reads."""


class UnknownOperator(ZuofangError):
    """`--operator` names no workshop in the database."""
