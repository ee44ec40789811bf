"""The error atlas: for each status, what the installed SDK raises and whether it retries.

The class and the retry decision are asked of the SDK itself (its status table
and its own ``_should_retry``), so the atlas changes when the SDK does; only
the cause and the advice are written by hand, in both languages::

    >>> e = entry(529)
    >>> e.exception.__name__, e.retried, e.error_type
    ('OverloadedError', True, 'overloaded_error')

:func:`observe` checks the same facts the other way round: it sends a request
through the real SDK to a simulated server and keeps what came back — the
exception, its ``body`` and ``request_id``, how many requests were sent — with
the advice that goes with it. :func:`docs_check` holds the docs page's table
against what the SDK raised::

    >>> seen = observe("529")
    >>> seen.exception.__name__, seen.requests, seen.request_id
    ('OverloadedError', 3, 'req_sim_000000003')
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import anthropic
from anthropic._exceptions import extract_error_code

from .faults import FaultsLike, StreamError, short_repr, parse
from .i18n import CtlabError, Text, register, t
from .responses import error_type_for
from .show import TableView, plain, describe_outcome, html_grid, text_grid
from .sdk import sdk_exception, sdk_retries
from .simulate import Simulation, ask, run

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
            "catalog() takes a list or tuple of status codes, e.g. catalog((429, 529)); for one status, use entry(429). "
            "Got {value}; the catalog has: {allowed}",
        ),
        "catalog.status": Text("状态码", "status"),
        "catalog.exception": Text("SDK 异常类", "SDK exception"),
        "catalog.error_type": Text("API 错误类型", "API error type"),
        "catalog.retried": Text("SDK 会重试吗", "SDK retries?"),
        "catalog.cause": Text("常见原因", "usual cause"),
        "catalog.action": Text("怎么处理", "what to do"),
        "observe.what": Text("项目", "what"),
        "observe.value": Text("这次看到的", "what came back"),
        "observe.faults": Text("故障脚本", "faults"),
        "observe.outcome": Text("结果", "outcome"),
        "observe.hierarchy": Text("类层次", "class hierarchy"),
        "observe.requests": Text("HTTP 请求数", "HTTP requests"),
        "observe.requests_value": Text("{requests} 次（重试计数头：{counts}）", "{requests} (retry-count headers: {counts})"),
        "observe.retried": Text("会：这次重试了 {retries} 次（max_retries={max_retries}）", "yes: {retries} retries this time (max_retries={max_retries})"),
        "observe.not_retried": Text("不会：第一次失败就抛出", "no: raised on the first failure"),
        "observe.raised": Text("SDK 抛出的异常", "raised by the SDK"),
        "observe.below_api_error": Text("类层次（APIError 以下）", "hierarchy (below APIError)"),
        "observe.retry_counts": Text("各次的重试计数头", "retry-count headers"),
        "observe.request_id": Text("request_id", "request_id"),
        "observe.error_type": Text("错误体里的 error.type", "error.type in the body"),
        "docs.exception": Text("文档写的异常类", "class in the docs"),
        "docs.verdict": Text("对照结果", "verdict"),
        "docs.action": Text("文档的处理方式", "the docs' advice"),
        "docs.requests": Text("抛出前 SDK 已发的请求数", "requests sent before it was raised"),
        "docs.same": Text("一致", "matches"),
        "docs.subclass": Text("不准确：实际抛出 {raised}，它是 {documented} 的子类", "imprecise: the SDK raises {raised}, a subclass of {documented}"),
        "docs.wrong": Text("不对：实际抛出 {raised}", "wrong: the SDK raises {raised}"),
        "docs.nothing": Text("不对：没有抛出异常", "wrong: nothing was raised"),
    },
)

T = Text
_ADVICE: dict[int, tuple[Text, Text]] = {
    400: (
        T("请求本身有问题：参数缺失或格式不对、max_tokens 超限、消息顺序不对", "the request itself is wrong: a missing or malformed field, max_tokens too large, messages out of order"),
        T("不要重试，重试结果一样。读 error.message，修正请求", "do not retry: it will fail the same way. Read error.message and fix the request"),
    ),
    401: (
        T("API Key 无效、过期，或发错了地方（比如代理的 Key 发到了官方地址）", "the API key is invalid, revoked, or sent to the wrong place (e.g. a proxy's key sent to the default endpoint)"),
        T("不要重试。检查 Key 和 base_url 是否配套", "do not retry. Check that the key and base_url belong together"),
    ),
    402: (
        T("账户欠费或没有可用额度", "billing: the account has no credit or a payment problem"),
        T("不要重试。去控制台处理账单", "do not retry. Fix billing in the console"),
    ),
    403: (
        T("Key 没有权限使用这个模型或资源", "the key may not use this model or resource"),
        T("不要重试。检查账户、工作区和模型权限", "do not retry. Check the account, workspace and model permissions"),
    ),
    404: (
        T("资源不存在：最常见的是模型名写错，或路径不对", "not found: most often a misspelt model name or a wrong path"),
        T("不要重试。检查模型名和 base_url 路径", "do not retry. Check the model name and the base_url path"),
    ),
    408: (
        T("服务端等请求等超时了", "the server timed out waiting for the request"),
        T("SDK 会自动重试；频繁出现时检查网络和请求体大小", "the SDK retries it; if frequent, check the network and the request size"),
    ),
    409: (
        T("与资源当前状态冲突（例如并发修改）", "a conflict with the resource's current state (e.g. a concurrent change)"),
        T("SDK 会自动重试；仍失败时重新读取状态再提交", "the SDK retries it; if it persists, re-read the state and resubmit"),
    ),
    413: (
        T("请求体太大", "the request body is too large"),
        T("不要重试。缩小输入（拆分文档、压缩图片）", "do not retry. Send less (split documents, shrink images)"),
    ),
    422: (
        T("请求格式正确，但内容无法处理", "well-formed, but the content cannot be processed"),
        T("不要重试。按 error.message 修改内容", "do not retry. Change the content as error.message says"),
    ),
    429: (
        T("超出频率或 token 限额；也可能是月度消费上限（error_code）", "over a rate or token limit; or the monthly spend limit (see error_code)"),
        T("按 retry-after 等待后重试（SDK 已经替你做了）；长期出现就降速或申请更高限额；消费上限不要重试",
          "wait as retry-after says, then retry (the SDK already does); if it persists, slow down or ask for higher limits; never retry a spend limit"),
    ),
    500: (
        T("服务端内部错误", "an internal error on the server"),
        T("SDK 会带退避重试；持续出现就记录 request_id 并反馈", "the SDK retries with backoff; if it persists, log the request_id and report it"),
    ),
    503: (
        T("服务暂时不可用（代理或上游维护、重启）", "the service is temporarily unavailable (a proxy or upstream restarting)"),
        T("SDK 会带退避重试；为长时间不可用准备降级方案", "the SDK retries with backoff; plan a fallback for long outages"),
    ),
    504: (
        T("网关等上游超时", "a gateway timed out waiting upstream"),
        T("SDK 会重试；长输出改用流式，避免整段超时", "the SDK retries; for long outputs, stream instead of waiting for the whole reply"),
    ),
    529: (
        T("Anthropic 整体负载过高，与你的限额无关", "Anthropic as a whole is overloaded; not about your limits"),
        T("SDK 会带退避重试；持续过载时降级到别的模型或稍后再试", "the SDK retries with backoff; if it lasts, fall back to another model or try later"),
    ),
}

#: Advice for failures that are not just a status: an ``error.details.error_code``,
#: a timeout, a dropped connection, an error inside a 200 stream, a status ctlab does not document.
_CODE_ADVICE: dict[str, tuple[Text, Text]] = {
    "enforced_spend_limit_reached": (
        T("本月消费达到了组织设置的上限；等多久都不会自己恢复", "the organisation's monthly spend limit is reached; no amount of waiting fixes it"),
        T("不要重试：提高上限或等到下个月。SDK 照样会重试它（除非服务端发 x-should-retry: false），所以要单独捕获这个类并告警",
          "do not retry: raise the limit or wait for next month. The SDK retries it anyway (unless the server sends x-should-retry: false), so catch this class on its own and alert someone"),
    ),
    "contract_spend_limit_reached": (
        T("达到了合同约定的消费上限", "the contract's spend limit is reached"),
        T("不要重试：联系客户经理调整额度", "do not retry: ask your account team to change the limit"),
    ),
}
_OTHER_ADVICE: dict[str, tuple[Text, Text]] = {
    "timeout": (
        T("在 timeout 之内没等到响应：网络慢、输出太长，或 timeout 设得太短", "no response within the timeout: a slow network, a long output, or a timeout set too short"),
        T("SDK 会重试。APITimeoutError 是 APIConnectionError 的子类，两个都要捕获时先写它；长输出改用流式，或调大 timeout",
          "the SDK retries it. APITimeoutError is a subclass of APIConnectionError: when catching both, put it first; for long outputs, stream or raise the timeout"),
    ),
    "connection": (
        T("连接没建立起来或中途断了：DNS、代理、防火墙、服务端重启", "the connection failed or dropped: DNS, a proxy, a firewall, a server restart"),
        T("SDK 会重试；一直失败就检查 base_url、代理设置和网络", "the SDK retries it; if it keeps failing, check base_url, the proxy settings and the network"),
    ),
    "stream": (
        T("流已经以 200 开始，服务端中途发来 error 事件（多半是过载）", "the stream had started with a 200 when the server sent an error event (most often overload)"),
        T("SDK 不会重试，已经收到的文字留在你手里：保留并标记它；错误类型值得重试时，重新发起一次完整的流式请求（ctlab.streams.stream_with_restart）",
          "the SDK never retries it, and the text received so far is yours: keep it and mark it; if the error type is worth retrying, start one fresh stream (ctlab.streams.stream_with_restart)"),
    ),
    "retried": (
        T("ctlab 的速查表里没有这个状态码", "this status is not in ctlab's catalog"),
        T("SDK 会带退避重试它；持续出现就记录 request_id 并反馈", "the SDK retries it with backoff; if it persists, log the request_id and report it"),
    ),
    "not_retried": (
        T("ctlab 的速查表里没有这个状态码", "this status is not in ctlab's catalog"),
        T("SDK 不会重试，重试多半也没用：读 error.message，检查请求", "the SDK does not retry it, and a retry would most likely fail the same way: read error.message and check the request"),
    ),
}

STATUSES: tuple[int, ...] = tuple(_ADVICE)


@dataclass(frozen=True)
class DocsRow:
    """One row of the docs page's table, in its own words (with an English translation)."""

    status_code: int
    exception: str
    cause: Text
    action: Text


#: The docs page's table *常见错误码* ("common error codes"), row for row.
DOCS_TABLE: tuple[DocsRow, ...] = (
    DocsRow(401, "AuthenticationError", T("API Key 无效", "invalid API key"), T("检查 Key", "check the key")),
    DocsRow(403, "PermissionDeniedError", T("权限不足", "insufficient permissions"), T("检查账户权限", "check the account's permissions")),
    DocsRow(404, "NotFoundError", T("资源不存在", "resource not found"), T("检查模型名称", "check the model name")),
    DocsRow(429, "RateLimitError", T("频率超限", "rate limit exceeded"), T("指数退避重试", "retry with exponential backoff")),
    DocsRow(500, "APIStatusError", T("服务端错误", "server error"), T("稍后重试", "retry later")),
    DocsRow(529, "OverloadedError", T("服务过载", "overloaded"), T("稍后重试", "retry later")),
)
#: The six rows of the docs page's table.
DOCS_STATUSES: tuple[int, ...] = tuple(row.status_code for row in DOCS_TABLE)

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


def hierarchy(cls: type[BaseException], *, up_to: type[BaseException] = anthropic.AnthropicError) -> list[str]:
    """Class names from ``cls`` up to ``up_to`` (included; ``Exception`` at the latest).

    >>> hierarchy(anthropic.OverloadedError, up_to=anthropic.APIStatusError)
    ['OverloadedError', 'InternalServerError', 'APIStatusError']
    """
    names = []
    for parent in cls.__mro__:
        names.append(parent.__name__)
        if parent is up_to or parent is Exception:
            break
    return names


def entry(status_code: int) -> Entry:
    """The atlas's row for ``status_code``, one of :data:`STATUSES` (anything else: a :class:`CtlabError` listing them)."""
    if isinstance(status_code, bool) or not isinstance(status_code, int) or status_code not in _ADVICE:
        raise CtlabError("catalog.unknown", value=short_repr(status_code), allowed=", ".join(map(str, STATUSES)))
    cause, action = _ADVICE[status_code]
    return Entry(
        status_code, sdk_exception(status_code), error_type_for(status_code), sdk_retries(status_code), cause, action
    )


class Catalog(TableView, list[Entry]):
    """The atlas as rows; shows as a table in a notebook or a terminal."""

    COLUMNS = ("catalog.status", "catalog.exception", "catalog.error_type", "catalog.retried", "catalog.cause", "catalog.action")
    CSS = "ctlab-catalog"

    def rows(self) -> list[list[Text]]:
        return [
            [plain(str(e.status_code)), plain(e.exception.__name__), plain(e.error_type), t("yes" if e.retried else "no"), e.cause, e.action]
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


def class_tree(
    classes: Iterable[type[BaseException]], *, notes: dict[type, str] | None = None, root: type = anthropic.AnthropicError
) -> str:
    """The classes and their ancestors up to ``root``, drawn as a tree (``notes`` are written after a class).

    >>> overloaded = anthropic.OverloadedError
    >>> print(class_tree([anthropic.APITimeoutError, overloaded], notes={overloaded: "529"}))
    AnthropicError
    └─ APIError
       ├─ APIConnectionError
       │  └─ APITimeoutError
       └─ APIStatusError
          └─ InternalServerError
             └─ OverloadedError  ← 529
    """
    children: dict[type, list[type]] = {}
    for cls in classes:
        chain = [c for c in cls.__mro__ if issubclass(c, root)]
        for child, parent in zip(chain, chain[1:]):
            siblings = children.setdefault(parent, [])
            if child not in siblings:
                siblings.append(child)
    notes = notes or {}

    def draw(cls: type, prefix: str) -> list[str]:
        lines = []
        kids = children.get(cls, [])
        for i, kid in enumerate(kids):
            last = i == len(kids) - 1
            note = f"  ← {notes[kid]}" if kid in notes else ""
            lines.append(f"{prefix}{'└─' if last else '├─'} {kid.__name__}{note}")
            lines += draw(kid, prefix + ("   " if last else "│  "))
        return lines

    top = f"{root.__name__}  ← {notes[root]}" if root in notes else root.__name__
    return "\n".join([top, *draw(root, "")])


# --- observed: the same facts, seen by sending a request ---------------------


def advice(error: BaseException) -> tuple[Text, Text] | None:
    """The usual cause and what to do for an exception the SDK raised (``None`` for other exceptions).

    >>> cause, action = advice(observe("429(error-code=enforced_spend_limit_reached)").error)
    >>> print(action.en.split(":")[0])
    do not retry
    """
    if isinstance(error, anthropic.APIStatusError):
        if error.status_code == 200:
            return _OTHER_ADVICE["stream"]
        code = extract_error_code(error.body)
        if code in _CODE_ADVICE:
            return _CODE_ADVICE[code]
        if error.status_code in _ADVICE:
            return _ADVICE[error.status_code]
        return _OTHER_ADVICE["retried" if sdk_retries(error.status_code) else "not_retried"]
    if isinstance(error, anthropic.APITimeoutError):
        return _OTHER_ADVICE["timeout"]
    if isinstance(error, anthropic.APIConnectionError):
        return _OTHER_ADVICE["connection"]
    return None


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
        """Whether the SDK's own rule retries this error, whatever ``max_retries`` allowed (``None``: not an API error)."""
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
            rows += [[t("catalog.retried"), self._retried_text()]]
        found = advice(self.error) if self.error is not None else None
        if found:
            rows += [[t("catalog.cause"), found[0]], [t("catalog.action"), found[1]]]
        return rows

    def __str__(self) -> str:
        return text_grid([t("observe.what"), t("observe.value")], self.rows())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        card = html_grid([t("observe.what"), t("observe.value")], self.rows(), css="ctlab-observation")
        return card.replace("<td>", '<td style="text-align:left">').replace("<th>", '<th style="text-align:left">')


def _call_for(faults: FaultsLike) -> Any:
    """The request to send: a stream if the script has a mid-stream error, else the docs page's call."""
    if any(isinstance(f, StreamError) for f in parse(faults).faults):
        from .streams import stream_text

        return stream_text
    return ask


def observe(faults: FaultsLike, *, max_retries: int = 2, seed: int = 0) -> Observation:
    """Send one request through the real SDK while the simulated server plays ``faults``; keep what came back.

    A script with ``stream-error`` sends a streaming request; any other, the docs page's ``messages.create``.
    """
    sim = run(faults, _call_for(faults), seed=seed, max_retries=max_retries)
    return Observation(str(parse(faults)), sim, max_retries)


_OBSERVED_COLUMNS = (
    "observe.faults", "observe.raised", "observe.below_api_error", "observe.requests",
    "observe.retry_counts", "observe.request_id", "observe.error_type",
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
            inner = body.get("error") if isinstance(body.get("error"), dict) else {}
            rows.append([
                plain(o.faults),
                plain(o.exception.__name__ if o.exception else "-"),
                plain(" → ".join(below) or "-"),
                plain(str(o.requests)),
                plain(", ".join("-" if c is None else str(c) for c in o.retry_counts)),
                plain(o.request_id or "-"),
                plain(str(inner.get("type", "-"))),
            ])
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


# --- the docs page's table, held against the SDK -----------------------------

_DOCS_COLUMNS = ("catalog.status", "docs.exception", "observe.raised", "docs.verdict", "docs.action", "docs.requests")


def _verdict(documented: str, raised: type[BaseException] | None) -> Text:
    if raised is None:
        return t("docs.nothing")
    if raised.__name__ == documented:
        return t("docs.same")
    base = getattr(anthropic, documented, None)
    if isinstance(base, type) and issubclass(raised, base):
        return t("docs.subclass", raised=raised.__name__, documented=documented)
    return t("docs.wrong", raised=raised.__name__)


class DocsCheck(TableView, list[tuple[DocsRow, Observation]]):
    """Each row of the docs page's table beside what the real SDK raised for that status."""

    COLUMNS = _DOCS_COLUMNS
    RIGHT = (5,)
    CSS = "ctlab-docs-check"

    def mismatches(self) -> list[int]:
        """Statuses whose documented class is not the class the SDK raised."""
        return [row.status_code for row, seen in self if getattr(seen.exception, "__name__", None) != row.exception]

    def rows(self) -> list[list[Text]]:
        return [
            [
                plain(str(row.status_code)),
                plain(row.exception),
                plain(seen.exception.__name__ if seen.exception else "-"),
                _verdict(row.exception, seen.exception),
                row.action,
                plain(str(seen.requests)),
            ]
            for row, seen in self
        ]



def docs_check(*, max_retries: int = 2, seed: int = 0) -> DocsCheck:
    """The docs page's table, each status sent through the real SDK (a default client: ``max_retries=2``).

    >>> docs_check().mismatches()
    [500]
    """
    return DocsCheck((row, observe(str(row.status_code), max_retries=max_retries, seed=seed)) for row in DOCS_TABLE)
