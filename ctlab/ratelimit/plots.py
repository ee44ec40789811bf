"""Plots of a rate-limited run: requests answered per minute, and the three buckets over time.

    >>> from ctlab.ratelimit.workloads import chat, run
    >>> result = run("pacer", chat(20), "tier-1")
    >>> print(*throughput([result]).alt_text().split(" | "), sep=chr(10))
    <Figure: 每分钟完成的请求 / requests completed per minute
    x: 虚拟时间（分钟） / virtual time (min)
    y: 请求 / requests
    pacer: 20 ok, 0 × 429>

Labels are bilingual through :mod:`ctlab.i18n`; the charts are inline SVG (:mod:`ctlab.charts`), cheap enough
to draw on every click of :class:`ctlab.widgets.RateLimitLab`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..charts import LineChart, Series
from ..i18n import Text, label, register, t

register(
    __name__,
    {
        "ratelimit.plot.throughput": Text("每分钟完成的请求", "requests completed per minute"),
        "ratelimit.plot.minutes": Text("虚拟时间（分钟）", "virtual time (min)"),
        "ratelimit.plot.requests": Text("请求", "requests"),
        "ratelimit.plot.buckets": Text("三个桶还剩多少（占上限的比例）", "what each bucket holds (share of its limit)"),
        "ratelimit.plot.share": Text("剩余比例", "share left"),
        "ratelimit.plot.refused": Text("429", "429"),
        "ratelimit.bucket.requests": Text("请求 (RPM)", "requests (RPM)"),
        "ratelimit.bucket.input": Text("输入令牌 (ITPM)", "input tokens (ITPM)"),
        "ratelimit.bucket.output": Text("输出令牌 (OTPM)", "output tokens (OTPM)"),
    },
)

__all__ = ["buckets", "throughput"]


def _per_minute(times: Sequence[float], minutes: int) -> list[int]:
    counts = [0] * minutes
    for at in times:
        counts[min(minutes - 1, int(at // 60))] += 1
    return counts


def throughput(results: Sequence[Any]) -> LineChart:
    """Requests answered with 200 per minute of virtual time, one line per result (its strategy and 429 count)."""
    end = max((s.at for r in results for s in r.log), default=0.0)
    minutes = max(1, math.ceil((end + 1e-9) / 60))
    lines = []
    for result in results:
        ok = [s.at for s in result.log if s.status == 200]
        counts = _per_minute(ok, minutes)
        name = f"{result.strategy}: {len(ok)} ok, {result.refused} × 429"
        lines.append(Series(name, [(float(m), float(n)) for m, n in enumerate(counts)], steps=True))
    return LineChart(
        lines,
        title=label(t("ratelimit.plot.throughput")),
        xlabel=label(t("ratelimit.plot.minutes")),
        ylabel=label(t("ratelimit.plot.requests")),
    )


def buckets(result: Any) -> LineChart:
    """The share of each bucket left after every request the server judged; 429s marked on the time axis."""
    lines = [
        Series(label(t(f"ratelimit.bucket.{name}")), [(s.at / 60, s.levels[index]) for s in result.log])
        for index, name in enumerate(("requests", "input", "output"))
    ]
    refused = [(s.at / 60, 0.0) for s in result.log if s.status == 429]
    if refused:
        lines.append(Series(label(t("ratelimit.plot.refused")), refused, colour="#d62728", ticks=True))
    return LineChart(
        lines,
        title=label(t("ratelimit.plot.buckets")),
        xlabel=label(t("ratelimit.plot.minutes")),
        ylabel=label(t("ratelimit.plot.share")),
        ylim=(-0.05, 1.05),
    )
