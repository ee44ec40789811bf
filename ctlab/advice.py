"""What to do about each failure: its usual cause and the advice, written by hand in both languages.

Everything else about a failure is read from the SDK (:mod:`ctlab.probes`); these
words are the course's own. :func:`advice` picks them for an exception the SDK
raised — by ``error.details.error_code`` first, then by status, then by kind::

    >>> import ctlab
    >>> cause, action = advice(ctlab.run("429(error-code=enforced_spend_limit_reached)").outcome.error)
    >>> print(action.en.split(":")[0])
    do not retry
    >>> print(status_advice(529)[0].en)
    Anthropic as a whole is overloaded; not about your limits

Every pair is registered in the message catalog (keys ``advice.status.529.cause``,
``advice.error_code.<code>.action``, ``advice.other.timeout.cause``, ...), so the
catalog's checks read them too.
"""

from __future__ import annotations

from collections.abc import Iterable

import anthropic
from anthropic._exceptions import extract_error_code

from .i18n import Text, register
from .probes import sdk_retries

register(
    __name__,
    {
        "advice.status": Text("状态码", "status"),
        "advice.retried": Text("SDK 会重试吗", "SDK retries?"),
        "advice.cause": Text("常见原因", "usual cause"),
        "advice.action": Text("怎么处理", "what to do"),
    },
)

__all__ = ["STATUSES", "advice", "status_advice"]

#: The usual cause and what to do, for each status the course documents.
_BY_STATUS: dict[int, tuple[Text, Text]] = {
    400: (
        Text(
            "请求本身有问题：参数缺失或格式不对、max_tokens 超限、消息顺序不对",
            "the request itself is wrong: a missing or malformed field, max_tokens too large, messages out of order",
        ),
        Text(
            "不要重试，重试结果一样。读 error.message，修正请求",
            "do not retry: it will fail the same way. Read error.message and fix the request",
        ),
    ),
    401: (
        Text(
            "API Key 无效、过期，或发错了地方（比如代理的 Key 发到了官方地址）",
            "the API key is invalid, revoked, or sent to the wrong place (e.g. a proxy's key sent to the default "
            "endpoint)",
        ),
        Text(
            "不要重试。检查 Key 和 base_url 是否配套", "do not retry. Check that the key and base_url belong together"
        ),
    ),
    402: (
        Text("账户欠费或没有可用额度", "billing: the account has no credit or a payment problem"),
        Text("不要重试。去控制台处理账单", "do not retry. Fix billing in the console"),
    ),
    403: (
        Text("Key 没有权限使用这个模型或资源", "the key may not use this model or resource"),
        Text(
            "不要重试。检查账户、工作区和模型权限", "do not retry. Check the account, workspace and model permissions"
        ),
    ),
    404: (
        Text(
            "资源不存在：最常见的是模型名写错，或路径不对",
            "not found: most often a misspelt model name or a wrong path",
        ),
        Text("不要重试。检查模型名和 base_url 路径", "do not retry. Check the model name and the base_url path"),
    ),
    408: (
        Text("服务端等请求等超时了", "the server timed out waiting for the request"),
        Text(
            "SDK 会自动重试；频繁出现时检查网络和请求体大小",
            "the SDK retries it; if frequent, check the network and the request size",
        ),
    ),
    409: (
        Text(
            "与资源当前状态冲突（例如并发修改）",
            "a conflict with the resource's current state (e.g. a concurrent change)",
        ),
        Text(
            "SDK 会自动重试；仍失败时重新读取状态再提交",
            "the SDK retries it; if it persists, re-read the state and resubmit",
        ),
    ),
    413: (
        Text("请求体太大", "the request body is too large"),
        Text("不要重试。缩小输入（拆分文档、压缩图片）", "do not retry. Send less (split documents, shrink images)"),
    ),
    422: (
        Text("请求格式正确，但内容无法处理", "well-formed, but the content cannot be processed"),
        Text("不要重试。按 error.message 修改内容", "do not retry. Change the content as error.message says"),
    ),
    429: (
        Text(
            "超出频率或 token 限额；也可能是月度消费上限（error_code）",
            "over a rate or token limit; or the monthly spend limit (see error_code)",
        ),
        Text(
            "按 retry-after 等待后重试（SDK 已经替你做了）；长期出现就降速或申请更高限额；消费上限不要重试",
            "wait as retry-after says, then retry (the SDK already does); if it persists, slow down or ask for higher "
            "limits; never retry a spend limit",
        ),
    ),
    500: (
        Text("服务端内部错误", "an internal error on the server"),
        Text(
            "SDK 会带退避重试；持续出现就记录 request_id 并反馈",
            "the SDK retries with backoff; if it persists, log the request_id and report it",
        ),
    ),
    503: (
        Text(
            "服务暂时不可用（代理或上游维护、重启）",
            "the service is temporarily unavailable (a proxy or upstream restarting)",
        ),
        Text(
            "SDK 会带退避重试；为长时间不可用准备降级方案",
            "the SDK retries with backoff; plan a fallback for long outages",
        ),
    ),
    504: (
        Text("网关等上游超时", "a gateway timed out waiting upstream"),
        Text(
            "SDK 会重试；长输出改用流式，避免整段超时",
            "the SDK retries; for long outputs, stream instead of waiting for the whole reply",
        ),
    ),
    529: (
        Text("Anthropic 整体负载过高，与你的限额无关", "Anthropic as a whole is overloaded; not about your limits"),
        Text(
            "SDK 会带退避重试；持续过载时降级到别的模型或稍后再试",
            "the SDK retries with backoff; if it lasts, fall back to another model or try later",
        ),
    ),
}

#: Advice for failures that are not just a status: an ``error.details.error_code``,
#: a timeout, a dropped connection, an error inside a 200 stream, a status ctlab does not document.
_BY_ERROR_CODE: dict[str, tuple[Text, Text]] = {
    "enforced_spend_limit_reached": (
        Text(
            "本月消费达到了组织设置的上限；等多久都不会自己恢复",
            "the organisation's monthly spend limit is reached; no amount of waiting fixes it",
        ),
        Text(
            "不要重试：提高上限或等到下个月。SDK 照样会重试它（除非服务端发 x-should-retry: false），"
            "所以要单独捕获这个类并告警",
            "do not retry: raise the limit or wait for next month. The SDK retries it anyway (unless the server sends "
            "x-should-retry: false), so catch this class on its own and alert someone",
        ),
    ),
    "contract_spend_limit_reached": (
        Text("达到了合同约定的消费上限", "the contract's spend limit is reached"),
        Text("不要重试：联系客户经理调整额度", "do not retry: ask your account team to change the limit"),
    ),
}
_OTHER: dict[str, tuple[Text, Text]] = {
    "timeout": (
        Text(
            "在 timeout 之内没等到响应：网络慢、输出太长，或 timeout 设得太短",
            "no response within the timeout: a slow network, a long output, or a timeout set too short",
        ),
        Text(
            "SDK 会重试。APITimeoutError 是 APIConnectionError 的子类，两个都要捕获时先写它；长输出改用流式，或调大 "
            "timeout",
            "the SDK retries it. APITimeoutError is a subclass of APIConnectionError: when catching both, put it "
            "first; for long outputs, stream or raise the timeout",
        ),
    ),
    "connection": (
        Text(
            "连接没建立起来或中途断了：DNS、代理、防火墙、服务端重启",
            "the connection failed or dropped: DNS, a proxy, a firewall, a server restart",
        ),
        Text(
            "SDK 会重试；一直失败就检查 base_url、代理设置和网络",
            "the SDK retries it; if it keeps failing, check base_url, the proxy settings and the network",
        ),
    ),
    "stream": (
        Text(
            "流已经以 200 开始，服务端中途发来 error 事件（多半是过载）",
            "the stream had started with a 200 when the server sent an error event (most often overload)",
        ),
        Text(
            "SDK 不会重试，已经收到的文字留在你手里：保留并标记它；错误类型值得重试时，"
            "重新发起一次完整的流式请求（ctlab.streams.stream_with_restart）",
            "the SDK never retries it, and the text received so far is yours: keep it and mark it; if the error type "
            "is worth retrying, start one fresh stream (ctlab.streams.stream_with_restart)",
        ),
    ),
    "retried": (
        Text("ctlab 的速查表里没有这个状态码", "this status is not in ctlab's catalog"),
        Text(
            "SDK 会带退避重试它；持续出现就记录 request_id 并反馈",
            "the SDK retries it with backoff; if it persists, log the request_id and report it",
        ),
    ),
    "not_retried": (
        Text("ctlab 的速查表里没有这个状态码", "this status is not in ctlab's catalog"),
        Text(
            "SDK 不会重试，重试多半也没用：读 error.message，检查请求",
            "the SDK does not retry it, and a retry would most likely fail the same way: read error.message and check "
            "the request",
        ),
    ),
}


#: The statuses the course has advice for (the rows of :func:`ctlab.catalog`), in order.
STATUSES: tuple[int, ...] = tuple(_BY_STATUS)


def _messages(kind: str, pairs: Iterable[tuple[object, tuple[Text, Text]]]) -> dict[str, Text]:
    """``advice.<kind>.<key>.cause`` and ``.action`` for each pair."""
    return {
        f"advice.{kind}.{key}.{part}": text
        for key, pair in pairs
        for part, text in zip(("cause", "action"), pair, strict=True)
    }


register(
    __name__,
    {
        **_messages("status", _BY_STATUS.items()),
        **_messages("error_code", _BY_ERROR_CODE.items()),
        **_messages("other", _OTHER.items()),
    },
)


def status_advice(status_code: int) -> tuple[Text, Text]:
    """The usual cause and what to do for ``status_code``, one of :data:`STATUSES` (a ``KeyError`` for any other)."""
    return _BY_STATUS[status_code]


def advice(error: BaseException) -> tuple[Text, Text] | None:
    """The usual cause and what to do for an exception the SDK raised (``None`` for other exceptions)."""
    if isinstance(error, anthropic.APIStatusError):
        return _status_error_advice(error)
    if isinstance(error, anthropic.APITimeoutError):
        return _OTHER["timeout"]
    if isinstance(error, anthropic.APIConnectionError):
        return _OTHER["connection"]
    return None


def _status_error_advice(error: anthropic.APIStatusError) -> tuple[Text, Text]:
    """By ``error_code`` first, then by status; a ``200`` is an error inside a stream."""
    if error.status_code == 200:
        return _OTHER["stream"]
    code = extract_error_code(error.body)
    if code in _BY_ERROR_CODE:
        return _BY_ERROR_CODE[code]
    if error.status_code in _BY_STATUS:
        return _BY_STATUS[error.status_code]
    return _OTHER["retried" if sdk_retries(error.status_code) else "not_retried"]
