"""Where the project's files live, so every command finds them the same way."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "data" / "source" / "anexo-e-ssm.txt"
MAPPING_DIR = ROOT / "data" / "mapping"
DATA = ROOT / "data" / "ssm.ttl"
ONTOLOGY = ROOT / "ontology" / "ssm.ttl"
VENDOR_VOCAB = ROOT / "ontology" / "vendor"
SHAPES_DIR = ROOT / "shapes"
QUERIES_DIR = ROOT / "queries"
