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
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def lang(value: str) -> Iterator[None]:
    """Use language ``value`` inside the block, then put back the one before (even after an error).

    >>> import ctlab
    >>> with ctlab.lang("en"):
    ...     print(ctlab.get_lang())
    en
    >>> ctlab.get_lang()
    'both'
    """
    previous = get_lang()
    set_lang(value)
    try:
        yield
    finally:
        set_lang(previous)


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
        "选项 {option} 的值 {value!r} 不合法（要求：{allowed}）",
        "option {option} has an invalid value {value!r} (expected: {allowed})",
    ),
    "fault.allowed_error_code": T("小写字母加下划线，例如 enforced_spend_limit_reached", "snake_case, e.g. enforced_spend_limit_reached"),
    "fault.count": T(
        "重复次数 {value!r} 不合法：*N 里的 N 必须是 1 到 1000 的整数",
        "invalid repeat count {value!r}: N in *N must be a whole number from 1 to 1000",
    ),
    "fault.empty": T(
        "故障脚本是空的：至少写一个，例如 \"429 200\"",
        "the fault script is empty: give at least one fault, e.g. \"429 200\"",
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
        "速查表里没有状态码 {value}，速查表中有：{allowed}",
        "status {value} is not in the catalog; it has: {allowed}",
    ),
    # --- what a simulation shows -------------------------------------------
    "outcome.returned": T("返回了 {value}", "returned {value}"),
    "outcome.raised": T("抛出了 {value}", "raised {value}"),
    "outcome.pending": T("还没有运行", "not run yet"),
    "table.attempt": T("序号", "attempt"),
    "table.at": T("时刻 (s)", "at (s)"),
    "table.retry_count": T("重试计数（请求头）", "retry-count header"),
    "table.answer": T("服务端的回应", "server answered"),
    "table.wait": T("之后等待 (s)", "then waited (s)"),
    "table.by": T("谁在等", "who waited"),
    "summary": T(
        "共 {requests} 次 HTTP 请求，虚拟耗时 {elapsed:.2f} s（其中等待 {slept:.2f} s），结果：{outcome}",
        "HTTP requests: {requests}; virtual time {elapsed:.2f} s ({slept:.2f} s waiting); outcome: {outcome}",
    ),
    "wait.sdk": T("SDK", "SDK"),
    "wait.code": T("你的代码", "your code"),
    "answer.timeout": T("超时（{seconds:.4g} s 无响应）", "timed out (no answer for {seconds:.4g} s)"),
    "answer.disconnect": T("连接被断开", "connection dropped"),
    "answer.stream_error": T("流式响应（200）中途出错：{error_type}", "200 stream, then {error_type} midway"),
    "answer.ok": T("200 成功", "200 OK"),
    # --- bad input (faults, catalog, plot, widgets) ---
    "input.argument": T("{call} 的参数 {name} 不能是 {value}，要求：{allowed}", "{call}: {name} cannot be {value}; expected: {allowed}"),
    "input.allowed.text": T("字符串（str），最多 {limit} 个字符", "a str of at most {limit} characters"),
    "input.allowed.int": T("整数", "a whole number"),
    "input.allowed.int_range": T("{low} 到 {high} 的整数", "a whole number from {low} to {high}"),
    "input.allowed.bool": T("True 或 False", "True or False"),
    "input.allowed.seconds": T("大于 0、不超过 {limit} 的秒数", "a number of seconds above 0 and at most {limit}"),
    "input.allowed.function": T("函数 call(client)，或 None", "a function call(client), or None"),
    "input.allowed.functions": T("名字 → 函数 call(client) 的 dict，至少一项", "a dict of name → function call(client), with at least one entry"),
    "input.allowed.script": T("故障脚本文字，例如 \"429 200\"", "a fault script as text, e.g. \"429 200\""),
    "input.allowed.scripts": T("故障脚本文字的列表，例如 [\"429 200\", \"529\"]", "a list of fault scripts as text, e.g. [\"429 200\", \"529\"]"),
    "fault.allowed_retry_after": T(
        "大于等于 0 的数：retry-after 是秒数，retry-after-ms 是毫秒数，inf 也可以；"
        "想让服务端原样发送别的文字，就给文字加上引号，例如 \"429(retry-after='soon')\"，"
        "在 Python 里写 status(429, retry_after='soon')",
        "a number >= 0: seconds for retry-after, milliseconds for retry-after-ms, inf included; "
        "to have the server send any other text as it is, put the text in quotes, e.g. \"429(retry-after='soon')\", "
        "or in Python status(429, retry_after='soon')",
    ),
    "fault.allowed_header_text": T(
        "可打印的 ASCII 文字，最多 {limit} 个字符，首尾不能有空格",
        "printable ASCII text of at most {limit} characters, with no space at either end",
    ),
    "fault.allowed_error_type": T("小写字母加下划线，例如 overloaded_error、api_error", "snake_case, e.g. overloaded_error, api_error"),
    "fault.allowed_should_retry": T("True、False，或 None（不发送这个响应头）", "True, False, or None (no such header)"),
    "fault.allowed_phase": T(
        "'read'（服务端一直不回应）或 'connect'（连接一直建立不起来）；ctlab 不模拟 'write' 和 'pool' 超时",
        "'read' (the server never answers) or 'connect' (the connection is never made); ctlab simulates no 'write' or 'pool' timeout",
    ),
    "fault.allowed_headers": T(
        "响应头名 → 文字 的 dict：名字由字母、数字和 - 组成，不能是 content-length、transfer-encoding 或 connection"
        "（这几个由 ctlab 设置）；值是可打印的 ASCII 文字，最多 {limit} 个字符",
        "a dict of header name → text: names of letters, digits and -, other than content-length, transfer-encoding "
        "and connection (ctlab sets those); values printable ASCII text of at most {limit} characters",
    ),
    "fault.repeat": T(
        "重复次数 {value} 不合法：*N 里的 N 必须是 1 到 {limit} 的整数",
        "invalid repeat count {value}: N in *N must be a whole number from 1 to {limit}",
    ),
    "fault.too_many": T(
        "故障脚本最多只能有 {limit} 个故障。最后一个会一直重复，所以脚本不必更长",
        "a fault script holds at most {limit} faults. The last one repeats forever, so a script never needs to be longer",
    ),
    "fault.too_long": T(
        "故障脚本太长：{length} 个字符，最多 {limit} 个。重复的故障请用 *N 表示，例如 \"429*100 200\"",
        "the fault script is too long: {length} characters, at most {limit}. Write repeats with *N, e.g. \"429*100 200\"",
    ),
    "fault.duplicate": T("{fault} 里的选项 {option} 写了两次", "{fault} sets option {option} twice"),
    "fault.stream_error_type": T(
        "{fault} 只能写一个错误类型（小写字母加下划线），例如 stream-error(api_error)",
        "{fault} takes one error type in snake_case, e.g. stream-error(api_error)",
    ),
    "catalog.statuses": T(
        "catalog() 要的是状态码的列表或元组，例如 catalog((429, 529))；只看一个状态码请用 entry(429)。"
        "收到的是 {value}；速查表中有：{allowed}",
        "catalog() takes a list or tuple of status codes, e.g. catalog((429, 529)); for one status, use entry(429). "
        "Got {value}; the catalog has: {allowed}",
    ),
    "plot.sim": T(
        "plot() 要的是一次模拟：ctlab.run(...) 的返回值，或 with ctlab.simulate(...) as sim 里的 sim；收到的是 {value}",
        "plot() needs a simulation: what ctlab.run(...) returns, or the sim of `with ctlab.simulate(...) as sim`; got {value}",
    ),
    "plot.ax": T(
        "ax 必须是 matplotlib 的 Axes（比如 fig, ax = plt.subplots() 里的 ax），或者 None；收到的是 {value}",
        "ax must be a matplotlib Axes (the ax of fig, ax = plt.subplots()) or None; got {value}",
    ),
    "client.max_retries_range": T(
        "max_retries 必须是 0 到 {limit} 的整数，收到的是 {value!r}。模拟里的请求虽然不用真等，"
        "却都要真的跑一遍 SDK：{limit} 次重试就要好几秒",
        "max_retries must be a whole number from 0 to {limit}, got {value!r}. A simulated request waits for nothing, "
        "but still runs the real SDK: {limit} retries take several seconds",
    ),
    "client.timeout_range": T(
        "timeout 必须是大于 0、不超过 {limit} 的秒数（约 49.7 天），收到的是 {value!r}",
        "timeout must be a number of seconds above 0 and at most {limit} (about 49.7 days), got {value!r}",
    ),
    "check.time_limit_range": T(
        "time_limit 必须是大于 0、不超过 {limit} 的秒数（真实时间），收到的是 {value!r}",
        "time_limit must be a number of real seconds above 0 and at most {limit}, got {value!r}",
    ),
    # --- fault server hardening ---
    "server.host_type": T(
        "host 要写成字符串，比如 '127.0.0.1'、'::1' 或 'localhost'，收到的却是 {kind} 类型的 {value}",
        "host must be a string such as '127.0.0.1', '::1' or 'localhost', got {value} of type {kind}",
    ),
    "server.hold_range": T(
        "hold 是 timeout 故障最多挂住一个请求的秒数：必须大于 0，且不超过 {limit:g}（一小时，上课绰绰有余），收到的是 {value}",
        "hold is how many seconds a timeout fault holds a request: more than 0 and at most {limit:g} (an hour, plenty for a lesson), got {value}",
    ),
    "server.refuse_for_range": T(
        "refuse_for 是端口一开始拒绝连接的秒数：取 0 到 {limit:g} 之间（一小时，上课绰绰有余），收到的是 {value}",
        "refuse_for is how many seconds the port refuses connections at first: 0 to {limit:g} (an hour, plenty for a lesson), got {value}",
    ),
    "server.time_limit_range": T(
        "time_limit 是一条命令最多能跑的秒数：必须大于 0，且不超过 {limit:g}（一小时），收到的是 {value}",
        "time_limit is how many seconds a command may run: more than 0 and at most {limit:g} (an hour), got {value}",
    ),
    "server.on_request": T(
        "on_request 要么是 None，要么是函数：每收到一个请求，就把这次请求的 Attempt 传给它调用一次。收到的是 {value}",
        "on_request must be None or a function, called with each request's Attempt as it arrives; got {value}",
    ),
    # --- leaks and threads (simulate/clients/check) ---
    "client.other_thread": T(
        "这个模拟客户端用在了模拟不管的线程里：一个模拟只应答运行它 with 块的线程、块内启动的线程，以及块内创建的客户端。"
        "请在 with 块里（或块内启动的线程里）使用它",
        "this simulated client was used in a thread the running simulation does not own: a simulation only answers "
        "the thread running its `with` block, threads started inside the block, and clients created inside it. Use it there",
    ),
    "client.live_refused": T(
        "现在有一个 ctlab 模拟正在运行（ctlab.simulate(...) 或 ctlab.check(...)）：它结束之前不能创建真实客户端，"
        "免得真实请求被模拟悄悄应答",
        "a ctlab simulation is running (ctlab.simulate(...) or ctlab.check(...)): no live client until it ends, "
        "so that no live request is ever quietly answered by the simulation",
    ),
    "client.live_in_simulation": T(
        "真实客户端不能在 ctlab.simulate(...) 块里（或块内启动的线程里）使用：它的请求会被模拟应答，而不是发给 API。"
        "块内请用 sim.client()，真实调用放到块外",
        "a live client cannot be used inside a ctlab.simulate(...) block (or a thread started in it): its requests "
        "would be answered by the simulation, not the API. Use sim.client() inside the block and the live client outside it",
    ),
    "check.hang_alive_thread": T(
        "ctlab 没能让它停下来（Python 没法强行结束线程）：它会一直占着自己的线程、按真实时间运行，直到它返回或重启内核"
        "（Kernel → Restart）。不过它已经碰不到任何模拟了：之后它用 ctlab 客户端发的请求会被拒绝，别的请求会发到真实网络；"
        "后面的模拟和 ctlab.check 照常可用。其余场景没有运行",
        "ctlab could not stop it (Python cannot kill a thread): it keeps its own thread, running in real time, until it "
        "returns or the kernel is restarted (Kernel → Restart). It can no longer reach any simulation: its later requests "
        "through a ctlab client are refused, any others go to the real network; later simulations and checks work as usual. "
        "The other scenarios were not run",
    ),
    "plot.title": T("每次请求与等待（虚拟时间）", "Attempts and waits (virtual time)"),
    "plot.xlabel": T("虚拟时间 (s)", "virtual time (s)"),
    "plot.ok": T("成功", "success"),
    "plot.retry": T("失败后重试", "failed, retried"),
    "plot.fail": T("最终失败", "final failure"),
    "plot.wait_sdk": T("SDK 在等", "SDK waiting"),
    "plot.wait_code": T("你的代码在等", "your code waiting"),
    "plot.attempt": T("第 {n} 次", "attempt {n}"),
    # --- widgets -----------------------------------------------------------
    "widget.faults": T("故障脚本", "faults"),
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
    "widget.code": T("要运行的代码", "code to run"),
    # --- 01 manual retry loop ------------------------------------------------
    "retry.max_attempts": T(
        "max_attempts 必须是 >= 1 的整数（包括第一次请求在内的总次数），收到的是 {value!r}",
        "max_attempts must be a whole number >= 1 (every request, the first included), got {value!r}",
    ),
    "retry.gave_up": T("ctlab.retry：共尝试 {attempts} 次后放弃", "ctlab.retry: gave up after {attempts} attempt(s)"),
    "loop.multiply": T(
        "手写循环 {loop} 轮 × 每轮 SDK 最多发 {sdk} 次 = {total} 次 HTTP 请求；实测：{measured} 次",
        "{loop} rounds of the loop × up to {sdk} SDK attempts in each = {total} HTTP requests; measured: {measured}",
    ),
    # --- 02 SDK built-in retry -----------------------------------------------
    "sdk.col.name": T("SDK 里的名字", "name in the SDK"),
    "sdk.col.value": T("值", "value"),
    "sdk.col.meaning": T("含义", "meaning"),
    "sdk.defaults.max_retries": T(
        "失败后最多再试 {value} 次，也就是最多发 {attempts} 次请求",
        "retry up to {value} times, i.e. at most {attempts} requests",
    ),
    "sdk.defaults.connect": T("建立连接最多等多久", "how long to wait for a connection"),
    "sdk.defaults.read": T(
        "每次请求等响应数据最多等多久；非流式请求要等整段回复生成完",
        "how long each attempt waits for response data; a non-streaming request waits for the whole reply",
    ),
    "sdk.defaults.initial_retry_delay": T("第 1 次重试前的名义等待（抖动之前的值），之后每次翻倍", "nominal wait (before jitter) ahead of the 1st retry, doubling after that"),
    "sdk.defaults.max_retry_delay": T("翻倍到这里封顶", "the doubling stops here"),
    "sdk.col.retry": T("第几次重试", "retry"),
    "sdk.col.nominal": T("名义等待 (s)", "nominal wait (s)"),
    "sdk.col.band": T("抖动区间 (s)", "jitter band (s)"),
    "sdk.col.seen": T("实测最短–最长 (s)", "seen, min–max (s)"),
    "sdk.col.samples": T("样本数", "samples"),
    "sdk.schedule.summary": T(
        "{runs} 次模拟（种子 0–{last}）里 SDK 一共等了 {samples} 次，落在抖动区间外的有 {outside} 次；"
        "实测等待 ÷ 名义等待 = {low:.3f}–{high:.3f}",
        "{samples} SDK waits from {runs} runs (seeds 0–{last}), {outside} outside the jitter band; "
        "measured wait ÷ nominal wait = {low:.3f}–{high:.3f}",
    ),
    "sdk.plot.title": T("SDK 每次重试前实际等了多久（{runs} 次带种子的模拟）", "How long the SDK waited before each retry ({runs} seeded runs)"),
    "sdk.plot.xlabel": T("第几次重试（= 该次请求的 x-stainless-retry-count）", "retry number (= that request's x-stainless-retry-count)"),
    "sdk.plot.ylabel": T("重试前的等待 (s)", "wait before the retry (s)"),
    "sdk.plot.band": T("抖动区间：名义值的 {low:.0%}–{high:.0%}", "jitter band: {low:.0%}–{high:.0%} of nominal"),
    "sdk.plot.nominal": T("名义值 min({initial:g}·2ⁿ⁻¹, {cap:g})", "nominal min({initial:g}·2ⁿ⁻¹, {cap:g})"),
    "sdk.plot.waits": T("SDK 实际的等待", "the SDK's actual waits"),
    "sdk.cost": T(
        "{attempts} 次请求 × 每次 {per_attempt:g} s + 退避 {backoff_low:.2f}–{backoff_high:.2f} s = {low:.2f}–{high:.2f} s",
        "{attempts} requests × {per_attempt:g} s each + {backoff_low:.2f}–{backoff_high:.2f} s of backoff = {low:.2f}–{high:.2f} s",
    ),
    "sdk.cost.minutes": T("（约 {minutes:.0f} 分钟）", " (about {minutes:.0f} min)"),
    "sdk.runs": T("runs 必须是 1 到 10000 的整数，收到的是 {value!r}", "runs must be a whole number from 1 to 10000, got {value!r}"),
    "sdk.phase": T("phase 只能是 {allowed}，收到的是 {value!r}", "phase must be one of {allowed}, got {value!r}"),
    "sdk.code.sdk": T("SDK 内置重试", "SDK built-in retry"),
    "sdk.code.docs": T("文档页的循环", "the docs' loop"),
    "sdk.widget.compare": T("再用文档页的循环跑一遍", "Also run the docs' loop"),
    "sdk.widget.help": T(
        "滑块设置的是 SDK 客户端的 max_retries 和 timeout。文档页的循环把这个客户端包在里面，自己最多调用它 {rounds} 次。",
        "The sliders set the SDK client's max_retries and timeout. The docs' loop wraps that client and calls it up to {rounds} times.",
    ),
    # --- 03 error codes, error explorer, streams ------------------------------
    "observe.what": T("项目", "what"),
    "observe.value": T("这次看到的", "what came back"),
    "observe.faults": T("故障脚本", "faults"),
    "observe.outcome": T("结果", "outcome"),
    "observe.hierarchy": T("类层次", "class hierarchy"),
    "observe.requests": T("HTTP 请求数", "HTTP requests"),
    "observe.requests_value": T("{requests} 次（重试计数头：{counts}）", "{requests} (retry-count headers: {counts})"),
    "observe.retried": T("会：这次重试了 {retries} 次（max_retries={max_retries}）", "yes: {retries} retries this time (max_retries={max_retries})"),
    "observe.not_retried": T("不会：第一次失败就抛出", "no: raised on the first failure"),
    "observe.raised": T("SDK 抛出的异常", "raised by the SDK"),
    "observe.below_api_error": T("类层次（APIError 以下）", "hierarchy (below APIError)"),
    "observe.retry_counts": T("各次的重试计数头", "retry-count headers"),
    "observe.request_id": T("request_id", "request_id"),
    "observe.error_type": T("错误体里的 error.type", "error.type in the body"),
    "docs.exception": T("文档写的异常类", "class in the docs"),
    "docs.verdict": T("对照结果", "verdict"),
    "docs.action": T("文档的处理方式", "the docs' advice"),
    "docs.requests": T("抛出前 SDK 已发的请求数", "requests sent before it was raised"),
    "docs.same": T("一致", "matches"),
    "docs.subclass": T("不准确：实际抛出 {raised}，它是 {documented} 的子类", "imprecise: the SDK raises {raised}, a subclass of {documented}"),
    "docs.wrong": T("不对：实际抛出 {raised}", "wrong: the SDK raises {raised}"),
    "docs.nothing": T("不对：没有抛出异常", "wrong: nothing was raised"),
    "streams.restarts": T("restarts 必须是 >= 0 的整数，收到的是 {value!r}", "restarts must be a whole number >= 0, got {value!r}"),
    "explorer.choice": T("从速查表里选", "pick one"),
    "explorer.fault": T("或者输入", "or type one"),
    "explorer.run": T("触发这个错误", "Trigger it"),
    "explorer.help": T(
        "选一个，或者自己输入：任意 400–599 的状态码（如 418、502），可以带选项，如 "
        "429(error-code=enforced_spend_limit_reached)、529(x-should-retry=false)；也可以是 timeout、disconnect、stream-error。"
        "点按钮，真实的 SDK 就会碰上它（这个词会一直重复，直到 SDK 放弃）。",
        "Pick one or type your own: any status 400–599 (e.g. 418, 502), with options such as "
        "429(error-code=enforced_spend_limit_reached) or 529(x-should-retry=false); or timeout, disconnect, stream-error. "
        "Click, and the real SDK meets it (the word repeats until the SDK gives up).",
    ),
    # --- 04 fault server (python -m ctlab serve), curl and JavaScript ----------
    "server.host": T(
        "故障服务端只监听本机回环地址（127.0.0.1、::1 或 localhost），不能绑定到 {value}",
        "the fault server listens on loopback only (127.0.0.1, ::1 or localhost), not {value}",
    ),
    "server.port": T("端口必须是 0–65535 的整数（0 表示自动挑一个空闲端口），收到的是 {value}", "port must be a whole number 0-65535 (0 picks a free one), got {value}"),
    "server.retry_counts": T("重试计数头", "retry-count headers"),
    "server.waits": T("等待 (s)", "waits (s)"),
    "server.not_running": T("服务端还没启动：先进入 with serve(...) as srv: 块，再读 srv.url", "the server has not started: enter `with serve(...) as srv:` before reading srv.url"),
    "server.bind": T(
        "无法在 {host} 的端口 {port} 上监听：{error}。换一个端口，或用 --port 0 自动挑一个空闲的",
        "cannot listen on {host} port {port}: {error}. Pick another port, or --port 0 for a free one",
    ),
    "server.restart": T("一个故障服务端只能启动一次：再开一个新的 serve(...)", "a fault server starts only once: open a new serve(...)"),
    "server.missing": T(
        "找不到命令 {program}：这一课需要 curl 和 Node.js（Debian/Ubuntu：apt install curl nodejs npm，然后在仓库根目录运行 npm ci）",
        "command {program} not found: this lesson needs curl and Node.js (Debian/Ubuntu: apt install curl nodejs npm, then npm ci at the repository root)",
    ),
    "server.command_timeout": T("命令 {command} 运行超过 {seconds:g} s，已被终止", "command {command} ran longer than {seconds:g} s and was stopped"),
    "server.listening": T(
        "故障服务端已启动：{url}（故障序列：{faults}）。把客户端的 base URL 设成它；按 Ctrl+C 停止",
        "fault server listening on {url} (faults: {faults}). Point a client's base URL at it; Ctrl+C stops it",
    ),
    "server.request": T(
        "第 {number} 次：{method} {path}，重试计数头 {retry_count}，回应 {answer}",
        "#{number}: {method} {path}, retry-count header {retry_count}, answered {answer}",
    ),
    "server.stopped": T("服务端已停止，共收到 {count} 次请求", "server stopped after {count} requests"),
    "server.answers": T("服务端依次回应", "server answered, in order"),
    "server.exit": T("退出码 {code}", "exit code {code}"),
    # --- 05/06 backoff at scale, production patterns --------------------------
    "scale.strategy": T("不认识的退避策略 {value}，可选：{allowed}", "unknown backoff strategy {value}; allowed: {allowed}"),
    "scale.base_cap": T(
        "退避参数不合法：base 必须大于 0，cap 不能小于 base（收到 base={base!r}, cap={cap!r}）",
        "invalid backoff: base must be > 0 and cap >= base (got base={base!r}, cap={cap!r})",
    ),
    "scale.capacity": T("服务端容量必须是 >= 0 的数（次/秒），收到的是 {value!r}", "server capacity must be a number >= 0 (calls per second), got {value!r}"),
    "scale.reject_cost": T("reject_cost 必须在 0 到 1 之间，收到的是 {value!r}", "reject_cost must be between 0 and 1, got {value!r}"),
    "scale.attempts": T("attempts 必须是 >= 1 的整数，或 None（一直重试到成功），收到的是 {value!r}", "attempts must be a whole number >= 1, or None (retry until it succeeds), got {value!r}"),
    "scale.layers": T("layers 必须是 >= 1 的整数；多于一层时必须给出 attempts，收到的是 {value!r}", "layers must be a whole number >= 1, and more than one layer needs attempts; got {value!r}"),
    "scale.budget": T("重试预算 budget 必须在 0 到 1 之间（例如 0.1），收到的是 {value!r}", "the retry budget must be between 0 and 1 (e.g. 0.1), got {value!r}"),
    "scale.throttle": T("自适应限流的 K 必须 >= 1（SRE 书中用 2），收到的是 {value!r}", "adaptive throttling's K must be >= 1 (the SRE book uses 2), got {value!r}"),
    "scale.clients": T("客户端数必须是 1 到 10000 的整数，收到的是 {value!r}", "clients must be a whole number from 1 to 10000, got {value!r}"),
    "scale.policy": T("不认识的客户端策略 {value}，可选：{allowed}", "unknown client policy {value}; allowed: {allowed}"),
    "scale.too_many": T(
        "模拟的请求超过了 {value} 次，已停止：服务端可能一直拒绝，而策略又是无限重试",
        "stopped after more than {value} simulated calls: the server may never accept while the policy retries forever",
    ),
    "scale.strategy.none": T("不退避", "no backoff"),
    "scale.strategy.exponential": T("指数退避（无抖动）", "exponential, no jitter"),
    "scale.strategy.full": T("全抖动", "full jitter"),
    "scale.strategy.equal": T("等抖动", "equal jitter"),
    "scale.strategy.decorrelated": T("去相关抖动", "decorrelated jitter"),
    "scale.strategy.sdk": T("SDK 的退避（75–100% 抖动）", "the SDK's backoff (75-100% jitter)"),
    "scale.policy.once": T("不重试", "no retries"),
    "scale.policy.retries": T("最多 3 次（SDK 默认）", "up to 3 attempts (SDK default)"),
    "scale.policy.layers": T("3 层各 3 次", "3 layers × 3 attempts"),
    "scale.policy.budget": T("3 次 + 10% 重试预算", "3 attempts + 10% retry budget"),
    "scale.policy.throttle": T("3 次 + 自适应限流 (K=2)", "3 attempts + adaptive throttling (K=2)"),
    "scale.summary": T(
        "{clients} 个客户端，{strategy}：服务端共收到 {calls} 次请求（接受 {accepted}，拒绝 {rejected}），"
        "{finished:.1f} s 后全部结束，{failed} 个放弃",
        "{clients} clients, {strategy}: {calls} calls reached the server ({accepted} accepted, {rejected} rejected); "
        "all done after {finished:.1f} s, {failed} gave up",
    ),
    "scale.clients_axis": T("客户端数", "clients"),
    "scale.metric.calls": T("服务端收到的请求数", "calls to the server"),
    "scale.metric.finished": T("全部完成用时 (s)", "time until all done (s)"),
    "scale.metric.failed": T("放弃的客户端数", "clients that gave up"),
    "scale.metric.goodput": T("有效吞吐（× 容量）", "goodput (× capacity)"),
    "scale.metric.load": T("到达服务端的请求（× 容量）", "calls reaching the server (× capacity)"),
    "scale.metric.success": T("成功的任务占比", "share of jobs that succeeded"),
    "scale.offered": T("业务请求量（× 服务端容量）", "offered load (× server capacity)"),
    "scale.accepted": T("被接受", "accepted"),
    "scale.rejected": T("被拒绝", "rejected"),
    "scale.per_second": T("每秒到达的请求", "calls per second"),
    "scale.plot_title": T("{strategy}：{clients} 个客户端，{calls} 次请求", "{strategy}: {clients} clients, {calls} calls"),
    "widget.scale.clients": T("客户端数", "clients"),
    "widget.scale.strategy": T("退避策略", "backoff"),
    "widget.scale.capacity": T("容量 (次/秒)", "capacity (/s)"),
    "widget.scale.run": T("运行模拟", "Run simulation"),
    "aio.outside": T(
        "run_async 只能在 ctlab.simulate(...) 的 with 块里使用：它用模拟的虚拟时钟计时",
        "run_async only works inside a `with ctlab.simulate(...)` block: it keeps time on the simulation's virtual clock",
    ),
    "aio.rate": T(
        "限流参数不合法：per_minute 必须大于 0，burst 必须 >= 1（收到 per_minute={per_minute!r}, burst={burst!r}）",
        "invalid rate limit: per_minute must be > 0 and burst >= 1 (got per_minute={per_minute!r}, burst={burst!r})",
    ),
    "patterns.attempts": T(
        "共 {attempts} 次 HTTP 尝试，其中 {retries} 次是 SDK 的重试；回应：{answers}",
        "{attempts} HTTP attempts, {retries} of them the SDK's retries; answers: {answers}",
    ),
    # --- 07 exercises: ctlab.check ---------------------------------------------
    "check.exercise": T("没有练习 {value}，可选：{allowed}", "there is no exercise {value}; choose one of: {allowed}"),
    "check.stream_exercise": T(
        "exercise 和 stream 只能二选一：练习 4 就是流式测试",
        "give exercise or stream, not both: exercise 4 is the streaming battery",
    ),
    "check.time_limit": T(
        "time_limit 必须是正数（真实时间的秒数），收到的是 {value!r}",
        "time_limit must be a positive number of real seconds, got {value!r}",
    ),
    "check.title": T("ctlab.check({name}) · {scope}", "ctlab.check({name}) · {scope}"),
    "check.scope.full": T("完整测试", "the full battery"),
    "check.scope.stream": T("流式测试", "the streaming battery"),
    "check.scope.exercise": T("练习 {n}：{title}", "exercise {n}: {title}"),
    "check.exercise.1": T("只留一层重试，失败要说实话", "one retry layer, and an honest failure"),
    "check.exercise.2": T("该重试的都要重试", "retry everything that can succeed"),
    "check.exercise.3": T("等得对：退避、抖动、retry-after", "wait well: backoff, jitter, retry-after"),
    "check.exercise.4": T("流式调用也要重试得对", "a streaming-safe retry"),
    "check.summary_pass": T("✓ 全部通过：{total} 个故障场景都扛住了", "✓ all {total} fault scenarios passed"),
    "check.summary_fail": T("✗ {total} 个场景中有 {failed} 个没通过", "✗ {failed} of {total} scenarios failed"),
    "check.summary_problem": T("✗ 批改没能完成", "✗ grading could not finish"),
    "check.col.result": T("结果", "result"),
    "check.col.scenario": T("模拟的故障", "what was simulated"),
    "check.col.did": T("你的函数做了什么", "what your function did"),
    "check.col.why": T("说明", "why"),
    "check.pass": T("✓ 通过", "✓ pass"),
    "check.fail": T("✗ 没通过", "✗ fail"),
    "check.did": T("请求 {requests} 次，共睡 {slept:.2f} s，{outcome}", "requests: {requests}, slept {slept:.2f} s, {outcome}"),
    "check.did_stopped": T("发了 {requests} 次请求还在重试，被 ctlab 叫停", "still retrying after {requests} requests; stopped by ctlab"),
    "check.did_waits": T("每次运行的等待 (s)：{waits}", "waits in each run (s): {waits}"),
    "check.hint": T("提示：{hint}", "Hint: {hint}"),
    "check.where": T("（第 {line} 行：{code}）", " (line {line}: {code})"),
    "check.sc.ok": T("{faults}：服务端一切正常", "{faults}: the server answers at once"),
    "check.sc.fatal": T("{faults}：{error}，再试多少次都一样", "{faults}: {error}; no retry can succeed"),
    "check.sc.transient": T("{faults}：短暂故障，第 {n} 次请求就会成功", "{faults}: a brief failure; request {n} succeeds"),
    "check.sc.persistent": T("{faults}：一直失败，不会恢复", "{faults}: fails every time, forever"),
    "check.sc.backoff": T(
        "{faults}：服务端过载。重试前等没等？换 {runs} 个随机种子，等待时间变不变？",
        "{faults}: an overloaded server. Does it wait before retrying, and do the waits change across {runs} random seeds?",
    ),
    "check.sc.retry_after": T("{faults}：服务端让你 {asked:g} 秒后再来", "{faults}: the server says come back in {asked:g} s"),
    "check.sc.stream_transient": T(
        "{faults}：流式回复发到一半出错（SDK 不会重试这种错误），第 {n} 次请求就会成功",
        "{faults}: the stream fails halfway (the SDK never retries that); request {n} succeeds",
    ),
    "check.ok.ok": T("返回了回复的文字", "returned the reply's text"),
    "check.ok.fatal": T("没有重试，原样抛出了 {error}", "did not retry, and raised the {error} as it was"),
    "check.ok.transient": T("重试之后拿到了回复", "retried, and got the reply"),
    "check.ok.persistent": T("{requests} 次请求后放弃，抛出了原来的 {error}", "gave up after {requests} requests and raised the original {error}"),
    "check.ok.backoff": T("每次重试前都等了，而且每次运行等的时间都不一样", "waited before every retry, and the waits differ from run to run"),
    "check.ok.retry_after": T("按 retry-after 等了 {waited:.2f} s 才重试", "waited {waited:.2f} s, as retry-after asked, before retrying"),
    "check.bad.not_streaming": T("这一组测的是流式调用，你的函数发的却是普通请求", "this battery checks streaming, but your function sent a non-streaming request"),
    "check.hint.not_streaming": T(
        "用 client.messages.stream(...)，或者 messages.create(..., stream=True)",
        "use client.messages.stream(...), or messages.create(..., stream=True)",
    ),
    "check.bad.stopped": T(
        "发了 {requests} 次请求还在重试，ctlab 只好叫停：这个循环没有上限，服务端一直出错时它会永远打下去",
        "still retrying after {requests} requests, so ctlab stopped it: the loop has no bound, and against a server that keeps failing it would go on forever",
    ),
    "check.hint.stopped": T(
        "用 for attempt in range(N) 代替 while True，最后一次也失败时把错误抛出去",
        "loop over range(N) instead of while True, and raise the error when the last attempt fails too",
    ),
    "check.bad.layers": T(
        "两层重试叠在了一起：你的循环调用了 {calls} 次 SDK，SDK 每次又自己重试，一共发了 {requests} 次请求（每次请求的重试计数头：{counts}）",
        "two retry layers multiply: your loop called the SDK {calls} times and the SDK retried each call itself, {requests} requests in all (retry-count header of each: {counts})",
    ),
    "check.hint.layers": T(
        "自己写循环时，用 client.with_options(max_retries=0) 让它成为唯一的一层；要么就别写循环，交给 SDK",
        "if you write a loop, make it the only layer with client.with_options(max_retries=0); or write no loop and let the SDK retry",
    ),
    "check.bad.too_many": T(
        "服务端一直出错，你的函数发了 {requests} 次请求，超过了 {limit} 次：每次重试都在给已经出问题的服务端加压",
        "against a server that keeps failing, your function sent {requests} requests, more than {limit}: every retry adds load to a server already in trouble",
    ),
    "check.hint.too_many": T("总共 3 到 5 次尝试通常就够了", "3 to 5 attempts in all is usually enough"),
    "check.bad.retried_fatal": T(
        "{error} 再试多少次结果都一样，你的函数却发了 {requests} 次请求",
        "{error} fails the same way however often you try, yet your function sent {requests} requests",
    ),
    "check.hint.retried_fatal": T(
        "只重试 408、409、429、5xx（含 529）、超时和连接错误；其余 4xx 立刻抛出",
        "retry only 408, 409, 429, 5xx (529 included), timeouts and connection errors; raise any other 4xx at once",
    ),
    "check.bad.swallowed": T(
        "请求最终失败了，你的函数却返回了 {value}：调用方会以为成功了",
        "the request failed in the end, but your function returned {value}: the caller will think it worked",
    ),
    "check.hint.swallowed": T("放弃时把异常抛出去，不要 return None 或者默认值", "when you give up, raise; do not return None or a placeholder"),
    "check.bad.lost": T(
        "SDK 抛出的是 {expected}，你的函数抛出的却是 {raised}：原来的错误（状态码、request_id）丢了",
        "the SDK raised {expected}, but your function raised {raised}: the original error (its status, its request_id) is lost",
    ),
    "check.hint.lost": T(
        "用一个不带参数的 raise 把原来的异常抛出去；一定要换成自己的异常，就写 raise MyError(...) from error",
        "re-raise the original with a bare raise; if you must raise your own, write raise MyError(...) from error",
    ),
    "check.bad.crashed": T("你的代码自己出错了：{error}{where}", "your code itself failed: {error}{where}"),
    "check.hint.crashed": T(
        "这不是 API 的故障，是代码的 bug：在 ctlab.run(...) 里单独运行它，看 sim.outcome.error",
        "this is not an API failure but a bug: run it alone with ctlab.run(...) and look at sim.outcome.error",
    ),
    "check.bad.wasted": T(
        "最后一次请求之后又睡了 {wasted:.2f} s：已经不会再重试了，这段等待毫无意义",
        "slept {wasted:.2f} s after the final attempt: there was nothing left to wait for",
    ),
    "check.hint.wasted": T("先判断是不是最后一次，是就直接抛出，不要先睡", "check for the last attempt first, and raise straight away instead of sleeping"),
    "check.bad.gave_up": T(
        "这只是短暂故障，第 {n} 次请求就会成功，你的函数却在第 {requests} 次请求后放弃，抛出了 {error}",
        "a brief failure that request {n} would get past, yet your function gave up after request {requests}, raising {error}",
    ),
    "check.hint.gave_up": T(
        "429、5xx（含 529）、超时和连接断开都值得再试。用 max_retries=0 关掉 SDK 的重试之后，这些全靠你的循环了",
        "429, 5xx (529 included), timeouts and dropped connections are all worth another try; with max_retries=0 they are all up to your loop",
    ),
    "check.hint.gave_up_stream": T(
        "流中途断掉时（抛出 status_code 为 200 的 APIStatusError），SDK 从不重试，要你自己从头再发起一次流",
        "a stream that broke midway (an APIStatusError whose status_code is 200) is never retried by the SDK: start the stream over yourself",
    ),
    "check.bad.wrong_value": T("返回了 {value}，应该返回回复的文字 {expected}", "returned {value}; it should return the reply's text, {expected}"),
    "check.hint.wrong_value": T(
        "返回 response.content[0].text；流式调用就把收到的文字片段拼起来",
        "return response.content[0].text; for a stream, join the text pieces",
    ),
    "check.bad.leftovers": T(
        "返回了 {value}：断掉的那次流里已经收到的 {partial} 也混进了答案",
        "returned {value}: the text {partial} from the stream that broke was kept in the answer",
    ),
    "check.hint.leftovers": T(
        "每次重试都从空的缓冲区开始；真实应用里还要通知界面，把已经显示的半截内容撤掉",
        "start every attempt with an empty buffer; in a real app, also tell the UI to drop the half answer it already showed",
    ),
    "check.bad.no_backoff": T(
        "第 {n} 次请求之前完全没有等待就重试了：服务端正忙，马上重试只会雪上加霜",
        "retried without any wait before request {n}: the server is struggling, and an instant retry only adds to it",
    ),
    "check.hint.no_backoff": T(
        "每次重试前先睡一会儿，时间按指数增长，例如 random.uniform(0, 0.5 * 2 ** attempt)",
        "sleep before each retry, growing exponentially, e.g. random.uniform(0, 0.5 * 2 ** attempt)",
    ),
    "check.bad.no_jitter": T(
        "换了 {runs} 个随机种子，等待时间一模一样（{waits}）：没有抖动。很多客户端一起失败时，也会在同一时刻一起重试",
        "with {runs} different random seeds the waits were identical ({waits}): no jitter. When many clients fail together, they all retry at the same moment",
    ),
    "check.hint.no_jitter": T(
        "给退避加上随机性，例如全抖动（full jitter）：random.uniform(0, 本次的上限)",
        "put randomness in the backoff, e.g. full jitter: random.uniform(0, this attempt's cap)",
    ),
    "check.bad.ignored_retry_after": T(
        "服务端要求 retry-after: {asked:g}，你的函数只等了 {waited:.2f} s 就重试了",
        "the server said retry-after: {asked:g}, but your function retried after {waited:.2f} s",
    ),
    "check.hint.ignored_retry_after": T(
        "从 error.response.headers 读 retry-after（和 retry-after-ms），有就照它说的等",
        "read retry-after (and retry-after-ms) from error.response.headers, and wait that long when it is there",
    ),
    "check.not_callable": T(
        "ctlab.check 要的是一个函数（像 def chat(client, messages): ... 里的 chat），收到的是 {value}",
        "ctlab.check needs a function (the chat in def chat(client, messages): ...); got {value}",
    ),
    "check.signature": T(
        "ctlab.check 会这样调用你的函数：{name}(client, messages)；可它的签名是 {name}{signature}，接不住这两个参数",
        "ctlab.check calls your function as {name}(client, messages), but its signature is {name}{signature}, which cannot take them",
    ),
    "check.async": T(
        "{name} 是 async 函数；ctlab.check 批改的是同步函数（传进去的 client 是同步的 anthropic.Anthropic）",
        "{name} is an async function; ctlab.check grades sync functions (the client it passes is a sync anthropic.Anthropic)",
    ),
    "check.crashed": T(
        "服务端一切正常（200），你的函数还是出错了：{error}{where}。先修好这个 bug，其余场景没有运行",
        "the server answered 200 at once, yet your function failed: {error}{where}. Fix this bug first; the other scenarios were not run",
    ),
    "check.escaped": T(
        "在 {scenario} 下，你的函数抛出了 {error}：except Exception 接不住它，调用方会跟着一起崩掉。其余场景没有运行",
        "under {scenario}, your function raised {error}, which gets past except Exception and takes the caller down with it. The other scenarios were not run",
    ),
    "check.hang": T(
        "在 {scenario} 下，你的函数运行了 {limit:g} 秒（真实时间）还没结束：多半是一个既不发请求、也不睡眠的死循环，比如 while True: pass。",
        "under {scenario}, your function was still running after {limit:g} s of real time: most likely a loop that neither sends requests nor sleeps, such as while True: pass.",
    ),
    "check.hang_runaway": T(
        "在 {scenario} 下，ctlab 在第 {requests} 次请求后叫停了你的函数，它却还在跑：不带类型的 except:（或 except BaseException:）把叫停也吞掉了，改成 except anthropic.APIError:。",
        "under {scenario}, ctlab stopped your function after {requests} requests, yet it kept going: a bare except: (or except BaseException:) swallowed the stop; catch anthropic.APIError instead.",
    ),
    "check.hang_stopped": T("ctlab 已经让它停下来了；其余场景没有运行", "ctlab stopped it; the other scenarios were not run"),
    "check.solution": T("# 练习 {n} 的参考答案：先自己试过再看！", "# exercise {n}: a reference solution. Try it yourself first!"),
    "check.solution_uses": T("# 其中用到的 {name}：", "# it uses {name}:"),
}
