"""The error catalog: for each status, what the installed SDK raises, whether it retries, and what to do.

The class and the retry decision are asked of the SDK itself (:mod:`ctlab.probes`:
its status table and its own ``_should_retry``), so the atlas changes when the
SDK does; only the cause and the advice are written by hand
(:mod:`ctlab.advice`)::

    >>> e = entry(529)
    >>> e.exception.__name__, e.retried, e.error_type
    ('OverloadedError', True, 'overloaded_error')
    >>> [row.status_code for row in catalog((429, 529))]
    [429, 529]

The same facts the other way round — a request sent, what came back — are in
:mod:`ctlab.observation` (:func:`observe`, :func:`observe_all`), and the docs
page's table held against the SDK in :mod:`ctlab.docs_table`
(:func:`docs_check`); they are named here too, so one import brings the atlas.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import anthropic

from .advice import STATUSES, advice, status_advice
from .diagnosis import diagnose
from .docs_loop import MESSAGES, MODEL
from .docs_table import DOCS_STATUSES, DOCS_TABLE, DocsCheck, DocsRow, docs_check
from .error_classes import class_tree, hierarchy
from .i18n import CtlabError, Text, register, t
from .inputs import short_repr
from .observation import Observation, Observations, observe, observe_all
from .probes import sdk_exception, sdk_retries
from .proxy import PROXY_FAULTS
from .responses import error_type_for
from .show import TableView, plain
from .simulate import run
from .streams import stream_text

register(
    __name__,
    {
        "catalog.unknown": Text(
            "速查表里没有状态码 {value}，速查表中有：{allowed}",
            "status {value} is not in the catalog; it has: {allowed}",
        ),
        "catalog.statuses": Text(
            "catalog() 要的是状态码的列表或元组，例如 catalog((429, 529))；只看一个状态码请用 entry(429)。"
            "收到的是 {value}；速查表中有：{allowed}",
            "catalog() takes a list or tuple of status codes, e.g. catalog((429, 529)); for one status, use "
            "entry(429). "
            "Got {value}; the catalog has: {allowed}",
        ),
        "catalog.exception": Text("SDK 异常类", "SDK exception"),
        "catalog.error_type": Text("API 错误类型", "API error type"),
        "catalog.proxy_fault": Text("代理的故障（故障脚本）", "proxy fault (fault script)"),
        "catalog.sdk_raises": Text("SDK 抛出 / 返回", "the SDK raises / returns"),
        "catalog.requests": Text("请求数（max_retries=2）", "requests (max_retries=2)"),
        "catalog.origin": Text("ctlab.diagnose 的判断", "ctlab.diagnose says"),
        "catalog.returns": Text("不抛异常，返回 {value}", "no exception: returns {value}"),
        "catalog.proxy_footer": Text(
            "这几行是代理和 CDN 的行为，不是 Anthropic 的：Anthropic 的错误都是带 request-id 的 JSON",
            "these rows are proxy and CDN behaviour, not Anthropic's: Anthropic's errors are JSON with a request-id",
        ),
    },
)

__all__ = [
    "DOCS_STATUSES",
    "DOCS_TABLE",
    "STATUSES",
    "Catalog",
    "DocsCheck",
    "DocsRow",
    "Entry",
    "Observation",
    "Observations",
    "advice",
    "catalog",
    "class_tree",
    "docs_check",
    "entry",
    "hierarchy",
    "observe",
    "observe_all",
    "proxy_catalog",
    "sdk_exception",
    "sdk_retries",
]


@dataclass(frozen=True)
class Entry:
    """One row of the atlas."""

    status_code: int
    exception: type[anthropic.APIStatusError]
    error_type: str
    retried: bool
    cause: Text
    action: Text

    def hierarchy(self) -> list[str]:
        """Class names from this exception up to ``AnthropicError``."""
        return hierarchy(self.exception)


def entry(status_code: int) -> Entry:
    """The atlas's row for ``status_code``, one of :data:`STATUSES`.

    Anything else is refused with a :class:`~ctlab.i18n.CtlabError` listing them.
    """
    if isinstance(status_code, bool) or not isinstance(status_code, int) or status_code not in STATUSES:
        raise CtlabError("catalog.unknown", value=short_repr(status_code), allowed=", ".join(map(str, STATUSES)))
    cause, action = status_advice(status_code)
    return Entry(
        status_code, sdk_exception(status_code), error_type_for(status_code), sdk_retries(status_code), cause, action
    )


class Catalog(TableView, list[Entry]):
    """The atlas as rows; shows as a table in a notebook or a terminal."""

    COLUMNS = (
        "advice.status",
        "catalog.exception",
        "catalog.error_type",
        "advice.retried",
        "advice.cause",
        "advice.action",
    )
    CSS = "ctlab-catalog"

    def rows(self) -> list[list[Text]]:
        return [
            [
                plain(str(e.status_code)),
                plain(e.exception.__name__),
                plain(e.error_type),
                t("yes" if e.retried else "no"),
                e.cause,
                e.action,
            ]
            for e in self
        ]


def catalog(statuses: Iterable[int] = STATUSES) -> Catalog:
    """The atlas for ``statuses``, a list or tuple of codes from :data:`STATUSES` (default: all of them).

    One code alone (``catalog(429)``) is refused with a pointer to ``entry(429)``
    or ``catalog((429,))``; so is a string, even of digits.
    """
    if isinstance(statuses, (str, bytes)) or not isinstance(statuses, Iterable):
        raise CtlabError("catalog.statuses", value=short_repr(statuses), allowed=", ".join(map(str, STATUSES)))
    return Catalog(entry(s) for s in statuses)


@dataclass(frozen=True)
class ProxyEntry:
    """One proxy row: a proxy fault, what the installed SDK does with it, and what :func:`ctlab.diagnose` says."""

    fault: str
    outcome: Text
    requests: int
    origin: Text
    action: Text


class ProxyCatalog(TableView, list[ProxyEntry]):
    """The proxy rows of the catalog, marked as proxy behaviour (the footer says so)."""

    COLUMNS = ("catalog.proxy_fault", "catalog.sdk_raises", "catalog.requests", "catalog.origin", "advice.action")
    RIGHT = (2,)
    CSS = "ctlab-catalog"

    def rows(self) -> list[list[Text]]:
        return [[plain(e.fault), e.outcome, plain(str(e.requests)), e.origin, e.action] for e in self]

    def footer(self) -> Text:
        return t("catalog.proxy_footer")


def _create(client: anthropic.Anthropic) -> object:
    """The docs page's call, keeping what ``messages.create`` returned (a 200 may carry an error)."""
    return client.messages.create(model=MODEL, max_tokens=1024, messages=MESSAGES)


def _proxy_entry(fault: str) -> ProxyEntry:
    sim = run(fault, stream_text if "stream" in fault else _create, seed=0)
    outcome = sim.outcome
    assert outcome is not None
    if outcome.error is not None:
        shown = getattr(outcome.error, "status_code", None)
        raised = plain(type(outcome.error).__name__ + (f" ({shown})" if shown else ""))
        found = diagnose(outcome.error)
    else:
        value = f"{type(outcome.value).__name__}(content={getattr(outcome.value, 'content', None)!r})"
        raised = t("catalog.returns", value=value)
        found = diagnose(outcome.value)
    return ProxyEntry(fault, raised, sim.requests, found.headline, found.action)


def proxy_catalog() -> ProxyCatalog:
    """The proxy rows: every proxy fault of :data:`ctlab.proxy.PROXY_FAULTS` played to the real SDK (simulated)."""
    return ProxyCatalog(_proxy_entry(fault) for fault in PROXY_FAULTS)
