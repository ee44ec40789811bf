"""What every client in a crowd does when a call is rejected: its backoff, attempts, layers, budget and throttling.

    >>> p = Policy("full", attempts=3, layers=2)
    >>> p.backoff.strategy, p.attempts ** p.layers
    ('full', 9)
    >>> as_policy("sdk") == Policy(Backoff("sdk"))
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..backoff import Backoff
from ..i18n import CtlabError, Text, register

register(
    __name__,
    {
        "scale.attempts": Text(
            "attempts 必须是 >= 1 的整数，或 None（一直重试到成功），收到的是 {value!r}",
            "attempts must be a whole number >= 1, or None (retry until it succeeds), got {value!r}",
        ),
        "scale.layers": Text(
            "layers 必须是 >= 1 的整数；多于一层时必须给出 attempts，收到的是 {value!r}",
            "layers must be a whole number >= 1, and more than one layer needs attempts; got {value!r}",
        ),
        "scale.budget": Text(
            "重试预算 budget 必须在 0 到 1 之间（例如 0.1），收到的是 {value!r}",
            "the retry budget must be between 0 and 1 (e.g. 0.1), got {value!r}",
        ),
        "scale.throttle": Text(
            "自适应限流的 K 必须 >= 1（SRE 书中用 2），收到的是 {value!r}",
            "adaptive throttling's K must be >= 1 (the SRE book uses 2), got {value!r}",
        ),
    },
)

__all__ = ["Policy", "as_policy"]


@dataclass(frozen=True)
class Policy:
    """What every client does when a call is rejected.

    ``attempts`` counts calls per layer, the first included (``None``: until it
    succeeds); ``layers`` stacks that many retrying layers (each retrying the
    whole layer below it). ``budget`` is the SRE book's per-client retry budget:
    retry only while retries are less than that share of the calls sent (0.1).
    ``throttle`` is its adaptive throttling constant ``K`` (2.0): before each
    call, reject it locally with probability
    ``max(0, (requests - K * accepts) / (requests + 1))``; a call rejected
    locally is not retried. Both count over the whole run.

    >>> from ctlab.scale import crowd
    >>> crowd(1, Policy("full", attempts=3, layers=2), capacity=0).calls
    9
    """

    backoff: Backoff = field(default_factory=Backoff)
    attempts: int | None = None
    layers: int = 1
    budget: float | None = None
    throttle: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.backoff, str):
            object.__setattr__(self, "backoff", Backoff(self.backoff))
        if self.attempts is not None and (not isinstance(self.attempts, int) or self.attempts < 1):
            raise CtlabError("scale.attempts", value=self.attempts)
        if not isinstance(self.layers, int) or self.layers < 1 or (self.layers > 1 and self.attempts is None):
            raise CtlabError("scale.layers", value=self.layers)
        if self.budget is not None and not 0 <= self.budget <= 1:
            raise CtlabError("scale.budget", value=self.budget)
        if self.throttle is not None and not self.throttle >= 1:
            raise CtlabError("scale.throttle", value=self.throttle)


def as_policy(policy: Policy | Backoff | str) -> Policy:
    """``policy`` itself, or a :class:`Policy` with that backoff (or strategy name) and no other rule."""
    if isinstance(policy, Policy):
        return policy
    return Policy(policy if isinstance(policy, Backoff) else Backoff(policy))
