"""Safe output folders: the tool writes only into folders it made, and deletes only what it made.

Every folder a command creates for its output (build, site, release, export) carries a marker file
`.modelfacts-output` holding JSON `{"kind": ..., "tool_version": ...}`. A command writes into a folder
only when the folder is new, empty, or carries a marker of the same kind; otherwise it refuses with an
OutputFolderError whose message states the fix. Staging folders live inside (or beside) a marked folder
and are the only things the tool removes.

A command that replaces its whole output folder (the site) uses replacing(): the target is checked
before any work, the new output is built in a staging folder beside it and exchanged with the old one
in one atomic step (renameat2 RENAME_EXCHANGE on Linux):

    with replacing(out, "site") as staging:
        ... write the finished output into staging / "site" ...

A command that writes into its folder (build, release, export) prepares it and holds its lock:

    folder = prepare(out, "build")
    with exclusive(folder, "build"):
        remove_stale(folder, ".build-")
        staging = make_staging(folder, ".build-", "build")
        ...
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

MARKER = ".modelfacts-output"
LOCK = ".modelfacts-lock"
KINDS = ("build", "site", "release", "export")


class OutputFolderError(Exception):
    """A folder the tool must not write into (or cannot lock); str() is one line naming the path and the fix."""

    def __init__(self, path: Path, problem: str, fix: str) -> None:
        self.path, self.problem, self.fix = Path(path), problem, fix
        super().__init__(f"{path}: {problem}; {fix}")

    def line(self, action: str) -> str:
        """The message as `PATH: cannot ACTION: PROBLEM; FIX` (action e.g. "write the build")."""
        return f"{self.path}: cannot {action}: {self.problem}; {self.fix}"


def tool_version() -> str:
    """The installed modelfacts package version ("unknown" when run from a bare checkout)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("modelfacts")
    except PackageNotFoundError:
        return "unknown"


def marker_kind(folder: Path) -> str | None:
    """The kind recorded in folder's marker, or None when the folder has no readable marker."""
    try:
        recorded = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    kind = recorded.get("kind") if isinstance(recorded, dict) else None
    return kind if kind in KINDS else None


def write_marker(folder: Path, kind: str) -> None:
    """Record that the tool made `folder` for output of `kind` (build | site | release | export)."""
    if kind not in KINDS:
        raise ValueError(f"unknown output kind {kind!r}; expected one of {', '.join(KINDS)}")
    payload = json.dumps({"kind": kind, "tool_version": tool_version()}, sort_keys=True) + "\n"
    (Path(folder) / MARKER).write_text(payload, encoding="utf-8")


def prepare(folder: Path, kind: str, create: bool = True) -> Path:
    """Make `folder` ready for output of `kind` and return it (create=False: only check; a missing folder passes).

    A missing folder is created (with its parents) and marked; an existing empty folder is marked; a
    folder already marked with the same kind is used as it is. Anything else raises OutputFolderError
    before a single byte is written: a file in the way, a non-empty folder without the marker (a user's
    folder, data/, the repository), or a folder the tool made for another kind (e.g. `docs --out dist`).
    """
    folder = Path(folder)
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise OutputFolderError(folder, "is not a folder", "choose a folder path for the output")
    if not folder.exists():
        if create:
            folder.mkdir(parents=True)
            write_marker(folder, kind)
        return folder
    found = marker_kind(folder)
    if found == kind:
        return folder
    if found is not None:
        raise OutputFolderError(folder, f"holds modelfacts {found} output, not {kind} output",
                                f"choose another folder for the {kind}")
    if any(folder.iterdir()):
        raise OutputFolderError(
            folder, f"is not empty and was not made by modelfacts (no {MARKER} file), so it is left untouched",
            "choose a new or empty folder, or move its contents away first")
    if create:
        write_marker(folder, kind)
    return folder


def make_staging(parent: Path, prefix: str, kind: str) -> Path:
    """A new marked staging folder `parent/<prefix>XXXX`; remove it with remove_made()."""
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=Path(parent).resolve()))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)  # mkdtemp makes it private (0700); published output is readable like mkdir's
    write_marker(staging, kind)
    return staging


def remove_made(path: Path) -> None:
    """Delete a folder only if the tool made it (it carries the marker); anything else is left alone."""
    path = Path(path)
    if path.is_dir() and not path.is_symlink() and marker_kind(path) is not None:
        shutil.rmtree(path, ignore_errors=True)


def remove_stale(parent: Path, prefix: str) -> None:
    """Remove staging folders `parent/<prefix>*` left by killed runs (only marked ones).

    Call it while holding exclusive() on the output folder, so no running command's staging is removed.
    """
    for stale in Path(parent).glob(prefix + "*"):
        remove_made(stale)


@contextlib.contextmanager
def exclusive(folder: Path, what: str, lock_path: Path | None = None, remove: bool = False) -> Iterator[None]:
    """Hold an advisory lock (fcntl.flock on folder/.modelfacts-lock, or lock_path) while writing into `folder`.

    A second command writing into the same folder does not wait: it raises OutputFolderError saying that
    another run is writing there. The lock is released when the process exits, even on SIGKILL. With
    `remove`, the holder deletes the lock file when done (a lock beside a folder would otherwise be left
    behind, outside anything the tool marks); a run that locked a file just deleted by its holder sees that
    the path no longer names its file and locks the file now there instead, so two runs never both proceed.
    """
    lock_path = Path(lock_path or Path(folder) / LOCK)
    while True:
        handle = open(lock_path, "a+b")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise OutputFolderError(folder, f"another modelfacts {what} is writing here",
                                    "wait for it to finish, or use another --out") from None
        if not remove or _still_names(lock_path, handle):
            break
        handle.close()
    try:
        yield
    finally:
        if remove:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(lock_path)  # while still holding it: the next run locks a new file
        handle.close()


def _still_names(path: Path, handle) -> bool:
    """Whether `path` is still the file open as `handle` (not deleted, nor replaced by a new one)."""
    try:
        at_path = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(handle.fileno())
    return (at_path.st_dev, at_path.st_ino) == (held.st_dev, held.st_ino)


def _renameat2() -> object | None:
    """libc's renameat2, or None where the C library lacks it (non-Linux, old glibc)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    function = getattr(libc, "renameat2", None)
    if function is not None:
        function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return function


AT_FDCWD = -100
RENAME_EXCHANGE = 2


def exchange(first: Path, second: Path) -> bool:
    """Atomically swap two existing paths with renameat2(RENAME_EXCHANGE); False where not supported."""
    function = _renameat2()
    if function is None:
        return False
    if function(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # kernel or file system without exchange
        return False
    raise OSError(code, os.strerror(code), str(second))


def swap_into_place(staging: Path, target: Path) -> Path | None:
    """Make the finished folder `staging` become `target`; return where the old target now is (or None).

    With an existing target the two folders are exchanged in one atomic step (the old output is then at
    `staging`), so readers see either the old or the new output and never none. Where the kernel cannot
    exchange, the fallback does two renames with Ctrl-C and SIGTERM held back in between, so only a
    SIGKILL or power loss in that window can leave no target; the old output is then at
    `<staging>-previous` and restore_interrupted() puts it back. Remove the returned folder with remove_made().
    """
    staging, target = Path(staging), Path(target)
    if not target.exists():
        os.replace(staging, target)
        return None
    if exchange(staging, target):
        return staging
    retired = staging.with_name(staging.name + "-previous")
    with interrupts_deferred():
        os.replace(target, retired)
        os.replace(staging, target)
    return retired


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) and SIGTERM until the block is done, then deliver them.

    Python runs signal handlers in the main thread whichever thread the kernel picks (DuckDB has worker
    threads, so blocking the signal in one thread is not enough); swapping the handler is. Outside the
    main thread, where handlers cannot be set, the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {number: signal.signal(number, lambda caught, frame: received.append(caught))
                for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if received:
            signal.raise_signal(received[0])


def restore_interrupted(parent: Path, prefix: str, target: Path) -> None:
    """After a kill inside swap_into_place's fallback window: put the old output back at `target`."""
    if Path(target).exists():
        return
    for retired in sorted([*Path(parent).glob(prefix + "*-previous"), *Path(parent).glob(prefix + "*/*-previous")]):
        if marker_kind(retired) is not None:
            os.replace(retired, target)
            return


@contextlib.contextmanager
def replacing(out: Path, kind: str, result: str = "site") -> Iterator[Path]:
    """Build a new `out` folder in a staging folder, then swap it in atomically; yields the staging folder.

    The caller writes the finished output into `<staging>/<result>` (other scratch files may sit beside
    it). Before anything is done, `out` is checked with prepare() (a user's folder, data/ or the
    repository is refused). On success the new output replaces `out` in one exchange and the old one is
    deleted; on any failure or interrupt `out` is untouched and the staging folder is removed. Staging
    left by a killed run is removed by the next run. Concurrent runs for the same `out` are refused
    (lock file `.<name>.modelfacts-lock` beside `out`, removed when the run ends).
    """
    out = prepare(Path(out), kind, create=False)
    parent = out.parent
    parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{kind}-"
    with exclusive(out, kind, lock_path=parent / f".{out.name}.modelfacts-lock", remove=True):
        restore_interrupted(parent, prefix, out)
        remove_stale(parent, prefix)
        staging = make_staging(parent, prefix, kind)
        try:
            yield staging
            finished = staging / result
            write_marker(finished, kind)
            swap_into_place(finished, out)
        finally:
            remove_made(staging)
