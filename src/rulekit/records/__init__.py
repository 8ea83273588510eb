"""School records: loading (YAML, JSON, JSON Lines, CSV folders), validation, references.

    from rulekit.records import load_records, check_references
    records = load_records("records/")          # raises RulekitError listing every problem
    problems = check_references(records)        # dangling ids, duplicate ids
"""
from .model import FieldType, RecordSet, Table, entity_types, mask_personal

__all__ = ["FieldType", "RecordSet", "Table", "entity_types", "mask_personal"]
