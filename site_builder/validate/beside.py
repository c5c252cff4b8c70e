"""A table's Frictionless pass in a forked process, its rows handed over to the rules here.

Validating a registry is one pass per table in which Frictionless reads and types each row
(about 60 % of the time) and the domain rules judge it (the rest), on one core while the other
idles: 106 s at 50,000 businesses. With two cores the child reads and types the rows while the
parent judges the ones already read; both sides see the same state (the child is forked once the
earlier tables' keys are collected) and the parent receives the rows in file order, so the report
is the one a single process makes.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import traceback
from types import SimpleNamespace
from typing import Callable, Iterable, Iterator

from ..build import cores

workers = cores.workers  # how many processes may run (build/cores.py)

#: Fewer rows than this are read here: forking and the pipe cost about 10 ms a table, what
#: Frictionless takes for some 250 rows (a registry of 12 businesses: 0.30 s alone, 0.56 s forked).
ROWS_TO_FORK = 2000

#: Rows pickled together: fewer, larger messages (a row is about 1 µs of pickling).
BATCH = 512


class ReadFailure(Exception):
    """Frictionless could not read on in the child (a broken file): its error's type and note,
    raised in the parent where the child met it, as the table's reading would have raised it."""

    def __init__(self, kind: str, note: str | None, text: str):
        super().__init__(text)
        self.error = SimpleNamespace(type=kind, note=note)


def rows_beside(produce: Callable[[], Iterable], readable: tuple[type[BaseException], ...],
                alone: bool = False) -> Iterator:
    """The items `produce()` yields, made in a forked process when there are two cores (else, or
    when `alone`, here). An exception of a `readable` type in the child is raised here as ReadFailure after the
    items before it; any other is raised here as a RuntimeError naming the child's traceback."""
    if alone or workers() < 2:
        yield from produce()
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's lines run in another process
        receive.close()
        _child(produce, readable, send)
    send.close()
    try:
        while True:
            try:
                kind, payload = pickle.loads(receive.recv_bytes())
            except EOFError:
                raise RuntimeError("校验的读表进程意外退出。The validation's reading process died.") from None
            if kind == "rows":
                yield from payload
            elif kind == "end":
                return
            elif kind == "unreadable":
                raise ReadFailure(*payload)
            else:
                raise RuntimeError(f"校验的读表进程出错 The validation's reading process failed:\n{payload}")
    finally:
        receive.close()  # a child still sending stops on the broken pipe
        os.waitpid(pid, 0)


def _child(produce, readable, send) -> None:  # pragma: no cover - runs in the forked process
    # The collector would walk the parent's objects (the rows the rules gathered, a gigabyte at
    # 50,000 businesses) and so copy their pages: those are set aside, in O(1).
    gc.freeze()
    code = 0
    try:
        batch = []
        try:
            for item in produce():
                batch.append(item)
                if len(batch) == BATCH:
                    send.send_bytes(pickle.dumps(("rows", batch), pickle.HIGHEST_PROTOCOL))
                    batch = []
            send.send_bytes(pickle.dumps(("rows", batch), pickle.HIGHEST_PROTOCOL))
            send.send_bytes(pickle.dumps(("end", None)))
        except readable as exc:
            send.send_bytes(pickle.dumps(("rows", batch), pickle.HIGHEST_PROTOCOL))
            error = getattr(exc, "error", None)  # a FrictionlessException's
            send.send_bytes(pickle.dumps(("unreadable", (getattr(error, "type", "unreadable-file"),
                                                        getattr(error, "note", None), str(exc)))))
    except BrokenPipeError:
        pass  # the parent stopped reading (it is raising an error of its own)
    except BaseException:  # noqa: BLE001 - told to the parent, which raises it
        code = 1
        try:
            send.send_bytes(pickle.dumps(("bug", traceback.format_exc())))
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(code)
