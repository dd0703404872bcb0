"""CSV reader (placeholder until implemented)."""
from kicklab.errors import UnsupportedFormat


def read_csv(data: bytes, source: str = "<bytes>"):
    raise UnsupportedFormat("CSV reading is not available yet", source)
