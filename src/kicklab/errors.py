"""kicklab's exceptions.

Every failure caused by the *input* (a file, a split string, a value given on the command
line) is a :class:`KicklabError` subclass that names the input and says what is wrong with it.
The command line prints ``error: <source>: <reason>`` and exits with status 2; the web app
turns it into a 4xx page. Library code never lets a bare ``KeyError``, ``IndexError`` or
``struct.error`` escape for bad input.
"""

from __future__ import annotations

__all__ = [
    "KicklabError",
    "UnsupportedFormat",
    "CorruptFile",
    "FileTooLarge",
    "UnsafeArchive",
    "EmptyActivity",
    "InvalidSplits",
    "InvalidValue",
]


class KicklabError(Exception):
    """Base class of every error kicklab raises for bad input.

    Parameters
    ----------
    reason
        What is wrong, in words a user understands (no trailing period needed).
    source
        The file path, archive member or other input the reason applies to, if known.
    """

    def __init__(self, reason: str, source: str | None = None) -> None:
        self.reason = reason
        self.source = source
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}" if self.source else self.reason

    def with_source(self, source: str) -> KicklabError:
        """Return the same error naming ``source`` (kept if one is already set)."""
        if self.source is None:
            self.source = source
            self.args = (str(self),)
        return self


class UnsupportedFormat(KicklabError):
    """The content is not a format kicklab reads (sniffed from the bytes, not the name)."""


class CorruptFile(KicklabError):
    """The file claims a supported format but is truncated, fails its checksum or is malformed."""


class FileTooLarge(KicklabError):
    """The input exceeds a size limit kicklab enforces to bound memory and time."""


class UnsafeArchive(KicklabError):
    """An archive looks malicious: a zip bomb (size or ratio), path tricks, or too many members."""


class EmptyActivity(KicklabError):
    """The file is well formed but holds no usable samples (no timed records)."""


class InvalidSplits(KicklabError):
    """A split table or split string cannot be parsed or is not a valid race (e.g. not increasing)."""


class InvalidValue(KicklabError):
    """A value is outside what is physically possible or meaningful (e.g. speed of 80 m/s)."""
