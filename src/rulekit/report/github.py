"""GitHub workflow annotations (`::error file=…,line=…::message`) for findings and failed cases."""
from __future__ import annotations

import os


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def repo_path(path: str) -> str:
    """A path as GitHub wants it in annotations: relative to the checkout (the working directory)."""
    if os.path.isabs(path):
        rel = os.path.relpath(path)
        if not rel.startswith(".."):
            return rel
    return path.replace(os.sep, "/")


def annotation(level: str, message: str, file: str = "", line: int = 0, column: int = 0,
               end_line: int = 0, end_column: int = 0, title: str = "") -> str:
    """One GitHub Actions workflow command: `::error file=F,line=L,title=T::message`."""
    props = []
    if file:
        props.append(f"file={_escape_property(repo_path(file))}")
    if line:
        props.append(f"line={line}")
        if end_line and end_line >= line:
            props.append(f"endLine={end_line}")
    if column:
        props.append(f"col={column}")
        if end_column and end_line == line and end_column > column:
            props.append(f"endColumn={end_column}")
    if title:
        props.append(f"title={_escape_property(title)}")
    return f"::{level} {','.join(props)}::{_escape_data(message)}" if props else f"::{level}::{_escape_data(message)}"


def diagnostic_annotation(d, title_prefix: str) -> str:
    s = d.span
    message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
    return annotation("error" if d.is_error else "warning", message, s.file if s.file != "<command line>" else "",
                      s.line, s.column, s.end_line, s.end_column, f"{title_prefix} [{d.code}]")


# ------------------------------------------------------------------ text
