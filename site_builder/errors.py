"""Domain errors: small named classes the CLI turns into readable messages."""


class ZuofangError(Exception):
    """Base of every error the CLI reports without a traceback."""


class DataPackageError(ZuofangError):
    """datapackage.json is missing, unreadable or not a package this project knows."""


class ValidationFailed(ZuofangError):
    """The registry has problems; `report` holds every one of them."""

    def __init__(self, report):
        self.report = report
        super().__init__(f"登记数据有 {len(report.problems)} 个问题，未发布任何内容。")


class PermanenceError(ZuofangError):
    """A build would drop an address that was published before (printed QR codes would break)."""

    def __init__(self, dropped):
        self.dropped = list(dropped)
        listed = "、".join(self.dropped[:20]) + ("……" if len(self.dropped) > 20 else "")
        super().__init__(
            f"{len(self.dropped)} 个已发布的地址在新数据中消失：{listed}。"
            "已发布的主体和产品不能删除，请改变其状态（如 revoked、withdrawn）。"
        )


class BuildError(ZuofangError):
    """A build stage failed; the earlier output was left untouched."""


class HandbookError(ZuofangError):
    """The handbook (mkdocs --strict) did not build: a broken link, a page missing from the nav."""
