"""The records and the roster a case gives, inline in the case file or as files."""
from __future__ import annotations

from ..diagnostics import Diagnostic, RulekitError, did_you_mean
from ..policy.model import Policy
from ..sourceyaml import Document
from .model import Case, Source
from ..i18n import _


def case_inputs(policy: Policy, case: Case, diags: list):
    """(RecordSet, Roster or None) of a case; problems with them are added to `diags`."""
    from ..records import RecordSet, check_references
    from ..people.roster import roster_from_records

    tables: dict = {}
    for source in case.records:
        got, found = load_source(source, case.document, policy.records)
        tables.update(got)
        diags.extend(found)
    records = RecordSet(tables, case.file, declaration=policy.records)
    if tables:
        diags.extend(d for d in check_references(records) if d.is_error)
        diags.extend(_unknown_values(policy, records))
    if case.roster is not None:
        return records, _roster(case, diags, policy)
    return records, roster_from_records(records, case.file) if "staff" in tables else None


def _unknown_values(policy: Policy, records) -> list[Diagnostic]:
    """Record values outside the policy's vocabulary (when the check module can tell)."""
    from ..evaluator import check

    unknown_values = getattr(check, "unknown_values", None)
    return [d for d in unknown_values(policy, records) if d.is_error] if unknown_values is not None else []


def _roster(case: Case, diags: list, policy: Policy):
    from ..records import RecordSet
    from ..people.roster import roster_from_records

    got, found = load_source(case.roster, case.document, policy.records)
    diags.extend(found)
    if "staff" not in got and not found:
        diags.append(Diagnostic("no-staff", _("the roster has no staff records"), case.roster.span,
                                hint=_("roster: {staff: [{id: T001, name: ..., roles: [...], status: active}]}")))
    return roster_from_records(RecordSet(got, case.file, declaration=policy.records), case.file)


def load_source(source: Source, doc: Document, decl=None) -> tuple[dict, list[Diagnostic]]:
    """The tables of a records file, or of records written in the case file."""
    if source.file is not None:
        from ..records import load_records

        try:
            return dict(load_records(source.file, decl).tables), []
        except RulekitError as exc:
            return {}, list(exc.diagnostics)
    return inline_tables(subdocument(doc, source.prefix), decl)


def subdocument(doc: Document, prefix: tuple) -> Document:
    """The part of `doc` under `prefix`, as a document of its own (same file and lines)."""
    n = len(prefix)
    values = {k[n:]: v for k, v in doc.value_spans.items() if k[:n] == prefix}
    keys = {k[n:]: v for k, v in doc.key_spans.items() if k[:n] == prefix and len(k) > n}
    data = doc.data
    for step in prefix:
        data = data[step]
    return Document(doc.path, data, doc.lines, values, keys)


def inline_tables(doc: Document, decl=None) -> tuple[dict, list[Diagnostic]]:
    """Records written in a case file, loaded as `load_records` loads a YAML file (positions kept)."""
    tables, diags = {}, []
    for entity, rows in doc.data.items():
        problem = _entity_problem(doc, entity, rows, decl)
        if problem is not None:
            diags.append(problem)
            continue
        tables[entity], found = document_table(doc, entity, rows or [], decl)
        diags.extend(found)
    return tables, diags


def _entity_problem(doc: Document, entity, rows, decl=None) -> Diagnostic | None:
    from ..records.model import entity_infos

    entities = entity_infos(decl)
    if entity not in entities:
        return Diagnostic("unknown-entity", _("unknown entity {entity}").format(entity=entity), doc.span((entity,), key=True),
                          hint=did_you_mean(entity, entities) or "entities: " + ", ".join(entities))
    if rows is not None and not isinstance(rows, list):
        return Diagnostic("not-a-list", _("{entity} must be a list of records").format(entity=entity), doc.span((entity,)),
                          hint=_("write each record as an item: - id: ..."))
    return None


def document_table(doc: Document, entity: str, rows: list, decl=None):
    """(Table, findings) of the records of one entity in a parsed YAML document, positions kept.

    Adapter over two private helpers of the records loader, `records.load._document_table`
    and `records.validate.finish`: the records package has no public API to load a table
    from an already-parsed `Document`. It needs one, e.g. `records.tables_from_document(doc)
    -> (tables, diagnostics)` (the loop at the end of `records.load._load_document`); with it
    this function and `inline_tables` become a single call.
    """
    from ..records.load import _document_table
    from ..records.validate import finish

    raw, found = _document_table(doc, entity, rows, decl)
    table, more = finish(raw)
    return table, [*found, *more]
