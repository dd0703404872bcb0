"""FIT reader (placeholder until implemented)."""
from kicklab.errors import UnsupportedFormat


def read_fit(data: bytes, source: str = "<bytes>", *, strict: bool = True):
    raise UnsupportedFormat("FIT reading is not available yet", source)
