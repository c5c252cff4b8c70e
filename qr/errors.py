"""Errors of the QR, label and poster stage (reported by the CLI without a traceback)."""
from site_builder.errors import ZuofangError


class FontMissing(ZuofangError):
    """No CJK font to print labels and posters with."""


class RegistryDatabaseError(ZuofangError):
    """registry.db is missing or lacks a table the QR stage reads."""


class UnknownOperator(ZuofangError):
    """`--operator` names no workshop in the database."""


class UnknownStation(ZuofangError):
    """`--station` names no station in the database."""


class UnknownRegion(ZuofangError):
    """`--region` names no region code in the database."""


class NothingSelected(ZuofangError):
    """A station or region that exists but has no workshop: nothing to print."""


class PrintTargetRefused(ZuofangError):
    """`zuofang print --out` names a folder, a file in a missing folder, or a place inside OUT_DIR."""
