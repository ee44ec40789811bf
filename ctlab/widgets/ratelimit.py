"""RateLimitLab: pick a tier, a workload and a strategy; click to watch the three buckets drain and refill.

    >>> from ctlab.widgets.ratelimit import RateLimitLab
    >>> lab = RateLimitLab(tier="tier-1", workload="chat", strategy="pacer", requests=100)
    >>> result = lab.click()
    >>> result.done, result.refused
    (100, 0)

It runs :func:`ctlab.ratelimit.workloads.run` (4 concurrent workers, latency 0,
a fresh :class:`~ctlab.ratelimit.LimitedServer`) and shows a summary, the
buckets over time and the requests completed per minute. Results are written
with ``Output.append_display_data``, so an executed notebook stays comparable by nbval.
"""

from __future__ import annotations

import html

import ipywidgets as w
from IPython.display import HTML

from ..i18n import CtlabError, Text, register, t
from ..ratelimit.plots import buckets, throughput
from ..ratelimit.tiers import TIERS
from ..ratelimit.workloads import STRATEGIES, WORKLOADS, Result, run

register(
    __name__,
    {
        "widget.ratelimit.tier": Text("档位（示意）", "tier (illustrative)"),
        "widget.ratelimit.workload": Text("工作负载", "workload"),
        "widget.ratelimit.strategy": Text("策略", "strategy"),
        "widget.ratelimit.requests": Text("请求数", "requests"),
        "widget.ratelimit.run": Text("运行模拟", "Run simulation"),
        "widget.ratelimit.summary": Text(
            "{strategy}：{done} 个请求完成，用时 {elapsed:.0f} 秒（虚拟时间），下限 {bound:.0f} 秒；"
            "收到 429 {refused} 次（请求 {r} / 输入令牌 {i} / 输出令牌 {o}）",
            "{strategy}: {done} requests done in {elapsed:.0f} s (virtual time), bound {bound:.0f} s; "
            "{refused} × 429 (requests {r} / input tokens {i} / output tokens {o})",
        ),
        "widget.ratelimit.choice": Text(
            "{name} 不是可选的{what}；可选：{allowed}", "{name} is not a {what} to choose; choose one of {allowed}"
        ),
    },
)

__all__ = ["RateLimitLab"]

_WIDE = {"description_width": "initial"}


def _pick(value: str, allowed: tuple[str, ...] | list[str], what: Text) -> str:
    if value not in allowed:
        raise CtlabError("widget.ratelimit.choice", name=repr(value), what=what, allowed=", ".join(allowed))
    return value


class RateLimitLab(w.VBox):  # type: ignore[misc]  # ipywidgets has no type hints
    """Three menus, a slider, a button; the run appears below."""

    def __init__(
        self,
        tier: str = "tier-1",
        workload: str = "mixed",
        strategy: str = "pacer",
        requests: int = 200,
        *,
        seed: int = 0,
    ) -> None:
        _pick(tier, list(TIERS), Text("档位", "tier"))
        _pick(workload, list(WORKLOADS), Text("工作负载", "workload"))
        _pick(strategy, STRATEGIES, Text("策略", "strategy"))
        self.seed = seed
        self.last: Result | None = None
        self.tier = w.Dropdown(
            options=list(TIERS), value=tier, description=str(t("widget.ratelimit.tier")), style=_WIDE
        )
        self.workload = w.Dropdown(
            options=list(WORKLOADS), value=workload, description=str(t("widget.ratelimit.workload")), style=_WIDE
        )
        self.strategy = w.Dropdown(
            options=list(STRATEGIES), value=strategy, description=str(t("widget.ratelimit.strategy")), style=_WIDE
        )
        self.requests = w.IntSlider(
            value=requests, min=50, max=300, step=50, description=str(t("widget.ratelimit.requests")), style=_WIDE
        )
        self.button = w.Button(
            description=str(t("widget.ratelimit.run")),
            button_style="primary",
            icon="play",
            layout=w.Layout(width="auto"),  # room for both languages
        )
        self.out = w.Output()
        self.button.on_click(lambda _: self.click())
        super().__init__([w.HBox([self.tier, self.workload, self.strategy]), self.requests, self.button, self.out])

    def click(self) -> Result:
        """What the button does: run once, show the summary and two plots. Returns the result."""
        self.out.outputs = ()
        jobs = WORKLOADS[self.workload.value](self.requests.value, seed=self.seed)
        result = run(self.strategy.value, jobs, self.tier.value, seed=self.seed)
        self.last = result
        by = result.refused_by
        summary = t(
            "widget.ratelimit.summary",
            strategy=result.strategy,
            done=result.done,
            elapsed=result.elapsed,
            bound=result.bound,
            refused=result.refused,
            r=by["requests"],
            i=by["input"],
            o=by["output"],
        )
        self.out.append_display_data(HTML(f'<p class="ctlab-ratelimit">{html.escape(str(summary))}</p>'))  # type: ignore[no-untyped-call]
        self.out.append_display_data(HTML(buckets(result)._repr_html_()))  # type: ignore[no-untyped-call]
        self.out.append_display_data(HTML(throughput([result])._repr_html_()))  # type: ignore[no-untyped-call]
        return result
