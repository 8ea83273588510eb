"""The records a policy declares: its `records:` block, with the declaration files it includes.

    records:
      include: records.yaml          # or a list; paths relative to the policy file
      entities:                      # this school's own kinds, or fields added to shared ones
        paper_notices: {name: 紙本通知, key: id, fields: {...}}
      values:                        # narrows a declared field's vocabulary
        meetings.kind: [working_group, ...]

An include is looked for beside the policy file, then by its file name in the
project's `policy/` folder. A policy that includes nothing and declares nothing uses the declaration of
the project's `policy/records.yaml`, so the policies of tests and examples written
before declarations existed keep their meaning.
"""
from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING, Any

from ..diagnostics import Diagnostic, RulekitError, did_you_mean
from ..i18n import _
from ..records.declaration import Declaration, check_declaration, merge, parse_declaration, parse_entities
if TYPE_CHECKING:  # the YAML reader is imported when a declaration is read, not to check a cached one
    from ..sourceyaml import Document

DEFAULT_POLICY = "policy/regulation.yaml"  # as policy.load has it (which imports this module)


def _base_dir(policy_path: str) -> str:
    # `REV:policy/x.yaml` (a policy read from git): its includes are read from the working tree
    if ":" in policy_path and not os.path.exists(policy_path) and len(policy_path.split(":", 1)[0]) > 1:
        policy_path = policy_path.split(":", 1)[1]
    return os.path.dirname(policy_path)


def declared_records(doc: Document) -> tuple[Declaration, list[Diagnostic]]:
    """The policy's Declaration (includes merged, its own entities added) and the findings."""
    block = doc.data.get("records") if isinstance(doc.data, dict) else None
    block = block if isinstance(block, dict) else {}
    includes = block.get("include")
    includes = includes if isinstance(includes, list) else [includes] if includes else []
    diags: list[Diagnostic] = []
    if not includes and not block.get("entities"):
        from ..records.model import default_declaration
        try:
            decl = default_declaration()
        except (RulekitError, OSError):
            decl = Declaration()
        return decl, []
    decl = Declaration()
    for i, name in enumerate(includes):
        where = ("records", "include", i) if isinstance(block.get("include"), list) else ("records", "include")
        got, found = _included(doc, str(name), where)
        diags.extend(found)
        decl, found = merge(decl, list(got.entities))
        decl = Declaration(decl.entities, decl.sources + got.sources, decl.digests + got.digests)
        diags.extend(found)
    own, found = parse_entities(block.get("entities"), doc.span, ("records", "entities"))
    diags.extend(found)
    merged, found = merge(decl, own)
    diags.extend(found)
    decl = Declaration(merged.entities, decl.sources, decl.digests)
    diags.extend(check_declaration(decl))
    diags.extend(_values_keys(doc, block, decl))
    return decl, diags


def _include_path(doc: Document, name: str) -> str:
    """Where an include is: beside the policy file, else the file of that name in the project's
    policy folder (where `rulekit` looks for the default policy), so that shared declarations
    are kept in one place and a policy copied elsewhere to try a change still finds them."""
    beside = os.path.normpath(os.path.join(_base_dir(doc.path), name))
    if os.path.isabs(name) or _is_declaration(beside):
        return beside
    shared = os.path.abspath(os.path.join(os.path.dirname(DEFAULT_POLICY), os.path.basename(name)))
    return shared if os.path.exists(shared) else beside


def _is_declaration(path: str) -> bool:
    """A file that says it is a records declaration: records *data* named records.yaml may sit
    beside a policy too (a school's export put next to a copy of the regulation)."""
    try:
        with open(path, "rb") as fh:
            return b"rulekit/records@" in fh.read(65536)
    except OSError:
        return False


def _included(doc: Document, name: str, where: tuple) -> tuple[Declaration, list[Diagnostic]]:
    from ..sourceyaml import load_text, read_text

    path = _include_path(doc, name)
    try:
        text = read_text(path, _("records declaration"))
        included = load_text(text, path, _("a records declaration starts with `format: rulekit/records@1`"))
    except RulekitError as exc:
        first = exc.diagnostics[0] if exc.diagnostics else None
        if first is not None and first.span.file == path:
            return Declaration(), list(exc.diagnostics)
        return Declaration(), [Diagnostic("missing-include", _("cannot read the records declaration {name}").format(
            name=name), doc.span(where), hint=_("the path is relative to the policy file: {path}").format(path=path))]
    decl, diags = parse_declaration(included.data, included.span, path)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Declaration(decl.entities, (path,), ((path, digest),)), diags


def _values_keys(doc: Document, block: dict, decl: Declaration) -> list[Diagnostic]:
    """`records.values` keys must name a declared field (a typo would narrow nothing)."""
    values = block.get("values") if isinstance(block.get("values"), dict) else {}
    fields = [f"{e.name}.{f.name}" for e in decl.entities for f in e.fields]
    out = []
    for key in values:
        if str(key) not in fields:
            entity, _dot, name = str(key).partition(".")
            e = decl.entity(entity)
            # within a declared entity, suggest among its fields (the shared prefix would match any)
            if e is None:
                close = did_you_mean(str(key), fields)
            else:
                import difflib  # only for a misspelt key: checking a cached policy needs none

                near = difflib.get_close_matches(name, sorted({f.name for f in e.fields}), n=1, cutoff=0.5)
                close = _("did you mean {names}?").format(names=f"{entity}.{near[0]}") if near else ""
            out.append(Diagnostic("unknown-field", _("records.values names {key}, which is not a declared field").format(
                key=key), doc.span(("records", "values", key), key=True),
                hint=close or _("declare the field under records: entities: first")))
    return out


def declaration_current(decl: Any) -> bool:
    """Every file `decl` was read from still has the bytes it had (a cached policy is stale otherwise)."""
    for path, digest in getattr(decl, "digests", ()):
        try:
            with open(path, "rb") as fh:
                text = fh.read().decode("utf-8-sig", "replace")
                if hashlib.sha256(text.encode("utf-8")).hexdigest() != digest:
                    return False
        except OSError:
            return False
    return True
