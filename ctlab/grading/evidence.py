"""Reading what a run left behind: which exception is the SDK's own, what the SDK's retries did, where a bug is.

    >>> from ctlab.grading.runner import guarded
    >>> from ctlab.simulate import ask
    >>> sdk_work(guarded(lambda client, messages: ask(client, messages), "529 200"))[0]
    1
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anthropic

from ..atlas import sdk_exception
from ..faults import Disconnect, Fault, Status, StreamError, Timeout
from ..i18n import Text, t
from .runner import Run, Stopped, source_file

_SDK_DIR = Path(anthropic.__file__).resolve().parent
#: Exceptions that mean the learner's code has a bug, not that it chose to raise.
BUGS: tuple[type[BaseException], ...] = (
    TypeError, NameError, AttributeError, LookupError, ZeroDivisionError, ImportError, RecursionError,
)


def chain(error: BaseException | None) -> Iterator[BaseException]:
    """``error`` and its explicit causes (``raise ... from ...``)."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__


def is_error_for(error: BaseException, fault: Fault) -> bool:
    """Whether ``error`` is what the SDK raises for ``fault``."""
    if isinstance(fault, Status):
        return isinstance(error, anthropic.APIStatusError) and error.status_code == fault.status_code
    if isinstance(fault, StreamError):
        return isinstance(error, anthropic.APIStatusError) and error.status_code == 200
    if isinstance(fault, Timeout):
        return isinstance(error, anthropic.APITimeoutError)
    if isinstance(fault, Disconnect):
        return isinstance(error, anthropic.APIConnectionError) and not isinstance(error, anthropic.APITimeoutError)
    return False


def _sdk_class(fault: Fault) -> type[BaseException] | None:
    """The exact class the SDK raises for an answer carrying a response (``None``: it raises without one)."""
    if isinstance(fault, Status):
        return sdk_exception(fault.status_code, fault.error_code)
    return anthropic.APIStatusError if isinstance(fault, StreamError) else None


def from_sdk(error: BaseException, run: Run) -> bool:
    """Whether ``error``, or one it was raised ``from``, is the very exception the SDK raised in ``run``.

    A timeout or a dropped connection is the same object the SDK raised. A status
    error (raised after the middleware ctlab watches with) is known by three
    marks together: the class the SDK raises for that status, the very response
    the SDK received, and being raised inside the SDK's own code (a copy built
    and raised elsewhere starts its traceback there).
    """
    attempts = run.measurement.sim.attempts
    for candidate in chain(error):
        for attempt, answer in zip(attempts, run.answers, strict=False):
            if candidate is answer:
                return True
            carried = getattr(candidate, "response", None)
            if answer is not None and carried is answer and type(candidate) is _sdk_class(attempt.fault):
                return _raised_in_sdk(candidate)
    return False


def _raised_in_sdk(error: BaseException) -> bool:
    """Whether the innermost frame of ``error``'s traceback (where it was raised) is the SDK's code."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and Path(tb.tb_frame.f_code.co_filename).resolve().is_relative_to(_SDK_DIR)


def sdk_work(run: Run) -> tuple[int, float]:
    """Requests that were the SDK's own retries (retry-count header above 0), and the seconds the SDK slept."""
    sim = run.measurement.sim
    return sum(1 for a in sim.attempts if (a.retry_count or 0) > 0), sum(sim.waits(by="sdk"))


def is_bug(error: BaseException | None) -> bool:
    """A ``TypeError``, ``NameError``... that no SDK error caused: the learner's code is broken."""
    if error is None or isinstance(error, Stopped) or not isinstance(error, BUGS):
        return False
    return not any(isinstance(e, anthropic.APIError) for e in chain(error))


def where(error: BaseException, fn: Callable[..., Any]) -> Text:
    """`` (line 7: return client.create(messages))``: the innermost line of ``fn``'s file in the traceback."""
    filename = source_file(fn)
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == filename]
    if not frames:
        return Text("", "")
    return t("check.where", line=frames[-1].lineno, code=(frames[-1].line or "").strip())
