"""Reference solutions to notebook 07's exercises; ``ctlab.solution(n)`` shows one.

Each builds on the one before, starting from the docs page's loop
(:mod:`ctlab.docs_loop`); exercise 3's answer is the course's corrected loop,
:func:`ctlab.retry.chat_with_retry`; the others reuse its helpers, and the
streaming one :func:`ctlab.streams.worth_restarting`.

    >>> import ctlab
    >>> sim = ctlab.run("stream-error 200", lambda client: stream_with_retry(client, MESSAGES))
    >>> sim.requests, sim.outcome.value
    (2, '你好！Hello!')
"""

# mypy: disable-error-code="no-any-return"
# (the SDK is Any to mypy on purpose; this code returns `response.content[0].text` as the course teaches it)

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anthropic

from ..docs_loop import MODEL
from ..i18n import CtlabError, t
from ..retry import MESSAGES, backoff, chat_with_retry, is_retryable, retry_after
from ..show import shown_langs
from ..streams import worth_restarting

__all__ = ["MESSAGES", "SOLUTIONS", "Solution", "one_layer", "retry_what_can_succeed", "solution", "stream_with_retry"]


def one_layer(client: anthropic.Anthropic, messages: list[Any], max_retries: int = 3) -> str:
    """Exercise 1: the docs page's loop as the only retry layer, ending with the real error."""
    once = client.with_options(max_retries=0)  # 只留这一层重试 / this loop is the only retry layer
    for attempt in range(max_retries):
        last = attempt == max_retries - 1
        try:
            response = once.messages.create(model=MODEL, max_tokens=1024, messages=messages)
            return response.content[0].text
        except anthropic.RateLimitError:
            if last:
                raise  # 原样抛出，也不再白等 / the real error, and no sleep after the last attempt
            time.sleep(2**attempt)
        except anthropic.APITimeoutError:
            if last:
                raise
        # 连接错误不再 break 成一句假话，直接抛出 / a connection error is raised as it is, not turned into "max retries"
    raise AssertionError("unreachable")


def retry_what_can_succeed(client: anthropic.Anthropic, messages: list[Any], max_attempts: int = 4) -> str:
    """Exercise 2: also retry 5xx (529 included) and dropped connections; give up at once on the rest."""
    once = client.with_options(max_retries=0)
    for attempt in range(max_attempts):
        try:
            response = once.messages.create(model=MODEL, max_tokens=1024, messages=messages)
            return response.content[0].text
        except anthropic.APIError as error:
            if attempt == max_attempts - 1 or not is_retryable(error):
                raise
            time.sleep(2**attempt)
    raise AssertionError("unreachable")


def stream_with_retry(
    client: anthropic.Anthropic, messages: list[Any], max_attempts: int = 4, max_wait: float = 30.0
) -> str:
    """Exercise 4: stream the reply, and start over when the stream breaks midway.

    A ``retry-after`` longer than ``max_wait`` seconds is not shortened: the original error is raised at once.
    """
    once = client.with_options(max_retries=0)
    for attempt in range(max_attempts):
        parts: list[str] = []  # 每次尝试都从空开始 / every attempt starts empty
        try:
            with once.messages.stream(model=MODEL, max_tokens=1024, messages=messages) as stream:
                for text in stream.text_stream:
                    # 真实应用会在这里把文字推给用户 / a real app shows the text here
                    parts.append(text)  # noqa: PERF402  (the loop is where a real app shows each piece)
            return "".join(parts)
        except anthropic.APIError as error:
            if attempt == max_attempts - 1 or not (is_retryable(error) or worth_restarting(error)):
                raise
            wait = retry_after(error)
            if wait is not None and wait > max_wait:
                raise  # 等不起就不等，也不提前重试 / cannot wait that long: raise now, never retry early
            time.sleep(backoff(attempt) if wait is None else wait)
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Solution:
    """A reference solution: call it like the learner's function, or display it to read its source."""

    exercise: int
    fn: Callable[..., str]
    uses: tuple[Callable[..., Any], ...] = ()

    def __call__(self, client: Any, messages: list[Any]) -> str:
        return self.fn(client, messages)

    def source(self) -> str:
        """The function's source, then the source of each helper it uses."""
        parts = [inspect.getsource(self.fn)]
        for helper in self.uses:
            uses = t("check.solution_uses", name=f"{helper.__module__}.{helper.__qualname__}")
            names = [uses.render(lang) for lang in shown_langs()]
            parts.append("\n".join(names) + "\n" + inspect.getsource(helper))
        return "\n\n".join(p.rstrip("\n") for p in parts)

    def __str__(self) -> str:
        header = "\n".join(t("check.solution", n=self.exercise).render(lang) for lang in shown_langs())
        return f"{header}\n{self.source()}"

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return f"```python\n{self}\n```"


SOLUTIONS: dict[int, Solution] = {
    1: Solution(1, one_layer),
    2: Solution(2, retry_what_can_succeed, (is_retryable,)),
    3: Solution(3, chat_with_retry, (is_retryable, retry_after, backoff)),
    4: Solution(4, stream_with_retry, (worth_restarting, is_retryable, retry_after, backoff)),
}


def solution(exercise: int) -> Solution:
    """The reference solution to ``exercise`` (displaying it shows the source).

    >>> solution(2).fn.__name__
    'retry_what_can_succeed'
    """
    if exercise not in SOLUTIONS:
        raise CtlabError("check.exercise", value=repr(exercise), allowed=", ".join(map(str, SOLUTIONS)))
    return SOLUTIONS[exercise]
