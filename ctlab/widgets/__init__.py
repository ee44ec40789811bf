"""ipywidgets panels that trigger simulated failures (one module per panel)."""

from __future__ import annotations

from .explorer import CHOICES, ErrorExplorer
from .lab import PRESETS, FaultLab

__all__ = ["CHOICES", "PRESETS", "ErrorExplorer", "FaultLab"]
