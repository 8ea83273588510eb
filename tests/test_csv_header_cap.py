"""A header with many columns that name no field: listed one by one up to 10, then one finding."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rulekit.records.csvfile import read_csv

HEADER = "學號,姓名,身分證字號,年級,班級,入學日期,離校日期"
ROW = "S001,王小明,A123456789,1,101,113.08.01,"


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=30))
def test_unknown_columns_are_capped_and_empty_trailing_ones_ignored(tmp_path_factory, stray, empty):
    path = tmp_path_factory.mktemp("csv") / "students.csv"
    names = [f"x{i}" for i in range(stray)]
    header = ",".join([HEADER, *names] + [""] * empty)
    row = ",".join([ROW, *("v" for _ in names)] + [""] * empty)
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    _, diags = read_csv(str(path), "students")
    found = [d for d in diags if d.code == "unknown-header"]
    if stray == 0:
        assert found == []
    elif stray <= 10:
        assert [d.field for d in found] == names
        assert [d.span.column for d in found] == list(range(8, 8 + stray))
    else:
        [d] = found
        assert d.message.startswith(f"{stray} columns of the header name no field of students: x0, x1, x2, x3, x4, …")
    assert not [d for d in diags if d.code == "missing-header"]  # empty columns without values say nothing
