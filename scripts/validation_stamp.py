"""Remember which exact inputs passed validation, so `ssm serve` can refuse unvalidated data
without paying for pySHACL on every start (the cold-start budget is two seconds).

A stamp is an empty file named after the SHA-256 of the data files, the ontology, ORG, every
shape file and the annex (the verbatim texts are checked against it): any change to any of them
means a new digest and a new validation.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from oas_ssm.paths import ONTOLOGY, SHAPES_DIR, SOURCE, VENDOR_VOCAB


def stamp_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ssm-validated"


def inputs_digest(data_files: Sequence[Path]) -> str:
    """Digest of everything the validation result depends on."""
    digest = hashlib.sha256()
    rule_files = [ONTOLOGY, VENDOR_VOCAB / "org.ttl", SOURCE, *sorted(SHAPES_DIR.glob("*.ttl"))]
    for path in [*data_files, *rule_files]:
        digest.update(path.name.encode() + b"\0" + Path(path).read_bytes() + b"\0")
    return digest.hexdigest()


def is_stamped(data_files: Sequence[Path]) -> bool:
    try:
        return (stamp_dir() / inputs_digest(data_files)).exists()
    except OSError:
        return False


def stamp(data_files: Sequence[Path]) -> None:
    """Record that these inputs conform; a read-only cache just means validating again."""
    try:
        directory = stamp_dir()
        directory.mkdir(parents=True, exist_ok=True)
        (directory / inputs_digest(data_files)).touch()
    except OSError:
        pass
