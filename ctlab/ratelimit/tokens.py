"""The input-token estimate: what ``count_tokens`` answers, what the server charges, and which part a cache serves.

    >>> body = {"messages": [{"role": "user", "content": "Hello, Claude! 你好"}]}
    >>> estimate(body), charge(estimate(body), seed=0, key=body_key(body))
    (13, 13)

**The estimate** (ctlab's, not Claude's tokenizer): every run of text in
``system``, the messages and ``tools`` costs one token per 4 ASCII characters
(rounded up) plus one token per other character (a Chinese character is about
one token), and each message adds 4 tokens of framing, the request 3.

**The charge**: the server counts a little differently from the estimate, as
the real API does: the charge is the estimate times ``1 + d``, where ``d`` lies
in [-2 %, +4 %] and is fixed by the simulation's seed and the request's text
(the same request always costs the same). A pacer needs a few percent of headroom.

**Prompt caching**: a content block (or system block) with ``cache_control``
marks everything up to and including it as a cacheable prefix. A prefix of at
least :data:`MIN_CACHEABLE` tokens is written on first use and read for
:data:`CACHE_TTL` seconds after its last use (each read refreshes it); reads
are reported as ``cache_read_input_tokens`` and do not count toward ITPM.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = [
    "CACHE_TTL",
    "MIN_CACHEABLE",
    "body_key",
    "cached_prefix",
    "charge",
    "estimate",
    "input_charge",
    "text_tokens",
]

#: Seconds a cached prefix lives after its last use (the API's default, 5 minutes).
CACHE_TTL = 300.0
#: The shortest prefix the simulated server caches, in tokens.
MIN_CACHEABLE = 1024
#: The range of the server's charge relative to the estimate.
DEVIATION = (-0.02, 0.04)


def text_tokens(text: str) -> int:
    """Tokens of one run of text: ASCII characters / 4 (rounded up), plus one per other character.

    >>> text_tokens("abcd" * 10), text_tokens("你好")
    (10, 2)
    """
    extra = (len(text.encode()) - len(text)) // 2  # a CJK character is 3 bytes: 2 extra
    other = min(len(text), extra)
    return math.ceil((len(text) - other) / 4) + other


def _blocks(content: Any) -> list[Any]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return list(content) if isinstance(content, list) else []


def _block_tokens(block: Any) -> int:
    if not isinstance(block, Mapping):
        return 0
    text = block.get("text")
    if isinstance(text, str):
        return text_tokens(text)
    return text_tokens(json.dumps(block, ensure_ascii=False, sort_keys=True))


def _pieces(body: Mapping[str, Any]) -> list[tuple[int, Any]]:
    """Every block of the request in order, with its tokens (framing counted on the first block of a message)."""
    pieces: list[tuple[int, Any]] = [(3, None)]
    tools = body.get("tools")
    pieces += [(_block_tokens(tool), tool) for tool in (tools if isinstance(tools, list) else [])]
    pieces += [(_block_tokens(block), block) for block in _blocks(body.get("system"))]
    for message in body.get("messages") or []:
        if isinstance(message, Mapping):
            pieces.append((4, None))
            pieces += [(_block_tokens(block), block) for block in _blocks(message.get("content"))]
    return pieces


def estimate(body: Mapping[str, Any]) -> int:
    """The estimated input tokens of a ``messages.create`` body (what ``count_tokens`` answers)."""
    return sum(tokens for tokens, _ in _pieces(body))


def cached_prefix(body: Mapping[str, Any]) -> tuple[str, int] | None:
    """The cacheable prefix: its key and estimated tokens (``None`` if no block has ``cache_control``)."""
    return _prefix_of(_pieces(body))


def _prefix_of(pieces: list[tuple[int, Any]]) -> tuple[str, int] | None:
    marked = [i for i, (_, block) in enumerate(pieces) if isinstance(block, Mapping) and block.get("cache_control")]
    if not marked:
        return None
    prefix = pieces[: marked[-1] + 1]
    key = hashlib.blake2b(json.dumps([b for _, b in prefix], sort_keys=True).encode(), digest_size=12).hexdigest()
    return key, sum(tokens for tokens, _ in prefix)


def body_key(body: Mapping[str, Any]) -> str:
    """A short fingerprint of what the request says (its model, system, messages and tools)."""
    said = {k: body.get(k) for k in ("model", "system", "messages", "tools")}
    return hashlib.blake2b(json.dumps(said, sort_keys=True).encode(), digest_size=12).hexdigest()


def charge(tokens: int, *, seed: int, key: str) -> int:
    """What the server charges for ``tokens`` estimated tokens of the request ``key``: within [-2 %, +4 %].

    >>> [charge(10_000, seed=s, key="k") for s in range(3)]
    [9951, 10076, 9883]
    """
    digest = hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest()
    low, high = DEVIATION
    share = int.from_bytes(digest, "big") / 2**64
    return max(0, round(tokens * (1 + low + (high - low) * share)))


def input_charge(body: Mapping[str, Any], *, seed: int) -> tuple[int, str | None, int]:
    """What the server charges for ``body``'s input: ``(all of it, the cacheable prefix's key, that prefix's share)``.

    The key is ``None`` (and the share 0) when nothing is marked or the prefix is under :data:`MIN_CACHEABLE`.
    """
    key = body_key(body)
    pieces = _pieces(body)  # once, for both the estimate and the prefix
    tokens = sum(count for count, _ in pieces)
    prefix = _prefix_of(pieces)
    if prefix is None or prefix[1] < MIN_CACHEABLE:
        return charge(tokens, seed=seed, key=key), None, 0
    cached = charge(prefix[1], seed=seed, key=prefix[0])  # the same prefix always costs the same
    return cached + charge(tokens - prefix[1], seed=seed, key=key), prefix[0], cached
