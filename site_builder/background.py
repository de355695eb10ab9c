"""A step of the build run in a second process while the first goes on.

On a machine with two cores, a step that needs only what is already made
runs beside the next ones: the search index (4.5 s at 10,000 papers) while
the pages are rendered, mentions while related papers are scored, half of
a cold build's related papers beside the other half. The process is
forked, so it starts with everything the build holds and sends back only
its result. Where there is no fork (Windows)
or a single core, the step runs in place when its result is asked for; a
second process that fails is only slower, never wrong: the step then runs in
place too, and raises there if it must.

A step run here may print nothing (its lines would interleave with the
build's) and write only what no other step writes: cache entries of its
own, written atomically. Anything else it changes stays in the second
process: what the build needs from it must be in its result.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

from threadpoolctl import threadpool_limits

T = TypeVar("T")

log = logging.getLogger(__name__)


_settings = {"parallel": True}


def set_parallel(enabled: bool) -> None:
    """Allow second processes, or run every step in place (the build benchmark times steps one by one)."""
    _settings["parallel"] = enabled


# How much lower a ``low_priority`` step's process runs (os.nice): Linux then gives it about a tenth of
# a core that the build's own process also wants.
LOW_PRIORITY = 10


class Background(Generic[T]):
    """``compute()``, started now, its value given by ``result()``.

    ``low_priority``: the build waits for the value only much later (the
    search index, after the pages are rendered; the cache, at the end), so
    the second process yields the cores to the steps the build needs first.
    On two cores the build's own process, that second one and a third
    (the topic map) otherwise share them alike. An abstract edit at 10,000
    papers, while the machine was busy: 3.48 s, and 3.17 s with this (medians
    of 10 runs by turns); on a quiet spell no different (2.57 s and 2.63 s,
    6 runs each); a cold build no slower (17.8-19.3 s against 18.3-19.8 s).
    """

    def __init__(self, compute: Callable[[], T], *, parallel: bool = True, low_priority: bool = False) -> None:
        self._compute = compute
        self._process: multiprocessing.process.BaseProcess | None = None
        self._connection: Connection | None = None
        if parallel and _settings["parallel"] and can_run_beside():
            context = multiprocessing.get_context("fork")
            receiver, sender = context.Pipe(duplex=False)
            self._process = context.Process(target=_send_result, args=(compute, sender, low_priority), daemon=True)
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


@contextlib.contextmanager
def blas_threads_shared() -> Iterator[None]:
    """Each process's BLAS (numpy's and scipy's matrix products) gets half of the cores meanwhile.

    The build runs up to two processes at once, and OpenBLAS starts a thread
    per core in each, whose threads then spin against each other's: on 2
    cores, one thread each took cold related papers at 10,000 papers from
    5.65-5.97 s to 5.0-5.07 s, the whole generation from 11.9-12.2 s to
    11.3-11.4 s. A forked second process keeps the limit.
    """
    if not (_settings["parallel"] and can_run_beside()):
        yield
        return
    with threadpool_limits(limits=max(1, _cores() // 2), user_api="blas"):
        yield


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def can_run_beside() -> bool:
    """Whether a forked second process can run beside this one: fork exists and so does a second core."""
    cores = _cores()
    # A second process may not start a third (multiprocessing forbids it): there, steps run in place.
    inside_one = multiprocessing.current_process().daemon
    return cores > 1 and not inside_one and "fork" in multiprocessing.get_all_start_methods()


def _send_result(compute: Callable[[], object], connection: Connection, low_priority: bool = False) -> None:
    if low_priority:
        with contextlib.suppress(OSError):  # not allowed here: only slower
            os.nice(LOW_PRIORITY)
    try:
        answer: tuple[bool, object] = (True, compute())
    except BaseException as error:  # sent as text: the parent runs the step again to raise it properly
        answer = (False, f"{type(error).__name__}: {error}")
    connection.send(answer)
    connection.close()
