"""check_pacer(fn): grade a pacer — every job sent, no 429, and how close to the fastest possible time.

    >>> report = check_pacer(reference_pacer)
    >>> report.passed, [round(row.ratio, 2) for row in report.rows]
    (True, [1.0, 1.01])

``fn(client, jobs)`` gets a simulated sync ``anthropic.Anthropic`` (the SDK's
default ``max_retries=2``) in front of a :class:`ctlab.ratelimit.LimitedServer`
and a list of jobs, each the keyword arguments of one ``client.messages.create``
call; it must send every job. Each workload (:data:`WORKLOADS`) is timed in
virtual time and compared with the bound of :mod:`ctlab.ratelimit.bound` — the
soonest any client could finish. It passes with every job answered, no 429 and
at most :data:`SLACK` above the bound. A runaway function is stopped after
:data:`RUNAWAY_FACTOR` times as many requests as jobs.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anthropic

from ..i18n import Text, register, t
from ..ratelimit.bound import best_time, demands
from ..ratelimit.service import LimitedServer
from ..ratelimit.tiers import TIERS
from ..ratelimit.workloads import Job, chat, mixed

register(
    __name__,
    {
        "pacing.row": Text(
            "{workload}（{tier}，{jobs} 个请求）：完成 {done}/{jobs}，429 {refused} 次，用时 {elapsed:.0f} 秒，"
            "下限 {bound:.0f} 秒，比值 {ratio:.3f} —— {verdict}",
            "{workload} ({tier}, {jobs} requests): {done}/{jobs} done, {refused} × 429, {elapsed:.0f} s, "
            "bound {bound:.0f} s, ratio {ratio:.3f} — {verdict}",
        ),
        "pacing.pass": Text("通过", "pass"),
        "pacing.fail": Text("未通过", "fail"),
        "pacing.hint.refused": Text(
            "收到了 429：发之前先看三个桶（请求、输入令牌、输出令牌）够不够，输入令牌多留几个百分点的余量",
            "got 429s: before sending, check all three buckets (requests, input tokens, output tokens) and keep a "
            "few percent of headroom on input tokens",
        ),
        "pacing.hint.slow": Text(
            "太慢了：桶一有额度就发，不要多等；max_tokens 要预留，但回复写完就退回",
            "too slow: send as soon as the buckets allow, no later; max_tokens is reserved but returned once the "
            "reply is written",
        ),
        "pacing.hint.missing": Text(
            "有请求没有完成：每个 job 都要发出去，并拿到回复",
            "some jobs were not answered: send every job and get its reply",
        ),
        "pacing.error": Text("函数抛出了 {error}", "the function raised {error}"),
        "pacing.runaway": Text(
            "发出的请求超过了 job 数的 {factor} 倍，已经停下",
            "sent more than {factor}× as many requests as jobs: stopped",
        ),
        "pacing.summary": Text("{passed}/{total} 个工作负载通过", "{passed}/{total} workloads passed"),
    },
)

__all__ = ["SLACK", "WORKLOADS", "PacerReport", "check_pacer", "reference_pacer"]

#: How far above the bound a pacer may finish and still pass.
SLACK = 0.10
#: Requests beyond this many times the jobs stop a run.
RUNAWAY_FACTOR = 5
#: What the grader runs: a name, the tier, the jobs.
WORKLOADS: tuple[tuple[str, str, Callable[[], list[Job]]], ...] = (
    ("chat", "tier-1", lambda: chat(200, seed=8)),
    ("mixed", "tier-1", lambda: mixed(200, seed=8)),
)


class _RunawayError(Exception):
    pass


@dataclass(frozen=True)
class Row:
    """One workload's result."""

    workload: str
    tier: str
    jobs: int
    done: int
    refused: int
    elapsed: float
    bound: float
    error: str | None = None

    @property
    def ratio(self) -> float:
        return self.elapsed / self.bound if self.bound > 0 else 1.0

    @property
    def passed(self) -> bool:
        return self.error is None and self.done >= self.jobs and self.refused == 0 and self.ratio <= 1 + SLACK

    def text(self) -> Text:
        verdict = t("pacing.pass" if self.passed else "pacing.fail")
        row = t(
            "pacing.row",
            workload=self.workload,
            tier=self.tier,
            jobs=self.jobs,
            done=self.done,
            refused=self.refused,
            elapsed=self.elapsed,
            bound=self.bound,
            ratio=self.ratio,
            verdict=verdict,
        )
        hints = [t("pacing.error", error=self.error)] if self.error else []
        hints += [t("pacing.hint.missing")] if self.done < self.jobs else []
        hints += [t("pacing.hint.refused")] if self.refused else []
        hints += [t("pacing.hint.slow")] if not self.refused and self.ratio > 1 + SLACK else []
        return Text("；".join([row.zh, *(h.zh for h in hints)]), "; ".join([row.en, *(h.en for h in hints)]))


@dataclass(frozen=True)
class PacerReport:
    """Every workload's :class:`Row`, and the real seconds grading took (``seconds``, not shown: it varies)."""

    rows: tuple[Row, ...]
    seconds: float

    @property
    def passed(self) -> bool:
        return all(row.passed for row in self.rows)

    def lines(self) -> list[str]:
        summary = t("pacing.summary", passed=sum(r.passed for r in self.rows), total=len(self.rows))
        return [str(row.text()) for row in self.rows] + [str(summary)]

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        return "<br>".join(html.escape(line) for line in self.lines())


def _grade(fn: Any, name: str, tier: str, jobs: list[Job], seed: int) -> Row:
    from ..simulate import simulate

    server = LimitedServer(tier, seed=seed)
    limit = RUNAWAY_FACTOR * len(jobs)

    def stop_runaway(request: Any, call_next: Any) -> Any:
        if len(server.log) >= limit:
            raise _RunawayError
        return call_next(request)

    error = None
    with simulate(server, seed=seed) as sim:
        client = sim.client(middleware=[stop_runaway])
        try:
            fn(client, [job.kwargs() for job in jobs])
        except _RunawayError:
            error = str(t("pacing.runaway", factor=RUNAWAY_FACTOR))
        except Exception as caught:  # noqa: BLE001 - the report says what escaped
            error = f"{type(caught).__name__}: {caught}"[:120]
    needs = demands([j.body for j in jobs], reply_tokens=[j.reply_tokens for j in jobs], seed=seed)
    bound = max(best_time(needs, tier).values())
    done = sum(1 for s in server.log if s.status == 200)
    refused = sum(1 for s in server.log if s.status == 429)
    return Row(name, tier, len(jobs), done, refused, sim.elapsed, bound, error)


def check_pacer(fn: Any, *, seed: int = 0) -> PacerReport:
    """Grade ``fn(client, jobs)`` on every workload of :data:`WORKLOADS`."""
    started = time.perf_counter()
    rows = tuple(_grade(fn, name, tier, make(), seed) for name, tier, make in WORKLOADS if tier in TIERS)
    return PacerReport(rows, time.perf_counter() - started)


def reference_pacer(client: anthropic.Anthropic, jobs: list[dict[str, Any]]) -> None:
    """The course's answer: before each job, wait until every bucket (as the last response reported it, refilled since)
    holds what the job needs — 1 request, ``count_tokens`` + 5 %, and ``max_tokens``."""
    seen: dict[str, tuple[float, float, float]] = {}  # header family -> (remaining, limit, when)
    for job in jobs:
        counted = client.messages.count_tokens(
            model=job["model"], messages=job["messages"], **({"system": job["system"]} if "system" in job else {})
        ).input_tokens
        need = {"requests": 1, "input-tokens": counted * 1.05, "output-tokens": job["max_tokens"]}
        wait = 0.0
        for family, (remaining, limit, when) in seen.items():
            level = min(limit, remaining + (time.monotonic() - when) * limit / 60)
            wait = max(wait, (need[family] - level) * 60 / limit)
        if wait > 0:
            time.sleep(wait)
        raw = client.messages.with_raw_response.create(**job)
        for family in need:
            headers = raw.headers
            remaining = float(headers[f"anthropic-ratelimit-{family}-remaining"])
            seen[family] = (remaining, float(headers[f"anthropic-ratelimit-{family}-limit"]), time.monotonic())
