"""Writing output files so that readers never see half a file and writers never collide."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def replace_atomically(path: Path, write: Callable[[Path], None]) -> Path:
    """Call `write` on a fresh temporary file beside `path`, then rename it over `path`.

    The temporary name is unique (mkstemp), so two runs writing the same output (two
    `digest --no-deliver` into one directory) never write into each other's file; the last
    rename wins and each rename is atomic. A failed write leaves no temporary file behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    temporary = Path(name)
    temporary.chmod(0o644)  # mkstemp makes it private; outputs are for the planning team
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
