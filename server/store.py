"""One on-disk Oxigraph store per data version, built once and opened read-only by every process.

A store lives in `{state_dir}/stores/{version}/`, where `version` is the digest of everything that
decides its content (the input files, the served base, the server's own version). It is built in a
private folder next to it and renamed into place only when complete, so a reader never sees half a
store and a crashed build leaves nothing that looks finished. Builds are serialised by a lock
file, so two servers starting on the same new data build it once; a restart on unchanged data
finds the store there and skips parsing and entailment. Stores nobody has open and nobody opened
for `KEEP_UNUSED_SECONDS` are removed.

Beside the Oxigraph files, `meta.json` keeps what the server needs without scanning the store:
triple counts, the inputs' modification time, which IRIs have documents.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from pyoxigraph import Store

META = "meta.json"
KEEP_UNUSED_SECONDS = 24 * 3600


class StoreError(Exception):
    """The store cannot be built or opened where it must be; the message names the folder."""


def stores_dir(state_dir: Path) -> Path:
    return Path(state_dir) / "stores"


def store_path(state_dir: Path, version: str) -> Path:
    return stores_dir(state_dir) / version


def open_or_build(
    state_dir: Path, version: str, build: Callable[[Store], dict]
) -> tuple[Path, dict]:
    """The store of `version` (its folder and its metadata), built by `build(store)` if absent.

    `build` fills the empty store it is given and returns the metadata to keep (JSON-able); an
    exception from it propagates and leaves no store behind.
    """
    root = stores_dir(state_dir)
    final = root / version
    try:
        root.mkdir(parents=True, exist_ok=True)
        meta = _read_meta(final)
        if meta is None:
            with _locked(root / ".build.lock"):
                meta = _read_meta(final)  # built by another process while we waited
                if meta is None:
                    meta = _build(root, final, build)
        os.utime(final)  # last used: pruning keeps it
        _prune(root, keep=final)
    except OSError as e:
        raise StoreError(
            f"cannot build or open the store under {root}: {e.strerror or e} "
            "(choose another folder with --state-dir)"
        ) from None
    return final, meta


def _build(root: Path, final: Path, build: Callable[[Store], dict]) -> dict:
    tmp = root / f".build-{final.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        store = Store(str(tmp))
        meta = build(store)
        store.flush()
        del store  # closes the database before it is renamed
        (tmp / META).write_text(json.dumps(meta), encoding="utf-8")
        os.rename(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return meta


def _read_meta(folder: Path) -> dict | None:
    try:
        return json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _prune(root: Path, keep: Path) -> None:
    """Remove stores unused for a day and builds abandoned by dead processes."""
    now = time.time()
    for entry in root.iterdir():
        if entry == keep or not entry.is_dir():
            continue
        try:
            age = now - entry.stat().st_mtime
        except OSError:
            continue
        if entry.name.startswith(".build-"):
            pid = entry.name.rsplit("-", 1)[-1]
            if pid.isdigit() and process_alive(int(pid)):
                continue
        elif age < KEEP_UNUSED_SECONDS or _in_use(entry):
            continue
        shutil.rmtree(entry, ignore_errors=True)


def _in_use(folder: Path) -> bool:
    """True while some process has the store open (it holds a shared lock on its metadata)."""
    try:
        fd = os.open(folder / META, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def process_alive(pid: int) -> bool:
    """Whether a process with this pid exists (ours or not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# Handles opened by a parent process before it forked this one: never closed here (closing a
# database whose threads stayed in the parent is not safe), just no longer used.
_INHERITED: list[Store] = []


class ReadOnlyStore:
    """The store at `path`, opened read-only once per process (a forked child opens its own)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._store: Store | None = None
        self._claim = None  # a shared lock on meta.json: the store is in use, do not prune it

    def get(self) -> Store:
        store, pid = self._store, os.getpid()
        if store is not None and self._pid == pid:
            return store
        with self._lock:
            if self._store is None or self._pid != pid:
                if self._store is not None:
                    _INHERITED.append(self._store)
                try:
                    if self._claim is None:
                        self._claim = open(self.path / META, "rb")  # noqa: SIM115 - held open
                        fcntl.flock(self._claim.fileno(), fcntl.LOCK_SH)
                    self._store = Store.read_only(str(self.path))
                except OSError as e:
                    raise StoreError(f"cannot open the store {self.path}: {e}") from None
                self._pid = pid
            return self._store
