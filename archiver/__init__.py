"""Bevara: records retention and archiving engine for Swedish municipalities."""

from __future__ import annotations

__version__ = "0.1.0"
