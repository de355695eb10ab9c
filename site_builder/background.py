"""A step of the build run in a second process while the first goes on.

The search index needs only the enriched papers, as the pages do, and takes
4.5 s at 10,000 papers: on a machine with two cores it is made while the
pages are rendered. The process is forked, so it starts with everything the
build holds and sends back only its result. Where there is no fork (Windows)
or a single core, the step runs in place when its result is asked for; a
second process that fails is only slower, never wrong: the step then runs in
place too, and raises there if it must.

Only pure steps belong here: the child's writes and prints are not the
build's (its cache writes, say, would be lost or race the parent's).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)


class Background(Generic[T]):
    """``compute()``, started now, its value given by ``result()``."""

    def __init__(self, compute: Callable[[], T], *, parallel: bool = True) -> None:
        self._compute = compute
        self._process: multiprocessing.process.BaseProcess | None = None
        self._connection: Connection | None = None
        if parallel and can_run_beside():
            context = multiprocessing.get_context("fork")
            receiver, sender = context.Pipe(duplex=False)
            self._process = context.Process(target=_send_result, args=(compute, sender), daemon=True)
            self._process.start()
            sender.close()  # the child's end: the parent only reads
            self._connection = receiver

    def result(self) -> T:
        """The value, from the second process if it made one, else computed here."""
        if self._process is None or self._connection is None:
            return self._compute()
        try:
            made, value = self._connection.recv()
        except (EOFError, OSError):  # the child died before it could answer (killed, out of memory)
            made, value = False, None
        finally:
            self._connection.close()
            self._process.join()
        if made:
            return value  # type: ignore[no-any-return]
        log.debug("the background step failed (%s); running it in place", value)
        return self._compute()


def can_run_beside() -> bool:
    """Whether a forked second process can run beside this one: fork exists and so does a second core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores > 1 and "fork" in multiprocessing.get_all_start_methods()


def _send_result(compute: Callable[[], object], connection: Connection) -> None:
    try:
        answer: tuple[bool, object] = (True, compute())
    except BaseException as error:  # sent as text: the parent runs the step again to raise it properly
        answer = (False, f"{type(error).__name__}: {error}")
    connection.send(answer)
    connection.close()
