"""Backoff in one place: how long to wait before a retry, for every strategy ctlab teaches.

``n`` counts the retries already made (0 before the first), as the SDK counts;
every strategy but ``decorrelated`` starts from ``e = min(cap, base * 2**n)``::

    >>> import random
    >>> [ceiling(n, base=0.5, cap=8.0) for n in range(6)]
    [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    >>> [round(wait(s, 2, 0.5, base=0.5, cap=8.0, rng=random.Random(0)), 3) for s in STRATEGIES]
    [0.0, 2.0, 1.689, 1.844, 1.344, 1.578]
    >>> bounds("sdk", 0, base=0.5, cap=8.0)
    (0.375, 0.5)

======================  =========================================================
``none``                ``0``
``exponential``         ``e`` (no jitter)
``full``                ``uniform(0, e)`` (:func:`ctlab.retry.backoff`)
``equal``               ``e/2 + uniform(0, e/2)``
``decorrelated``        ``min(cap, uniform(base, previous * 3))``
``sdk``                 ``e * (1 - SDK_JITTER * random())``, the SDK's own
======================  =========================================================

The ``sdk`` line is ``BaseClient._calculate_retry_timeout`` of the installed
``anthropic``; the tests compare the two wait for wait. :class:`Backoff` names
a strategy with its ``base`` and ``cap`` (the installed SDK's
``INITIAL_RETRY_DELAY`` and ``MAX_RETRY_DELAY`` unless told);
:func:`ctlab.retry.backoff`, :mod:`ctlab.scale`'s clients and
:func:`ctlab.sdk.band` all compute through this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from anthropic._constants import INITIAL_RETRY_DELAY, MAX_RETRY_DELAY

from .i18n import CtlabError, Text, register, t

register(
    __name__,
    {
        "backoff.strategy": Text(
            "不认识的退避策略 {value}，可选：{allowed}",
            "unknown backoff strategy {value}; allowed: {allowed}",
        ),
        "backoff.base_cap": Text(
            "退避参数不合法：base 必须大于 0，cap 不能小于 base（收到 base={base!r}, cap={cap!r}）",
            "invalid backoff: base must be > 0 and cap >= base (got base={base!r}, cap={cap!r})",
        ),
        "backoff.strategy.none": Text("不退避", "no backoff"),
        "backoff.strategy.exponential": Text("指数退避（无抖动）", "exponential, no jitter"),
        "backoff.strategy.full": Text("全抖动", "full jitter"),
        "backoff.strategy.equal": Text("等抖动", "equal jitter"),
        "backoff.strategy.decorrelated": Text("去相关抖动", "decorrelated jitter"),
        "backoff.strategy.sdk": Text("SDK 的退避（75–100% 抖动）", "the SDK's backoff (75-100% jitter)"),
    },
)

__all__ = ["SDK_JITTER", "STRATEGIES", "Backoff", "Draws", "bounds", "ceiling", "full_jitter", "wait"]

#: The wait formulas, in the order notebook 05 compares them.
STRATEGIES: tuple[str, ...] = ("none", "exponential", "full", "equal", "decorrelated", "sdk")

#: The SDK multiplies its backoff by ``1 - SDK_JITTER * random()``: 75 % (exclusive) to 100 % of it.
SDK_JITTER = 0.25


class Draws(Protocol):
    """Where random numbers come from: a ``random.Random``, or the ``random`` module itself (its global generator)."""

    def random(self) -> float: ...

    def uniform(self, a: float, b: float) -> float: ...


def ceiling(n: int, *, base: float, cap: float) -> float:
    """``min(cap, base * 2**n)``: the exponential part (the exponent stops at 60, far past any cap)."""
    return min(cap, base * 2.0 ** min(n, 60))


def full_jitter(n: int, *, base: float, cap: float, rng: Draws) -> float:
    """``uniform(0, min(cap, base * 2**n))``: the formula :func:`ctlab.retry.backoff` teaches."""
    return rng.uniform(0, ceiling(n, base=base, cap=cap))


def wait(strategy: str, n: int, previous: float, *, base: float, cap: float, rng: Draws) -> float:
    """Seconds to wait before retry ``n + 1`` under ``strategy``.

    ``previous`` is the last wait (``decorrelated`` uses it).
    """
    if strategy == "none":
        return 0.0
    if strategy == "decorrelated":
        return min(cap, rng.uniform(base, previous * 3))
    e = ceiling(n, base=base, cap=cap)
    if strategy == "exponential":
        return e
    if strategy == "full":
        return rng.uniform(0, e)
    if strategy == "equal":
        return e / 2 + rng.uniform(0, e / 2)
    if strategy == "sdk":
        return e * (1 - SDK_JITTER * rng.random())
    raise CtlabError("backoff.strategy", value=repr(strategy), allowed=", ".join(STRATEGIES))


def bounds(strategy: str, n: int, *, base: float, cap: float, previous: float | None = None) -> tuple[float, float]:
    """Where :func:`wait` can land: ``(lowest, highest)`` (``previous`` defaults to ``base``).

    >>> bounds("equal", 3, base=0.5, cap=8.0), bounds("decorrelated", 3, base=0.5, cap=8.0, previous=4.0)
    ((2.0, 4.0), (0.5, 8.0))
    """
    if strategy == "decorrelated":
        spread = 3 * (base if previous is None else previous)
        return min(cap, base, spread), min(cap, max(base, spread))
    e = ceiling(n, base=base, cap=cap)
    ranges = {
        "none": (0.0, 0.0),
        "exponential": (e, e),
        "full": (0.0, e),
        "equal": (e / 2, e),
        "sdk": ((1 - SDK_JITTER) * e, e),
    }
    if strategy not in ranges:
        raise CtlabError("backoff.strategy", value=repr(strategy), allowed=", ".join(STRATEGIES))
    return ranges[strategy]


@dataclass(frozen=True)
class Backoff:
    """A strategy with its ``base`` and ``cap``.

    The defaults are the installed SDK's ``INITIAL_RETRY_DELAY`` and ``MAX_RETRY_DELAY``.

    >>> import random
    >>> [Backoff("exponential").wait(n, 0.0, random.Random(0)) for n in range(6)]
    [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    """

    strategy: str = "sdk"
    base: float = INITIAL_RETRY_DELAY
    cap: float = MAX_RETRY_DELAY

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise CtlabError("backoff.strategy", value=repr(self.strategy), allowed=", ".join(STRATEGIES))
        if not (self.base > 0 and self.cap >= self.base):
            raise CtlabError("backoff.base_cap", base=self.base, cap=self.cap)

    def ceiling(self, n: int) -> float:
        """``min(cap, base * 2**n)``: the exponential part."""
        return ceiling(n, base=self.base, cap=self.cap)

    def wait(self, n: int, previous: float, rng: Draws) -> float:
        """Seconds to wait before retry ``n + 1``; ``previous`` is the last wait (for ``decorrelated``)."""
        return wait(self.strategy, n, previous, base=self.base, cap=self.cap, rng=rng)

    def bounds(self, n: int, previous: float | None = None) -> tuple[float, float]:
        """Where :meth:`wait` can land before retry ``n + 1``."""
        return bounds(self.strategy, n, base=self.base, cap=self.cap, previous=previous)

    def label(self) -> Text:
        return t(f"backoff.strategy.{self.strategy}")
