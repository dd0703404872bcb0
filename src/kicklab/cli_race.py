"""``kicklab race``, ``kicklab pace`` and ``kicklab advise``: simulate, pace and advise."""

from __future__ import annotations
