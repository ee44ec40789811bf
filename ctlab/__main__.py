"""``python -m ctlab``: the course's simulations in a terminal.

    python -m ctlab demo "429 429 200" --max-retries 2
    python -m ctlab catalog --lang zh
    python -m ctlab serve "429(retry-after=1) 200" --port 0
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from .catalog import catalog
from .i18n import LANGS, CtlabError, set_lang, t
from .simulate import Attempt, run


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ctlab", description="ctlab: Claude API failures, simulated / 模拟 Claude API 故障")
    parser.add_argument("--lang", choices=LANGS, help="zh, en or both (default: CTLAB_LANG or both)")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="send one request through the real SDK to a simulated server / 发一次请求给模拟服务端")
    demo.add_argument("faults", nargs="?", default="429 429 200", help='e.g. "429 429 200", "529", "timeout 200"')
    demo.add_argument("--max-retries", type=int, default=2)
    demo.add_argument("--timeout", type=float, default=600.0)
    demo.add_argument("--seed", type=int, default=0)
    commands.add_parser("catalog", help="the error atlas, from the installed SDK / 错误码速查表")
    serve = commands.add_parser("serve", help="serve faults over real HTTP on loopback, for curl or node / 在本机用真实 HTTP 提供故障")
    serve.add_argument("faults", nargs="?", default="429 429 200", help='e.g. "429(retry-after=1) 200", "529", "timeout"')
    serve.add_argument("--port", type=int, default=0, help="0 (default) picks a free port")
    serve.add_argument("--host", default="127.0.0.1", help="a loopback address: 127.0.0.1 (default), ::1 or localhost")
    serve.add_argument("--hold", type=float, default=60.0, help="seconds a timeout holds a request whose client never gives up")
    return parser


def _serve(args: argparse.Namespace) -> None:
    """Serve until Ctrl+C or SIGTERM, printing one line per request; always shuts down cleanly."""
    from .server import serve

    def log(attempt: Attempt) -> None:
        count = "-" if attempt.retry_count is None else attempt.retry_count
        print(t("server.request", number=attempt.number, method=attempt.method, path=attempt.path, retry_count=count, answer=attempt.answer), flush=True)

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    with serve(args.faults, host=args.host, port=args.port, hold=args.hold, on_request=log) as srv:
        print(t("server.listening", url=srv.url, faults=srv.script), flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    print(t("server.stopped", count=len(srv.requests)), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.lang:
            set_lang(args.lang)
        if args.command == "demo":
            print(run(args.faults, seed=args.seed, max_retries=args.max_retries, timeout=args.timeout))
        elif args.command == "serve":
            _serve(args)
        else:
            print(catalog())
    except CtlabError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
