"""The parsing processes of a load: forked before the database is opened, each dying
with the loading process, collecting garbage rarely."""

from __future__ import annotations

import ctypes
import gc
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context


def start_pool(workers: int) -> ProcessPoolExecutor:
    """Parsing processes, forked at once, before this process opens the database.

    ``fork`` (not ``spawn``/``forkserver``) so that a user's script is not imported
    again in each worker; forking before any database connection exists means the
    workers inherit no database handle or thread. Each worker dies with this process
    (see :func:`_die_with_parent`), so a killed load leaves no orphans behind.
    """
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("fork"),
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )
    pool.submit(os.getpid).result()  # starts every worker now
    return pool


def _start_worker(parent: int) -> None:
    """In a parsing process, first: die with the loading process; collect garbage rarely."""
    _die_with_parent(parent)
    # Ctrl-C on a terminal reaches the whole process group: the loading process stops the
    # load (and so the pool); a parsing process dying of it would break the pool first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Parsing makes and drops many small containers, almost none of them in cycles: the
    # default collector threshold (700) runs it hundreds of times per file for nothing
    # (a few per cent of the parse's instructions); what was inherited is frozen.
    gc.freeze()
    gc.set_threshold(100_000, 20, 100)


def _die_with_parent(parent: int) -> None:
    """In a parsing process: be killed when the loading process dies.

    A worker of a SIGKILLed pool would otherwise wait forever on its task queue (it
    holds the queue's write end itself, so it never sees end-of-file). Linux delivers
    SIGKILL on the parent's death (``PR_SET_PDEATHSIG``); elsewhere a thread watches.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, signal.SIGKILL, 0, 0, 0) != 0:  # 1 = PR_SET_PDEATHSIG
            raise OSError(ctypes.get_errno(), "prctl")
    except (OSError, AttributeError):
        import threading
        import time

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # the parent died before the death signal was armed
        os._exit(1)
