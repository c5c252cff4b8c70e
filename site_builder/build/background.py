"""One piece of a build's work in a forked process, beside the stage that started it.

The site stage's search index and record workers, the /data/ downloads and the QR stage's
specialty guide are each a single core's work for seconds to minutes: forked after the build
has read what they need, they share it by inheritance and run while the build goes on. Here, in
the build package, rather than with the site stage's renderers, so that a stage using it does
not take the site stage's code into its fingerprint (build/fingerprint.py): the QR stage's
files would then be redrawn whenever a page template changed.
"""
from __future__ import annotations

import multiprocessing

from . import cores
from .files import Files

workers = cores.workers  # how many processes may run (build/cores.py)


class Background:
    """`func()` in a forked process (or here, when forking is not safe); `join()` waits, adds
    the files it produced to the build's `files`, raises what it raised, and returns what it
    returned. A forked child gets `func` and its arguments by inheritance, not by pickling."""

    def __init__(self, files: Files, func):
        self._files, self._process, self._result = files, None, None
        if workers() < 2:
            self._result = func()
            return
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_background, args=(files, func, send), daemon=True)
        self._process.start()
        send.close()

    def join(self):
        if self._process is None:
            return self._result
        try:
            outcome = self._receive.recv()
        except EOFError:
            outcome = ("error", RuntimeError(f"后台进程意外退出（退出码 {self._process.exitcode}）"))
        finally:
            self._process.join()
            self._receive.close()
            self._process = None
        if outcome[0] == "error":
            raise outcome[1]
        result, written = outcome[1]
        self._files.merge(*written)
        self._result = result
        return result


def join_all(*backgrounds: Background) -> list:
    """Wait for every one (none is left writing into the stage), then raise the first failure;
    returns what each returned."""
    failures, results = [], []
    for background in backgrounds:
        try:
            results.append(background.join())
        except BaseException as exc:  # noqa: BLE001 - raised below, after the others finished
            failures.append(exc)
    if failures:
        raise failures[0]
    return results


def _background(files: Files, func, send) -> None:
    files.worker_started()
    try:
        result = func()
        send.send(("done", (result, files.worker_result())))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        send.send(("error", exc))
    finally:
        send.close()
