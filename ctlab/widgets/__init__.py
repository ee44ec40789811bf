"""ipywidgets panels that trigger simulated failures (one module per panel)."""

from __future__ import annotations

from .explorer import CHOICES, ErrorExplorer
from .lab import PRESETS, FaultLab
from .scale import ScaleLab
from .sdk import SDK_PRESETS, SDKLab

__all__ = ["CHOICES", "PRESETS", "SDK_PRESETS", "ErrorExplorer", "FaultLab", "ScaleLab", "SDKLab"]
