"""Sizes: every spelling of one size means the same bytes, and formatting reads back."""
import pytest
from hypothesis import given, strategies as st

from rulekit.dsl.units import MAX_BYTES, SizeError, format_size, parse_size


@pytest.mark.parametrize("text, expected", [
    ("4 MB", 4 * 1024 * 1024), ("4MB", 4194304), ("4 mib", 4194304), ("10 MB", 10485760),
    ("512 KB", 524288), ("1.5 KB", 1536), ("1048576", 1048576), (2048, 2048), ("3 bytes", 3),
    ("1 GB", 1024 ** 3),
])
def test_sizes_as_written(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "MB", "4 parsecs", "0.3 B", "-1 MB", "2000 TB", "4,5 MB", True])
def test_not_sizes(text):
    with pytest.raises(SizeError):
        parse_size(text)


@given(st.integers(min_value=0, max_value=MAX_BYTES))
def test_format_reads_back(n):
    assert parse_size(format_size(n)) == n


def test_format_picks_the_unit_a_person_writes():
    assert format_size(4 * 1024 * 1024) == "4 MB"
    assert format_size(1536) == "1.5 KB"
    assert format_size(1000) == "1000 B"
