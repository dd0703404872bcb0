"""The FIT checksum (CRC-16/ARC: reflected polynomial 0xA001, initial value 0), vectorised.

A byte-at-a-time CRC in Python costs ~0.2 µs per byte, which dominates reading a large FIT file.
This module uses the CRC's linearity over GF(2) instead:

1. the data are left-padded with zero bytes (which leave a zero-initialised CRC unchanged) and cut
   into ``R`` rows of ``W ≈ √n`` bytes; the CRC of every row is computed at once, column by
   column (``W`` numpy steps over ``R`` rows);
2. the row CRCs are folded left to right: ``crc = shift_W(crc) ^ row_crc``, where ``shift_W`` —
   feeding ``W`` zero bytes — is a linear map on 16 bits, tabulated once for all 65 536 states
   from its action on the 16 unit vectors.

The result equals the byte-wise definition of the FIT SDK (checked in the tests on every file).
"""

from __future__ import annotations

import numpy as np

__all__ = ["crc16", "crc16_bytewise"]


def _byte_table() -> np.ndarray:
    crc = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        crc = np.where(crc & 1, (crc >> 1) ^ 0xA001, crc >> 1)
    return crc.astype(np.uint32)


_TABLE = _byte_table()
_TABLE_LIST = [int(x) for x in _TABLE]


def crc16_bytewise(data: bytes, crc: int = 0) -> int:
    """Reference byte-at-a-time CRC (slow; used for short inputs and in tests)."""
    table = _TABLE_LIST
    for b in data:
        crc = (crc >> 8) ^ table[(crc ^ b) & 0xFF]
    return crc


def _feed_zeros(states: np.ndarray, n: int) -> np.ndarray:
    for _ in range(n):
        states = (states >> 8) ^ _TABLE[states & 0xFF]
    return states


def _shift_table(width: int) -> np.ndarray:
    """State after feeding ``width`` zero bytes, for every 16-bit state (a linear map)."""
    basis = _feed_zeros(np.uint32(1) << np.arange(16, dtype=np.uint32), width)
    states = np.arange(1 << 16, dtype=np.uint32)
    out = np.zeros(1 << 16, dtype=np.uint32)
    for bit in range(16):
        out ^= np.where((states >> bit) & 1, basis[bit], np.uint32(0))
    return out


_SHIFT_CACHE: dict[int, list[int]] = {}


def crc16(data: bytes | np.ndarray) -> int:
    """FIT CRC-16 of ``data`` (a fresh checksum, initial value 0).

    A whole FIT file (header, data and its trailing CRC) has ``crc16(file) == 0``.
    """
    buf = np.frombuffer(data, dtype=np.uint8) if not isinstance(data, np.ndarray) else data
    n = buf.size
    if n < 4096:
        return crc16_bytewise(buf.tobytes())
    width = 1 << max(6, int(np.log2(np.sqrt(n))))  # power of two keeps the shift cache small
    rows = -(-n // width)
    pad = rows * width - n
    mat = np.zeros(rows * width, dtype=np.uint32)
    mat[pad:] = buf
    mat = mat.reshape(rows, width)
    row_crc = np.zeros(rows, dtype=np.uint32)
    table = _TABLE
    for j in range(width):
        row_crc = (row_crc >> 8) ^ table[(row_crc ^ mat[:, j]) & 0xFF]
    shift = _SHIFT_CACHE.get(width)
    if shift is None:
        shift = _SHIFT_CACHE[width] = _shift_table(width).tolist()
    state = 0
    for r in row_crc.tolist():
        state = shift[state] ^ r
    return state
