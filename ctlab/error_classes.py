"""The SDK's exception classes, drawn: one class's ancestors in a line, several classes as a tree.

>>> hierarchy(anthropic.RateLimitError)
['RateLimitError', 'APIStatusError', 'APIError', 'AnthropicError']
>>> print(class_tree([anthropic.RateLimitError, anthropic.APITimeoutError]))
AnthropicError
└─ APIError
   ├─ APIStatusError
   │  └─ RateLimitError
   └─ APIConnectionError
      └─ APITimeoutError
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

import anthropic

__all__ = ["class_tree", "hierarchy"]


def hierarchy(cls: type[BaseException], *, up_to: type[BaseException] = anthropic.AnthropicError) -> list[str]:
    """Class names from ``cls`` up to ``up_to`` (included; ``Exception`` at the latest).

    >>> hierarchy(anthropic.OverloadedError, up_to=anthropic.APIStatusError)
    ['OverloadedError', 'InternalServerError', 'APIStatusError']
    """
    names = []
    for parent in cls.__mro__:
        names.append(parent.__name__)
        if parent is up_to or parent is Exception:
            break
    return names


def class_tree(
    classes: Iterable[type[BaseException]],
    *,
    notes: dict[type, str] | None = None,
    root: type = anthropic.AnthropicError,
) -> str:
    """The classes and their ancestors up to ``root``, drawn as a tree (``notes`` are written after a class).

    >>> overloaded = anthropic.OverloadedError
    >>> print(class_tree([anthropic.APITimeoutError, overloaded], notes={overloaded: "529"}))
    AnthropicError
    └─ APIError
       ├─ APIConnectionError
       │  └─ APITimeoutError
       └─ APIStatusError
          └─ InternalServerError
             └─ OverloadedError  ← 529
    """
    children: dict[type, list[type]] = {}
    for cls in classes:
        chain = [c for c in cls.__mro__ if issubclass(c, root)]
        for child, parent in pairwise(chain):
            siblings = children.setdefault(parent, [])
            if child not in siblings:
                siblings.append(child)
    written = notes or {}

    def draw(cls: type, prefix: str) -> list[str]:
        lines = []
        kids = children.get(cls, [])
        for i, kid in enumerate(kids):
            last = i == len(kids) - 1
            note = f"  ← {written[kid]}" if kid in written else ""
            lines.append(f"{prefix}{'└─' if last else '├─'} {kid.__name__}{note}")
            lines += draw(kid, prefix + ("   " if last else "│  "))
        return lines

    top = f"{root.__name__}  ← {written[root]}" if root in written else root.__name__
    return "\n".join([top, *draw(root, "")])
