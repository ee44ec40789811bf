"""ipywidgets panels that trigger simulated failures (one module per panel)."""

from __future__ import annotations

from .lab import PRESETS, FaultLab

__all__ = ["PRESETS", "FaultLab"]
