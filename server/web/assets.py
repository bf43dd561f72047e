"""Static files under fingerprinted names (`app.css` → `app.3f2a1c9e.css`), cached for a year.

The fingerprint is a hash of the file's bytes, so a changed file gets a new URL and browsers
never see a stale copy; the unhashed name still works (with a short cache) for hand-typed URLs.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
SERVED_SUFFIXES = {".css", ".js", ".svg", ".png", ".ico", ".txt", ".woff2", ".json"}
LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=300"


@dataclass(frozen=True)
class Asset:
    path: Path
    logical: str  # "vendor/codemirror/codemirror.min.js"
    hashed: str  # "vendor/codemirror/codemirror.min.1a2b3c4d.js"
    media_type: str
    etag: str


def _hashed_name(logical: str, digest: str) -> str:
    head, dot, ext = logical.rpartition(".")
    return f"{head}.{digest}.{ext}" if dot else f"{logical}.{digest}"


class Assets:
    """The manifest of static files, built once at start-up."""

    def __init__(self, root: Path = STATIC_DIR):
        self.by_logical: dict[str, Asset] = {}
        self.by_hashed: dict[str, Asset] = {}
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.suffix not in SERVED_SUFFIXES:
                continue
            logical = path.relative_to(root).as_posix()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
            media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if path.suffix == ".js":
                media = "text/javascript"
            asset = Asset(path, logical, _hashed_name(logical, digest), media, digest)
            self.by_logical[logical] = asset
            self.by_hashed[asset.hashed] = asset

    def url(self, logical: str, prefix: str = "") -> str:
        """The fingerprinted URL of `logical` (KeyError for a missing asset: a bug to catch)."""
        return f"{prefix}/static/{self.by_logical[logical].hashed}"

    def find(self, name: str) -> tuple[Asset, bool] | None:
        """The asset served at /static/`name`, and whether the name was fingerprinted."""
        if name in self.by_hashed:
            return self.by_hashed[name], True
        if name in self.by_logical:
            return self.by_logical[name], False
        return None


_ASSETS: Assets | None = None


def assets() -> Assets:
    global _ASSETS
    if _ASSETS is None:
        _ASSETS = Assets()
    return _ASSETS
