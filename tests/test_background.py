"""A step run in a second process gives what it gives in place, and a failure there is never lost."""

from __future__ import annotations

import os
import signal

import pytest

from site_builder.background import LOW_PRIORITY, Background, can_run_beside

beside = pytest.mark.skipif(not can_run_beside(), reason="needs fork and a second core")


def _pid_and_square(number: int) -> tuple[int, int]:
    return os.getpid(), number * number


@beside
def test_the_step_runs_in_a_second_process_and_its_value_comes_back() -> None:
    pid, value = Background(lambda: _pid_and_square(12)).result()
    assert value == 144
    assert pid != os.getpid()


@beside
def test_a_low_priority_step_yields_the_cores_and_the_others_do_not() -> None:
    here = os.nice(0)
    assert Background(lambda: os.nice(0)).result() == here
    assert Background(lambda: os.nice(0), low_priority=True).result() == min(here + LOW_PRIORITY, 19)
    assert os.nice(0) == here  # the build's own process keeps its priority


def test_without_a_second_process_the_step_runs_in_place() -> None:
    pid, value = Background(lambda: _pid_and_square(12), parallel=False).result()
    assert (pid, value) == (os.getpid(), 144)


@beside
def test_an_error_in_the_second_process_is_raised_here() -> None:
    calls = []

    def failing() -> None:
        calls.append(os.getpid())
        raise ValueError("bad record")

    job = Background(failing)
    with pytest.raises(ValueError, match="bad record"):
        job.result()
    # Raised by running the step again in place, so the traceback is this process's own.
    assert calls == [os.getpid()]


@beside
def test_a_second_process_that_dies_leaves_the_step_to_run_in_place() -> None:
    def dies_there() -> tuple[int, int]:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return _pid_and_square(3)

    parent = os.getpid()
    assert Background(dies_there).result() == (parent, 9)


@beside
def test_a_step_started_inside_a_second_process_runs_there_in_place() -> None:
    def nested() -> tuple[int, int]:
        inner_pid, value = Background(lambda: _pid_and_square(5)).result()
        assert inner_pid == os.getpid()  # not a third process
        return os.getpid(), value

    pid, value = Background(nested).result()
    assert value == 25 and pid != os.getpid()


def _blas_threads() -> list[int]:
    from threadpoolctl import threadpool_info

    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


@beside
def test_blas_gets_half_the_cores_in_each_process_while_the_build_shares_them() -> None:
    """Two processes at once, each with a BLAS thread per core, spun against each other: while the
    generation runs, each process (a forked one too) gets half of the cores, and the limit is lifted after."""
    import numpy  # noqa: F401 - loads the BLAS whose threads are counted

    from site_builder.background import blas_threads_shared

    before = _blas_threads()
    assert before, "numpy's BLAS is not seen by threadpoolctl"
    half = max(1, len(os.sched_getaffinity(0)) // 2)
    with blas_threads_shared():
        assert _blas_threads() == [half] * len(before)
        assert Background(_blas_threads).result() == [half] * len(before)
    assert _blas_threads() == before
