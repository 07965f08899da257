"""processor.background: a call run in a forked child gives back its value or its exception,
and a child that dies says so; in a process with other threads the call runs in place."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from processor import background


class Refused(Exception):
    pass


def _write_and_return(path: Path) -> tuple[int, Path]:
    path.write_text("written by the child", encoding="utf-8")
    return os.getpid(), path


def _refuse() -> None:
    raise Refused("no")


def _die() -> None:
    os._exit(3)


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork even if earlier tests left idle threads (asyncio's executor): the children here
    use none of them."""
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    monkeypatch.setattr(background, "can_fork", lambda: True)


@pytest.mark.usefixtures("forking")
@pytest.mark.filterwarnings("ignore:.*multi-threaded.*:DeprecationWarning")
def test_the_call_runs_in_a_child_and_its_value_comes_back(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    pending = background.start(lambda: _write_and_return(target))
    pid, path = pending.result()
    assert pid != os.getpid()
    assert path == target
    assert target.read_text(encoding="utf-8") == "written by the child"


@pytest.mark.usefixtures("forking")
@pytest.mark.filterwarnings("ignore:.*multi-threaded.*:DeprecationWarning")
def test_the_childs_exception_is_raised_by_result() -> None:
    pending = background.start(_refuse)
    with pytest.raises(Refused, match="no"):
        pending.result()


@pytest.mark.usefixtures("forking")
@pytest.mark.filterwarnings("ignore:.*multi-threaded.*:DeprecationWarning")
def test_a_child_that_dies_without_a_result_is_an_error() -> None:
    pending = background.start(_die)
    with pytest.raises(background.BackgroundError, match="exit code 3"):
        pending.result()


@pytest.mark.usefixtures("forking")
@pytest.mark.filterwarnings("ignore:.*multi-threaded.*:DeprecationWarning")
def test_cancel_stops_the_child() -> None:
    release = threading.Event()  # never set: the child would wait for ever
    pending = background.start(lambda: release.wait())
    pending.cancel()


def test_with_other_threads_the_call_runs_in_place(tmp_path: Path) -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not background.can_fork()
        pid, _ = background.start(lambda: _write_and_return(tmp_path / "x")).result()
        assert pid == os.getpid()
        with pytest.raises(Refused):
            background.start(_refuse).result()
    finally:
        stop.set()
        other.join()
