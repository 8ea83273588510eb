"""School records: loading (YAML, JSON, JSON Lines, CSV folders), validation, references.

    from rulekit.records import load_records, check_references
    records = load_records("records/")          # raises RulekitError listing every problem
    problems = check_references(records)        # unknown references, duplicate ids
"""
from .load import load_records
from .model import FieldType, RecordSet, Table, entity_types, mask_personal
from .refs import check_references

__all__ = ["FieldType", "RecordSet", "Table", "check_references", "entity_types",
           "load_records", "mask_personal"]
