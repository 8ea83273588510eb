"""A header with many columns that name no field: set aside, named in one warning (the first 10,
then how many in all)."""
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
    raw, diags = read_csv(str(path), "students")
    assert not [d for d in diags if d.is_error]  # an unknown column is never a reason to refuse
    if stray <= 10:
        assert raw.ignored == tuple(names)  # empty columns without values say nothing
    else:
        assert raw.ignored == (*names[:10], f"… ({stray} in all)")
    assert raw.columns["name"] == ["王小明"]


# --- the body is read in blocks of columns: every block size gives the rows the csv module reads

CELLS = st.text(alphabet="ab ,\"\n王", max_size=6)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=2, max_size=2), max_size=12), st.sampled_from([1, 2, 3, 1 << 15]))
def test_rows_in_blocks_are_the_rows_the_csv_module_reads(tmp_path_factory, rows, block):
    import csv
    import io

    import pytest

    from rulekit.records import csvfile
    from rulekit.records.validate import MISSING

    path = tmp_path_factory.mktemp("csv") / "students.csv"
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows([["id", "name"], *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    # the oracle: the csv module's records, blank ones left out, each cell stripped ("" is absent)
    expected = [r for r in csv.reader(io.StringIO(buffer.getvalue(), newline=""))][1:]
    expected = [[c.strip() or MISSING for c in r] for r in expected if any(c.strip() for c in r)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(csvfile._Body, "BLOCK", block)
        raw, diags = read_csv(str(path), "students")
    assert not [d for d in diags if d.code == "column-count"]
    assert [list(r) for r in zip(raw.columns["id"], raw.columns["name"])] == expected
    assert len(raw.spans) == len(expected)
