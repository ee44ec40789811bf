"""The harness: real clients (curl, node, any command) run against a fresh fault server each, and compared in one table.

    >>> from ctlab.harness import exchange
    >>> ex = exchange(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-d", "{}", "{url}/v1/messages"], "429")
    >>> ex.requests, ex.answers, ex.stdout, ex.returncode
    (1, [429], '429', 0)

:func:`exchange` runs one command against its own :func:`ctlab.server.serve`
with ``ANTHROPIC_BASE_URL`` set, and keeps both sides of the story: what the
server received (:class:`Exchange`) and what the command printed.
:class:`OneProcess` and :func:`exchange_each` play a whole battery in one
process (one server per script). :func:`compare_clients` puts several clients —
commands, and Python functions run in-process with :func:`ctlab.measure.measure` —
under several fault scripts at once, for one table of what each did
(:class:`Exchanges`); :func:`ctlab.sidebyside.side_by_side` runs whole
experiments like these at the same time, and :mod:`ctlab.installed` names the
real clients installed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from typing import Any, cast

from .faults import FaultsLike, Timeout, parse
from .i18n import CtlabError, Text, register, t
from .inputs import shorten
from .measure import Measurement, measure
from .player import Attempt
from .server import HOLD, real_seconds, serve
from .show import TableView
from .sidebyside import side_by_side

register(
    __name__,
    {
        "harness.time_limit_range": Text(
            "time_limit 是一条命令最多能跑的秒数：必须大于 0，且不超过 {limit:g}（一小时），收到的是 {value}",
            "time_limit is how many seconds a command may run: more than 0 and at most {limit:g} (an hour), "
            "got {value}",
        ),
        "harness.missing": Text(
            "找不到命令 {program}：这一课需要 curl 和 Node.js（Debian/Ubuntu：apt install curl nodejs npm，"
            "然后在仓库根目录运行 npm ci）",
            "command {program} not found: this lesson needs curl and Node.js (Debian/Ubuntu: apt install curl nodejs "
            "npm, then npm ci at the repository root)",
        ),
        "harness.command_timeout": Text(
            "命令 {command} 运行超过 {seconds:g} s，已被终止",
            "command {command} ran longer than {seconds:g} s and was stopped",
        ),
        "harness.one_process": Text(
            'OneProcess 要的是一条命令的各个部分组成的非空列表，比如 ["node", "js/run.mjs", "sdk"]，'
            "收到的是 {value}",
            'OneProcess takes a command as a non-empty list of its parts, e.g. ["node", "js/run.mjs", "sdk"]; '
            "got {value}",
        ),
        "harness.retry_counts": Text("重试计数头", "retry-count headers"),
        "harness.answers": Text("服务端依次回应", "server answered, in order"),
        "harness.waits": Text("等待 (s)", "waits (s)"),
        "harness.exit": Text("退出码 {code}", "exit code {code}"),
    },
)

Command = str | Sequence[str]
#: How a client's waits show in its output: curl's retry warnings, the shell loop's
#: virtual ``sleep`` (see notebook 04), and nothing else.
_DECLARED_WAIT = re.compile(r"(?:Will retry in|virtual sleep) (\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Exchange:
    """One client command run against a fresh server: what the server saw and what the command said."""

    name: str
    faults: str
    received: tuple[Attempt, ...]
    returncode: int
    stdout: str
    stderr: str
    elapsed: float

    @property
    def requests(self) -> int:
        """How many requests reached the server."""
        return len(self.received)

    @property
    def answers(self) -> list[int | str]:
        """What the server did with each request: a status, ``"timeout"`` or ``"disconnect"``."""
        return [a.answer for a in self.received]

    @property
    def retry_counts(self) -> list[int | None]:
        """The ``x-stainless-retry-count`` header of each request (``None``: not sent, as with curl)."""
        return [a.retry_count for a in self.received]

    @property
    def gaps(self) -> list[float]:
        """Real seconds from the end of each answer to the next request, as the server measured them."""
        return [max(0.0, b.at - (a.at + a.duration)) for a, b in pairwise(self.received)]

    @property
    def lines(self) -> list[str]:
        """What the command printed on stdout, line by line."""
        return [line for line in self.stdout.splitlines() if line.strip()]

    @property
    def result(self) -> dict[str, Any] | None:
        """The last stdout line as JSON, if it is a JSON object (``notebooks/js/run.mjs`` prints one)."""
        try:
            data = json.loads(self.lines[-1]) if self.lines else None
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    @property
    def waits(self) -> list[float]:
        """Every wait the client declared, in seconds: the node runner's record, or curl's "Will retry in N seconds"."""
        result = self.result
        if result is not None and isinstance(result.get("waits"), list):
            return [float(w["seconds"]) for w in result["waits"]]
        return [float(s) for s in _DECLARED_WAIT.findall(self.stderr)]

    @property
    def outcome(self) -> Text:
        """What the caller got, in ``ctlab.measure``'s words: ``raised RateLimitError (429)``, ``returned '…'``,
        or the exit code and last line."""
        result = self.result
        if result is not None and "threw" in result:
            if result.get("status") is not None:
                value = f"{result['threw']} ({result['status']})"
            elif "AnthropicError" in result.get("chain", ()):
                value = str(result["threw"])
            else:
                value = f"{result['threw']}: {result.get('message', '')}"
            return t("outcome.raised", value=value)
        if result is not None and "returned" in result:
            return t("outcome.returned", value=repr(result["returned"]))
        code = t("harness.exit", code=self.returncode)
        last = shorten(self.lines[-1]) if self.lines else ""
        return Text(f"{code.zh}：{last}", f"{code.en}: {last}") if last else code


def _argv(command: Command, url: str) -> list[str]:
    if isinstance(command, str):
        return ["bash", "-c", command]
    return [part.replace("{url}", url) for part in command]


def _display(command: Command) -> str:
    return command if isinstance(command, str) else shlex.join(command)


def _run(
    command: Command, url: str, *, time_limit: float, env: Mapping[str, str] | None, cwd: str | None
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run ``command`` with ``ANTHROPIC_BASE_URL`` (and ``env``) set and loopback kept off any proxy; ``time_limit``
    is already checked.

    Returns the finished process and its real seconds.
    """
    program = "bash" if isinstance(command, str) else command[0]
    if shutil.which(program) is None:
        raise CtlabError("harness.missing", program=program)
    environment = {**os.environ, "ANTHROPIC_BASE_URL": url, **(env or {})}
    for key in ("NO_PROXY", "no_proxy"):
        environment[key] = ",".join(filter(None, [environment.get(key), "127.0.0.1", "localhost", "::1"]))
    started = time.perf_counter()
    try:
        done = subprocess.run(
            _argv(command, url), env=environment, cwd=cwd, capture_output=True, text=True, timeout=time_limit,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        raise CtlabError("harness.command_timeout", command=_display(command), seconds=time_limit) from expired
    return done, time.perf_counter() - started


def exchange(
    command: Command,
    faults: FaultsLike = "200",
    *,
    name: str = "",
    hold: float = HOLD,
    refuse_for: float = 0.0,
    time_limit: float = 120.0,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
) -> Exchange:
    """Run ``command`` against a fresh server playing ``faults``, and keep both sides of the story.

    A string runs in ``bash`` with ``$ANTHROPIC_BASE_URL`` set to the server;
    in a list, ``{url}`` is replaced by it. Proxies are bypassed for loopback.
    The server's log is complete when this returns (the server has stopped).
    A command still running after ``time_limit`` seconds (more than 0, at most
    :data:`ctlab.server.MAX_REAL_WAIT`) is killed (:class:`CtlabError`).

    >>> ex = exchange(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-d", "{}", "{url}/v1/messages"], "429")
    >>> ex.requests, ex.answers, ex.stdout, ex.returncode
    (1, [429], '429', 0)
    """
    time_limit = real_seconds("harness.time_limit_range", time_limit, zero=False)
    with serve(faults, hold=hold, refuse_for=refuse_for) as srv:
        done, elapsed = _run(command, srv.url, time_limit=time_limit, env=env, cwd=cwd)
    label = name or _display(command)
    return Exchange(label, str(parse(faults)), tuple(srv.requests), done.returncode, done.stdout, done.stderr, elapsed)


@dataclass(frozen=True)
class OneProcess:
    """A client command that plays several fault scripts in one process, one server each.

    Starting Node and loading the JS SDK costs more CPU than most runs, so
    :func:`compare_clients` starts a ``OneProcess`` command once per battery, not
    once per script; the scripts that wait out a client timeout get a second
    process, so that real waiting overlaps the rest. The command gets every
    server's URL, space-separated, in ``CTLAB_BASE_URLS``, runs against each in
    turn and ends each run's output with one JSON line holding ``"waits"``, as
    ``notebooks/js/run.mjs`` does.

    >>> OneProcess(["node", "js/run.mjs", "sdk"])
    OneProcess(command=('node', 'js/run.mjs', 'sdk'))
    """

    command: tuple[str, ...]

    def __init__(self, command: Sequence[str]) -> None:
        if isinstance(command, str) or not command or not all(isinstance(part, str) for part in command):
            raise CtlabError("harness.one_process", value=shorten(repr(command), 60))
        object.__setattr__(self, "command", tuple(command))


def _runs(stdout: str) -> list[str]:
    """Split a :class:`OneProcess` command's output into its runs: each ends with a JSON line holding ``"waits"``."""
    runs, lines = [], []
    for line in stdout.splitlines(keepends=True):
        lines.append(line)
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and "waits" in data:
            runs.append("".join(lines))
            lines = []
    if lines:
        runs.append("".join(lines))
    return runs


def exchange_each(
    command: OneProcess,
    scripts: Sequence[FaultsLike],
    *,
    name: str = "",
    hold: float = HOLD,
    refuse_for: float = 0.0,
    time_limit: float = 120.0,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
) -> list[Exchange]:
    """:func:`exchange` for each of ``scripts``, all in one run of ``command`` (see :class:`OneProcess`).

    Each script has its own server, so each log holds only its own requests;
    each :class:`Exchange` has its own part of the output, the process's exit
    code, stderr and real seconds. Options as for :func:`exchange`.
    """
    time_limit = real_seconds("harness.time_limit_range", time_limit, zero=False)
    if not scripts:
        return []
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(serve(script, hold=hold, refuse_for=refuse_for)) for script in scripts]
        urls = " ".join(srv.url for srv in servers)
        done, elapsed = _run(
            list(command.command), servers[0].url, time_limit=time_limit, env={**(env or {}), "CTLAB_BASE_URLS": urls},
            cwd=cwd,
        )
    outputs = _runs(done.stdout)
    outputs += [""] * (len(scripts) - len(outputs))
    label = name or _display(command.command)
    return [
        Exchange(label, str(parse(script)), tuple(srv.requests), done.returncode, output, done.stderr, elapsed)
        for script, srv, output in zip(scripts, servers, outputs, strict=False)
    ]


def _timeouts(faults: FaultsLike) -> int:
    """How many client timeouts ``faults`` makes a client wait out for real."""
    return sum(isinstance(fault, Timeout) for fault in parse(faults).faults)


def _one(command: Command, faults: FaultsLike, **options: Any) -> list[Exchange]:
    return [exchange(command, faults, **options)]


_COLUMNS = (
    "measure.faults", "measure.code", "measure.requests", "harness.retry_counts", "harness.answers", "harness.waits",
    "measure.outcome",
)
Row = Exchange | Measurement


def _attempts(row: Row) -> Sequence[Attempt]:
    return row.received if isinstance(row, Exchange) else row.sim.attempts


def _waits(row: Row) -> list[float]:
    return row.waits if isinstance(row, Exchange) else row.sim.waits()


class Exchanges(TableView, list[Row]):
    """One table of :class:`Exchange` (real clients) and :class:`ctlab.measure.Measurement` (in-process SDK) rows."""

    COLUMNS = _COLUMNS
    RIGHT = (2,)
    CSS = "ctlab-exchanges"

    def by(self, name: str) -> list[Row]:
        """Every row of client ``name``."""
        return [row for row in self if row.name == name]

    def only(self, *names: str) -> Exchanges:
        """The rows of these clients, in table order (e.g. ``table.only("Python SDK", "JS SDK")``)."""
        return Exchanges(row for row in self if row.name in names)

    def get(self, name: str, faults: FaultsLike) -> Row:
        """The row for client ``name`` under ``faults``."""
        label = str(parse(faults))
        for row in self:
            if row.name == name and row.faults == label:
                return row
        raise KeyError((name, label))

    def rows(self) -> list[list[Text]]:
        def plain(text: str) -> Text:
            return Text(text, text)

        def spaced(values: Sequence[object]) -> Text:
            return plain(" ".join("-" if v is None else str(v) for v in values) or "-")

        return [
            [
                plain(row.faults),
                plain(row.name),
                plain(str(row.requests)),
                spaced([a.retry_count for a in _attempts(row)]),
                spaced([a.answer for a in _attempts(row)]),
                spaced([f"{w:.2f}" for w in _waits(row)]),
                row.outcome,
            ]
            for row in self
        ]


def compare_clients(
    clients: Mapping[str, Command | OneProcess | Callable[[Any], Any]],
    faults: Sequence[FaultsLike] | Mapping[str, Sequence[FaultsLike]],
    *,
    hold: float = HOLD,
    refuse_for: float = 0.0,
    time_limit: float = 120.0,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    workers: int = 6,
    **client_options: Any,
) -> Exchanges:
    """Every client under every fault script, in one table (rows in the order given).

    ``faults`` is one battery for all clients, or a mapping from client name to
    its own battery. A Python callable ``call(client)`` runs first, in-process,
    with :func:`ctlab.measure.measure` and ``client_options`` (``max_retries``,
    ``timeout``). Then each command (see :func:`exchange`) runs for real on its
    own server (a :class:`OneProcess` command runs once for its battery, and once more
    for the scripts in it that time out),
    ``workers`` at a time — real clients really wait, so they overlap; more at
    once would starve the CPU and let short client timeouts fire for the wrong
    reason. ``hold``, ``refuse_for`` (each command's server
    refuses connections that long first) and ``time_limit`` are bounded as for
    :func:`exchange` (at most :data:`ctlab.server.MAX_REAL_WAIT` seconds), and checked first.

    >>> import ctlab
    >>> curl = ["curl", "-s", "-d", "{}", "{url}/v1/messages"]
    >>> table = compare_clients({"curl": curl, "Python SDK": ctlab.ask}, ["529"], max_retries=1)
    >>> [(row.name, row.requests) for row in table]
    [('curl', 1), ('Python SDK', 2)]

    """
    real_seconds("server.hold_range", hold, zero=False)  # here, before anything runs, not in a worker thread
    real_seconds("server.refuse_for_range", refuse_for, zero=True)
    real_seconds("harness.time_limit_range", time_limit, zero=False)
    if isinstance(faults, Mapping):
        jobs = [(name, clients[name], script) for name, scripts in faults.items() for script in scripts]
    else:
        jobs = [(name, client, script) for script in faults for name, client in clients.items()]
    rows: dict[int, Row] = {
        i: measure(client, script, name=name, **client_options)
        for i, (name, client, script) in enumerate(jobs) if callable(client)
    }
    options: dict[str, Any] = {"hold": hold, "refuse_for": refuse_for, "time_limit": time_limit, "env": env, "cwd": cwd}
    units: list[tuple[list[int], Callable[[], list[Exchange]]]] = []  # (row numbers, one real run for them)
    together: dict[str, list[int]] = {}
    for i, (name, client, _) in enumerate(jobs):
        if isinstance(client, OneProcess):
            together.setdefault(name, []).append(i)
        elif i not in rows:
            units.append(([i], partial(_one, cast("Command", client), jobs[i][2], name=name, **options)))
    waits_out = [_timeouts(script) for _, _, script in jobs]  # client timeouts each script makes a client wait out
    for name, numbers in together.items():
        command = cast("OneProcess", clients[name])
        # the scripts that wait out timeouts get their own process: their real waiting overlaps the rest
        for group in ([i for i in numbers if not waits_out[i]], [i for i in numbers if waits_out[i]]):
            if group:
                scripts = [jobs[i][2] for i in group]
                units.append((group, partial(exchange_each, command, scripts, name=name, **options)))
    timeouts = [sum(waits_out[i] for i in numbers) for numbers, _ in units]
    order = sorted(range(len(units)), key=lambda u: -timeouts[u])  # the slowest start first
    done = side_by_side({u: units[u][1] for u in order}, workers=workers)
    for u, (numbers, _) in enumerate(units):
        rows.update(zip(numbers, done[u], strict=True))
    return Exchanges(rows[i] for i in range(len(jobs)))
