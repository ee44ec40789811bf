"""Nothing a simulation installs leaks: not by Ctrl-C, nor a function check() cannot stop, nor into other threads."""

from __future__ import annotations

import asyncio
import random
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import anthropic
import anthropic._base_client
import anyio
import httpx2
import pytest

import ctlab
from ctlab import _active
from ctlab.grading.runner import guarded
from ctlab.retry import chat_with_retry
from ctlab.simulate import _TRANSPORTS, ask

simulate_module = sys.modules["ctlab.simulate"]
clock_module = sys.modules["ctlab.clock"]
runner_module = sys.modules["ctlab.grading.runner"]

if TYPE_CHECKING:
    from conftest import LocalClaude


def _hand_built(base_url: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="sk-test", base_url=base_url, max_retries=0)


@pytest.fixture
def outsider() -> Iterator[ThreadPoolExecutor]:
    """A thread that exists before any simulation starts (a kernel's own thread, say)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: None).result()
        yield pool


# --- everything a simulation may replace ---------------------------------------------------

def _state() -> dict[str, Any]:
    return {
        "time": (time.sleep, time.monotonic, time.time),
        "sleeps": (asyncio.sleep, anyio.sleep),
        "random": {name: getattr(random, name) for name in dir(random) if callable(getattr(random, name))},
        "random._inst": sorted(vars(random._inst)),  # type: ignore[attr-defined]
        "sdk": anthropic._base_client.random,
        "transports": [vars(cls).get(method) for cls, method in _TRANSPORTS],
        "Thread.start": threading.Thread.start,
        "SIGINT": signal.getsignal(signal.SIGINT),
        "installed": _active.installed(),
        "guard": dict(_active._guard, previous=None),
        "lock held": _active.lock._is_owned(),  # type: ignore[attr-defined]
    }


class _CtrlC:
    """Sends SIGINT to the process at the ``at``-th bytecode run in ``files`` (this thread), as Ctrl-C would."""

    def __init__(self, at: int, files: set[str]) -> None:
        self.at, self.files, self.count = at, files, 0

    def __enter__(self) -> _CtrlC:
        sys.settrace(self._call)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.settrace(None)

    def _call(self, frame: Any, _event: str, _arg: Any) -> Any:
        if frame.f_code.co_filename not in self.files or self.count >= self.at:
            return None
        # Line events stay on: with f_trace_lines off, Python 3.13.0 delivers no opcode events in some frames.
        frame.f_trace_opcodes = True
        return self._opcode

    def _opcode(self, _frame: Any, event: str, _arg: Any) -> Any:
        if self.count >= self.at:
            return None
        if event == "opcode":
            self.count += 1
            if self.count == self.at:
                signal.raise_signal(signal.SIGINT)  # the handler in place now decides: raise at once, or wait
        return self._opcode


def _noop() -> None:
    """A call: where Python checks for signals."""


def _interrupt_everywhere(block: Callable[[], None], files: set[str]) -> tuple[int, list[int]]:
    """Run ``block`` once per bytecode of ``files`` it runs, with a Ctrl-C at that bytecode; which runs lost it."""
    with _CtrlC(10**9, files) as dry:
        block()
    lost = []
    for at in range(1, dry.count + 1):
        raised = False
        try:
            with _CtrlC(at, files) as ctrl_c:
                block()
                _noop()
        except KeyboardInterrupt:
            raised = True
        if not raised and ctrl_c.count >= at:  # (a run waiting on a thread may run fewer bytecodes than the first)
            lost.append(at)
    return dry.count, lost


@pytest.fixture
def untouched() -> Iterator[dict[str, Any]]:
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("needs Python's own Ctrl-C handler")
    before = _state()
    yield before
    assert _state() == before


# --- Ctrl-C at every bytecode ----------------------------------------------------------------


def _sees_every_bytecode() -> bool:
    """Whether opcode tracing here sees the bytecodes of a frame while another thread installs its own tracer
    (as check's worker does). Python 3.13.0's sys.settrace, built on sys.monitoring, stops delivering them,
    in that frame and in later ones."""
    def answer(_client: Any, _messages: Any) -> str:
        return "ok"

    with _CtrlC(10**9, {runner_module.__file__}) as probe:
        guarded(answer, "200")
    return probe.count > 20


every_bytecode = pytest.mark.skipif(
    not _sees_every_bytecode(),
    reason="这个 Python 的 sys.settrace 在别的线程设了跟踪函数之后就不再报告逐条字节码 / "
    "this Python's sys.settrace stops reporting opcodes once another thread sets a tracer (seen on 3.13.0)",
)


@every_bytecode
def test_ctrl_c_at_any_bytecode_of_entering_or_leaving_a_simulation_is_raised_once_and_leaves_nothing_behind(
    untouched: dict[str, Any],
) -> None:
    def block() -> None:
        with ctlab.simulate("200"):
            _noop()  # a Ctrl-C that waited while installing may land here; leaving then removes everything

    files = {_active.__file__, simulate_module.__file__, clock_module.__file__}
    broken: list[tuple[int, dict[str, Any]]] = []

    def check_state(at: int) -> None:
        now = _state()
        if now != untouched:
            broken.append((at, {k: v for k, v in now.items() if v != untouched[k]}))

    with _CtrlC(10**9, files) as dry:
        block()
    def block_then_call() -> None:
        block()
        _noop()

    for at in range(1, dry.count + 1):
        with pytest.raises(KeyboardInterrupt), _CtrlC(at, files):
            block_then_call()
        check_state(at)
        if at % 500 == 0:
            assert ctlab.run("429 200").requests == 2
    assert dry.count > 1000 and broken == []  # every bytecode of __enter__, __exit__ and all they call
    assert ctlab.run("429 200").requests == 2  # and the next simulation works


@every_bytecode
def test_ctrl_c_at_any_bytecode_of_a_virtual_clock_is_raised_once_and_leaves_nothing_behind(
    untouched: dict[str, Any],
) -> None:
    def block() -> None:
        with ctlab.clock.VirtualClock().installed():
            _noop()

    count, lost = _interrupt_everywhere(block, {_active.__file__, clock_module.__file__})
    assert count > 100 and lost == []
    assert _state() == untouched


@every_bytecode
def test_ctrl_c_at_any_bytecode_of_check_s_scenario_runner_leaves_nothing_installed(untouched: dict[str, Any]) -> None:
    def chat(client: Any, messages: Any) -> str:  # a learner's function in this file: guarded() watches its file
        return ask(client, messages)

    def block() -> None:
        guarded(chat, "200")

    count, lost = _interrupt_everywhere(block, {runner_module.__file__})
    assert count > 20 and lost == []
    assert _state() == untouched
    assert ctlab.check(chat_with_retry, 1).passed


def test_ctrl_c_while_check_waits_for_a_hung_function_stops_it_and_leaves_nothing_installed(
    untouched: dict[str, Any],
) -> None:
    def spins(client: Any, messages: Any) -> str:
        while True:
            pass

    timer = threading.Timer(0.05, signal.raise_signal, (signal.SIGINT,))  # Ctrl-C from "the keyboard", mid-scenario
    started = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        ctlab.check(spins, time_limit=5.0)
    timer.join()
    assert time.perf_counter() - started < 2.0  # not after the 5 s time limit: at once, once the worker is stopped
    assert _state() == untouched
    assert ctlab.run("429 200").requests == 2


# --- a function check() cannot stop ---------------------------------------------------------

def test_after_check_abandons_a_function_that_never_returns_nothing_is_installed_and_real_requests_reach_a_local_server(
    local_claude: LocalClaude, monkeypatch: pytest.MonkeyPatch
) -> None:
    wake = threading.Event()
    later: list[str] = []

    def never_returns(client: Any, messages: Any) -> str:
        try:  # noqa: SIM105 - a student's swallowing try/except, as a student writes it
            wake.wait()  # blocked in C: ctlab's stop request cannot reach it
        except BaseException:  # noqa: BLE001 - and if one did, this would swallow it
            pass
        try:
            later.append(ask(client))
        except ctlab.CtlabError as error:
            later.append(f"refused: {error}")
        later.append(ask(_hand_built(local_claude.url)))
        return "done"

    started = time.perf_counter()
    report = ctlab.check(never_returns, time_limit=0.2)
    assert time.perf_counter() - started < 2.0
    assert report.problem is not None and "keeps its own thread" in report.problem.en
    assert _active.installed() is None and time.sleep.__module__ == "time"

    calls: list[str] = []
    # a debugger: a stop request left waiting would spin it
    sys.settrace(lambda _frame, event, _arg: calls.append(event))
    try:
        _noop()
    finally:
        sys.settrace(None)
    assert calls == ["call"]

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", local_claude.url)
    assert ask(ctlab.client(live=True, max_retries=0)) == "from the real server"  # not the simulated 你好！Hello!
    assert local_claude.hits == ["/v1/messages"]

    with ctlab.simulate("500") as sim:  # the abandoned function wakes up during a later simulation
        wake.set()
        deadline = time.perf_counter() + 5
        while len(later) < 2 and time.perf_counter() < deadline:
            threading.Event().wait(0.01)
    assert later[0].startswith("refused: ") and later[1] == "from the real server"
    assert sim.attempts == [] and len(local_claude.hits) == 2


# --- one simulation's threads, and nobody else's --------------------------------------------

def test_while_one_thread_simulates_another_thread_s_requests_reach_a_local_server_and_its_random_is_its_own(
    local_claude: LocalClaude, outsider: ThreadPoolExecutor
) -> None:
    inside, done = threading.Event(), threading.Event()

    def other() -> tuple[str, int, float, float, float]:
        random.seed(7)
        expected = random.Random(7)
        inside.wait()
        try:
            reply = ask(_hand_built(local_claude.url))
            status = httpx2.post(f"{local_claude.url}/v1/messages", json={}).status_code
            drawn = random.random()  # the sequence its own seed started
            started = time.monotonic()
            time.sleep(0.05)
            return reply, status, drawn - expected.random(), time.monotonic() - started, 0.0
        finally:
            done.set()

    future = outsider.submit(other)
    with ctlab.simulate("429") as sim:
        inside.set()
        own = random.random()
        done.wait(10)
    reply, status, difference, slept, _ = future.result()
    assert (reply, status, difference) == ("from the real server", 200, 0.0)
    assert slept >= 0.04  # its sleep was real
    assert sim.attempts == [] and local_claude.hits == ["/v1/messages", "/v1/messages"]
    assert own == random.Random(0).random()  # the simulation's own thread drew from its seed


def test_a_simulated_client_in_a_thread_the_simulation_does_not_own_is_refused_loudly_unless_made_in_the_block(
    outsider: ThreadPoolExecutor,
) -> None:
    made_before = ctlab.client(max_retries=0)
    with ctlab.simulate("200") as sim:
        with pytest.raises(ctlab.CtlabError, match="does not own"):
            outsider.submit(ask, made_before).result()
        assert outsider.submit(ask, sim.client()).result() == "你好！Hello!"  # its own client: from any thread
    assert sim.requests == 1


def test_threads_started_inside_the_block_are_the_simulation_s_until_the_block_ends() -> None:
    results: list[Any] = []
    release = threading.Event()

    def helper(client: Any) -> None:
        results.append(ask(client))
        time.sleep(30)  # virtual: the simulation's clock
        results.append(random.random())
        release.wait()
        results.append(time.sleep.__module__)  # after the block: the real sleep again

    with ctlab.simulate("429 200", seed=3) as sim:
        thread = threading.Thread(target=helper, args=(ctlab.client(),))
        thread.start()
        while len(results) < 2:
            threading.Event().wait(0.005)
    release.set()
    thread.join(5)
    generator = random.Random(3)
    generator.random()  # the SDK's jitter before its retry drew first
    assert results == ["你好！Hello!", generator.random(), "time"]
    assert [a.answer for a in sim.attempts] == [429, 200] and sim.waits(by="code") == [30.0]


def test_a_retry_function_that_sends_through_a_helper_thread_is_graded_fast_and_right() -> None:
    def through_a_thread(client: Any, messages: Any) -> str:
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(chat_with_retry, client, messages).result()

    report = ctlab.check(through_a_thread)
    assert report.passed and report.seconds < 2.0


def test_the_seeded_random_of_the_owning_thread_is_the_one_a_global_seed_gave() -> None:
    with ctlab.simulate("500 500 200", seed=11) as sim:
        first = random.random()
        ask(sim.client())
        last = random.uniform(0, 1)
    generator = random.Random(11)
    assert first == generator.random()
    jitters = [generator.random() for _ in sim.waits(by="sdk")]
    assert sim.waits(by="sdk") == [min(0.5 * 2**n, 8.0) * (1 - 0.25 * j) for n, j in enumerate(jitters)]
    assert last == generator.random()


# --- live clients and simulations ----------------------------------------------------------

def test_a_live_client_is_refused_while_a_simulation_is_installed_and_never_answered_by_one(
    local_claude: LocalClaude, monkeypatch: pytest.MonkeyPatch, outsider: ThreadPoolExecutor
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", local_claude.url)
    live = ctlab.client(live=True, max_retries=0)
    with ctlab.simulate("200"):
        with pytest.raises(ctlab.CtlabError, match="no live client until it ends"):
            ctlab.client(live=True)
        with pytest.raises(ctlab.CtlabError, match=re.escape("cannot be used inside a ctlab.simulate")):
            ask(live)
        assert outsider.submit(ask, live).result() == "from the real server"  # nobody's thread: not intercepted
    assert ask(live) == "from the real server"
    assert local_claude.hits == ["/v1/messages", "/v1/messages"]


def test_a_simulation_whose_owner_thread_died_inside_it_is_removed_by_the_next_one() -> None:
    left_open = ctlab.simulate("200")
    thread = threading.Thread(target=left_open.__enter__)  # entered, never left
    thread.start()
    thread.join()
    assert ctlab.run("429 200").requests == 2
    assert not left_open.installed and _active.installed() is None
