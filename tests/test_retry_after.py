"""retry-after is read exactly as each installed SDK reads it:
ctlab.retry as the Python SDK, retry_loop.mjs as the JS SDK.

Both sides are compared with the SDK's *own* code, called on the same headers
(never a copy of its logic): the Python SDK's ``_parse_retry_after_header`` and
``_calculate_retry_timeout``, the JS SDK's ``retryRequest``. To tell a wait the
SDK took from a header from its own backoff, each SDK is asked twice, at two
retry counts whose backoff ranges do not overlap (0.375–0.5 s and 6–8 s): a
header-driven wait is the same both times, a backoff is not.
"""

from __future__ import annotations

import email.utils
import itertools
import json
import math
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import pytest

from ctlab.faults import MAX_WAIT
from ctlab.retry import parse_retry_after, retry_after

ROOT = Path(__file__).resolve().parents[1]
RETRY_LOOP = ROOT / "notebooks" / "js" / "retry_loop.mjs"
has_node = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "@anthropic-ai" / "sdk").exists(),
    reason="node or the JS SDK (npm ci) is not installed",
)


def _date(offset: float) -> str:
    return email.utils.formatdate(time.time() + offset, usegmt=True)


#: HTTP dates counted from now, each with the name its test ids show: the date itself changes from one second
#: to the next, and pytest-xdist's workers must collect the same ids.
DATES = {_date(30): "<now + 30 s>", _date(3600): "<now + 1 h>", _date(-30): "<now - 30 s>"}
MS_VALUES = [
    None, "", "0", "250", "1500", "-5", "nan", "NaN", "abc", "1e3", "inf", "Infinity", " 40 ", "0.5", "12abc", "1e12",
]
SECONDS_VALUES = [
    None, "", "0", "-1", "-0", "2", "2.5", "1e2", "inf", "Infinity", "nan", "soon", "3s", " 7 ", "1_000", "0x10",
    "86400", "3000000", "1e12", *DATES, "Wed, 21 Oct 2015 07:28:00 GMT",
    "Wed, 21 Oct 2015 07:28:00", "Mon, 32 Foo 2020 99:99:99 GMT", "Sun, 06 Nov 1994 08:49:37 +0100",
]
#: Every pair: 16 x 26 = 416 header sets, from none at all to both headers with garbage in each.
BATTERY: list[dict[str, str]] = [
    {name: value for name, value in (("retry-after-ms", ms), ("retry-after", seconds)) if value is not None}
    for ms, seconds in itertools.product(MS_VALUES, SECONDS_VALUES)
]


def _same(a: float | None, b: float | None, *, tolerance: float = 0.05) -> bool:
    """Equal, ``nan`` equal to ``nan``; an HTTP date is read against a clock that moved a little in between."""
    if a is None or b is None:
        return a is b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= tolerance


# --- Python ---------------------------------------------------------------------------------

SDK = anthropic.Anthropic(api_key="sk-test-never-sent", base_url="http://127.0.0.1:9")  # nothing is sent


class _Options:
    """What ``_calculate_retry_timeout`` reads from a request's options: its max_retries."""

    @staticmethod
    def get_max_retries(_default: int) -> int:
        return 1000


def sdk_wait(headers: dict[str, str]) -> float | None:
    """The wait the installed SDK takes from these headers, or ``None`` if it used its own backoff."""
    early = SDK._calculate_retry_timeout(1000, _Options, httpx2.Headers(headers))  # type: ignore[arg-type]  # backoff: 0.375–0.5 s
    late = SDK._calculate_retry_timeout(0, _Options, httpx2.Headers(headers))  # type: ignore[arg-type]  # backoff: 6–8 s
    return early if abs(early - late) < 1 else None


def status_error(headers: dict[str, str]) -> anthropic.RateLimitError:
    request = httpx2.Request("POST", "http://127.0.0.1:9/v1/messages")
    response = httpx2.Response(429, headers=headers, request=request)
    return anthropic.RateLimitError("rate limited", response=response, body=None)


def _id(headers: dict[str, str]) -> str:
    return json.dumps({name: DATES.get(value, value) for name, value in headers.items()}, ensure_ascii=True)


@pytest.mark.parametrize("headers", BATTERY, ids=[_id(h) for h in BATTERY])
def test_parse_retry_after_reads_every_header_as_the_python_sdk_does(headers: dict[str, str]) -> None:
    theirs = SDK._parse_retry_after_header(httpx2.Headers(headers))
    assert _same(parse_retry_after(httpx2.Headers(headers)), theirs)


def test_retry_after_waits_exactly_when_and_as_long_as_the_python_sdk_does() -> None:
    mismatches = [
        (headers, retry_after(status_error(headers)), sdk_wait(headers))
        for headers in BATTERY
        if not _same(retry_after(status_error(headers)), sdk_wait(headers))
    ]
    assert mismatches == []
    obeyed = [h for h in BATTERY if sdk_wait(h) is not None]
    assert 50 < len(obeyed) < len(BATTERY)  # the battery holds both kinds, plenty of each
    assert retry_after(status_error({"retry-after": "1e12"})) == MAX_WAIT  # the SDK's own cap


def test_retry_after_reads_headers_too_and_nothing_from_an_error_without_a_response() -> None:
    assert retry_after({"retry-after": "3"}) == 3.0 and retry_after(None) is None
    assert retry_after(anthropic.APITimeoutError(request=httpx2.Request("POST", "http://127.0.0.1:9"))) is None


@pytest.mark.parametrize(("headers", "meaning"), [
    ({"retry-after": "0"}, "0 is not an instant retry: the SDK backs off"),
    ({"retry-after-ms": "0", "retry-after": "5"}, "a readable retry-after-ms hides retry-after, even 0"),
    ({"retry-after": _date(-30)}, "a date in the past: back off"),
])
def test_what_the_sdk_treats_as_not_said_is_none(headers: dict[str, str], meaning: str) -> None:
    assert retry_after(headers) is None and sdk_wait(headers) is None, meaning


def test_an_http_date_is_a_wait_counted_from_now() -> None:
    wait = retry_after({"retry-after": _date(30)})
    assert wait is not None and 28.5 < wait <= 30.0


# --- JavaScript -------------------------------------------------------------------------------

_NODE_SCRIPT = """
import Anthropic from "@anthropic-ai/sdk";
import { retryAfterMs, MAX_TIMER_MS } from %(loop)s;

const batteries = JSON.parse(await new Promise((resolve) => {
  let text = ""; process.stdin.on("data", (c) => (text += c)); process.stdin.on("end", () => resolve(text));
}));
// The SDK's sleep, recorded and skipped; the clock does not move.
const slept = [];
globalThis.setTimeout = (callback, ms, ...args) => {
  slept.push(ms); queueMicrotask(() => callback(...args)); return 0;
};
const client = new Anthropic({ apiKey: "sk-test-never-sent", baseURL: "http://127.0.0.1:9", maxRetries: 1000 });
client.makeRequest = async () => null; // stop right after the SDK's wait: nothing is sent

async function sdkWait(headers) {
  const waits = [];
  for (const remaining of [1000, 0]) { // backoff: 375–500 ms, then 6000–8000 ms
    await client.retryRequest({ maxRetries: 1000 }, remaining, "test", undefined, new Headers(headers));
    waits.push(slept.at(-1));
  }
  return Math.abs(waits[0] - waits[1]) < 1000 ? waits[0] : null;
}

const results = [];
for (const headers of batteries) {
  results.push({ sdk: await sdkWait(headers), ours: retryAfterMs({ headers: new Headers(headers) }) });
}
const finite = (k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v);
console.log(JSON.stringify({ maxTimer: MAX_TIMER_MS, results }, finite));
"""


@has_node
def test_retry_after_ms_in_the_js_loop_reads_every_header_as_the_js_sdk_does() -> None:
    script = _NODE_SCRIPT % {"loop": json.dumps(RETRY_LOOP.as_uri())}
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        input=json.dumps(BATTERY), capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    mismatches, too_long = [], []
    for headers, result in zip(BATTERY, answer["results"], strict=True):
        ours, theirs = result["ours"], result["sdk"]
        ours = float(ours) if isinstance(ours, str) else ours
        if ours is not None and ours > answer["maxTimer"]:
            too_long.append(headers)  # the SDK backs off here; the loop throws at once (no timer holds that wait)
            assert theirs is None, headers
        elif not _same(ours, theirs, tolerance=50):  # ms; a date is read against a clock that moved
            mismatches.append((headers, ours, theirs))
    assert mismatches == []
    assert {h.get("retry-after") for h in too_long if "retry-after-ms" not in h} == {"3000000", "1e12", "Infinity"}
    assert sum(r["sdk"] is not None for r in answer["results"]) > 50
