"""``python -m ctlab``: the options, their help, and the version, all in-process (a fresh interpreter costs seconds)."""

from __future__ import annotations

import argparse
import pathlib
import sys
from collections.abc import Iterator

import anthropic
import pytest

import ctlab
import ctlab.__main__
from ctlab.__main__ import _parser, main

ENGLISH_HEADERS = ("status", "SDK exception", "API error type", "usual cause", "what to do")


@pytest.fixture(autouse=True)
def _restore_lang() -> Iterator[None]:
    lang = ctlab.get_lang()
    yield
    ctlab.set_lang(lang)


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_the_version_names_ctlab_and_the_anthropic_sdk_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"ctlab {ctlab.__version__} (anthropic {anthropic.__version__})"


def test_the_version_comes_from_the_installed_distribution() -> None:
    from importlib.metadata import version

    assert ctlab.__version__ == version("ctlab") != "0+unknown"


def test_running_the_module_as_main_reads_sys_argv(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What ``python -m ctlab --version`` runs, without the seconds a fresh interpreter takes to import anthropic."""
    path = pathlib.Path(ctlab.__main__.__file__)
    code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
    monkeypatch.setattr(sys, "argv", ["python -m ctlab", "--version"])
    with pytest.raises(SystemExit) as exited:
        exec(code, {"__name__": "__main__", "__package__": "ctlab", "__file__": str(path)})
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("ctlab ")


@pytest.mark.parametrize("argv", [["catalog", "--lang", "zh"], ["--lang", "zh", "catalog"]], ids=["after", "before"])
def test_lang_is_accepted_before_or_after_the_subcommand(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    ctlab.set_lang("both")
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "状态码" in out and "怎么处理" in out
    assert not any(header in out for header in ENGLISH_HEADERS)


def test_a_subcommand_without_lang_keeps_the_lang_given_before_it() -> None:
    parser = _parser()
    assert parser.parse_args(["--lang", "zh", "demo"]).lang == "zh"
    assert parser.parse_args(["--lang", "en", "serve", "--port", "0"]).lang == "en"
    assert parser.parse_args(["--lang", "en", "catalog", "--lang", "zh"]).lang == "zh"
    assert not hasattr(parser.parse_args(["catalog"]), "lang")  # so CTLAB_LANG stays in charge


def test_every_option_of_every_subcommand_has_help() -> None:
    parser = _parser()
    parsers = {"python -m ctlab": parser, **_subparsers(parser)}
    assert set(parsers) == {"python -m ctlab", "demo", "catalog", "serve"}
    for name, each in parsers.items():
        for action in each._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help and action.help.strip(), (name, action.dest)
            if action.dest not in ("help", "version"):
                assert " / " in action.help, (name, action.dest)  # "english / 中文"
                assert "default" in action.help and "默认" in action.help, (name, action.dest)


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["demo", "--help"], ["catalog", "--help"], ["serve", "-h"]])
def test_help_exits_0(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 0
    assert "--lang" in capsys.readouterr().out


def test_demo_prints_a_timeline(capsys: pytest.CaptureFixture[str]) -> None:
    ctlab.set_lang("en")
    assert main(["demo", "429 200", "--max-retries", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["attempt", "at", "(s)"]
    assert lines[1].split()[:2] == ["1", "0.000"] and "429" in lines[1]
    assert lines[2].split()[0] == "2" and "200 OK" in lines[2]
    assert lines[-1].startswith("HTTP requests: 2;")


def test_demo_with_no_retries_left_stops_at_the_first_failure(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "en", "demo", "429 200", "--max-retries", "0"]) == 0
    assert "HTTP requests: 1;" in capsys.readouterr().out


def test_an_unknown_lang_is_refused_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["catalog", "--lang", "fr"])
    assert exited.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
