"""School records: loading (YAML, JSON, JSON Lines, CSV folders), validation, references.

    from rulekit.records import load_records, check_references
    records = load_records("records/")          # raises RulekitError listing every problem
    problems = check_references(records)        # unknown references, duplicate ids
"""
from .model import FieldType, RecordSet, Table, entity_types, mask_personal

__all__ = ["FieldType", "RecordSet", "Table", "check_references", "entity_types",
           "load_records", "mask_personal"]


def __getattr__(name: str):
    # The loaders (and jsonschema behind them) are imported when first used, so that
    # code needing only the model (a cached policy, `rulekit who`) starts faster.
    if name == "load_records":
        from .load import load_records
        return load_records
    if name == "check_references":
        from .refs import check_references
        return check_references
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
