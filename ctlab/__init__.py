"""ctlab: see how Claude API calls fail, and retry them right — with the real SDK, in virtual time.

    >>> import ctlab
    >>> sim = ctlab.run("429 429 200")
    >>> sim.requests, sim.outcome.ok
    (3, True)

The public surface: :func:`simulate` / :func:`run` (a fault script served to the
real ``anthropic`` SDK through respx, on a virtual clock), the fault values
(:func:`status`, :func:`ok`, :func:`timeout`, :func:`disconnect`,
:func:`stream_error`, or text like ``"429 200"``), :func:`client`, the error
:func:`catalog`, :func:`check` (grade a retry function against a battery of
faults), :func:`diagnose` (did an error come from Anthropic, a proxy or the network?),
:func:`plot`, and :func:`set_lang` (or ``with`` :func:`lang` for one block).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _distribution_version

from .atlas import catalog, entry
from .clients import client
from .diagnosis import Diagnosis, diagnose
from .faults import disconnect, ok, parse, status, stream_error, timeout
from .grading import EXERCISES, check, solution
from .i18n import CtlabError, get_lang, lang, set_lang
from .server import serve
from .show import plot
from .simulate import Attempt, Outcome, Simulation, ask, run, simulate

try:
    #: The installed distribution's version (``python -m ctlab --version`` prints it).
    __version__: str = _distribution_version("ctlab")
except PackageNotFoundError:  # a source tree on sys.path that was never pip-installed
    __version__ = "0+unknown"

__all__ = [
    "EXERCISES",
    "Attempt",
    "CtlabError",
    "Diagnosis",
    "Outcome",
    "Simulation",
    "ask",
    "catalog",
    "check",
    "client",
    "diagnose",
    "disconnect",
    "entry",
    "get_lang",
    "lang",
    "ok",
    "parse",
    "plot",
    "run",
    "serve",
    "set_lang",
    "simulate",
    "solution",
    "status",
    "stream_error",
    "timeout",
]
