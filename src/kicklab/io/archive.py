"""Archives (placeholder until implemented)."""
from kicklab.errors import UnsupportedFormat


def iter_archive(data, source: str = "<bytes>", *, strict: bool = True):
    raise UnsupportedFormat("archive reading is not available yet", source)
