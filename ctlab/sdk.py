"""The SDK's own retry: its defaults, read from the installed ``anthropic``, and its waits, measured.

    >>> from ctlab import sdk
    >>> d = sdk.defaults()
    >>> d.max_retries, d.connect, d.read
    (2, 5.0, 600.0)
    >>> schedule = sample_schedule(runs=20, max_retries=3)
    >>> len(schedule.samples), schedule.outside()
    (60, 0)

The defaults come from ``anthropic._constants`` at call time. The nominal
schedule, ``min(INITIAL_RETRY_DELAY * 2**(n-1), MAX_RETRY_DELAY)`` before retry
``n`` times a jitter factor in :data:`JITTER`, is the *claim*; a :class:`Schedule`
is the *evidence*: the SDK's own sleeps, recorded by ctlab's virtual clock over
many seeded :func:`ctlab.run` simulations. Nothing here decides a retry or
computes a wait on the SDK's behalf: which class the SDK raises and whether it
retries are asked of the SDK itself in :mod:`ctlab.probes` (:func:`sdk_exception`,
:func:`sdk_retries`, named here too).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anthropic
from anthropic import _constants

from .charts import Strips
from .faults import FaultsLike, parse
from .i18n import CtlabError, Text, label, register, t
from .probes import probe_client, sdk_exception, sdk_retries
from .show import TableView, plain
from .simulate import run

register(
    __name__,
    {
        "sdk.col.name": Text("SDK 里的名字", "name in the SDK"),
        "sdk.col.value": Text("值", "value"),
        "sdk.col.meaning": Text("含义", "meaning"),
        "sdk.defaults.max_retries": Text(
            "失败后最多再试 {value} 次，也就是最多发 {attempts} 次请求",
            "retry up to {value} times, i.e. at most {attempts} requests",
        ),
        "sdk.defaults.connect": Text("建立连接最多等多久", "how long to wait for a connection"),
        "sdk.defaults.read": Text(
            "每次请求等响应数据最多等多久；非流式请求要等整段回复生成完",
            "how long each attempt waits for response data; a non-streaming request waits for the whole reply",
        ),
        "sdk.defaults.initial_retry_delay": Text(
            "第 1 次重试前的名义等待（抖动之前的值），之后每次翻倍",
            "nominal wait (before jitter) ahead of the 1st retry, doubling after that",
        ),
        "sdk.defaults.max_retry_delay": Text("翻倍到这里封顶", "the doubling stops here"),
        "sdk.col.retry": Text("第几次重试", "retry"),
        "sdk.col.nominal": Text("名义等待 (s)", "nominal wait (s)"),
        "sdk.col.band": Text("抖动区间 (s)", "jitter band (s)"),
        "sdk.col.seen": Text("实测最短–最长 (s)", "seen, min–max (s)"),
        "sdk.col.samples": Text("样本数", "samples"),
        "sdk.schedule.summary": Text(
            "{runs} 次模拟（种子 0–{last}）里 SDK 一共等了 {samples} 次，落在抖动区间外的有 {outside} 次；"
            "实测等待 ÷ 名义等待 = {low:.3f}–{high:.3f}",
            "{samples} SDK waits from {runs} runs (seeds 0–{last}), {outside} outside the jitter band; "
            "measured wait ÷ nominal wait = {low:.3f}–{high:.3f}",
        ),
        "sdk.plot.title": Text(
            "SDK 每次重试前实际等了多久（{runs} 次带种子的模拟）",
            "How long the SDK waited before each retry ({runs} seeded runs)",
        ),
        "sdk.plot.xlabel": Text(
            "第几次重试（= 该次请求的 x-stainless-retry-count）",
            "retry number (= that request's x-stainless-retry-count)",
        ),
        "sdk.plot.ylabel": Text("重试前的等待 (s)", "wait before the retry (s)"),
        "sdk.plot.band": Text(
            "抖动区间：名义值的 {low:.0%}–{high:.0%}", "jitter band: {low:.0%}–{high:.0%} of nominal"
        ),
        "sdk.plot.nominal": Text("名义值 min({initial:g}·2ⁿ⁻¹, {cap:g})", "nominal min({initial:g}·2ⁿ⁻¹, {cap:g})"),
        "sdk.plot.waits": Text("SDK 实际的等待", "the SDK's actual waits"),
        "sdk.cost": Text(
            "{attempts} 次请求 × 每次 {per_attempt:g} s + 退避 {backoff_low:.2f}–{backoff_high:.2f} s = "
            "{low:.2f}–{high:.2f} s",
            "{attempts} requests × {per_attempt:g} s each + {backoff_low:.2f}–{backoff_high:.2f} s of backoff = "
            "{low:.2f}–{high:.2f} s",
        ),
        "sdk.cost.minutes": Text("（约 {minutes:.0f} 分钟）", " (about {minutes:.0f} min)"),
        "sdk.runs": Text(
            "runs 必须是 1 到 10000 的整数，收到的是 {value!r}",
            "runs must be a whole number from 1 to 10000, got {value!r}",
        ),
        "sdk.phase": Text(
            "phase 只能是 {allowed}，收到的是 {value!r}", "phase must be one of {allowed}, got {value!r}"
        ),
    },
)


__all__ = [
    "JITTER",
    "Defaults",
    "Sample",
    "Schedule",
    "TimeoutCost",
    "band",
    "defaults",
    "nominal_delay",
    "probe_client",
    "sample_schedule",
    "sdk_exception",
    "sdk_retries",
    "timeout_cost",
]

#: The factor the SDK multiplies its backoff by: ``1 - 0.25 * random()`` in
#: ``BaseClient._calculate_retry_timeout``, so between 75 % (exclusive) and 100 %.
#: Tests check that the SDK's measured waits fill exactly this band.
JITTER: tuple[float, float] = (0.75, 1.0)


# --- the defaults ---------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class Defaults(TableView):
    """What a client gets when you pass nothing: ``anthropic._constants``, read now."""

    COLUMNS = ("sdk.col.name", "sdk.col.value", "sdk.col.meaning")
    RIGHT = (1,)
    CSS = "ctlab-sdk"

    max_retries: int
    timeout: anthropic.Timeout
    initial_retry_delay: float
    max_retry_delay: float

    @property
    def attempts(self) -> int:
        """Requests sent at most for one call: the first one plus ``max_retries``."""
        return self.max_retries + 1

    @property
    def connect(self) -> float:
        return float(self.timeout.connect) if self.timeout.connect is not None else float("inf")

    @property
    def read(self) -> float:
        return float(self.timeout.read) if self.timeout.read is not None else float("inf")

    def rows(self) -> list[list[Text]]:
        return [
            [plain("DEFAULT_MAX_RETRIES"), plain(str(self.max_retries)),
             t("sdk.defaults.max_retries", value=self.max_retries, attempts=self.attempts)],
            [plain("DEFAULT_TIMEOUT.connect"), plain(f"{self.connect:g} s"), t("sdk.defaults.connect")],
            [plain("DEFAULT_TIMEOUT.read"), plain(f"{self.read:g} s"), t("sdk.defaults.read")],
            [
                plain("INITIAL_RETRY_DELAY"),
                plain(f"{self.initial_retry_delay:g} s"),
                t("sdk.defaults.initial_retry_delay"),
            ],
            [plain("MAX_RETRY_DELAY"), plain(f"{self.max_retry_delay:g} s"), t("sdk.defaults.max_retry_delay")],
        ]


def defaults() -> Defaults:
    """The installed SDK's retry and timeout defaults.

    >>> defaults().attempts
    3
    """
    return Defaults(
        max_retries=_constants.DEFAULT_MAX_RETRIES,
        timeout=_constants.DEFAULT_TIMEOUT,
        initial_retry_delay=_constants.INITIAL_RETRY_DELAY,
        max_retry_delay=_constants.MAX_RETRY_DELAY,
    )


# --- the nominal schedule (the claim) ------------------------------------------

def nominal_delay(retry: int) -> float:
    """The backoff before retry number ``retry`` (1, 2, ...) without jitter, capped.

    >>> [nominal_delay(n) for n in range(1, 8)]
    [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    """
    delay: float = min(_constants.INITIAL_RETRY_DELAY * 2.0 ** (retry - 1), _constants.MAX_RETRY_DELAY)
    return delay


def band(retry: int) -> tuple[float, float]:
    """Where the SDK's wait before retry ``retry`` should land: :data:`JITTER` times the nominal delay.

    The ``sdk`` formula of :mod:`ctlab.backoff`, with the installed SDK's constants read now.

    >>> band(1)
    (0.375, 0.5)
    """
    from .backoff import bounds

    return bounds("sdk", retry - 1, base=_constants.INITIAL_RETRY_DELAY, cap=_constants.MAX_RETRY_DELAY)


# --- the measured schedule (the evidence) --------------------------------------

@dataclass(frozen=True)
class Sample:
    """One wait the SDK slept, before retry number ``retry``, in the run seeded ``seed``."""

    seed: int
    retry: int
    wait: float

    @property
    def ratio(self) -> float:
        """The wait as a fraction of the nominal delay (the jitter factor the SDK drew)."""
        return self.wait / nominal_delay(self.retry)

    @property
    def inside(self) -> bool:
        low, high = band(self.retry)
        return low <= self.wait <= high


@dataclass(frozen=True, repr=False)
class Schedule(TableView):
    """The SDK's waits from ``runs`` seeded simulations of ``faults``."""

    COLUMNS = ("sdk.col.retry", "sdk.col.nominal", "sdk.col.band", "sdk.col.seen", "sdk.col.samples")
    RIGHT = (0, 1, 4)
    CSS = "ctlab-sdk"

    samples: tuple[Sample, ...]
    runs: int
    faults: str

    def retries(self) -> list[int]:
        return sorted({s.retry for s in self.samples})

    def waits(self, retry: int) -> list[float]:
        return [s.wait for s in self.samples if s.retry == retry]

    def outside(self) -> int:
        """How many waits fell outside the jitter band (0 when the SDK does what :func:`band` says)."""
        return sum(not s.inside for s in self.samples)

    def ratios(self) -> tuple[float, float]:
        """The smallest and largest measured wait ÷ nominal delay."""
        ratios = [s.ratio for s in self.samples] or [float("nan")]
        return min(ratios), max(ratios)

    def rows(self) -> list[list[Text]]:
        rows = []
        for n in self.retries():
            waits, (low, high) = self.waits(n), band(n)
            rows.append([plain(str(n)), plain(f"{nominal_delay(n):g}"), plain(f"{low:.3f}–{high:.3f}"),
                         plain(f"{min(waits):.3f}–{max(waits):.3f}"), plain(str(len(waits)))])
        return rows

    def footer(self) -> Text:
        return self.summary()

    def summary(self) -> Text:
        low, high = self.ratios()
        return t("sdk.schedule.summary", runs=self.runs, last=self.runs - 1, samples=len(self.samples),
                 outside=self.outside(), low=low, high=high)

    def plot(self) -> Strips:
        """Every measured wait against its retry number, over the nominal delay and the jitter band (inline SVG)."""
        retries = self.retries()
        column = {n: j for j, n in enumerate(retries)}
        nominal = t("sdk.plot.nominal", initial=_constants.INITIAL_RETRY_DELAY, cap=_constants.MAX_RETRY_DELAY)
        marks = [nominal_delay(n) for n in retries]
        return Strips(
            categories=[str(n) for n in retries],
            bands=[band(n) for n in retries],
            marks=marks,
            # spread the dots sideways by seed (not at random), so the picture is reproducible
            dots=[(column[s.retry], ((s.seed % 25) - 12) / 28, s.wait) for s in self.samples],
            yticks=sorted(set(marks)),
            names=(
                label(nominal, stacked=True),
                label(t("sdk.plot.band", low=JITTER[0], high=JITTER[1]), stacked=True),
                label(t("sdk.plot.waits"), stacked=True),
            ),
            title=label(t("sdk.plot.title", runs=self.runs)),
            xlabel=label(t("sdk.plot.xlabel")),
            ylabel=label(t("sdk.plot.ylabel")),
        )


def sample_schedule(
    runs: int = 100, *, max_retries: int = 7, faults: FaultsLike = "529", **client_options: Any
) -> Schedule:
    """Run ``faults`` (default: 529 forever) ``runs`` times, seeds ``0 .. runs-1``, and keep every SDK wait.

    Each run is a real SDK call under :func:`ctlab.run`; retry ``n`` is the wait
    the SDK slept before the request carrying ``x-stainless-retry-count: n``.

    >>> s = sample_schedule(runs=3, max_retries=2)
    >>> [(x.seed, x.retry) for x in s.samples]
    [(0, 1), (0, 2), (1, 1), (1, 2), (2, 1), (2, 2)]
    """
    if not isinstance(runs, int) or isinstance(runs, bool) or not 1 <= runs <= 10_000:
        raise CtlabError("sdk.runs", value=runs)
    samples = []
    for seed in range(runs):
        sim = run(faults, seed=seed, max_retries=max_retries, **client_options)
        samples += [Sample(seed, n, wait) for n, wait in enumerate(sim.waits(by="sdk"), start=1)]
    return Schedule(tuple(samples), runs, str(parse(faults)))


# --- what a timeout costs -------------------------------------------------------

@dataclass(frozen=True)
class TimeoutCost:
    """A call whose every attempt times out: ``attempts`` × ``per_attempt`` plus the backoff between them."""

    attempts: int
    per_attempt: float
    backoff_low: float
    backoff_high: float

    @property
    def low(self) -> float:
        return self.attempts * self.per_attempt + self.backoff_low

    @property
    def high(self) -> float:
        return self.attempts * self.per_attempt + self.backoff_high

    def __contains__(self, seconds: object) -> bool:
        return isinstance(seconds, (int, float)) and self.low <= seconds <= self.high

    def text(self) -> Text:
        cost = t("sdk.cost", attempts=self.attempts, per_attempt=self.per_attempt, backoff_low=self.backoff_low,
                 backoff_high=self.backoff_high, low=self.low, high=self.high)
        if self.low < 120:
            return cost
        minutes = t("sdk.cost.minutes", minutes=self.low / 60)
        return Text(cost.zh + minutes.zh, cost.en + minutes.en)

    def __str__(self) -> str:
        return str(self.text())

    __repr__ = __str__


_PHASES = ("read", "connect")


def timeout_cost(max_retries: int | None = None, timeout: float | anthropic.Timeout | None = None, *,
                 phase: str = "read") -> TimeoutCost:
    """The virtual time a call takes when the server never answers (``phase="read"``) or never accepts the
    connection (``"connect"``), for a client built with ``max_retries`` and ``timeout`` (default: the SDK's).

    A prediction from :func:`defaults` and :func:`band`; ``ctlab.run("timeout", ...)`` measures it.

    >>> import ctlab
    >>> cost = timeout_cost()
    >>> cost.attempts, cost.per_attempt
    (3, 600.0)
    >>> ctlab.run("timeout").elapsed in cost
    True
    """
    if phase not in _PHASES:
        raise CtlabError("sdk.phase", value=phase, allowed=", ".join(_PHASES))
    d = defaults()
    max_retries = d.max_retries if max_retries is None else max_retries
    timeout = d.timeout if timeout is None else timeout
    per_attempt = float(getattr(timeout, phase) if isinstance(timeout, anthropic.Timeout) else timeout)
    bands = [band(n) for n in range(1, max_retries + 1)]
    return TimeoutCost(max_retries + 1, per_attempt, sum(b[0] for b in bands), sum(b[1] for b in bands))

