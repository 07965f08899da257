"""One blocking call run in a forked child process while the caller goes on with other work.

The digest renders its draft (matplotlib charts, python-docx) this way while it writes the
XLSX: both are pure Python, so threads would take turns on one core, while a child process
uses the second. A forked child starts at once and needs nothing passed to it (it has the
parent's memory); only the result comes back, pickled. Forking is safe only in a process
with a single thread (a thread holding a lock at the fork would hold it in the child for
ever), so in the scheduler's worker threads, or where there is no fork, the call simply
runs in place.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")


class BackgroundError(RuntimeError):
    """The child ended without a result, or its exception could not be sent back."""


class Pending(Generic[T]):
    """A call's outcome: `result()` returns its value or raises its exception."""

    def __init__(self, *, value: Any = None, error: BaseException | None = None) -> None:
        self._value, self._error = value, error

    def result(self) -> T:
        if self._error is not None:
            raise self._error
        return self._value

    def cancel(self) -> None:
        """Nothing to stop: the call has run already."""


class _Forked(Pending[T]):
    def __init__(self, process: multiprocessing.process.BaseProcess, receive: Connection) -> None:
        super().__init__()
        self._process, self._receive = process, receive

    def result(self) -> T:
        try:
            succeeded, outcome = self._receive.recv()  # before join: a large result fills the pipe
        except EOFError:
            self._process.join()
            code = self._process.exitcode
            raise BackgroundError(
                f"the background process ended without a result (exit code {code})"
            ) from None
        finally:
            self._receive.close()
        self._process.join()
        if not succeeded:
            raise outcome
        return outcome

    def cancel(self) -> None:
        """Stop the child (the caller failed and will not wait for its result)."""
        self._process.terminate()
        self._process.join()
        self._receive.close()


def _run_and_send(call: Callable[[], Any], send: Connection) -> None:
    try:
        outcome: tuple[bool, Any] = (True, call())
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        logger.debug("Background call failed", exc_info=True)
        outcome = (False, exc)
    try:
        send.send(outcome)
    except Exception as exc:  # noqa: BLE001 - a result or exception that does not pickle
        send.send((False, BackgroundError(f"{type(outcome[1]).__name__}: {outcome[1]} ({exc})")))
    finally:
        send.close()


def can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


def start(call: Callable[[], T]) -> Pending[T]:
    """Start `call` in a forked child and return at once; without a safe fork, run it now."""
    if not can_fork():
        try:
            return Pending(value=call())
        except Exception as exc:  # noqa: BLE001 - raised by result(), as from the child
            return Pending(error=exc)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_run_and_send, args=(call, send), daemon=True)
    # Frozen, the parent's objects are never collected in the child: no finalizer of the
    # parent's (a database connection's, say) runs there, and the collector does not touch,
    # and so copy, every page of the parent's memory.
    gc.freeze()
    try:
        process.start()
    finally:
        gc.unfreeze()
    send.close()  # the child's end: EOF on receive when the child dies without a result
    return _Forked(process, receive)
