"""Print ctlab's performance numbers (run with the course's Python: ``python3 course.py bench``).

(a) the notebook suite's wall time next to its floor — the same number of
    kernels that only ``import ctlab`` — as a ratio (goal <= 1.5);
(b) the virtual-time speed-up: simulated seconds of SDK backoff per real second,
    for a 529 that never clears with ``max_retries=2`` (goal >= 1000x);
(c) the fault server under a crowd: 200 clients connecting at the same moment,
    all answered (goal < 2 s);
(d) ``ctlab.run("529", max_retries=2)`` next to its floor: the real SDK making the same three
    requests against a bare respx route with its sleeps skipped, from a new client built as ctlab
    builds one (goal <= 1.2x), and from one client reused;
(e) ``import ctlab`` next to ``import anthropic``, each in a fresh interpreter (goal <= 1.3x);
(f) a click on each widget, kernel side: button press to rendered output (goal <= 100 ms for the
    one-request widgets, <= 500 ms for a crowd);
(g) each notebook next to a kernel that only imports ctlab, the best of two rounds each (notebook 04
    goal <= 2.5x);
(h) a 1,000-request paced workload on the simulated three-bucket limiter (goal < 2 s real).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anthropic
import nbformat
from nbclient import NotebookClient

import ctlab
from ctlab.docs_loop import MESSAGES, MODEL

ROOT = Path(__file__).resolve().parents[1]


def _run_notebook(notebook: nbformat.NotebookNode) -> float:
    """Real seconds from starting a kernel to the end of the last cell: what "Run All" on a new kernel costs. The
    kernel's shutdown afterwards is left out (nobody waits for it, and nbval kills the kernel): its length varies from
    run to run by more than most notebooks' own work."""
    resources = {"metadata": {"path": str(ROOT / "notebooks")}}
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources=resources, shutdown_kernel="immediate"
    )
    started = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        return time.perf_counter() - started


def _code_notebook(*cells: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])


def notebooks_vs_floor(rounds: int = 2) -> list[tuple[str, float, float]]:
    """``(notebook, seconds, floor seconds)`` for each notebook, the best of ``rounds``; the floor is a kernel that
    only imports ctlab, started right after it (so both see the same machine load). The best of a few rounds keeps
    one slow kernel start-up or shutdown from deciding a ratio."""
    rows = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        took, floor = [], []
        for _ in range(rounds):
            took.append(_run_notebook(nbformat.read(path, as_version=4)))
            floor.append(_run_notebook(_code_notebook("import ctlab")))
        rows.append((path.name, min(took), min(floor)))
    return rows


def run_vs_bare_sdk(rounds: int = 15, repeats: int = 40) -> tuple[float, float, float, float]:
    """Median ms of ``ctlab.run("529", max_retries=2)`` (a new simulation and client each time), and of two floors:
    the real SDK making the same three requests against a bare respx route (on httpcore2, as ctlab routes them),
    the SDK's sleeps skipped, with a new client each call built as ctlab builds one (the same work ctlab.run does
    but for the simulation itself), and with one client reused; and the median over ``rounds`` of ctlab.run's
    ratio to the new-client floor. The three take turns in short blocks, so a machine that speeds up or slows down
    meanwhile moves all three alike, and each block's ratio compares like with like."""
    from unittest import mock

    import anthropic._base_client as base_client
    import respx

    from ctlab.clients import tls_context

    body = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}

    def skip_sleep(_seconds: float) -> None:
        return None

    def new_client() -> anthropic.Anthropic:
        http_client = anthropic.DefaultHttpxClient(verify=tls_context(), trust_env=False)
        return anthropic.Anthropic(api_key="sk-ant-bench", max_retries=2, http_client=http_client)

    timings: dict[str, list[float]] = {"ctlab.run": [], "new client": [], "one client": []}
    ratios = []
    reused = new_client()
    for _ in range(rounds):
        gc.collect()
        for seed in range(repeats):
            started = time.perf_counter()
            ctlab.run("529", max_retries=2, seed=seed)
            timings["ctlab.run"].append(time.perf_counter() - started)
        with respx.mock(base_url="https://api.anthropic.com", using="httpcore2") as router, mock.patch.object(
            base_client.time, "sleep", skip_sleep
        ):
            router.post("/v1/messages").respond(529, json=body)
            for name in ("new client", "one client"):
                gc.collect()
                for _ in range(repeats):
                    router.reset()  # respx keeps every call it routed; ctlab keeps no such log
                    started = time.perf_counter()
                    client = new_client() if name == "new client" else reused
                    with contextlib.suppress(anthropic.OverloadedError):
                        client.messages.create(model=MODEL, max_tokens=8, messages=MESSAGES)
                    timings[name].append(time.perf_counter() - started)
        block = [statistics.median(found[-repeats:]) for found in timings.values()]
        ratios.append(block[0] / block[1])
    ran, fresh, one = (statistics.median(found) * 1000 for found in timings.values())
    return ran, fresh, one, statistics.median(ratios)


def paced_workload(repeats: int = 3) -> tuple[float, Any]:
    """Best real seconds of 1,000 mixed requests sent by the pacer through the real SDK to the tier-1 limiter."""
    from ctlab.ratelimit.workloads import mixed, run

    timings, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = run("pacer", mixed(1000), "tier-1")
        timings.append(time.perf_counter() - started)
    return min(timings), result


def import_times(repeats: int = 7) -> dict[str, float]:
    """Median ms for a fresh interpreter to run ``pass``, ``import anthropic`` and ``import ctlab``."""
    times: dict[str, list[float]] = {"pass": [], "import anthropic": [], "import ctlab": []}
    for _ in range(repeats):
        for code, found in times.items():
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
            found.append(time.perf_counter() - started)
    return {code: statistics.median(found) * 1000 for code, found in times.items()}


#: Each widget as a notebook makes it; a click in a kernel, timed there (first click excluded: it warms caches).
WIDGETS = {
    "FaultLab": "from ctlab.widgets import FaultLab; w = FaultLab(faults='429 429 200')",
    "SDKLab": "from ctlab.widgets import SDKLab; w = SDKLab(faults='429')",
    "ErrorExplorer": "from ctlab.widgets import ErrorExplorer; w = ErrorExplorer('529')",
    "ScaleLab": "from ctlab.widgets import ScaleLab; w = ScaleLab(clients=100, strategy='decorrelated', capacity=10)",
    "RateLimitLab": "from ctlab.widgets import RateLimitLab; w = RateLimitLab(tier='tier-1', workload='mixed', "
    "strategy='reactive')",
}
#: The widgets that run a crowd or a workload on each click (goal <= 500 ms; the others send one request: 100 ms).
HEAVY = ("ScaleLab", "RateLimitLab")
CLICKS = """
import json, statistics, time
from IPython.display import display
display(w)
w.button.click()
timings = []
for _ in range(7):
    started = time.perf_counter()
    w.button.click()
    timings.append(time.perf_counter() - started)
print(json.dumps(statistics.median(timings) * 1000))
"""


def widget_clicks() -> dict[str, float]:
    """Median ms per click of each widget's primary button, in a kernel (the output is drawn and sent)."""
    found = {}
    for name, make in WIDGETS.items():
        notebook = _code_notebook(make, CLICKS)
        _run_notebook(notebook)
        found[name] = json.loads(notebook.cells[1].outputs[-1]["text"])
    return found


def virtual_speedup(repeats: int = 200) -> tuple[float, float, float]:
    """(simulated backoff s, real s, median real ms) over ``repeats`` runs of 529 x3."""
    simulated, timings = 0.0, []
    for seed in range(repeats):
        started = time.perf_counter()
        sim = ctlab.run("529", max_retries=2, seed=seed)
        timings.append(time.perf_counter() - started)
        simulated += sim.slept
    return simulated, sum(timings), statistics.median(timings) * 1000


def virtual_speedup_in_one_block(repeats: int = 200) -> tuple[float, float]:
    """The same 529 x3 calls inside one simulation with one client: the SDK's retry loop alone."""
    with ctlab.simulate("529") as sim:
        client = sim.client(max_retries=2)
        started = time.perf_counter()
        for _ in range(repeats):
            with contextlib.suppress(anthropic.OverloadedError):
                ctlab.ask(client)
        real = time.perf_counter() - started
    return sim.slept, real


def scale_hundred_clients(repeats: int = 5) -> float:
    """Median real milliseconds to simulate 100 clients under every strategy (ctlab.scale)."""
    from ctlab import scale
    from ctlab.backoff import STRATEGIES

    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        for strategy in STRATEGIES:
            scale.crowd(100, strategy)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def fault_server_crowd(clients: int = 200, repeats: int = 3, timeout: float = 5.0) -> tuple[float, int]:
    """Median real seconds until ``clients`` connections opened at the same moment against ``ctlab.serve("200")``
    (each one request, non-blocking, from one thread) all have their answer; and the fewest answered in a round."""
    import selectors
    import socket

    from ctlab.server import serve

    request = b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"
    timings, fewest = [], clients
    for _ in range(repeats):
        with serve("200") as srv:
            selector, answered = selectors.DefaultSelector(), 0
            started = time.perf_counter()
            for _ in range(clients):
                sock = socket.socket()
                sock.setblocking(False)
                sock.connect_ex(("127.0.0.1", srv.port))
                selector.register(sock, selectors.EVENT_WRITE, bytearray())
            while selector.get_map() and (left := started + timeout - time.perf_counter()) > 0:
                for key, events in selector.select(left):
                    if events & selectors.EVENT_WRITE:
                        key.fileobj.send(request)
                        selector.modify(key.fileobj, selectors.EVENT_READ, key.data)
                    elif chunk := key.fileobj.recv(1 << 16):
                        key.data.extend(chunk)
                    else:
                        answered += key.data.startswith(b"HTTP/1.1 200 ")
                        selector.unregister(key.fileobj)
                        key.fileobj.close()
            timings.append(time.perf_counter() - started)
            for key in list(selector.get_map().values()):
                key.fileobj.close()
        fewest = min(fewest, answered)
    return statistics.median(timings), fewest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-notebooks", action="store_true", help="only the in-process numbers")
    args = parser.parse_args()

    simulated, real, median_ms = virtual_speedup()
    print(f"virtual time: 529 x3 (max_retries=2), 200 runs: {simulated:.1f} s of SDK backoff in {real:.3f} s real")
    print(
        f"  speed-up {simulated / real:,.0f}x end to end (new simulation + client each time); "
        f"median {median_ms:.2f} ms per call"
    )
    simulated, real = virtual_speedup_in_one_block()
    print(f"  speed-up {simulated / real:,.0f}x inside one simulation with one client (the SDK's retry loop alone)")
    print(f"ctlab.scale: 100 clients x 6 strategies in {scale_hundred_clients():.0f} ms real (goal <= 1000 ms)")
    crowd, answered = fault_server_crowd()
    print(
        f"fault server: 200 clients connecting at once, {answered} answered in {crowd:.2f} s real "
        "(median of 3; goal < 2 s)"
    )
    ran, fresh, reused, ratio = run_vs_bare_sdk()
    print(f"ctlab.run('529', max_retries=2): {ran:.2f} ms; the bare SDK on a respx route, a new client each call: "
          f"{fresh:.2f} ms; ratio {ratio:.2f} (median of 15 side-by-side blocks; goal <= 1.2)")
    print(f"  the bare SDK reusing one client: {reused:.2f} ms (ctlab.run / it: {ran / reused:.2f})")
    took, paced = paced_workload()
    print(f"rate limits: 1,000 paced requests (tier-1) in {took:.2f} s real; {paced.refused} refused, "
          f"{paced.elapsed:.0f} s virtual vs a bound of {paced.bound:.0f} s (goal < 2 s real)")
    imports = import_times()
    ratio = imports["import ctlab"] / imports["import anthropic"]
    print(f"fresh interpreter: pass {imports['pass']:.0f} ms, import anthropic {imports['import anthropic']:.0f} ms, "
          f"import ctlab {imports['import ctlab']:.0f} ms; ratio {ratio:.2f} "
          "(goal <= 1.3)")
    if args.skip_notebooks:
        return
    for name, ms in widget_clicks().items():
        goal = 500 if name in HEAVY else 100
        print(f"widget click, kernel side: {name:<14}{ms:7.1f} ms (goal <= {goal} ms)")
    rows = notebooks_vs_floor()
    for name, took, floor in rows:
        print(f"  {name:<34}{took:6.2f} s   floor {floor:5.2f} s   {took / floor:5.2f}x")
    suite, floor = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(
        f"notebooks: {len(rows)} executed in {suite:.2f} s; "
        f"floor ({len(rows)} kernels importing ctlab) {floor:.2f} s"
    )
    print(f"  suite/floor ratio {suite / floor:.2f} (goal <= 1.5)")


if __name__ == "__main__":
    main()
