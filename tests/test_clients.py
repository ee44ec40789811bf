"""Simulated by default; live only on request; the key is never shown."""

from __future__ import annotations

import anthropic
import pytest

import ctlab
from ctlab.clients import DOCS_BASE_URL

SECRET = "sk-ant-api03-" + "x" * 40


def test_the_default_client_is_simulated_and_aimed_at_the_docs_proxy() -> None:
    client = ctlab.client()
    assert str(client.base_url).rstrip("/") == DOCS_BASE_URL
    assert client.api_key.startswith("sk-simulated")


def test_anthropic_base_url_is_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://proxy.example")
    assert str(ctlab.client().base_url).startswith("https://proxy.example")


def test_the_async_client_is_simulated_too() -> None:
    assert isinstance(ctlab.client(async_=True), anthropic.AsyncAnthropic)


@pytest.mark.parametrize("value", [-1, 1.5, "2", True])
def test_max_retries_must_be_a_whole_number_at_least_zero(value: object) -> None:
    with pytest.raises(ctlab.CtlabError, match="max_retries must be a whole number >= 0"):
        ctlab.client(max_retries=value)


@pytest.mark.parametrize("value", [0, -3, "fast", None])
def test_timeout_must_be_positive(value: object) -> None:
    with pytest.raises(ctlab.CtlabError, match="timeout must be a positive number"):
        ctlab.client(timeout=value)


def test_a_live_client_takes_the_key_from_the_environment_and_never_prints_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    client = ctlab.client(live=True)
    assert client.api_key == SECRET
    shown = capsys.readouterr()
    assert SECRET not in shown.out + shown.err + repr(client)
    assert "live mode" in shown.out


def test_a_live_client_asks_with_a_password_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    prompts: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or SECRET)
    assert ctlab.client(live=True).api_key == SECRET
    assert "not echoed" in prompts[0]


def test_no_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr("getpass.getpass", lambda _prompt: "")
    with pytest.raises(ctlab.CtlabError, match="no API key found"):
        ctlab.client(live=True)


def test_ci_never_goes_live(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    with pytest.raises(ctlab.CtlabError, match="not allowed in CI"):
        ctlab.client(live=True)


def test_ctlab_live_switches_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTLAB_LIVE", "1")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(ctlab.CtlabError, match="not allowed in CI"):
        ctlab.client()
