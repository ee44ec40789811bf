"""The docs page's table of common error codes, row for row, held against what the installed SDK raises.

The page names a class and an action for six statuses; :func:`docs_check` sends
each status through the real SDK (a default client) and compares::

    >>> [row.status_code for row in DOCS_TABLE] == list(DOCS_STATUSES)
    True
    >>> docs_check().mismatches()
    [500]
"""

from __future__ import annotations

from dataclasses import dataclass

import anthropic

from .i18n import Text, register, t
from .observation import Observation, observe
from .show import TableView, plain

register(
    __name__,
    {
        "docs.exception": Text("文档写的异常类", "class in the docs"),
        "docs.verdict": Text("对照结果", "verdict"),
        "docs.action": Text("文档的处理方式", "the docs' advice"),
        "docs.requests": Text("抛出前 SDK 已发的请求数", "requests sent before it was raised"),
        "docs.same": Text("一致", "matches"),
        "docs.subclass": Text(
            "不准确：实际抛出 {raised}，它是 {documented} 的子类",
            "imprecise: the SDK raises {raised}, a subclass of {documented}",
        ),
        "docs.wrong": Text("不对：实际抛出 {raised}", "wrong: the SDK raises {raised}"),
        "docs.nothing": Text("不对：没有抛出异常", "wrong: nothing was raised"),
    },
)

__all__ = ["DOCS_STATUSES", "DOCS_TABLE", "DocsCheck", "DocsRow", "docs_check"]


@dataclass(frozen=True)
class DocsRow:
    """One row of the docs page's table, in its own words (with an English translation)."""

    status_code: int
    exception: str
    cause: Text
    action: Text


#: The docs page's table *常见错误码* ("common error codes"), row for row.
DOCS_TABLE: tuple[DocsRow, ...] = (
    DocsRow(401, "AuthenticationError", Text("API Key 无效", "invalid API key"), Text("检查 Key", "check the key")),
    DocsRow(
        403,
        "PermissionDeniedError",
        Text("权限不足", "insufficient permissions"),
        Text("检查账户权限", "check the account's permissions"),
    ),
    DocsRow(
        404, "NotFoundError", Text("资源不存在", "resource not found"), Text("检查模型名称", "check the model name")
    ),
    DocsRow(
        429,
        "RateLimitError",
        Text("频率超限", "rate limit exceeded"),
        Text("指数退避重试", "retry with exponential backoff"),
    ),
    DocsRow(500, "APIStatusError", Text("服务端错误", "server error"), Text("稍后重试", "retry later")),
    DocsRow(529, "OverloadedError", Text("服务过载", "overloaded"), Text("稍后重试", "retry later")),
)
#: The six rows of the docs page's table.
DOCS_STATUSES: tuple[int, ...] = tuple(row.status_code for row in DOCS_TABLE)


register(
    __name__,
    {
        f"docs.row.{row.status_code}.{part}": text
        for row in DOCS_TABLE
        for part, text in (("cause", row.cause), ("action", row.action))
    },
)


_DOCS_COLUMNS = ("advice.status", "docs.exception", "observe.raised", "docs.verdict", "docs.action", "docs.requests")


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
    """The docs page's table, each status sent through the real SDK (a default client: ``max_retries=2``)."""
    return DocsCheck((row, observe(str(row.status_code), max_retries=max_retries, seed=seed)) for row in DOCS_TABLE)
