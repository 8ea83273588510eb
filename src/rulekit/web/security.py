"""Headers and access for every response.

- A page may show students: never cached (`Cache-Control: no-store`), never framed, and its
  scripts come only from the server itself (CSP without inline scripts).
- Bound to loopback, only requests naming a loopback host are served: a page elsewhere that
  resolves its own name to 127.0.0.1 (DNS rebinding) cannot read the answers.
- With a token (required off loopback), a request carries it once as `?token=`, gets it
  back as an HttpOnly cookie, and is sent on to the same address without it.
"""
from __future__ import annotations

import hmac
import time
from urllib.parse import urlencode

from starlette.responses import PlainTextResponse, RedirectResponse

from ..i18n import _

COOKIE = "rulekit_token"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]", "::1")


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The name in a Host header, without its port: `[::1]:8000` -> `[::1]`."""
    if header.startswith("["):
        return header.split("]", 1)[0] + "]"
    return header.rsplit(":", 1)[0]


class Guard:
    """ASGI middleware: host and token checks, then the security headers on every response."""

    def __init__(self, app, token: str | None, loopback_only: bool):
        self.app, self.token, self.loopback_only = app, token, loopback_only

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        from starlette.requests import Request

        request = Request(scope)
        refused = self._refusal(request)
        if refused is not None:
            return await refused(scope, receive, self._with_headers(send, scope))
        await self.app(scope, receive, self._with_headers(send, scope))

    def _refusal(self, request):
        if self.loopback_only and host_name(request.headers.get("host", "")) not in LOOPBACK_NAMES:
            return PlainTextResponse(_("this server answers only at 127.0.0.1 or localhost"), status_code=400)
        if not self.token:
            return None
        given = request.query_params.get("token")
        if given is not None and hmac.compare_digest(given.encode(), self.token.encode()):
            rest = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
            response = RedirectResponse(request.url.path + (f"?{rest}" if rest else ""), status_code=303)
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict")
            return response
        cookie = request.cookies.get(COOKIE, "")
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if any(hmac.compare_digest(c.encode(), self.token.encode()) for c in (cookie, bearer) if c):
            return None
        return PlainTextResponse(_("open the address printed by `rulekit serve`, with its ?token="),
                                 status_code=401)

    @staticmethod
    def _with_headers(send, scope):
        static = scope.get("path", "").startswith("/static/")
        started = time.perf_counter()

        async def sending(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += HEADERS
                # the time the server took (benchmarks/web.py reads it; a browser shows it too)
                took = (time.perf_counter() - started) * 1000
                headers.append((b"server-timing", f"app;dur={took:.1f}".encode()))
                # static files hold no student data: the browser may keep them
                headers.append((b"cache-control", b"public, max-age=3600" if static else b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        return sending
