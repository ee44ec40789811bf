"""Tier presets: the three per-minute limits (RPM, ITPM, OTPM) of an illustrative usage tier.

    >>> tier = TIERS["tier-1"]
    >>> tier.rpm, tier.itpm, tier.otpm, tier.limit("output")
    (50, 30000, 8000, 8000)

The numbers are **illustrative**: real limits differ by model and change over
time (see the Claude API's "Rate limits" page for yours). Each limit is a token
bucket that holds one minute's worth and refills continuously at ``limit / 60``
a second; the simulated server keeps one set of three buckets per model.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import CtlabError, Text, register

register(
    __name__,
    {
        "ratelimit.tier": Text(
            "没有叫 {value!r} 的档位；可选：{allowed}（也可以传一个 Tier(rpm=..., itpm=..., otpm=...)）",
            "no tier called {value!r}; choose one of {allowed} (or pass a Tier(rpm=..., itpm=..., otpm=...))",
        ),
        "ratelimit.tier_limits": Text(
            "Tier 的三个限额都必须是大于 0 的整数，收到 rpm={rpm!r}, itpm={itpm!r}, otpm={otpm!r}",
            "a Tier's three limits must be whole numbers > 0, got rpm={rpm!r}, itpm={itpm!r}, otpm={otpm!r}",
        ),
    },
)

__all__ = ["BUCKETS", "TIERS", "Tier", "tier_of"]

#: The three buckets, in the order a request is checked against them.
BUCKETS = ("requests", "input", "output")


@dataclass(frozen=True)
class Tier:
    """Requests, input tokens and output tokens per minute, for each model."""

    rpm: int
    itpm: int
    otpm: int
    name: str = "custom"

    def __post_init__(self) -> None:
        limits = (self.rpm, self.itpm, self.otpm)
        if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in limits):
            raise CtlabError("ratelimit.tier_limits", rpm=self.rpm, itpm=self.itpm, otpm=self.otpm)

    def limit(self, bucket: str) -> int:
        """The per-minute limit of ``bucket`` (``"requests"``, ``"input"`` or ``"output"``)."""
        return {"requests": self.rpm, "input": self.itpm, "output": self.otpm}[bucket]


#: Illustrative presets, from a small organisation to a large one (not any account's real limits).
TIERS: dict[str, Tier] = {
    "tier-1": Tier(50, 30_000, 8_000, "tier-1"),
    "tier-2": Tier(1_000, 450_000, 90_000, "tier-2"),
    "tier-4": Tier(4_000, 2_000_000, 400_000, "tier-4"),
}


def tier_of(tier: Tier | str) -> Tier:
    """``tier`` itself, or the preset of that name."""
    if isinstance(tier, Tier):
        return tier
    if isinstance(tier, str) and tier in TIERS:
        return TIERS[tier]
    raise CtlabError("ratelimit.tier", value=tier, allowed=", ".join(TIERS))
