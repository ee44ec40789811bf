"""``python -m ctlab``: the course's simulations in a terminal.

    python -m ctlab demo "429 429 200" --max-retries 2
    python -m ctlab catalog --lang zh
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .catalog import catalog
from .i18n import LANGS, CtlabError, set_lang
from .simulate import run


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.lang:
            set_lang(args.lang)
        if args.command == "demo":
            print(run(args.faults, seed=args.seed, max_retries=args.max_retries, timeout=args.timeout))
        else:
            print(catalog())
    except CtlabError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
