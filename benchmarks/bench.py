"""Print ctlab's performance numbers (run with the course's Python: ``python3 course.py bench``).

(a) the notebook suite's wall time next to its floor — the same number of
    kernels that only ``import ctlab`` — as a ratio (goal <= 1.5);
(b) the virtual-time speed-up: simulated seconds of SDK backoff per real second,
    for a 529 that never clears with ``max_retries=2`` (goal >= 1000x);
(c) the fault server under a crowd: 200 clients connecting at the same moment,
    all answered (goal < 2 s).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

import anthropic

import ctlab

ROOT = Path(__file__).resolve().parents[1]


def _run_notebook(notebook: nbformat.NotebookNode) -> float:
    started = time.perf_counter()
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    return time.perf_counter() - started


def suite_vs_floor() -> tuple[float, float, int]:
    """Execute every notebook, then as many kernels that only import ctlab."""
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    suite = sum(_run_notebook(nbformat.read(p, as_version=4)) for p in paths)
    floor_nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import ctlab")])
    floor = sum(_run_notebook(floor_nb) for _ in paths)
    return suite, floor, len(paths)


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
            try:
                ctlab.ask(client)
            except anthropic.OverloadedError:
                pass
        real = time.perf_counter() - started
    return sim.slept, real


def scale_hundred_clients(repeats: int = 5) -> float:
    """Median real milliseconds to simulate 100 clients under every strategy (ctlab.scale)."""
    from ctlab import scale

    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        for strategy in scale.STRATEGIES:
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
    print(f"  speed-up {simulated / real:,.0f}x end to end (new simulation + client each time); median {median_ms:.2f} ms per call")
    simulated, real = virtual_speedup_in_one_block()
    print(f"  speed-up {simulated / real:,.0f}x inside one simulation with one client (the SDK's retry loop alone)")
    print(f"ctlab.scale: 100 clients x 6 strategies in {scale_hundred_clients():.0f} ms real (goal <= 1000 ms)")
    crowd, answered = fault_server_crowd()
    print(f"fault server: 200 clients connecting at once, {answered} answered in {crowd:.2f} s real (median of 3; goal < 2 s)")
    if not args.skip_notebooks:
        suite, floor, count = suite_vs_floor()
        print(f"notebooks: {count} executed in {suite:.2f} s; floor ({count} kernels importing ctlab) {floor:.2f} s")
        print(f"  suite/floor ratio {suite / floor:.2f}")


if __name__ == "__main__":
    main()
