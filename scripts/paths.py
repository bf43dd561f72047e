"""Where the project's files live, so every command finds them the same way.

In a checkout (or an editable install) the package is `scripts/` and the files sit beside it at
the repository's root; in an installed wheel they travel inside the package (pyproject.toml maps
`data/`, `ontology/`, `shapes/`, `queries/` and `releases/` into it). Either way, `ROOT` holds them.
"""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE if (PACKAGE / "data" / "ssm.ttl").is_file() else PACKAGE.parent
SOURCE = ROOT / "data" / "source" / "anexo-e-ssm.txt"
MAPPING_DIR = ROOT / "data" / "mapping"
DATA = ROOT / "data" / "ssm.ttl"
LEDGER = ROOT / "docs" / "ledger.md"
ONTOLOGY = ROOT / "ontology" / "ssm.ttl"
VENDOR_VOCAB = ROOT / "ontology" / "vendor"
SHAPES_DIR = ROOT / "shapes"
QUERIES_DIR = ROOT / "queries"
RELEASES = ROOT / "releases"  # one folder per release: ssm.ttl, ontology.ttl, release.ttl

