"""The error atlas: for each status, what the installed SDK raises and whether it retries.

The class and the retry decision are asked of the SDK itself (its status table
and its own ``_should_retry``), so the atlas changes when the SDK does; only
the cause and the advice are written by hand, in both languages::

    >>> e = entry(529)
    >>> e.exception.__name__, e.retried, e.error_type
    ('OverloadedError', True, 'overloaded_error')
"""

from __future__ import annotations

from dataclasses import dataclass

import anthropic
import httpx2
from anthropic._error_classes import make_status_error

from .i18n import CtlabError, Text, t
from .responses import error_type_for
from .show import _plain, html_grid, text_grid

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
        T("按 retry-after 等待后重试（SDK 已经会做）；长期出现就降速或申请更高限额；消费上限不要重试",
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

STATUSES: tuple[int, ...] = tuple(_ADVICE)
#: The six rows of the docs page's table.
DOCS_STATUSES: tuple[int, ...] = (401, 403, 404, 429, 500, 529)

_PROBE = httpx2.Request("POST", "https://api.anthropic.com/v1/messages")


def _probe_client() -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="sk-probe", base_url="http://127.0.0.1:9", max_retries=0)


def sdk_exception(status_code: int, error_code: str | None = None) -> type[anthropic.APIStatusError]:
    """The class the installed SDK raises for ``status_code`` (and ``error.details.error_code``)."""
    error = {"type": error_type_for(status_code), "message": "probe"}
    if error_code:
        error["details"] = {"error_code": error_code}  # type: ignore[assignment]
    body = {"type": "error", "error": error}
    response = httpx2.Response(status_code, json=body, request=_PROBE)
    return type(make_status_error("probe", body=body, response=response))


def sdk_retries(status_code: int, headers: dict[str, str] | None = None) -> bool:
    """Whether the installed SDK retries a response with this status (and headers)."""
    return _probe_client()._should_retry(httpx2.Response(status_code, headers=headers or {}, request=_PROBE))


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
        names = []
        for cls in self.exception.__mro__:
            names.append(cls.__name__)
            if cls is anthropic.AnthropicError:
                break
        return names


def entry(status_code: int) -> Entry:
    if status_code not in _ADVICE:
        raise CtlabError("catalog.unknown", value=status_code, allowed=", ".join(map(str, STATUSES)))
    cause, action = _ADVICE[status_code]
    return Entry(
        status_code, sdk_exception(status_code), error_type_for(status_code), sdk_retries(status_code), cause, action
    )


class Catalog(list[Entry]):
    """The atlas as rows; shows as a table in a notebook or a terminal."""

    def columns(self) -> list[Text]:
        keys = ("catalog.status", "catalog.exception", "catalog.error_type", "catalog.retried", "catalog.cause", "catalog.action")
        return [t(k) for k in keys]

    def rows(self) -> list[list[Text]]:
        return [
            [_plain(str(e.status_code)), _plain(e.exception.__name__), _plain(e.error_type), t("yes" if e.retried else "no"), e.cause, e.action]
            for e in self
        ]

    def __str__(self) -> str:
        return text_grid(self.columns(), self.rows())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return html_grid(self.columns(), self.rows(), css="ctlab-catalog")


def catalog(statuses: tuple[int, ...] = STATUSES) -> Catalog:
    """The atlas for ``statuses`` (default: every status ctlab documents)."""
    return Catalog(entry(s) for s in statuses)
