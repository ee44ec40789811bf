"""diagnose(error): did this failure most likely come from Anthropic, from the proxy, or from the network/CDN?

    >>> import ctlab
    >>> d = diagnose(ctlab.run("502(html)", max_retries=0).outcome.error)
    >>> d.origin, d.confidence, d.retry, d.message
    ('proxy', 'almost_certain', True, '502 Bad Gateway')
    >>> diagnose(ctlab.run("429", max_retries=0).outcome.error).origin
    'anthropic'

It reads only what the learner has too: the status, the ``request-id`` header
(Anthropic puts one on every response), the content type, the shape of the body
and a few headers (``server``, ``cf-ray``, ``retry-after``). Every answer comes
with a confidence word and the evidence it rests on, never as a certainty: a
proxy can imitate Anthropic's error shape, and a CDN sits in front of Anthropic
too. ``diagnose`` takes an SDK exception, an ``httpx`` response, an ``httpx``
transport error (a stream cut off midway) or what ``messages.create`` returned
(a 200 may carry an error). Printing a :class:`Diagnosis` shows it in the
language ``ctlab.set_lang`` chose.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import anthropic

from .i18n import CtlabError, Text, register, t
from .inputs import short_repr
from .probes import sdk_retries
from .responses import ERROR_TYPES, SPEND_LIMIT_CODES
from .show import shown_langs

register(
    __name__,
    {
        "diagnose.type": Text(
            "diagnose() 要的是 SDK 抛出的异常、httpx 的响应或传输错误，或者 messages.create 的返回值，收到的是 {value}",
            "diagnose() takes an exception the SDK raised, an httpx response or transport error, or what "
            "messages.create returned; got {value}",
        ),
        "diagnose.origin.anthropic": Text(" Anthropic 的服务端", "Anthropic"),
        "diagnose.origin.proxy": Text("代理", "the proxy"),
        "diagnose.origin.network": Text("网络或 CDN", "the network or a CDN"),
        "diagnose.confidence.almost_certain": Text("几乎可以肯定", "almost certainly"),
        "diagnose.confidence.likely": Text("很可能", "likely"),
        "diagnose.headline": Text("{confidence}来自{origin}", "{confidence} from {origin}"),
        "diagnose.headline_ok": Text(
            "没有出错：{confidence}是 Anthropic 的正常回复", "no error: {confidence} a reply from Anthropic"
        ),
        "diagnose.evidence": Text("依据", "evidence"),
        "diagnose.todo": Text("怎么办", "what to do"),
        "diagnose.retry": Text("值不值得重试", "worth retrying"),
        "diagnose.retry.yes": Text("值得", "yes"),
        "diagnose.retry.no": Text("不值得", "no"),
        "diagnose.message": Text("能读懂的消息", "readable message"),
        "diagnose.ev.status": Text("状态码 {status}", "status {status}"),
        "diagnose.ev.request_id": Text(
            "有 request-id 头（{request_id}）：Anthropic 给每个响应都带这个头",
            "a request-id header ({request_id}): Anthropic puts one on every response",
        ),
        "diagnose.ev.no_request_id": Text(
            "没有 request-id 头：Anthropic 的每个响应都带它，缺了它多半是中间某一层写的响应",
            "no request-id header: Anthropic sends one on every response, so this answer was most likely written "
            "by something in between",
        ),
        "diagnose.ev.body_request_id": Text(
            "响应头里没有 request-id，响应体里却有（{request_id}）：代理转发了 Anthropic 的错误，但丢掉了响应头",
            "no request-id header, but the body names one ({request_id}): the proxy relayed Anthropic's error and "
            "dropped its headers",
        ),
        "diagnose.ev.html": Text(
            "内容类型 {content_type}：这是一个网页，不是 API 的 JSON",
            "content type {content_type}: a web page, not the API's JSON",
        ),
        "diagnose.ev.server": Text("响应头 server: {server}", "header server: {server}"),
        "diagnose.ev.cf_ray": Text(
            "响应头 cf-ray: {ray}（Cloudflare 的请求编号）", "header cf-ray: {ray} (Cloudflare's request number)"
        ),
        "diagnose.ev.anthropic_shape": Text(
            "响应体是 Anthropic 的错误格式（error.type: {error_type}）",
            "the body has Anthropic's error shape (error.type: {error_type})",
        ),
        "diagnose.ev.foreign_shape": Text(
            "响应体不是 Anthropic 的错误格式：{body}",
            "the body is not in Anthropic's error shape: {body}",
        ),
        "diagnose.ev.quota": Text(
            "消息说的是额度或余额用完了：再等几秒也不会变",
            "the message is about a used-up quota or balance: waiting a few seconds changes nothing",
        ),
        "diagnose.ev.stripped": Text(
            "429 却没有 retry-after：要是直连 API 时的 429 都带这个头，那可能是代理把它去掉了",
            "a 429 without retry-after: if your 429s carry one when you call the API directly, a proxy may have "
            "removed it",
        ),
        "diagnose.ev.error_200": Text(
            "状态码是 200，响应体却是一个错误：Anthropic 的非流式错误从不用 200",
            "status 200, but the body is an error: Anthropic never sends a non-streaming error as a 200",
        ),
        "diagnose.ev.no_response": Text(
            "没有收到任何 HTTP 响应（{error}）",
            "no HTTP response arrived at all ({error})",
        ),
        "diagnose.ev.reset": Text(
            "200 的流已经开始，连接却断了（{error}）",
            "the 200 stream had begun when the connection broke ({error})",
        ),
        "diagnose.ev.ok": Text("响应体是一条完整的消息", "the body is a complete message"),
        "diagnose.do.anthropic_retry": Text(
            "这是 Anthropic 的错误，值得重试（SDK 默认会自己重试）；要报告，就把 request-id 交给代理的客服"
            "（用自己的 Anthropic 账户时直接找 Anthropic 的客服）",
            "Anthropic's error, worth retrying (the SDK retries it by default); to report it, give the request-id to "
            "the proxy's support (or to Anthropic's, if the account is your own)",
        ),
        "diagnose.do.anthropic_fatal": Text(
            "这是 Anthropic 的错误，重试修不好：先改请求、密钥或账户；要报告，就把 request-id 交给代理的客服"
            "（用自己的 Anthropic 账户时直接找 Anthropic 的客服）",
            "Anthropic's error, and no retry fixes it: fix the request, the key or the account first; to report it, "
            "give the request-id to the proxy's support (or to Anthropic's, if the account is your own)",
        ),
        "diagnose.do.relayed": Text(
            "错误本身是 Anthropic 的，但代理改动了响应头：照 Anthropic 的错误处理，并告诉代理的客服它去掉了哪些头",
            "the error itself is Anthropic's, but the proxy changed its headers: handle it as Anthropic's error, "
            "and tell the proxy's support which headers it removed",
        ),
        "diagnose.do.quota": Text(
            "代理账户的额度或余额用完了：不要重试，去代理的控制台充值或换一个密钥；这和 Anthropic 无关",
            "the proxy account's quota or balance is used up: do not retry; top up or switch keys in the proxy's "
            "console — Anthropic has nothing to do with it",
        ),
        "diagnose.do.gateway": Text(
            "代理的网关报错（上游没接通或超时）：可以带退避重试几次；一直这样，就带上时间和完整响应去找代理的客服",
            "the proxy's gateway failed (its upstream did not answer in time): retry a few times with backoff; if "
            "it persists, send the time and the whole response to the proxy's support",
        ),
        "diagnose.do.cdn": Text(
            "CDN 的错误页：可以带退避重试；一直这样，就把 cf-ray 和时间发给代理的客服",
            "a CDN's error page: retry with backoff; if it persists, send the cf-ray and the time to the proxy's "
            "support",
        ),
        "diagnose.do.cdn_524": Text(
            "524：CDN 等上游等得太久先放弃了，可请求可能还在上游跑、照样计费——重试可能要付两次钱。"
            "长请求改用流式输出，或调小 max_tokens",
            "524: the CDN gave up waiting, but the request may still run upstream and be billed — a retry may pay "
            "twice. Stream long requests, or lower max_tokens",
        ),
        "diagnose.do.proxy_retry": Text(
            "代理自己的错误，可以带退避重试；一直这样，就把时间和完整响应体发给代理的客服",
            "the proxy's own error, worth retrying with backoff; if it persists, send the time and the whole body "
            "to the proxy's support",
        ),
        "diagnose.do.proxy_fatal": Text(
            "代理拒绝了这个请求，重试修不好：读响应体里的说明，找代理的客服",
            "the proxy refused the request and no retry fixes it: read the message in the body and contact the "
            "proxy's support",
        ),
        "diagnose.do.error_200": Text(
            "把它当成错误，不要当成回复：别读 content，也别把错误文字交给用户；可以重试一两次，再找代理的客服",
            "treat it as an error, not a reply: do not read content or show the error text as the answer; retry "
            "once or twice, then contact the proxy's support",
        ),
        "diagnose.do.network": Text(
            "没有响应：连接断了或超时了，可以重试（SDK 默认会自己重试）；反复出现，就检查网络、代理地址和超时设置",
            "no response: the connection dropped or timed out, worth retrying (the SDK does by default); if it "
            "keeps happening, check the network, the proxy's address and the timeout",
        ),
        "diagnose.do.reset": Text(
            "流中途断了，SDK 不会重试：从头重新发一次流式请求（已显示的半截文字撤掉，或标明正在重试）；"
            "经常这样，就问代理的客服有没有缓冲或超时限制",
            "the stream broke midway and the SDK does not retry: send the streaming request again from the start "
            "(drop the half answer shown, or say you are retrying); if it happens often, ask the proxy's support "
            "about buffering or time limits",
        ),
        "diagnose.do.ok": Text("什么都不用做", "nothing to do"),
    },
)

__all__ = ["Diagnosis", "diagnose", "readable_message"]

Origin = Literal["anthropic", "proxy", "network"]
Confidence = Literal["almost_certain", "likely"]
#: Words in a message that mean a used-up quota or balance (no retry helps), in English and Chinese.
QUOTA_WORDS = re.compile(r"quota|balance|insufficient|billing|credit|余额|额度|充值|欠费", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True, repr=False)
class Diagnosis:
    """Where a failure most likely came from, how sure that is, why, and what to do."""

    origin: Origin
    confidence: Confidence
    evidence: tuple[Text, ...]
    action: Text
    retry: bool
    quota: bool = False
    message: str = ""
    status_code: int | None = None
    request_id: str | None = None
    error: bool = field(default=True)

    @property
    def headline(self) -> Text:
        confidence = t(f"diagnose.confidence.{self.confidence}")
        if not self.error:
            return t("diagnose.headline_ok", confidence=confidence)
        return t("diagnose.headline", confidence=confidence, origin=t(f"diagnose.origin.{self.origin}"))

    def lines(self, lang: str) -> list[str]:
        def say(text: Text) -> str:
            return text.render(lang)  # type: ignore[arg-type]

        def field(key: str, value: str) -> str:
            return f"  {say(t(key))}{'：' if lang == 'zh' else ': '}{value}"

        out = [say(self.headline)]
        out += [field("diagnose.evidence", say(item)) for item in self.evidence]
        if self.message:
            out.append(field("diagnose.message", self.message))
        if self.error:
            out.append(field("diagnose.retry", say(t("diagnose.retry.yes" if self.retry else "diagnose.retry.no"))))
        out.append(field("diagnose.todo", say(self.action)))
        return out

    def __str__(self) -> str:
        """Line by line, each in the chosen language(s): the Chinese line, then its English one."""
        pairs = zip(*(self.lines(lang) for lang in shown_langs()), strict=True)
        return "\n".join(line for pair in pairs for line in dict.fromkeys(pair))

    __repr__ = __str__


# --- reading the evidence ---------------------------------------------------------------------------------------


def _parsed(body: bytes | str | Any) -> Any:
    if isinstance(body, (bytes, str)):
        try:
            return json.loads(body)
        except ValueError:
            return body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return body


def _html_title(text: str) -> str:
    """The page's ``<title>`` (or first ``<h1>``) as plain text."""
    for tag in ("title", "h1"):
        found = re.search(rf"<{tag}[^>]*>(.*?)</{tag}>", text, re.IGNORECASE | re.DOTALL)
        if found:
            return " ".join(html.unescape(_TAGS.sub(" ", found[1])).split())
    return " ".join(html.unescape(_TAGS.sub(" ", text)).split())[:120]


def _is_html(content_type: str, body: Any) -> bool:
    return "html" in content_type or (isinstance(body, str) and body.lstrip()[:1] == "<")


def _anthropic_error(body: Any) -> Mapping[str, Any] | None:
    """The ``error`` object of a body in Anthropic's shape (``{"type": "error", "error": {"type", "message"}}``)."""
    if isinstance(body, Mapping) and body.get("type") == "error" and isinstance(body.get("error"), Mapping):
        error: Mapping[str, Any] = body["error"]
        if isinstance(error.get("type"), str) and "message" in error:
            return error
    return None


def _foreign_message(body: Any) -> str:
    """The message in a foreign JSON error body, wherever that API keeps it."""
    if isinstance(body, Mapping):
        error = body.get("error")
        if isinstance(error, Mapping):
            return str(error.get("message") or error.get("type") or "")
        if isinstance(error, str):
            return error
        return str(body.get("message") or body.get("msg") or body.get("detail") or "")
    return str(body)[:200]


def readable_message(error_or_response: Any) -> str:
    """One line a person can read: an HTML page's title, a foreign body's message, or Anthropic's message.

    >>> import ctlab
    >>> readable_message(ctlab.run("524(html)", max_retries=0).outcome.error)
    'api.example-proxy.com | 524: A timeout occurred'
    """
    return diagnose(error_or_response).message


def _is_quota(body: Any, message: str) -> bool:
    fields = json.dumps(body, ensure_ascii=False) if isinstance(body, (Mapping, list)) else ""
    return bool(QUOTA_WORDS.search(message) or "insufficient_quota" in fields)


def _from_response(status: int, headers: Mapping[str, str], body: Any) -> Diagnosis:
    """Weigh a response's status, headers and body."""
    request_id = headers.get("request-id")
    content_type = headers.get("content-type", "")
    evidence = [t("diagnose.ev.status", status=status)]
    evidence.append(
        t("diagnose.ev.request_id", request_id=request_id) if request_id else t("diagnose.ev.no_request_id")
    )
    if _is_html(content_type, body):
        return _html(status, headers, body, evidence)
    anthropic_error = _anthropic_error(body)
    if anthropic_error is not None:
        return _anthropic_shaped(status, headers, body, anthropic_error, evidence)
    if status == 200 and isinstance(body, Mapping) and isinstance(body.get("content"), list):
        return Diagnosis(
            "anthropic",
            "almost_certain" if request_id else "likely",
            (*evidence, t("diagnose.ev.ok")),
            t("diagnose.do.ok"),
            False,
            status_code=200,
            request_id=request_id,
            error=False,
        )
    message = _foreign_message(body)
    shown = json.dumps(body, ensure_ascii=False) if isinstance(body, (Mapping, list)) else str(body)
    evidence.append(t("diagnose.ev.foreign_shape", body=shown[:120]))
    quota = _is_quota(body, message)
    if quota:
        evidence.append(t("diagnose.ev.quota"))
    if status == 200:
        evidence.append(t("diagnose.ev.error_200"))
        action, retry = (t("diagnose.do.quota"), False) if quota else (t("diagnose.do.error_200"), True)
    else:
        retry = not quota and sdk_retries(status, dict(headers))
        action = t("diagnose.do.quota" if quota else "diagnose.do.proxy_retry" if retry else "diagnose.do.proxy_fatal")
    return Diagnosis("proxy", "almost_certain", tuple(evidence), action, retry, quota, message, status, request_id)


def _html(status: int, headers: Mapping[str, str], body: Any, evidence: list[Text]) -> Diagnosis:
    server, ray = headers.get("server", ""), headers.get("cf-ray")
    evidence.append(t("diagnose.ev.html", content_type=headers.get("content-type", "?")))
    if server:
        evidence.append(t("diagnose.ev.server", server=server))
    if ray:
        evidence.append(t("diagnose.ev.cf_ray", ray=ray))
    cdn = bool(ray) or "cloudflare" in server.lower() or 520 <= status <= 527
    retry = status >= 500 or status in (408, 429)
    if cdn:
        action = t("diagnose.do.cdn_524" if status == 524 else "diagnose.do.cdn")
    else:
        action = t("diagnose.do.gateway" if retry else "diagnose.do.proxy_fatal")
    text = body if isinstance(body, str) else json.dumps(body)
    origin: Origin = "network" if cdn else "proxy"
    return Diagnosis(origin, "almost_certain", tuple(evidence), action, retry, False, _html_title(text), status)


def _anthropic_shaped(
    status: int, headers: Mapping[str, str], body: Mapping[str, Any], error: Mapping[str, Any], evidence: list[Text]
) -> Diagnosis:
    request_id = headers.get("request-id")
    body_id = body.get("request_id") if isinstance(body.get("request_id"), str) else None
    evidence.append(t("diagnose.ev.anthropic_shape", error_type=error["type"]))
    message = str(error.get("message", ""))
    details = error.get("details")
    code = details.get("error_code") if isinstance(details, Mapping) else None
    # a mid-stream error arrives inside a 200: judge it by the status its error type stands for (529, 500...)
    as_status = status if status != 200 else {v: k for k, v in ERROR_TYPES.items()}.get(str(error["type"]), 400)
    retry = sdk_retries(as_status, dict(headers)) and code not in SPEND_LIMIT_CODES
    action = t("diagnose.do.anthropic_retry" if retry else "diagnose.do.anthropic_fatal")
    if request_id:
        if status == 429 and "retry-after" not in headers and "retry-after-ms" not in headers:
            evidence.append(t("diagnose.ev.stripped"))
        return Diagnosis(
            "anthropic", "almost_certain", tuple(evidence), action, retry, False, message, status, request_id
        )
    if body_id:
        evidence.append(t("diagnose.ev.body_request_id", request_id=body_id))
        return Diagnosis(
            "anthropic", "likely", tuple(evidence), t("diagnose.do.relayed"), retry, False, message, status, body_id
        )
    action = t("diagnose.do.proxy_retry" if retry else "diagnose.do.proxy_fatal")
    return Diagnosis("proxy", "likely", tuple(evidence), action, retry, False, message, status)


def _no_response(error: BaseException) -> Diagnosis:
    """A timeout, a dropped connection, or a stream cut off after its 200."""
    shown = f"{type(error).__name__}: {error}"[:100]
    if isinstance(error, anthropic.APIConnectionError):
        evidence, action = t("diagnose.ev.no_response", error=shown), t("diagnose.do.network")
    else:
        evidence, action = t("diagnose.ev.reset", error=shown), t("diagnose.do.reset")
    return Diagnosis("network", "likely", (evidence,), action, True, message=str(error)[:200])


def _is_transport_error(value: object) -> bool:
    """An ``httpx``/``httpx2`` transport error (the SDK lets one through when a stream breaks midway)."""
    names = {cls.__name__ for cls in type(value).__mro__}
    return isinstance(value, BaseException) and "TransportError" in names and type(value).__module__.startswith("httpx")


def diagnose(error_or_response: Any) -> Diagnosis:
    """Where ``error_or_response`` most likely came from, with the evidence, a confidence word and what to do."""
    value = error_or_response
    if isinstance(value, anthropic.APIStatusError):
        return _from_response(value.status_code, value.response.headers, _parsed(value.body))
    if isinstance(value, anthropic.APIConnectionError) or _is_transport_error(value):
        return _no_response(value)
    response = getattr(value, "http_response", value)  # with_raw_response's wrapper, or a response
    if hasattr(response, "status_code") and hasattr(response, "headers") and hasattr(response, "content"):
        return _from_response(int(response.status_code), response.headers, _parsed(response.content))
    if isinstance(value, anthropic.BaseModel):  # what messages.create returned
        data = value.model_dump(mode="json", exclude_none=True)
        headers = {"request-id": value._request_id} if getattr(value, "_request_id", None) else {}
        return _from_response(200, headers, data)
    raise CtlabError("diagnose.type", value=short_repr(value))
