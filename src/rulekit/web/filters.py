"""Template filters: how a value the library returns is shown on a page."""
from __future__ import annotations

from markupsafe import Markup, escape

from ..evaluator.result import STATUS_ZH
from ..report.diff import U_OFF, U_ON


def changed(cell: str) -> Markup:
    """A 對照表 cell with its changed text underlined (<u>), everything else escaped."""
    text = str(escape(cell))
    return Markup(text.replace(U_ON, "<u>").replace(U_OFF, "</u>").replace("\n", "<br>"))


def status_zh(status: str) -> str:
    return STATUS_ZH.get(status, status)


def anchor(citation: str) -> str:
    """The id of a provision's element: its citation (HTML5 ids may hold any character but space)."""
    return "p-" + citation.replace(" ", "_")


FILTERS = {"changed": changed, "status_zh": status_zh, "anchor": anchor}
