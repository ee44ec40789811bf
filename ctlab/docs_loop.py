"""The docs page's retry loop, reconstructed to be measured — flaws included.

The proxy provider's page *错误处理与重试* ("Error handling and retries",
``../shared/seed`` in the course's sources) teaches this Python loop. Its logic
is kept line for line; only two things changed so it can run here: the client
is a parameter instead of a module global, and each ``print`` carries an English
translation after the page's Chinese. Do **not** copy it into production: the
course's notebook 01 measures what is wrong with it, and :mod:`ctlab.retry`
is the corrected version.

    >>> import ctlab
    >>> sim = ctlab.run("429 200", lambda client: chat_with_retry(client, MESSAGES))
    >>> sim.requests, sim.outcome.value
    (2, '你好！Hello!')
"""

# mypy: disable-error-code="no-any-return"
# (the SDK is Any to mypy on purpose; this code returns `response.content[0].text` as the course teaches it)

from __future__ import annotations

import time
from typing import Any

import anthropic

#: The page's example request.
MODEL = "claude-opus-4-7"
MESSAGES: list[dict[str, str]] = [{"role": "user", "content": "你好"}]


def chat_with_retry(client: anthropic.Anthropic, messages: list[Any], max_retries: int = 3) -> str:
    """The page's ``chat_with_retry``, unchanged in logic (see the module docstring)."""
    for attempt in range(max_retries):
        try:
            response = client.messages.create(
                model=MODEL,
                max_tokens=1024,
                messages=messages,
            )
            return response.content[0].text
        except anthropic.RateLimitError:
            wait = 2**attempt
            print(f"触发限速,{wait}秒后重试... / rate limited, retrying in {wait} s...")
            time.sleep(wait)
        except anthropic.APITimeoutError:
            print("请求超时,重试中... / request timed out, retrying...")
        except anthropic.APIConnectionError as e:
            print(f"连接错误: {e} / connection error: {e}")
            break
        except anthropic.BadRequestError:
            raise  # 参数错误不重试 / bad parameters are not retried
    raise Exception("请求失败,已达最大重试次数 / request failed: max retries reached")
