"""Split tables (placeholder until implemented)."""
from kicklab.errors import UnsupportedFormat


def read_splits(data: bytes, source: str = "<bytes>"):
    raise UnsupportedFormat("split reading is not available yet", source)


def parse_splits(text: str):
    raise UnsupportedFormat("split reading is not available yet")
