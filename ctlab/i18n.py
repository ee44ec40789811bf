"""Every string ctlab shows a person, in Chinese and English.

One call picks the language for the whole session::

    >>> import ctlab
    >>> ctlab.set_lang("en")
    >>> str(ctlab.i18n.t("outcome.returned", value="'hi'"))
    "returned 'hi'"
    >>> ctlab.set_lang("both")

``CTLAB_LANG`` (``zh``, ``en`` or ``both``) sets the starting language;
the default is ``both``. Errors always carry both languages.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal, cast, get_args

Lang = Literal["zh", "en", "both"]
LANGS: tuple[str, ...] = get_args(Lang)


@dataclass(frozen=True)
class Text:
    """One message in both languages; ``str()`` renders it in the current language.

    >>> str(Text("你好", "hello").render("both"))
    '你好 / hello'
    """

    zh: str
    en: str

    def format(self, **values: object) -> Text:
        """Fill in ``values``; a :class:`Text` value is filled in language by language."""
        zh = {k: v.zh if isinstance(v, Text) else v for k, v in values.items()}
        en = {k: v.en if isinstance(v, Text) else v for k, v in values.items()}
        return Text(self.zh.format(**zh), self.en.format(**en))

    def render(self, lang: Lang | None = None) -> str:
        lang = lang or get_lang()
        if lang == "zh":
            return self.zh
        if lang == "en" or self.zh == self.en:
            return self.en
        joiner = "\n" if "\n" in self.zh or "\n" in self.en else " / "
        return f"{self.zh}{joiner}{self.en}"

    def __str__(self) -> str:
        return self.render()


def _initial_lang() -> Lang:
    value = os.environ.get("CTLAB_LANG", "both").strip().lower() or "both"
    return cast(Lang, value) if value in LANGS else "both"


_lang: Lang = _initial_lang()


def set_lang(lang: str) -> None:
    """Choose ``"zh"``, ``"en"`` or ``"both"`` for everything ctlab prints."""
    global _lang
    if lang not in LANGS:
        raise CtlabError("lang.unknown", value=repr(lang), allowed=", ".join(LANGS))
    _lang = cast(Lang, lang)


def get_lang() -> Lang:
    return _lang


def t(key: str, **values: object) -> Text:
    """The message ``key`` with ``values`` filled in (``str()`` it to render)."""
    return MESSAGES[key].format(**values)


class CtlabError(ValueError):
    """Bad input to ctlab: says what was wrong and what is allowed, in both languages.

    >>> try:
    ...     set_lang("fr")
    ... except CtlabError as err:
    ...     print(err)
    不支持的语言 'fr'，可选：zh, en, both / unknown language 'fr'; allowed: zh, en, both
    """

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.text = t(key, **values)
        super().__init__(self.text.render("both"))


T = Text
MESSAGES: dict[str, Text] = {
    # --- errors (bad input) -------------------------------------------------
    "lang.unknown": T("不支持的语言 {value}，可选：{allowed}", "unknown language {value}; allowed: {allowed}"),
    "fault.unknown": T(
        "看不懂的故障 {value}。可以写：HTTP 状态码 400–599、200/ok、timeout、connect-timeout、"
        "disconnect、stream-error，后面可加 *次数 或 (选项)，例如 \"429(retry-after=2)*3 200\"",
        "unknown fault {value}. Allowed: an HTTP status 400-599, 200/ok, timeout, connect-timeout, "
        "disconnect, stream-error, optionally followed by *count or (options), e.g. \"429(retry-after=2)*3 200\"",
    ),
    "fault.status_range": T(
        "状态码 {value} 不在可模拟的范围内：错误状态只能是 400–599，成功请写 200 或 ok",
        "status {value} cannot be simulated: error statuses must be 400-599; write 200 or ok for a success",
    ),
    "fault.option": T(
        "{fault} 不支持选项 {option!r}，可用的选项：{allowed}",
        "{fault} does not take option {option!r}; allowed options: {allowed}",
    ),
    "fault.option_value": T(
        "选项 {option} 的值 {value!r} 不合法：{allowed}",
        "option {option} has an invalid value {value!r}: {allowed}",
    ),
    "fault.count": T(
        "重复次数 {value!r} 不合法：*N 里的 N 必须是 1 到 1000 的整数",
        "invalid repeat count {value!r}: N in *N must be a whole number from 1 to 1000",
    ),
    "fault.empty": T(
        "故障序列是空的：至少写一个，例如 \"429 200\"",
        "the fault sequence is empty: give at least one, e.g. \"429 200\"",
    ),
    "fault.type": T(
        "无法把 {value} 当作故障：请传入字符串（如 \"429 200\"）、ctlab 的故障对象或它们的列表",
        "cannot use {value} as faults: pass a string (e.g. \"429 200\"), a ctlab fault, or a list of them",
    ),
    "client.max_retries": T(
        "max_retries 必须是 >= 0 的整数，收到的是 {value!r}",
        "max_retries must be a whole number >= 0, got {value!r}",
    ),
    "client.timeout": T(
        "timeout 必须是正数（秒），收到的是 {value!r}",
        "timeout must be a positive number of seconds, got {value!r}",
    ),
    "client.outside": T(
        "这个模拟客户端只能在 ctlab.simulate(...) 的 with 块里使用（块外不会发出任何真实请求）。"
        "想调用真实 API，请用 ctlab.client(live=True)",
        "this simulated client only works inside a `with ctlab.simulate(...)` block (outside it, nothing is sent). "
        "To call the real API, use ctlab.client(live=True)",
    ),
    "client.no_key": T(
        "没有找到 API Key：请设置环境变量 ANTHROPIC_API_KEY，或在提示框里输入（输入内容不会显示）",
        "no API key found: set ANTHROPIC_API_KEY, or type it at the prompt (it is not echoed)",
    ),
    "client.live_in_ci": T(
        "CI 中不允许真实请求：CI=true 时 ctlab 只做模拟",
        "live requests are not allowed in CI: with CI=true ctlab only simulates",
    ),
    "simulate.nested": T(
        "已经有一个 ctlab.simulate(...) 正在运行：模拟不能嵌套，请先退出外层的 with 块",
        "a ctlab.simulate(...) block is already active: simulations do not nest; leave the outer `with` first",
    ),
    "simulate.seed": T(
        "seed 必须是整数，收到的是 {value!r}",
        "seed must be a whole number, got {value!r}",
    ),
    "clock.negative": T(
        "等待时长不能为负数：{value!r}",
        "a wait cannot be negative: {value!r}",
    ),
    "catalog.unknown": T(
        "错误目录里没有状态码 {value}，目录中有：{allowed}",
        "status {value} is not in the catalog; it has: {allowed}",
    ),
    # --- what a simulation shows -------------------------------------------
    "outcome.returned": T("返回了 {value}", "returned {value}"),
    "outcome.raised": T("抛出了 {value}", "raised {value}"),
    "outcome.pending": T("还没有运行", "not run yet"),
    "table.attempt": T("第几次", "attempt"),
    "table.at": T("时刻 (s)", "at (s)"),
    "table.retry_count": T("重试计数头", "retry-count header"),
    "table.answer": T("服务端的回应", "server answered"),
    "table.wait": T("之后等待 (s)", "then waited (s)"),
    "table.by": T("谁在等", "who waited"),
    "summary": T(
        "共 {requests} 次 HTTP 请求，虚拟耗时 {elapsed:.2f} s（其中等待 {slept:.2f} s），结果：{outcome}",
        "{requests} HTTP requests, {elapsed:.2f} s of virtual time ({slept:.2f} s waiting); outcome: {outcome}",
    ),
    "wait.sdk": T("SDK", "SDK"),
    "wait.code": T("你的代码", "your code"),
    "answer.timeout": T("超时（{seconds:g} s 无响应）", "timed out (no answer for {seconds:g} s)"),
    "answer.disconnect": T("连接被断开", "connection dropped"),
    "answer.stream_error": T("200 流，中途出现 {error_type}", "200 stream, then {error_type} midway"),
    "answer.ok": T("200 成功", "200 OK"),
    "plot.title": T("每次请求与等待（虚拟时间）", "Attempts and waits (virtual time)"),
    "plot.xlabel": T("虚拟时间 (s)", "virtual time (s)"),
    "plot.ok": T("成功", "success"),
    "plot.retry": T("失败后重试", "failed, retried"),
    "plot.fail": T("最终失败", "final failure"),
    "plot.wait": T("等待", "wait"),
    "plot.attempt": T("第 {n} 次", "attempt {n}"),
    # --- widgets -----------------------------------------------------------
    "widget.faults": T("故障序列", "faults"),
    "widget.max_retries": T("max_retries", "max_retries"),
    "widget.timeout": T("timeout (s)", "timeout (s)"),
    "widget.run": T("发送请求", "Send request"),
    "widget.clear": T("清空", "Clear"),
    "widget.help": T(
        "每个词是一次请求的结果，最后一个会一直重复。例：429 429 200、529、timeout、429(retry-after=3) 200",
        "Each word is what one request gets; the last one repeats forever. E.g. 429 429 200, 529, timeout, 429(retry-after=3) 200",
    ),
    "widget.preset": T("预设", "preset"),
    # --- clients -----------------------------------------------------------
    "client.prompt": T("请输入 API Key（不会显示）：", "API key (not echoed): "),
    "client.live_ready": T(
        "真实模式：请求会发往 {base_url}，会产生真实费用",
        "live mode: requests go to {base_url} and cost real money",
    ),
    # --- catalog columns ---------------------------------------------------
    "catalog.status": T("状态码", "status"),
    "catalog.exception": T("SDK 异常类", "SDK exception"),
    "catalog.error_type": T("API 错误类型", "API error type"),
    "catalog.retried": T("SDK 会重试吗", "SDK retries?"),
    "catalog.cause": T("常见原因", "usual cause"),
    "catalog.action": T("怎么处理", "what to do"),
    "yes": T("会", "yes"),
    "no": T("不会", "no"),
    # --- measuring code under faults (ctlab.measure) -------------------------
    "measure.faults": T("故障", "faults"),
    "measure.code": T("代码", "code"),
    "measure.requests": T("HTTP 请求数", "HTTP requests"),
    "measure.slept": T("总共睡了 (s)", "slept (s)"),
    "measure.wasted": T("最后一次之后白睡 (s)", "slept after the last attempt (s)"),
    "measure.elapsed": T("虚拟耗时 (s)", "virtual time (s)"),
    "measure.outcome": T("调用方拿到的结果", "what the caller got"),
    "widget.code": T("运行的代码", "code to run"),
    # --- 01 manual retry loop ------------------------------------------------
    # --- 02 SDK built-in retry -----------------------------------------------
    # --- 03 error codes, error explorer, streams ------------------------------
    # --- 04 fault server (python -m ctlab serve), curl and JavaScript ----------
    # --- 05/06 backoff at scale, production patterns --------------------------
    # --- 07 exercises: ctlab.check ---------------------------------------------
}
