"""Proxy faults: what a proxy or a CDN in front of it sends instead of Anthropic's answer.

    >>> proxy_status(502, html=True).label(), proxy_status(429, shape="quota").label()
    ('502(html)', '429(shape=quota)')
    >>> proxy_status(200, error_body=True).label(), buffered(delay=0.5).label(), stream_reset().label()
    ('200(error-body)', 'buffered(delay=0.5)', 'stream-reset')

Each is a subclass of the fault it looks like to a client, so everything that
reads a script (the grader, the tables, the server's log) treats it as that:

* :class:`ProxyStatus` (a :class:`~ctlab.faults.values.Status`): an HTML error
  page (``html``: nginx's, or Cloudflare's for 520–527), a foreign JSON error
  shape (``shape``: ``quota``, ``bare``, ``zh``, ``upstream``, ``anthropic``),
  no ``request-id`` (``no_request_id``), or Anthropic's own error with
  ``retry-after``/``retry-after-ms``/``x-should-retry`` stripped
  (``strip_retry_after``). Status ``200`` is allowed only with an error body:
  a 200 that carries an error.
* :class:`Buffered` (a :class:`~ctlab.faults.values.Reply`): the reply arrives
  all at once after ``delay`` seconds (a proxy that buffers the stream).
* :class:`StreamReset` (a :class:`~ctlab.faults.values.StreamError`): a 200
  stream that sends ``after``, then the connection is reset.

How they are sent is :mod:`ctlab.proxy`'s business; this module only checks them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import Text, register, t
from ..inputs import MAX_WAIT, invalid
from .values import Reply, Status, StreamError, check_status

register(
    __name__,
    {
        "fault.allowed_shape": Text(
            'quota（别家 API 的额度错误）、bare（{{"error": "…"}}）、zh（中文消息）、upstream（上游错误）'
            "或 anthropic（Anthropic 的格式，但没有 request-id）",
            'quota (another API\'s quota error), bare ({{"error": "…"}}), zh (a Chinese message), '
            "upstream (an upstream error) or anthropic (Anthropic's shape without a request-id)",
        ),
        "fault.allowed_proxy_200": Text(
            "200 只能和错误响应体一起用：200(error-body) 或 200(shape=quota)；正常的回复请写 200 或 ok",
            "200 goes only with an error body: 200(error-body) or 200(shape=quota); write 200 or ok for a reply",
        ),
        "fault.allowed_delay": Text(
            "大于等于 0 的秒数（最多 {limit}）",
            "a number of seconds >= 0 (at most {limit})",
        ),
        "fault.allowed_flag": Text(
            "不带值，只写名字，例如 502(html)、500(no-request-id)",
            "no value: write the name alone, e.g. 502(html), 500(no-request-id)",
        ),
        "fault.allowed_bool": Text("True 或 False", "True or False"),
    },
)

#: The JSON error shapes a proxy may send (see :mod:`ctlab.proxy` for the bodies).
SHAPES: tuple[str, ...] = ("quota", "bare", "zh", "upstream", "anthropic")
#: The statuses whose HTML page is Cloudflare's (its own 52x codes); every other page is nginx's.
CDN_STATUSES = range(520, 528)
#: The options a status word takes on top of :data:`~ctlab.faults.script.STATUS_OPTIONS`, and the argument each sets.
PROXY_OPTIONS: dict[str, str] = {
    "html": "html",
    "shape": "shape",
    "error-body": "error_body",
    "no-request-id": "no_request_id",
    "strip-retry-after": "strip_retry_after",
}


def _flag(call: str, name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise invalid(call, name, value, t("fault.allowed_bool"))


@dataclass(frozen=True)
class ProxyStatus(Status):
    """An error as a proxy or CDN sends it: see the module's docstring for each option."""

    html: bool = False
    shape: str | None = None
    error_body: bool = False
    no_request_id: bool = False
    strip_retry_after: bool = False

    def __post_init__(self) -> None:
        call = f"proxy_status({self.status_code})"
        for name in ("html", "error_body", "no_request_id", "strip_retry_after"):
            _flag(call, name, getattr(self, name))
        if self.shape is not None and self.shape not in SHAPES:
            raise invalid(call, "shape", self.shape, t("fault.allowed_shape"))
        if self.status_code == 200 and not isinstance(self.status_code, bool):
            if self.html or not (self.error_body or self.shape):
                raise invalid(call, "status_code", 200, t("fault.allowed_proxy_200"))
            if self.shape is None:
                object.__setattr__(self, "shape", "upstream")
            object.__setattr__(self, "status_code", 599)  # Status checks its options for an error status: let it
            try:
                super().__post_init__()
            finally:
                object.__setattr__(self, "status_code", 200)
            return
        super().__post_init__()

    @property
    def kind(self) -> str:
        """``"html"``, ``"shape"`` (a foreign JSON body), ``"no-request-id"`` or ``"strip-retry-after"``."""
        if self.html:
            return "html"
        if self.shape not in (None, "anthropic"):
            return "shape"
        return "no-request-id" if self.no_request_id or self.shape == "anthropic" else "strip-retry-after"

    def label(self) -> str:
        options = []
        if self.html:
            options.append("html")
        if self.status_code == 200:
            options.append("error-body" if self.shape == "upstream" else f"shape={self.shape}")
        elif self.shape is not None:
            options.append(f"shape={self.shape}")
        options += [name for name in ("no-request-id", "strip-retry-after") if getattr(self, PROXY_OPTIONS[name])]
        status_options = Status.label(self).partition("(")[2][:-1]  # retry-after=2, ... as a Status writes them
        options += [status_options] if status_options else []
        return f"{self.status_code}({', '.join(options)})" if options else str(self.status_code)


@dataclass(frozen=True)
class Buffered(Reply):
    """A reply held back by a buffering proxy: nothing for ``delay`` seconds, then the whole answer at once."""

    delay: float = 5.0

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.delay, bool) or not isinstance(self.delay, (int, float)) or not 0 <= self.delay <= MAX_WAIT:
            raise invalid("buffered()", "delay", self.delay, t("fault.allowed_delay", limit=int(MAX_WAIT)))
        object.__setattr__(self, "delay", float(self.delay))

    def label(self) -> str:
        delay = int(self.delay) if self.delay.is_integer() else self.delay
        return "buffered" if self.delay == Buffered.delay else f"buffered(delay={delay})"


@dataclass(frozen=True)
class StreamReset(StreamError):  # noqa: N818 - a fault value named after what happens, not an exception
    """A ``200`` stream that sends ``after`` as text, then the connection is reset (no ``error`` event, no end)."""

    error_type: str = "stream_reset"

    def label(self) -> str:
        return "stream-reset"


#: Every proxy fault class.
PROXY_TYPES = (ProxyStatus, Buffered, StreamReset)


def proxy_status(status_code: int, **options: object) -> ProxyStatus:
    """A proxy's error: ``proxy_status(502, html=True)``, ``proxy_status(429, shape="quota")``,
    ``proxy_status(200, error_body=True)``; the options of :func:`~ctlab.faults.status` apply too."""
    if status_code != 200 or isinstance(status_code, bool):
        check_status(status_code)
    return ProxyStatus(status_code, **options)  # type: ignore[arg-type]  # each option is checked by ProxyStatus


def buffered(text: str = Reply.text, *, delay: float = Buffered.delay) -> Buffered:
    """A reply that arrives all at once after ``delay`` seconds (a proxy buffering the stream)."""
    return Buffered(text, delay)


def stream_reset(*, after: str = StreamError.after) -> StreamReset:
    """A ``200`` stream that sends ``after``, then the connection is reset."""
    return StreamReset(after=after)
