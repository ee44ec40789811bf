"""``python -m ctlab``: the course's simulations in a terminal.

    python -m ctlab demo "429 429 200" --max-retries 2
    python -m ctlab catalog --lang zh
    python -m ctlab serve "429(retry-after=1) 200" --port 0
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from typing import Any

import anthropic

from . import __version__
from .atlas import catalog
from .faults import MAX_RETRIES
from .i18n import LANGS, CtlabError, Text, register, set_lang, t
from .simulate import Attempt, run

register(
    "ctlab.__main__",  # its name is "__main__" under python -m ctlab
    {
        "server.listening": Text(
            "故障服务端已启动：{url}（故障脚本：{faults}）。把客户端的 base URL 设成它；按 Ctrl+C 停止",
            "fault server listening on {url} (faults: {faults}). Point a client's base URL at it; Ctrl+C stops it",
        ),
        "server.request": Text(
            "第 {number} 次：{method} {path}，重试计数头 {retry_count}，回应 {answer}",
            "#{number}: {method} {path}, retry-count header {retry_count}, answered {answer}",
        ),
        "server.stopped": Text("服务端已停止，共收到 {count} 次请求", "server stopped after {count} requests"),
    },
)


def _common() -> argparse.ArgumentParser:
    """The options every parser takes, before or after the subcommand.

    ``--lang`` defaults to ``SUPPRESS`` so that a subcommand which was not given
    it leaves a value given before the subcommand alone.
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-h", "--help", action="help", help="show this help and exit / 显示本帮助并退出")
    common.add_argument(
        "--lang",
        choices=LANGS,
        default=argparse.SUPPRESS,
        help="output language: zh, en or both (default: $CTLAB_LANG, else both) / "
        "输出语言：zh、en 或 both（默认取 $CTLAB_LANG，未设置则为 both）",
    )
    return common


def _parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="python -m ctlab",
        description="ctlab: Claude API failures, simulated / 模拟 Claude API 故障",
        epilog="--lang may come before or after the subcommand / --lang 写在子命令之前或之后都可以",
        parents=[common],
        add_help=False,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"ctlab {__version__} (anthropic {anthropic.__version__})",
        help="print the versions of ctlab and the anthropic SDK, then exit / 显示 ctlab 与 anthropic SDK 的版本后退出",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=summary, description=summary, parents=[common], add_help=False)

    def faults_argument(parser: argparse.ArgumentParser, summary: str) -> None:
        parser.add_argument("faults", nargs="?", default="429 429 200", help=summary)

    demo = command("demo", "send one request through the real SDK to a simulated server / 发一次请求给模拟服务端")
    faults_argument(
        demo,
        "the fault script, one answer per request, the last repeating: a status 400-599, 200, timeout, "
        "connect-timeout, disconnect, stream-error; *N repeats, (retry-after=1) sets options "
        '(default: "%(default)s") / '
        "故障脚本，每个请求一个回应，最后一个一直重复：状态码 400-599、200、timeout、connect-timeout、disconnect、"
        'stream-error；*N 表示重复，(retry-after=1) 设置选项（默认 "%(default)s"）',
    )
    demo.add_argument(
        "--max-retries",
        type=int,
        metavar="N",
        default=2,
        help="the SDK's max_retries: retries after the first request, "
        f"0 to {MAX_RETRIES} "
        "(default: %(default)s, the SDK's own) / "
        "SDK 的 max_retries：首次请求之后最多重试几次，"
        f"0 到 {MAX_RETRIES}（默认 %(default)s，与 SDK 相同）",
    )
    demo.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        default=600.0,
        help="the SDK's timeout per request, in seconds of virtual time (default: %(default)g, the SDK's own) / "
        "SDK 每个请求的超时，单位为虚拟时间的秒（默认 %(default)g，与 SDK 相同）",
    )
    demo.add_argument(
        "--seed",
        type=int,
        metavar="N",
        default=0,
        help="seed for the SDK's random backoff jitter; the same seed replays the same waits (default: %(default)s) / "
        "SDK 退避随机抖动的种子，种子相同则等待时间相同（默认 %(default)s）",
    )
    command("catalog", "the error catalog, from the installed SDK / 错误码速查表")
    serve = command("serve", "serve faults over real HTTP on loopback, for curl or node / 在本机用真实 HTTP 提供故障")
    faults_argument(
        serve,
        'the fault script, as for demo, e.g. "429(retry-after=1) 200", "529", "timeout" '
        '(default: "%(default)s") / '
        '故障脚本，写法同 demo（默认 "%(default)s"）',
    )
    serve.add_argument(
        "--port",
        type=int,
        metavar="N",
        default=0,
        help="TCP port to listen on; 0 picks a free one (default: %(default)s) / "
        "监听的 TCP 端口，0 表示自动选一个空闲端口（默认 %(default)s）",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="a loopback address to listen on: 127.0.0.1, ::1 or localhost (default: %(default)s) / "
        "监听的本机回环地址：127.0.0.1、::1 或 localhost（默认 %(default)s）",
    )
    serve.add_argument(
        "--hold",
        type=float,
        metavar="SECONDS",
        default=60.0,
        help="seconds a timeout fault holds a request whose client never gives up, more than 0 and at most 3600 "
        "(default: %(default)g) / "
        "timeout 故障最多挂住一个请求多少秒（客户端一直不放弃时），须大于 0、不超过 3600（默认 %(default)g）",
    )
    return parser


def _serve(args: argparse.Namespace) -> None:
    """Serve until Ctrl+C or SIGTERM, printing one line per request; always shuts down cleanly.

    The signal handlers only note that a stop was asked for, and the main
    thread checks for that note between short sleeps: an exception raised from
    a handler could land anywhere (inside ``threading``'s locks, halfway through
    shutting down). Pressing Ctrl+C again while the server stops changes nothing.
    """
    import time

    from .server import serve

    stops: list[int] = []

    def log(attempt: Attempt) -> None:
        count = "-" if attempt.retry_count is None else attempt.retry_count
        line = t(
            "server.request",
            number=attempt.number,
            method=attempt.method,
            path=attempt.path,
            retry_count=count,
            answer=attempt.answer,
        )
        print(line, flush=True)

    def stop(signum: int, _frame: Any) -> None:
        stops.append(signum)  # nothing else: no exception, no lock

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        with serve(args.faults, host=args.host, port=args.port, hold=args.hold, on_request=log) as srv:
            print(t("server.listening", url=srv.url, faults=srv.script), flush=True)
            while not stops:
                time.sleep(0.1)
        print(t("server.stopped", count=len(srv.requests)), flush=True)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if getattr(args, "lang", None):
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
