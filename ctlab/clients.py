"""Clients: simulated by default, live only when asked, and never showing the key.

    >>> import ctlab
    >>> with ctlab.simulate("200"):
    ...     c = ctlab.client(max_retries=0)
    ...     c.max_retries, str(c.base_url)
    (0, 'https://www.cheapertoken.work')

A simulated client refuses to send anything outside ``ctlab.simulate(...)``,
so it can never leak a request to the network. A live client is refused while
a simulation is installed anywhere in the process, and refuses to send from a
thread a simulation owns: a live request is never answered by a simulation.
"""

from __future__ import annotations

import getpass
import os
import ssl
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import anthropic
import httpx2
from anthropic import Middleware

from . import _active
from .i18n import CtlabError, Text, register, t
from .inputs import MAX_RETRIES, MAX_WAIT

register(
    __name__,
    {
        "client.max_retries": Text(
            "max_retries 必须是 >= 0 的整数，收到的是 {value!r}",
            "max_retries must be a whole number >= 0, got {value!r}",
        ),
        "client.timeout": Text(
            "timeout 必须是正数（秒），收到的是 {value!r}",
            "timeout must be a positive number of seconds, got {value!r}",
        ),
        "client.outside": Text(
            "这个模拟客户端只能在 ctlab.simulate(...) 的 with 块里使用（块外不会发出任何真实请求）。"
            "想调用真实 API，请用 ctlab.client(live=True)",
            "this simulated client only works inside a `with ctlab.simulate(...)` block (outside it, nothing is sent). "
            "To call the real API, use ctlab.client(live=True)",
        ),
        "client.no_key": Text(
            "没有找到 API Key：请设置环境变量 ANTHROPIC_API_KEY，或在提示框里输入（输入内容不会显示）",
            "no API key found: set ANTHROPIC_API_KEY, or type it at the prompt (it is not echoed)",
        ),
        "client.live_in_ci": Text(
            "CI 中不允许真实请求：CI=true 时 ctlab 只做模拟",
            "live requests are not allowed in CI: with CI=true ctlab only simulates",
        ),
        "client.max_retries_range": Text(
            "max_retries 必须是 0 到 {limit} 的整数，收到的是 {value!r}。模拟里的请求虽然不用真等，"
            "却都要真的跑一遍 SDK：{limit} 次重试就要好几秒",
            "max_retries must be a whole number from 0 to {limit}, got {value!r}. A simulated request waits for "
            "nothing, "
            "but still runs the real SDK: {limit} retries take several seconds",
        ),
        "client.timeout_range": Text(
            "timeout 必须是大于 0、不超过 {limit} 的秒数（约 49.7 天），收到的是 {value!r}",
            "timeout must be a number of seconds above 0 and at most {limit} (about 49.7 days), got {value!r}",
        ),
        "client.other_thread": Text(
            "这个模拟客户端用在了模拟不管的线程里：一个模拟只应答运行它 with 块的线程、块内启动的线程，"
            "以及块内创建的客户端。"
            "请在 with 块里（或块内启动的线程里）使用它",
            "this simulated client was used in a thread the running simulation does not own: a simulation only answers "
            "the thread running its `with` block, threads started inside the block, and clients created inside it. "
            "Use it there",
        ),
        "client.live_refused": Text(
            "现在有一个 ctlab 模拟正在运行（ctlab.simulate(...) 或 ctlab.check(...)）：它结束之前不能创建真实客户端，"
            "免得真实请求被模拟悄悄应答",
            "a ctlab simulation is running (ctlab.simulate(...) or ctlab.check(...)): no live client until it ends, "
            "so that no live request is ever quietly answered by the simulation",
        ),
        "client.live_in_simulation": Text(
            "真实客户端不能在 ctlab.simulate(...) 块里（或块内启动的线程里）使用：它的请求会被模拟应答，而不是发给 "
            "API。"
            "块内请用 sim.client()，真实调用放到块外",
            "a live client cannot be used inside a ctlab.simulate(...) block (or a thread started in it): its requests "
            "would be answered by the simulation, not the API. Use sim.client() inside the block and the live client "
            "outside it",
        ),
        "client.prompt": Text("请输入 API Key（不会显示）：", "API key (not echoed): "),
        "client.live_ready": Text(
            "真实模式：请求会发往 {base_url}，会产生真实费用",
            "live mode: requests go to {base_url} and cost real money",
        ),
    },
)

#: The proxy from the docs page the course starts from.
DOCS_BASE_URL = "https://www.cheapertoken.work"
#: A key-shaped placeholder; a simulated request carries it and nothing more.
SIMULATED_API_KEY = "sk-simulated-not-a-real-key"


class _RequireSimulation(Middleware):  # type: ignore[misc]  # the SDK is Any to mypy (skipped on purpose)
    """Sends an attempt only to a simulation: the client's own while it is installed, else the one owning this thread.

    The simulation it picks answers the attempt even from a thread it does not own
    (a thread pool made before the block, say); with none to pick, it refuses.
    """

    def __init__(self, simulation: Any = None) -> None:
        self.simulation = simulation

    def _target(self) -> Any:
        target = _active.installation_of(self.simulation) or _active.owner_of_this_thread()
        if target is None:
            raise CtlabError("client.other_thread" if _active.installed() is not None else "client.outside")
        return target

    def handle(self, request: Any, call_next: Any) -> Any:
        _check_retries(request)
        token = _active.sending.set(self._target())
        try:
            return call_next(request)
        finally:
            _active.sending.reset(token)

    async def handle_async(self, request: Any, call_next: Any) -> Any:
        _check_retries(request)
        token = _active.sending.set(self._target())
        try:
            return await call_next(request)
        finally:
            _active.sending.reset(token)


class _RefuseSimulation(Middleware):  # type: ignore[misc]  # the SDK is Any to mypy (skipped on purpose)
    """A live client's guard: an attempt from a thread a simulation owns is refused, never answered by it."""

    def _check(self) -> None:
        if _active.owner_of_this_thread() is not None:
            raise CtlabError("client.live_in_simulation")

    def handle(self, request: Any, call_next: Any) -> Any:
        self._check()
        return call_next(request)

    async def handle_async(self, request: Any, call_next: Any) -> Any:
        self._check()
        return await call_next(request)


def _check_retries(request: Any) -> None:
    """The bound on retries, for ``client.with_options(max_retries=...)`` too (which skips :func:`_check_options`)."""
    retries = getattr(request, "retries_taken", 0)
    if retries > MAX_RETRIES:
        raise CtlabError("client.max_retries_range", value=retries, limit=MAX_RETRIES)


def _check_options(options: dict[str, Any]) -> None:
    """``max_retries`` 0 to :data:`~ctlab.inputs.MAX_RETRIES`; ``timeout`` above 0, at most the SDK's longest wait."""
    if "max_retries" in options:
        value = options["max_retries"]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise CtlabError("client.max_retries", value=value)
        if value > MAX_RETRIES:
            raise CtlabError("client.max_retries_range", value=value, limit=MAX_RETRIES)
    if "timeout" in options:
        value = options["timeout"]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not value > 0:
                raise CtlabError("client.timeout", value=value)
            if not value <= MAX_WAIT:  # inf, or more than 49.7 days
                raise CtlabError("client.timeout_range", value=value, limit=int(MAX_WAIT))
        elif isinstance(value, anthropic.Timeout):
            if not all(p is None or 0 < p <= MAX_WAIT for p in (value.connect, value.read, value.write, value.pool)):
                raise CtlabError("client.timeout_range", value=value, limit=int(MAX_WAIT))
        else:
            raise CtlabError("client.timeout", value=value)


@lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """One TLS context for all simulated clients: loading CA certificates is most of a client's start-up cost."""
    context: ssl.SSLContext = httpx2.create_ssl_context()
    return context


def simulated_client(*, async_: bool = False, simulation: Any = None, **options: Any) -> Any:
    """An SDK client aimed at ``ANTHROPIC_BASE_URL`` (or the docs' proxy), with a dummy key.

    It belongs to ``simulation`` (by default, the simulation owning this thread, if any);
    see :class:`_RequireSimulation` for where its requests go.
    """
    _check_options(options)
    if simulation is None:
        owner = _active.owner_of_this_thread()
        simulation = getattr(owner, "sim", None)
    options.setdefault("base_url", os.environ.get("ANTHROPIC_BASE_URL") or DOCS_BASE_URL)
    if "http_client" not in options:
        http_client = anthropic.DefaultAsyncHttpxClient if async_ else anthropic.DefaultHttpxClient
        # trust_env=False: no proxy, certificate or netrc settings read from this machine's environment (the
        # requests never leave the process), and no scan of os.environ for proxies on every new client
        options["http_client"] = http_client(verify=tls_context(), trust_env=False)
    options["api_key"] = SIMULATED_API_KEY
    options["middleware"] = [_RequireSimulation(simulation), *options.get("middleware", ())]
    cls = anthropic.AsyncAnthropic if async_ else anthropic.Anthropic
    return cls(**options)


def in_ci() -> bool:
    """True when ``CI`` is set to anything but an empty or false value (``0``, ``false``, ``no``, ``off``).

    >>> import os; old = os.environ.get("CI"); os.environ["CI"] = " Yes "
    >>> in_ci()
    True
    >>> os.environ["CI"] = "0"; in_ci()
    False
    >>> _ = os.environ.pop("CI") if old is None else os.environ.update(CI=old)
    """
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


def without_credentials(url: object) -> str:
    """``url`` with any ``user:password@`` replaced by ``***@``: what may be shown of a base URL.

    >>> without_credentials("https://me:sk-ant-secret@proxy.example/v1")
    'https://***@proxy.example/v1'
    >>> without_credentials("https://api.anthropic.com")
    'https://api.anthropic.com'
    """
    parts = urlsplit(str(url))
    if "@" not in parts.netloc:
        return str(url)
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]))


def _api_key(explicit: object = None) -> str:
    """An explicit ``api_key=`` first, then ``ANTHROPIC_API_KEY``, then a password prompt."""
    if explicit is not None:
        if not isinstance(explicit, str) or not explicit.strip():
            raise CtlabError("client.no_key")
        return explicit.strip()
    key = os.environ.get("ANTHROPIC_API_KEY", "").strip()
    if not key:
        key = getpass.getpass(str(t("client.prompt"))).strip()
    if not key:
        raise CtlabError("client.no_key")
    return key


def client(*, live: bool | None = None, async_: bool = False, **options: Any) -> Any:
    """The client the course uses: simulated unless ``live=True`` (or ``CTLAB_LIVE=1``).

    Options are the SDK's own (``max_retries``, ``timeout``, ``base_url``...).
    A live client takes its key from ``ANTHROPIC_API_KEY`` or a password prompt,
    its base URL from ``ANTHROPIC_BASE_URL`` or the SDK default, and is never
    created under ``CI=true`` or while a simulation (``ctlab.simulate``,
    ``ctlab.check``) is installed; used later inside a simulation's thread, it
    refuses to send.
    """
    if live is None:
        live = os.environ.get("CTLAB_LIVE", "").strip().lower() in ("1", "true", "yes")
    if not live:
        return simulated_client(async_=async_, **options)
    if in_ci():
        raise CtlabError("client.live_in_ci")
    if _active.installed() is not None:
        raise CtlabError("client.live_refused")
    _check_options(options)
    options["api_key"] = _api_key(options.get("api_key"))
    options["middleware"] = [_RefuseSimulation(), *options.get("middleware", ())]
    if os.environ.get("ANTHROPIC_BASE_URL"):
        options.setdefault("base_url", os.environ["ANTHROPIC_BASE_URL"])
    cls = anthropic.AsyncAnthropic if async_ else anthropic.Anthropic
    live_client = cls(**options)
    print(t("client.live_ready", base_url=without_credentials(live_client.base_url)))
    return live_client
