"""ipywidgets panels that trigger simulated failures (one module per panel).

    >>> from ctlab.widgets import FaultLab
    >>> FaultLab("529").click().requests  # one click: the real SDK meets a 529, three times
    3
"""

from __future__ import annotations

from .explorer import CHOICES, ErrorExplorer
from .lab import PRESETS, FaultLab
from .ratelimit import RateLimitLab
from .scale import ScaleLab
from .sdk import SDK_PRESETS, SDKLab

__all__ = ["CHOICES", "PRESETS", "SDK_PRESETS", "ErrorExplorer", "FaultLab", "RateLimitLab", "SDKLab", "ScaleLab"]
