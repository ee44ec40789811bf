"""side_by_side: experiments that wait in real time, run at the same time, their results in the order given.

    >>> side_by_side({"a": lambda: 1, "b": lambda: 2})
    {'a': 1, 'b': 2}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TypeVar, overload

from .i18n import CtlabError, Text, register
from .inputs import shorten

register(
    __name__,
    {
        "harness.not_a_function": Text(
            "side_by_side 要的是不带参数的函数（比如 functools.partial(exchange, ...)），收到的是 {value}",
            "side_by_side takes functions called with no arguments (e.g. functools.partial(exchange, ...)), "
            "got {value}",
        ),
    },
)

__all__ = ["NotAFunction", "side_by_side"]


class NotAFunction(CtlabError, TypeError):  # noqa: N818  (public name tests import; it names what was given)
    """:func:`side_by_side` got something it cannot call: a :class:`ctlab.CtlabError` that is also a ``TypeError``."""


K = TypeVar("K")
T = TypeVar("T")


@overload
def side_by_side(experiments: Mapping[K, Callable[[], T]], *, workers: int = ...) -> dict[K, T]: ...
@overload
def side_by_side(experiments: Sequence[Callable[[], T]], *, workers: int = ...) -> list[T]: ...
def side_by_side(
    experiments: Mapping[K, Callable[[], T]] | Sequence[Callable[[], T]], *, workers: int = 8
) -> dict[K, T] | list[T]:
    """Run ``experiments`` (functions called with no arguments) at the same time; their results in the order given.

    Made for experiments that wait in real time — :func:`ctlab.harness.exchange`,
    :func:`ctlab.harness.compare_clients`, a client against a slow or silent :func:`ctlab.serve` — which
    side by side take about as long as the slowest of them, not the sum. Each
    one must start its own server (``exchange`` and ``compare_clients`` do), so each
    log holds only its own requests. ``workers`` run at once (at least 1). A
    mapping gives a dict with the same keys in the same order. If some fail,
    all the others still run to the end, then the first failure in the order
    given is raised; interrupted (Ctrl+C), it starts no more of them and waits
    for the ones running, so none is left behind.

    >>> from functools import partial
    >>> from ctlab.harness import exchange
    >>> curl = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-d", "{}", "{url}/v1/messages"]
    >>> runs = side_by_side({"529": partial(exchange, curl, "529"), "200": partial(exchange, curl, "200")})
    >>> [(faults, run.stdout, run.requests) for faults, run in runs.items()]
    [('529', '529', 1), ('200', '200', 1)]
    """
    keys: list[K] | None = None
    if isinstance(experiments, Mapping):
        keys, calls = list(experiments), list(experiments.values())
    else:
        calls = list(experiments)
    for call in calls:
        if not callable(call):
            raise NotAFunction("harness.not_a_function", value=shorten(repr(call), 60))
    if not calls:
        return {} if keys is not None else []
    size = max(1, min(int(workers), len(calls)))
    pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="ctlab-side-by-side")
    try:
        futures: list[Future[T]] = [pool.submit(call) for call in calls]
        wait(futures)
    except BaseException:  # Ctrl+C: start no more, let the running ones finish
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    results = [future.result() for future in futures]  # the first failure, in the order given
    return dict(zip(keys, results, strict=True)) if keys is not None else results
