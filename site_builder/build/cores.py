"""How many processes a stage may fork: the one worker count every parallel part uses."""
from __future__ import annotations

import multiprocessing
import os
import threading

#: More workers than this gain nothing on the sizes measured (bench/), and each holds memory.
MAX_WORKERS = 8


def workers() -> int:
    """The cores (at most MAX_WORKERS), or 1 when forking is not safe: forking a process that
    runs other threads can deadlock on a lock a thread held."""
    if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))
