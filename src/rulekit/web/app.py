"""The application: routes to the pages, static files, the access guard."""
from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import pages_check, pages_deadlines, pages_people, pages_text
from .render import page
from .security import Guard
from .state import Settings, State

STATIC = os.path.join(os.path.dirname(__file__), "static")


def create_app(settings: Settings, loopback_only: bool = False) -> Starlette:
    """The app for `settings`; `loopback_only` refuses requests naming another host."""
    routes = [
        Route("/", pages_people.home),
        Route("/who", pages_people.who),
        Route("/duties", pages_people.duties),
        Route("/check", pages_check.check, methods=["GET"]),
        Route("/check", pages_check.upload, methods=["POST"]),
        Route("/check/report.md", pages_check.markdown_report),
        Route("/check/report.xlsx", pages_check.workbook_report),
        Route("/student/{sid}", pages_check.student),
        Route("/deadlines", pages_deadlines.deadlines),
        Route("/deadlines.ics", pages_deadlines.calendar),
        Route("/regulation", pages_text.regulation),
        Route("/amendments", pages_text.amendments),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error, Exception: _internal_error})
    app.state.rulekit = State(settings)
    app.add_middleware(Guard, token=settings.token, loopback_only=loopback_only)
    return app


async def _http_error(request, exc: HTTPException):
    """Not found, method not allowed, a malformed form: a page in the site's frame, not a trace."""
    from .common import NAV

    context = {"nav": NAV, "path": request.url.path, "latest": None, "errors": [exc.detail]}
    return page(request, "error.html", context, status=exc.status_code)


async def _internal_error(request, exc: Exception):
    """A bug in rulekit: said in one line, as the CLI says it, never a traceback on the page."""
    from ..i18n import _
    from .common import NAV

    message = _("internal error: {kind}: {detail} (please report this)").format(kind=type(exc).__name__, detail=exc)
    context = {"nav": NAV, "path": request.url.path, "latest": None, "errors": [message]}
    response = page(request, "error.html", context, status=500)
    # Starlette answers a crash outside the middleware (Guard): its headers are set here
    from .security import HEADERS
    for name, value in HEADERS:
        response.headers[name.decode()] = value.decode()
    response.headers["cache-control"] = "no-store"
    return response
