"""One request sent through the real SDK to a simulated server, and everything that came back.

:func:`observe` keeps the exception, its ``body`` and ``request_id``, how many
requests were sent, whether the SDK's own rule retries it, and the advice that
goes with it; it shows as a card. :func:`observe_all` makes a table of several::

    >>> seen = observe("529")
    >>> seen.exception.__name__, seen.requests, seen.request_id
    ('OverloadedError', 3, 'req_sim_000000003')
    >>> [(o.faults, o.requests) for o in observe_all(["401", "529"])]
    [('401', 1), ('529', 3)]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import anthropic

from .advice import STATUSES, advice
from .error_classes import class_tree, hierarchy
from .faults import FaultsLike, StreamError, parse
from .i18n import Text, register, t
from .probes import sdk_retries
from .show import TableView, describe_outcome, html_grid, plain, text_grid
from .simulate import Simulation, ask, run
from .streams import stream_text

register(
    __name__,
    {
        "observe.what": Text("项目", "what"),
        "observe.value": Text("这次看到的", "what came back"),
        "observe.faults": Text("故障脚本", "faults"),
        "observe.outcome": Text("结果", "outcome"),
        "observe.hierarchy": Text("类层次", "class hierarchy"),
        "observe.requests": Text("HTTP 请求数", "HTTP requests"),
        "observe.requests_value": Text(
            "{requests} 次（重试计数头：{counts}）", "{requests} (retry-count headers: {counts})"
        ),
        "observe.retried": Text(
            "会：这次重试了 {retries} 次（max_retries={max_retries}）",
            "yes: {retries} retries this time (max_retries={max_retries})",
        ),
        "observe.not_retried": Text("不会：第一次失败就抛出", "no: raised on the first failure"),
        "observe.raised": Text("SDK 抛出的异常", "raised by the SDK"),
        "observe.below_api_error": Text("类层次（APIError 以下）", "hierarchy (below APIError)"),
        "observe.retry_counts": Text("各次的重试计数头", "retry-count headers"),
        "observe.request_id": Text("request_id", "request_id"),
        "observe.error_type": Text("错误体里的 error.type", "error.type in the body"),
    },
)

__all__ = ["Observation", "Observations", "observe", "observe_all"]


@dataclass(frozen=True)
class Observation:
    """One request sent through the real SDK to a simulated server, and what came back."""

    faults: str
    sim: Simulation
    max_retries: int

    @property
    def error(self) -> BaseException | None:
        return self.sim.outcome.error if self.sim.outcome else None

    @property
    def exception(self) -> type[BaseException] | None:
        return type(self.error) if self.error is not None else None

    @property
    def status_code(self) -> int | None:
        return getattr(self.error, "status_code", None)

    @property
    def request_id(self) -> str | None:
        return getattr(self.error, "request_id", None)

    @property
    def body(self) -> object:
        return getattr(self.error, "body", None)

    @property
    def requests(self) -> int:
        return self.sim.requests

    @property
    def retry_counts(self) -> list[int | None]:
        """The ``x-stainless-retry-count`` header of each request."""
        return [a.retry_count for a in self.sim.attempts]

    @property
    def retried(self) -> bool | None:
        """Whether the SDK's own rule retries this error, whatever ``max_retries`` allowed (``None``: no API error)."""
        error = self.error
        if isinstance(error, anthropic.APIStatusError):
            if error.status_code == 200:
                return False
            return sdk_retries(error.status_code, dict(error.response.headers))
        if isinstance(error, anthropic.APIConnectionError):
            return True
        return None

    def hierarchy(self, up_to: type[BaseException] = anthropic.AnthropicError) -> list[str]:
        return hierarchy(self.exception, up_to=up_to) if self.exception else []

    def _retried_text(self) -> Text:
        if self.retried is None:
            return plain("-")
        if not self.retried:
            return t("observe.not_retried")
        return t("observe.retried", retries=self.requests - 1, max_retries=self.max_retries)

    def rows(self) -> list[list[Text]]:
        """The card: one (what, value) row per fact."""
        rows = [[t("observe.faults"), plain(self.faults)], [t("observe.outcome"), describe_outcome(self.sim.outcome)]]
        if self.error is not None and isinstance(self.error, anthropic.APIError):
            body = json.dumps(self.body, ensure_ascii=False) if self.body is not None else "-"
            rows += [
                [t("observe.hierarchy"), plain(" → ".join(self.hierarchy()))],
                [plain("status_code"), plain(str(self.status_code) if self.status_code is not None else "-")],
                [plain("request_id"), plain(self.request_id or "-")],
                [plain("body"), plain(body)],
            ]
        counts = ", ".join("-" if c is None else str(c) for c in self.retry_counts)
        rows += [[t("observe.requests"), t("observe.requests_value", requests=self.requests, counts=counts)]]
        if self.error is not None:
            rows += [[t("advice.retried"), self._retried_text()]]
        found = advice(self.error) if self.error is not None else None
        if found:
            rows += [[t("advice.cause"), found[0]], [t("advice.action"), found[1]]]
        return rows

    def __str__(self) -> str:
        return text_grid([t("observe.what"), t("observe.value")], self.rows())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        card = html_grid([t("observe.what"), t("observe.value")], self.rows(), css="ctlab-observation")
        return card.replace("<td>", '<td style="text-align:left">').replace("<th>", '<th style="text-align:left">')


def _call_for(faults: FaultsLike) -> Callable[[Any], Any]:
    """The request to send: a stream if the script has a mid-stream error, else the docs page's call."""
    return stream_text if any(isinstance(f, StreamError) for f in parse(faults).faults) else ask


def observe(faults: FaultsLike, *, max_retries: int = 2, seed: int = 0) -> Observation:
    """Send one request through the real SDK while the simulated server plays ``faults``; keep what came back.

    A script with ``stream-error`` sends a streaming request; any other, the docs page's ``messages.create``.
    """
    sim = run(faults, _call_for(faults), seed=seed, max_retries=max_retries)
    return Observation(str(parse(faults)), sim, max_retries)


_OBSERVED_COLUMNS = (
    "observe.faults",
    "observe.raised",
    "observe.below_api_error",
    "observe.requests",
    "observe.retry_counts",
    "observe.request_id",
    "observe.error_type",
)


class Observations(TableView, list[Observation]):
    """Several observations as one table."""

    COLUMNS = _OBSERVED_COLUMNS
    RIGHT = (3,)
    CSS = "ctlab-observations"

    def rows(self) -> list[list[Text]]:
        rows = []
        for o in self:
            below = o.hierarchy(up_to=anthropic.APIError)[:-1] if o.exception else []
            body = o.body if isinstance(o.body, dict) else {}
            error = body.get("error")
            inner = error if isinstance(error, dict) else {}
            rows.append(
                [
                    plain(o.faults),
                    plain(o.exception.__name__ if o.exception else "-"),
                    plain(" → ".join(below) or "-"),
                    plain(str(o.requests)),
                    plain(", ".join("-" if c is None else str(c) for c in o.retry_counts)),
                    plain(o.request_id or "-"),
                    plain(str(inner.get("type", "-"))),
                ]
            )
        return rows

    def tree(self) -> str:
        """Every class raised, in its place under ``AnthropicError``, with the faults that raised it."""
        raised: dict[type, list[str]] = {}
        for o in self:
            if o.exception is not None:
                raised.setdefault(o.exception, []).append(o.faults)
        return class_tree(raised, notes={cls: ", ".join(faults) for cls, faults in raised.items()})


def observe_all(faults: Iterable[FaultsLike] | None = None, *, max_retries: int = 2, seed: int = 0) -> Observations:
    """:func:`observe` each script (default: every status in the catalog), as one table.

    >>> [(o.faults, o.requests) for o in observe_all(["401", "529"])]
    [('401', 1), ('529', 3)]
    """
    scripts = [str(s) for s in STATUSES] if faults is None else list(faults)
    return Observations(observe(f, max_retries=max_retries, seed=seed) for f in scripts)
