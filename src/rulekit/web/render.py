"""Pages from templates: every one masked and escaped the way the CLI's output is.

Jinja escapes what the data says (a record cell may hold `<script>`); national IDs are
masked over the whole page, as the CLI masks everything it prints, so no template can
forget to.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache

from starlette.responses import HTMLResponse

from ..diagnostics import RulekitError, UsageError, render
from ..files import read_input
from ..personal import mask_ids
from ..sourceyaml import MAX_FILE_BYTES

TEMPLATES = os.path.join(os.path.dirname(__file__), "templates")


@lru_cache(maxsize=1)
def environment():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    from .filters import FILTERS
    env.filters.update(FILTERS)
    return env


def page(request, template: str, context: dict, status: int = 200) -> HTMLResponse:
    """The template filled in, IDs masked, no caching (it may show students)."""
    status = context.pop("status", status)
    html = environment().get_template(template).render(request=request, **context)
    return HTMLResponse(mask_ids(html), status_code=status)


@contextmanager
def findings(context: dict, strip: str = ""):
    """Findings raised inside become the page's `errors` (rendered as the CLI renders them,
    with the source line and a caret) instead of a server error; `strip` is a folder whose
    name is left out of the file names shown (an upload's temporary folder)."""
    try:
        yield
    except RulekitError as exc:
        context["errors"] = [_shown(render(d, _source(d)), strip) for d in exc.diagnostics]
        context["status"] = 400 if isinstance(exc, UsageError) else 422
    except RecursionError:
        from ..i18n import _
        context["errors"] = [_("input nested too deeply to process")]
        context["status"] = 422


def _shown(text: str, strip: str) -> str:
    return text.replace(strip.rstrip(os.sep) + os.sep, "") if strip else text


def _source(d) -> dict:
    """The lines of the file a finding points into, for its caret (none for CSV rows)."""
    path = d.span.file
    if not (path and d.span.line):
        return {}
    try:
        return {path: read_input(path, limit=MAX_FILE_BYTES).decode("utf-8-sig").splitlines()}
    except (OSError, UnicodeDecodeError, RulekitError):
        return {}
