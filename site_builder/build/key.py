"""The key that signs build records (state.py, the commit journal), kept outside every output folder.

Whoever can write into OUT_DIR can edit what a build left there; only a record signed with a key
they cannot read is believed. The key is 32 random bytes in the user's state directory
($XDG_STATE_HOME/zuofang/key, by default ~/.local/state/zuofang/key), made on first use, readable
by the user only. Without it (no home directory, a read-only one) records are written unsigned
and never trusted: every build then works from scratch, which is slower but never wrong.
An output copied to another machine or user is rebuilt from scratch once for the same reason.
"""
from __future__ import annotations

import logging
import os
import secrets
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

SIZE = 32


def path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "zuofang" / "key"


def load() -> bytes | None:
    return _load(str(path()))


@lru_cache(maxsize=4)
def _load(where: str) -> bytes | None:
    file = Path(where)
    try:
        data = file.read_bytes()
        if len(data) == SIZE:
            return data
        log.warning("%s: 签名密钥长度不对，构建记录将不被信任。The signing key is damaged.", file)
        return None
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("%s: 无法读取签名密钥（%s）。", file, exc)
        return None
    try:
        file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = file.with_name(f".key.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        data = secrets.token_bytes(SIZE)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        try:
            os.link(tmp, file)  # whole or not at all: a build starting meanwhile never reads half a key
        except FileExistsError:  # another build made it first
            data = file.read_bytes()
        finally:
            tmp.unlink()
    except OSError as exc:
        log.warning("%s: 无法创建签名密钥（%s）：每次构建都将从头进行。Cannot keep a signing key: every "
                    "build starts from scratch.", file, exc)
        return None
    return data if len(data) == SIZE else None
