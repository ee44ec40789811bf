"""The course's retry rules, stated once: every loop, hint, exercise and the grader follow this list.

    >>> [rule.name for rule in RULES][:3]
    ['one_layer', 'worth_retrying', 'retry_after']

The list is ordered as a retry loop meets the questions: who retries, whether
to retry, how long to wait (the server's word first, then the caller's budget,
then backoff), when to stop, and what the caller gets. :func:`rules` shows it
as a table in a notebook (``ctlab.rules.rules()``) or as text in a terminal.
Each rule names the :mod:`ctlab.grading` checks that hold a function to it
(``checked_by``); a test makes sure every rule has at least one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .i18n import Text, register, t
from .show import TableView

register(
    __name__,
    {
        "rules.col.n": Text("#", "#"),
        "rules.col.rule": Text("规则", "rule"),
        "rules.col.why": Text("为什么", "why"),
        "rules.one_layer": Text(
            "只留一层重试：自己写循环，就在 client.with_options(max_retries=0) 上发请求；不然就不写循环，交给 SDK",
            "One retry layer: a loop of your own sends through client.with_options(max_retries=0); "
            "otherwise write no loop and let the SDK retry",
        ),
        "rules.one_layer.why": Text(
            "两层叠在一起，请求数相乘（3 × 3 = 9），压在本来就出了问题的服务端上",
            "two layers multiply the requests (3 × 3 = 9), on a server that is already in trouble",
        ),
        "rules.worth_retrying": Text(
            "只重试值得重试的错误：408、409、429、5xx（含 529）、超时和连接断开；服从 x-should-retry；"
            "消费上限和其余 4xx 一次都不重试",
            "Retry only what is worth retrying: 408, 409, 429, 5xx (529 included), timeouts and dropped connections; "
            "obey x-should-retry; never a spend limit or any other 4xx",
        ),
        "rules.worth_retrying.why": Text(
            "请求本身有错时，再试多少次结果都一样",
            "when the request itself is wrong, every retry fails the same way",
        ),
        "rules.retry_after": Text(
            "retry-after-ms / retry-after 允许之前，绝不重试；这两个头按已安装的 SDK 的方式解读（先毫秒，再秒数，"
            "再 HTTP 日期；0、负数、读不懂的值都算没说）",
            "Never retry before retry-after-ms / retry-after allow; read them as the installed SDK does (milliseconds "
            "first, then seconds, then an HTTP date; 0, a negative value or text it cannot read counts as not said)",
        ),
        "rules.retry_after.why": Text(
            "提前重试多半会再收到一个 429：请求白发了，还占掉了本来就不够用的限额",
            "an early retry most likely earns another 429: a wasted request, spent from a rate limit that was "
            "already used up",
        ),
        "rules.budget": Text(
            "要等的时间超出调用方的预算，就立刻抛出原来的错误；不要把服务端要求的等待截短后提前重试",
            "If the wait does not fit the caller's budget, raise the original error at once; never shorten the "
            "server's wait and retry early",
        ),
        "rules.budget.why": Text(
            "调用方可以马上降级或者告诉用户，而不是白等之后再失败一次",
            "the caller can fall back or tell the user now, instead of waiting only to fail again",
        ),
        "rules.backoff": Text(
            "服务端没说等多久，就用带抖动的指数退避（例如全抖动），并设上限",
            "When the server does not say how long, back off exponentially with jitter (full jitter, say), capped",
        ),
        "rules.backoff.why": Text(
            "没有抖动，所有客户端会在同一时刻一起回来，再把服务端压垮一次",
            "without jitter every client comes back at the same instant and knocks the server over again",
        ),
        "rules.no_wasted_sleep": Text(
            "尝试次数有上限；最后一次尝试失败后不再睡",
            "A bounded number of attempts, and no sleep after the last one",
        ),
        "rules.no_wasted_sleep.why": Text(
            "最后一次之后已经不会再发请求了，这一觉只是让调用方白等",
            "nothing is sent after the last attempt: that sleep only keeps the caller waiting",
        ),
        "rules.original_error": Text(
            "调用方拿到的永远是 SDK 原来的异常：不带参数的 raise，或者 raise MyError(...) from error",
            "The caller always gets the SDK's original exception: a bare raise, or raise MyError(...) from error",
        ),
        "rules.original_error.why": Text(
            "异常的类、状态码和 request_id 是调用方处理错误、找服务商排查问题的依据",
            "its class, status and request_id are what the caller handles errors by, and what a provider asks for",
        ),
    },
)

__all__ = ["RULES", "Rule", "RuleTable", "rules"]


@dataclass(frozen=True)
class Rule:
    """One rule: its name, and the grader checks (``Verdict.rule`` values) that enforce it."""

    name: str
    checked_by: tuple[str, ...]

    @property
    def text(self) -> Text:
        return t(f"rules.{self.name}")

    @property
    def why(self) -> Text:
        return t(f"rules.{self.name}.why")


#: The rules, in the order a retry loop meets them.
RULES: tuple[Rule, ...] = (
    Rule("one_layer", ("layers",)),
    Rule("worth_retrying", ("retried_fatal", "gave_up")),
    Rule("retry_after", ("ignored_retry_after",)),
    Rule("budget", ("ignored_retry_after", "wasted")),
    Rule("backoff", ("no_backoff", "no_jitter")),
    Rule("no_wasted_sleep", ("stopped", "too_many", "wasted")),
    Rule("original_error", ("swallowed", "lost", "replaced")),
)


@dataclass(frozen=True, repr=False)
class RuleTable(TableView):
    """The rules as a numbered table: what to do, and why."""

    COLUMNS = ("rules.col.n", "rules.col.rule", "rules.col.why")
    RIGHT = (0,)
    CSS = "ctlab-rules"

    rules: tuple[Rule, ...] = RULES

    def rows(self) -> Sequence[Sequence[Text]]:
        return [[Text(str(n), str(n)), rule.text, rule.why] for n, rule in enumerate(self.rules, 1)]


def rules() -> RuleTable:
    """The rule set, to display (a table in a notebook, aligned text in a terminal)."""
    return RuleTable()
