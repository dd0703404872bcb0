"""Size limits that bound the memory and time kicklab spends on any one input.

They are generous for real activity files (a 24-hour FIT file is ~5 MB, a marathon GPX ~2 MB)
and small enough that a malicious file cannot exhaust a 2-core, few-GB machine. Override by
assigning to the module attributes (e.g. ``kicklab.io.limits.MAX_FILE_BYTES = 1 << 30``).
"""

#: Largest single input file or decompressed member, in bytes.
MAX_FILE_BYTES: int = 256 * 1024 * 1024
#: Largest total of decompressed bytes read from one archive, in bytes.
MAX_ARCHIVE_BYTES: int = 4 * 1024 * 1024 * 1024
#: Largest compression ratio accepted for a gzip stream or a zip member (uncompressed/compressed).
MAX_COMPRESSION_RATIO: float = 200.0
#: Compressed members smaller than this are exempt from the ratio test (tiny files compress well).
RATIO_EXEMPT_BYTES: int = 1024 * 1024
#: Most members accepted in one archive.
MAX_ARCHIVE_MEMBERS: int = 200_000
#: Most XML elements nested inside each other (real GPX/TCX nest < 12 deep).
MAX_XML_DEPTH: int = 64
#: Most rows accepted in one CSV table.
MAX_CSV_ROWS: int = 10_000_000
