"""A time limit for one piece of work, so a page that would take minutes names itself instead
of hanging the build. Works in a process's main thread (the command line, the build's
workers); elsewhere (the preview's threads) the size limits of content.py must do."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

SECONDS = 20.0  # per page: a real page renders in milliseconds


class TooSlow(Exception):
    """The work took longer than its limit."""


@contextmanager
def deadline(message: Callable[[], str], seconds: float = SECONDS) -> Iterator[None]:
    """Raise TooSlow(message()) if the block runs longer than `seconds`."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: FrameType | None) -> None:
        raise TooSlow(message())

    outer, _ = signal.getitimer(signal.ITIMER_REAL)  # an enclosing limit keeps running
    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer) if outer else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:
            signal.setitimer(signal.ITIMER_REAL, max(0.001, outer - (time.monotonic() - started)))
