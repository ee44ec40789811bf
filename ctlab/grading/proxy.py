"""Exercise 9 (notebook 09): a retry loop that knows the proxy — its scenarios, the rules that judge them, the answer.

    >>> [s.faults for s in PROXY][:3]
    ['200', '502(html) 502(html) 200', '524(html) 200']

Two kinds of scenario join the battery's (:mod:`ctlab.grading.battery`):

* ``quota`` — the proxy's quota error dressed as a 429 (or a 402): no retry can
  help, so one request, then raise the SDK's error as it is.
* ``error_200`` — a 200 whose body is an error: raise an error; never return
  its text, and never crash on ``response.content[0]``.

The others are the battery's own kinds played with proxy faults: an HTML 502
that recovers, a Chinese 429 that recovers, a 429 whose ``retry-after`` the
proxy stripped. :func:`proxy_aware_retry` is the reference solution.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import anthropic

from ..diagnosis import diagnose, readable_message
from ..docs_loop import MODEL
from ..i18n import Text, register, t
from ..retry import backoff, is_retryable, retry_after
from .battery import MAX_REQUESTS, RULES, Rule, Scenario, Verdict
from .evidence import is_bug, where
from .runner import Run

register(
    __name__,
    {
        "check.exercise.9": Text("认得出代理的重试", "a proxy-aware retry"),
        "check.sc.quota": Text(
            "{faults}：代理的额度用完了，却用 429（或 402）和别家 API 的格式报出来；重试帮不上忙",
            "{faults}: the proxy's quota is used up, sent as a 429 (or 402) in another API's shape; no retry helps",
        ),
        "check.sc.error_200": Text(
            "{faults}：状态码 200，响应体却是一个错误",
            "{faults}: status 200, but the body is an error",
        ),
        "check.ok.quota": Text("只发了 1 次请求，就抛出了原来的错误", "sent 1 request, then raised the original error"),
        "check.ok.error_200": Text("把它当成错误抛出了", "raised it as an error"),
        "check.bad.quota": Text(
            "额度用完的错误重试多少次都一样，你的函数却发了 {requests} 次请求",
            "a used-up quota fails however often you try, yet your function sent {requests} requests",
        ),
        "check.hint.quota": Text(
            "429 不一定是限流：看看响应体，ctlab.diagnose(error).quota 为真就立刻抛出",
            "a 429 is not always a rate limit: read the body, and raise at once when "
            "ctlab.diagnose(error).quota is true",
        ),
        "check.bad.error_200": Text(
            "返回了 {value}：这是代理放在 200 里的错误，不是 Claude 的回复",
            "returned {value}: an error the proxy sent inside a 200, not Claude's reply",
        ),
        "check.bad.error_200_crash": Text(
            "读回复时崩了：{error}{where}。200 的响应体是一个错误，里面没有 content",
            "crashed reading the reply: {error}{where}. The 200's body is an error, with no content",
        ),
        "check.hint.error_200": Text(
            "读 content 之前先检查：没有 content，就抛出一个错误（例如 anthropic.APIStatusError，带上原始响应）",
            "check before reading content: when there is none, raise an error (e.g. anthropic.APIStatusError, "
            "with the raw response)",
        ),
        "check.bad.error_200_too_many": Text(
            "发了 {requests} 次请求，超过 {limit} 次",
            "sent {requests} requests, more than {limit}",
        ),
    },
)

__all__ = ["PROXY", "PROXY_RULES", "proxy_aware_retry"]

log = logging.getLogger("ctlab.exercise9")


def _fail(key: str, hint: str, **values: Any) -> Verdict:
    return Verdict(False, t(f"check.bad.{key}", **values), t(f"check.hint.{hint}"), key)


def _retried_quota(_sc: Scenario, runs: Sequence[Run], _fn: Callable[..., Any]) -> Verdict | None:
    requests = max(r.measurement.requests for r in runs)
    return _fail("quota", "quota", requests=requests) if requests > 1 else None


def _returned_error(_sc: Scenario, runs: Sequence[Run], fn: Callable[..., Any]) -> Verdict | None:
    for run in runs:
        outcome = run.measurement.sim.outcome
        assert outcome is not None
        if outcome.ok:
            return _fail("error_200", "error_200", value=repr(outcome.value)[:60])
        if outcome.error is not None and is_bug(outcome.error):
            error = f"{type(outcome.error).__name__}: {outcome.error}"[:80]
            return _fail("error_200_crash", "error_200", error=error, where=where(outcome.error, fn))
    return None


def _bounded(_sc: Scenario, runs: Sequence[Run], _fn: Callable[..., Any]) -> Verdict | None:
    requests = max(r.measurement.requests for r in runs)
    if requests > MAX_REQUESTS:
        return _fail("error_200_too_many", "error_200", requests=requests, limit=MAX_REQUESTS)
    return None


#: The rules of the two new kinds (registered into the battery's ``RULES`` by :mod:`ctlab.grading`).
PROXY_RULES: dict[str, tuple[Rule, ...]] = {
    "quota": (_retried_quota, *RULES["fatal"]),
    "error_200": (_returned_error, *RULES["ok"], _bounded),
}

#: Exercise 9's scenarios: the proxy's failures a retry loop must tell apart.
PROXY: tuple[Scenario, ...] = (
    Scenario("200", "ok"),
    Scenario("502(html) 502(html) 200", "transient"),
    Scenario("524(html) 200", "transient"),
    Scenario("429(shape=zh) 429(shape=zh) 200", "transient"),
    Scenario("429(strip-retry-after) 200", "transient"),
    Scenario("502(html)", "persistent"),
    Scenario("429(shape=quota)", "quota"),
    Scenario("402(shape=quota)", "fatal"),
    Scenario("200(error-body)", "error_200"),
)


def proxy_aware_retry(
    client: anthropic.Anthropic, messages: list[Any], max_attempts: int = 4, max_wait: float = 30.0
) -> str:
    """Exercise 9: retry what can succeed; never a used-up quota; a 200 that carries an error is an error."""
    once = client.with_options(max_retries=0)  # 只留这一层重试 / the only retry layer
    for attempt in range(max_attempts):
        try:
            raw = once.messages.with_raw_response.create(model=MODEL, max_tokens=1024, messages=messages)
        except anthropic.APIError as error:
            found = diagnose(error)
            if found.request_id is None:  # 多半是代理写的响应 / most likely written by the proxy
                log.info("no request-id: %s (%s)", found.headline.en, found.message)
            if attempt == max_attempts - 1 or found.quota or not is_retryable(error):
                raise  # 额度用完不重试 / a used-up quota is never retried
            wait = retry_after(error)
            if wait is not None and wait > max_wait:
                raise
            time.sleep(backoff(attempt) if wait is None else wait)
            continue
        message = raw.parse()
        if not message.content:  # 200 里装的是错误 / a 200 that carries an error
            body = raw.http_response.json()
            raise anthropic.APIStatusError(readable_message(raw.http_response), response=raw.http_response, body=body)
        text: str = message.content[0].text
        return text
    raise AssertionError("unreachable")
