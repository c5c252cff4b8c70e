"""The one state record of an output folder: OUT_DIR/.zuofang-state.

A rebuild does work in proportion to the change only because it trusts what the previous build
remembered: which files it made (and their bytes), which rows it validated, what every stage
made its output from. A record that anyone can edit is a way to turn the build against its user
(a forged path deletes a file outside OUT_DIR, a forged row digest lets an invalid row through),
so the record is one file, versioned, with a sha256 per section and an HMAC over its header made
with a key that lives outside every output folder (`key.py`). A record that is missing, of
another version, cut short, edited or signed with another key is not trusted: every stage then
works from scratch, and nothing is deleted on its word.

The file: one line of JSON (format, version, each section's name, length and sha256, the HMAC of
that line without it), then the sections' bytes one after another. Each stage owns a section
(`get` / `put`), loaded once and written once, at the commit (files.py).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from pathlib import Path

from . import key as signing

log = logging.getLogger(__name__)

NAME = ".zuofang-state"
FORMAT = "zuofang-state"
#: Raise when the layout of the file or the meaning of a section changes: older records are
#: then simply not trusted (a full rebuild), never misread.
VERSION = 1


class StateRecord:
    """The sections a previous build left (`get`, None when absent or not trusted) and the ones
    this run writes (`put`). `authentic`: the file was ours, signed with our key and intact."""

    def __init__(self, sections: dict[str, bytes] | None = None, authentic: bool = False):
        self._old = sections or {}
        self.authentic = authentic
        self.trusted = authentic
        self.new: dict[str, bytes] = {}

    def get(self, section: str) -> bytes | None:
        """This run's value if it wrote one, else the previous build's (when trusted)."""
        if section in self.new:
            return self.new[section]
        return self._old.get(section) if self.trusted else None

    def get_json(self, section: str):
        data = self.get(section)
        try:
            return None if data is None else json.loads(data)
        except ValueError:
            return None

    def previous_json(self, section: str):
        """The previous build's section as JSON, ignoring what this run put (None when absent,
        not trusted or not JSON)."""
        data = self._old.get(section) if self.trusted else None
        try:
            return None if data is None else json.loads(data)
        except ValueError:
            return None

    def put(self, section: str, data: bytes) -> None:
        self.new[section] = bytes(data)

    def put_json(self, section: str, value) -> None:
        self.put(section, json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode())

    def distrust(self) -> None:
        """Work from scratch: the previous output does not match what was recorded of it."""
        self.trusted = False

    def previous(self, section: str) -> bytes | None:
        """The previous build's section even when its stages are not trusted (the file list,
        when the record is authentic: what may be removed is decided from it)."""
        return self._old.get(section) if self.authentic else None

    def take_previous(self, section: str) -> bytes | None:
        """`previous(section)`, handed over: the record keeps no copy of it (the file list is
        110 MB at 50,000 businesses; the build holds it decoded, as manifest.py's entries)."""
        data = self.previous(section)
        self._old.pop(section, None)
        return data

    def sections(self) -> dict[str, bytes]:
        """Every section the previous build left (empty when the record is not authentic)."""
        return dict(self._old) if self.authentic else {}

    def carry(self, *sections: str) -> None:
        """Keep the previous build's value of `sections` (a run that redoes one stage only)."""
        for section in sections:
            if section not in self.new and self.trusted and section in self._old:
                self.new[section] = self._old[section]

    def to_bytes(self) -> bytes:
        return encode(self.new)

    def to_parts(self) -> list[bytes]:
        """The record's bytes in parts, as `write_parts` writes them: joined, they were one more
        copy of the file list in the commit's peak."""
        return encode_parts(self.new)


def encode(sections: dict[str, bytes]) -> bytes:
    return b"".join(encode_parts(sections))


def encode_parts(sections: dict[str, bytes]) -> list[bytes]:
    names = sorted(sections)
    header = {"format": FORMAT, "version": VERSION,
              "sections": [[n, len(sections[n]), hashlib.sha256(sections[n]).hexdigest()] for n in names]}
    key = signing.load()
    header["mac"] = hmac.new(key, _canonical(header), hashlib.sha256).hexdigest() if key else None
    return [json.dumps(header, sort_keys=True).encode() + b"\n", *(sections[n] for n in names)]


def decode(data: bytes) -> tuple[dict[str, bytes], bool]:
    """The sections of a record and whether it is authentic; ({}, False) for anything that is
    not a complete, signed record of this version."""
    head, newline, body = data.partition(b"\n")
    try:
        header = json.loads(head)
        if not newline or header.get("format") != FORMAT or header.get("version") != VERSION:
            return {}, False
        key = signing.load()
        mac = header.pop("mac", None)
        if not key or not isinstance(mac, str) or not hmac.compare_digest(
                mac, hmac.new(key, _canonical(header), hashlib.sha256).hexdigest()):
            return {}, False
        sections, at = {}, 0
        for name, length, digest in header["sections"]:
            part = body[at:at + length]
            at += length
            if len(part) != length or hashlib.sha256(part).hexdigest() != digest:
                return {}, False
            sections[name] = part
        if at != len(body):
            return {}, False
    except (ValueError, TypeError, AttributeError, KeyError):
        return {}, False
    return sections, True


def _canonical(header: dict) -> bytes:
    return json.dumps({k: v for k, v in header.items() if k != "mac"}, sort_keys=True).encode()


def load(folder: str | Path) -> StateRecord:
    """The record in `folder` (an output folder), or an empty, untrusted one."""
    path = Path(folder) / NAME
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return StateRecord()
    except OSError as exc:
        log.warning("%s: 无法读取构建记录（%s），将从头构建。", path, exc)
        return StateRecord()
    sections, authentic = decode(data)
    if not authentic:
        log.warning("%s: 构建记录不完整、被改动或来自另一台机器，本次从头构建，不据此删除任何文件。"
                    "The build record is not ours or was changed: building from scratch.", path)
    return StateRecord(sections, authentic)


def is_record(path: Path) -> bool:
    """True when `path` holds a Zuofang state record (authentic or not): the marker of an output
    folder a build may write into."""
    try:
        with open(path, "rb") as f:
            head = f.read(256)
    except OSError:
        return False
    return head.startswith(b"{") and f'"format": "{FORMAT}"'.encode() in head


class FolderRecord(StateRecord):
    """The record of a folder written outside a build (library calls, tests): each `put` is
    saved at once, in place."""

    def __init__(self, folder: str | Path):
        loaded = load(folder)
        super().__init__(loaded._old, loaded.authentic)
        self.path = Path(folder) / NAME
        self.new = dict(loaded._old) if loaded.authentic else {}

    def put(self, section: str, data: bytes) -> None:
        super().put(section, data)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f"{NAME}.tmp{os.getpid()}")
        tmp.write_bytes(self.to_bytes())
        os.replace(tmp, self.path)
