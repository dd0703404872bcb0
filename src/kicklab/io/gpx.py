"""GPX reader (placeholder until implemented)."""
from kicklab.errors import UnsupportedFormat


def read_gpx(data: bytes, source: str = "<bytes>"):
    raise UnsupportedFormat("GPX reading is not available yet", source)
