"""TCX reader (placeholder until implemented)."""
from kicklab.errors import UnsupportedFormat


def read_tcx(data: bytes, source: str = "<bytes>"):
    raise UnsupportedFormat("TCX reading is not available yet", source)
