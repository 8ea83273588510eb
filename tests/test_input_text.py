"""What the input says (issue 14): keys spelt one way, IDs masked in any case and width,
no control character from the data reaching the terminal.

Oracles are written here, apart from the code: a variant of an id is built from the
id itself (so the expected normal form is known), and whether an output still
shows an ID is decided by NFKC and upper-casing the output, not by the masking regex.
"""
from __future__ import annotations

import io
import json
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from rulekit.cli import main
from rulekit.diagnostics import RulekitError
from rulekit.personal import MaskingStream, is_valid_national_id, mask_ids
from rulekit.records import check_references, load_records
from rulekit.textnorm import escape_controls, normalize_key

ROOT = Path(__file__).resolve().parents[1]
POLICY = str(ROOT / "policy" / "regulation.yaml")
AS_OF = "2025-03-31"
HEADER = "學號,姓名,身分證字號,年級,班級,入學日期,離校日期\n"
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        return CliRunner()


def run(*argv: str):
    result = _runner().invoke(main, list(argv))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def full_width(text: str) -> str:
    """ASCII letters and digits as their full-width forms (U+FF01 + offset), by arithmetic."""
    return "".join(chr(ord(c) - 0x21 + 0xFF01) if "!" <= c <= "~" else c for c in text)


# ------------------------------------------------------------------ normalisation

ids = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-", min_size=1, max_size=12)


@st.composite
def spelt_differently(draw, ident: str) -> str:
    """`ident` with zero-width characters inserted, some characters full-width, spaces around."""
    out = []
    for c in ident:
        out.append(full_width(c) if draw(st.booleans()) else c)
        out.extend(draw(st.lists(st.sampled_from(ZERO_WIDTH), max_size=2)))
    return draw(st.sampled_from(["", " ", "\u3000"])) + "".join(out) + draw(st.sampled_from(["", " "]))


@given(st.data(), ids)
def test_any_spelling_of_an_id_normalises_to_the_id(data, ident):
    assert normalize_key(data.draw(spelt_differently(ident))) == ident


def test_the_kangxi_radical_is_the_character_it_imitates():
    assert normalize_key("校\u2fa7") == "校長"  # ⾧ U+2FA7
    assert normalize_key("\u200b註冊組長\u2060 ") == "註冊組長"


@settings(max_examples=25, deadline=None)
@given(st.data(), st.sampled_from(["S001", "S1100101", "A-7"]))
def test_a_reference_spelt_differently_names_the_same_student(tmp_path_factory, data, ident):
    variant = data.draw(spelt_differently(ident))
    folder = tmp_path_factory.mktemp("school")
    (folder / "students.csv").write_text(HEADER + f"{ident},王小明,A123456789,1,101,113.08.01,\n", encoding="utf-8")
    (folder / "course_outcomes.csv").write_text(
        "id,student,course,semester,kind,uploaded_on\n"
        f"O1,{variant},C1,113-1,書面報告,2024-10-01\n", encoding="utf-8")
    records = load_records(folder)
    assert records.get("course_outcomes").rows[0]["student"] == ident
    found = check_references(records)
    assert not [d for d in found if d.code == "unknown-reference"], found
    changed = [d for d in found if d.code == "normalised-value"]
    if variant.strip() != ident:  # the CSV reader strips whitespace (str.strip: U+3000 too), as it always has
        assert len(changed) == 1 and changed[0].span.row == 2 and changed[0].field == "student", found
        assert not changed[0].is_error


def test_two_spellings_of_one_id_are_one_student_twice(tmp_path):
    folder = tmp_path / "school"
    folder.mkdir()
    (folder / "students.csv").write_text(
        HEADER + "S001,王小明,A123456789,1,101,113.08.01,\n" + "Ｓ００\u200b１,王大明,B234567890,1,101,113.08.01,\n",
        encoding="utf-8")
    found = check_references(load_records(folder))
    assert [(d.code, d.span.row) for d in found if d.is_error] == [("duplicate-id", 3)], found


def test_a_nul_inside_an_id_is_a_located_error_not_a_lookalike(tmp_path):
    folder = tmp_path / "school"
    folder.mkdir()
    (folder / "students.csv").write_text(HEADER + "1100101,王小明,A123456789,1,101,113.08.01,\n", encoding="utf-8")
    (folder / "course_outcomes.csv").write_text(
        "id,student,course,semester,kind,uploaded_on\nO1,1100\x00101,C1,113-1,書面報告,2024-10-01\n", encoding="utf-8")
    with pytest.raises(RulekitError) as err:
        load_records(folder)
    (finding,) = err.value.diagnostics
    assert finding.code == "control-character" and finding.field == "student"
    assert finding.span.row == 2 and "U+0000 (NUL)" in finding.message and finding.hint
    assert "did you mean" not in finding.hint


def test_a_header_with_a_zero_width_space_is_the_column_with_a_warning(tmp_path):
    folder = tmp_path / "school"
    folder.mkdir()
    (folder / "students.csv").write_text(HEADER.replace("姓名", "姓名\u200b") + "S001,王小明,A123456789,1,101,113.08.01,\n",
                                         encoding="utf-8")
    records = load_records(folder)
    assert records.get("students").rows[0]["name"] == "王小明"
    (warning,) = [d for d in check_references(records) if d.code == "normalised-value"]
    assert warning.span.row == 1 and warning.span.column == 2 and "U+200B" in warning.message


def test_records_yaml_keys_are_normalised_too(tmp_path):
    path = tmp_path / "records.yaml"
    line = '  - {id: "T\\u200b001", name: 林, roles: ["校\\u2fa7"], status: "active\\u200b"}'
    path.write_text("staff:\n" + line + "\n", encoding="utf-8")
    records = load_records(path)
    row = records.get("staff").rows[0]
    assert (row["id"], row["roles"], row["status"]) == ("T001", ("校長",), "active")
    where = sorted((d.field, d.span.line, d.span.column) for d in records.warnings)
    columns = [line.index(v) + 1 for v in ('"T', '"校', '"active')]
    assert where == [("id", 2, columns[0]), ("roles", 2, columns[1]), ("status", 2, columns[2])], where


# ------------------------------------------------------------------ masking

_CODES = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36)))


def _with_check_digit(letter: str, body: str) -> str:
    """An independent checksum (the 內政部 rule: letter as two digits, weights 1 9 8 ... 1 1)."""
    code = _CODES[letter]
    digits = [code // 10, code % 10] + [int(c) for c in body]
    weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    total = sum(w * d for w, d in zip(weights, digits))
    return f"{letter}{body}{(10 - total % 10) % 10}"


national_ids = st.builds(_with_check_digit, st.sampled_from(sorted(_CODES)),
                         st.tuples(st.sampled_from("12"), st.text("0123456789", min_size=7, max_size=7))
                         .map("".join))


def _shows(output: str, ident: str) -> bool:
    return ident in unicodedata.normalize("NFKC", output).upper()


@given(national_ids, st.sampled_from([str, str.lower, full_width, lambda s: full_width(s.lower())]),
       st.sampled_from(["{}", "學生 {} 的資料", "({})", "x,{},y", "id={}."]))
def test_an_id_in_any_case_and_width_is_masked(ident, spell, around):
    assert is_valid_national_id(ident)
    written = spell(ident)
    assert is_valid_national_id(written)
    masked = mask_ids(around.format(written))
    assert not _shows(masked, ident), masked
    assert masked.count("****") == 1


def test_a_lower_case_id_in_a_bad_cell_is_masked_in_the_message_and_report(tmp_path):
    folder = tmp_path / "school"
    folder.mkdir()
    (folder / "students.csv").write_text(HEADER + "S001,王小明,,1,101,a123456789,\n"
                                         "S002,李小華,,1,101,Ａ１２３４５６７８９,\n", encoding="utf-8")
    out = tmp_path / "report.txt"
    for extra in ((), ("--format", "json"), ("-o", str(out))):
        result = run("check", str(folder), "--policy", POLICY, "--as-of", AS_OF, *extra)
        assert result.exit_code == 2  # the records cannot be used
        shown = result.stdout + result.stderr + (out.read_text("utf-8") if out.exists() else "")
        assert "a12345****" in shown and "Ａ１２３４５****" in shown, shown
        assert not _shows(shown, "A123456789"), shown


# ------------------------------------------------------------------ terminal safety

def test_escape_sequences_in_a_cell_do_not_reach_the_terminal(tmp_path):
    folder = tmp_path / "school"
    folder.mkdir()
    bad = "\x1b]0;pwned\x07\x1b[2J\x1b[31m\u009b1m"
    (folder / "students.csv").write_text(HEADER + f"S001,王小明,A123456789,1,101,{bad},\n", encoding="utf-8")
    for extra in ((), ("--show-personal-data",)):
        result = run(*extra, "check", str(folder), "--policy", POLICY, "--as-of", AS_OF)
        shown = result.stdout + result.stderr
        assert result.exit_code == 2
        assert not any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in shown), repr(shown)
        assert "\\u001b]0;pwned\\u0007" in shown  # visible, not silently dropped


@given(st.text())
def test_escaped_output_stays_the_same_json(text):
    sink = io.StringIO()
    stream = MaskingStream(sink, mask=False)
    stream.write(json.dumps({"cell": text}, ensure_ascii=False))
    written = sink.getvalue()
    assert json.loads(written) == {"cell": text}
    assert not any(unicodedata.category(c) == "Cc" for c in written)


def test_escape_controls_keeps_line_breaks_and_tabs():
    assert escape_controls("a\tb\nc") == "a\tb\nc"
    assert escape_controls("\x00\x1b\x7f\x85") == "\\u0000\\u001b\\u007f\\u0085"


def test_a_bidi_override_is_shown_not_obeyed():
    """U+202E would display `S001 ok` reversed: escaped, the line reads as it is stored."""
    sink = io.StringIO()
    MaskingStream(sink).write("x \u202eko 100S\u202c y\u2066z\u2069\n")
    assert sink.getvalue() == "x \\u202eko 100S\\u202c y\\u2066z\\u2069\n"


def test_names_on_the_command_line_are_read_like_the_policy():
    result = run("who", "課程認證\u200b", "--absent", "任課教師\u2060", "--policy", POLICY, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert "教學組長" in result.stdout
    result = run("duties", "註冊組\u2fa7", "--policy", POLICY, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert "校管理者" in result.stdout


# ------------------------------------------------------------------ names in the policy

SHIPPED = (ROOT / "policy" / "regulation.yaml").read_text(encoding="utf-8")


def _validate(tmp_path, old: str, new: str):
    from rulekit.policy.validate import validate_paths

    assert SHIPPED.count(old) == 1
    text = SHIPPED.replace(old, new)
    path = tmp_path / "regulation.yaml"
    path.write_text(text, encoding="utf-8")
    return text, validate_paths([str(path)]).diagnostics


def _line_col(text: str, needle: str) -> tuple[int, int]:
    pos = text.index(needle)
    return text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)


def test_a_chain_naming_a_role_with_a_kangxi_radical_names_the_role(tmp_path):
    text, found = _validate(tmp_path, "課程認證: [任課教師, 教學組長]", "課程認證: [任課教師, 教學組\u2fa7]")
    assert not [d for d in found if d.is_error], found
    (warning,) = [d for d in found if d.code == "normalised-name"]
    assert (warning.span.line, warning.span.column) == _line_col(text, "教學組\u2fa7")
    assert "教學組長" in warning.message and "NFKC" in warning.message and warning.field == "chains"


def test_a_look_alike_role_is_a_warning_naming_both(tmp_path):
    text, found = _validate(tmp_path, "    校長: {en: Principal}\n", "    校長: {en: Principal}\n    校\u2ed1: {en: Head}\n")
    (warning,) = [d for d in found if d.code == "confusable-name"]
    assert not warning.is_error
    assert "校\u2ed1" in warning.message and "校長" in warning.message
    assert (warning.span.line, warning.span.column) == _line_col(text, "校\u2ed1:")


def test_a_cyrillic_letter_in_an_office_name_is_confusable(tmp_path):
    _, found = _validate(tmp_path, "    輔導室: {en: Counselling Office}\n",
                         "    輔導室: {en: Counselling Office}\n    IT-Office: {en: IT}\n    IT-\u041eff\u0456ce: {en: IT}\n")
    assert [d.code for d in found if "IT-" in d.message] == ["confusable-name"]


def test_the_shipped_policy_has_no_name_findings():
    from rulekit.policy.validate import validate_paths

    found = validate_paths([str(ROOT / "policy" / "regulation.yaml")]).diagnostics
    assert not [d for d in found if d.code in ("normalised-name", "duplicate-name", "confusable-name")]


# ------------------------------------------------------------------ encodings

CSV_TEXT = HEADER + "S001,王小明,A123456789,1,101,113.08.01,\nS002,李小華,B234567890,2,201,2023-08-01,\n"
ASCII_CSV = "id,name,national_id,grade,class,enrolled_on,left_on\nS001,Wang,A123456789,1,101,113.08.01,\n"


def _load_bytes(tmp_path, data: bytes, encoding=None):
    folder = tmp_path / "school"
    folder.mkdir(exist_ok=True)
    (folder / "students.csv").write_bytes(data)
    records = load_records(folder, encoding=encoding)
    return records.get("students").rows, [d for d in records.warnings if d.code == "encoding-assumed"]


@pytest.mark.parametrize("codec", ["utf-32", "utf-32-le", "utf-32-be"])
def test_a_utf32_file_with_a_bom_is_read_as_utf32(tmp_path, codec):
    import codecs as _codecs

    bom = {"utf-32": b"", "utf-32-le": _codecs.BOM_UTF32_LE, "utf-32-be": _codecs.BOM_UTF32_BE}[codec]
    rows, assumed = _load_bytes(tmp_path, bom + CSV_TEXT.encode(codec))
    assert [r["name"] for r in rows] == ["王小明", "李小華"] and not assumed


@pytest.mark.parametrize("codec, label", [("utf-16-le", "little-endian"), ("utf-16-be", "big-endian")])
def test_an_ascii_utf16_file_without_bom_is_detected_and_said(tmp_path, codec, label):
    rows, assumed = _load_bytes(tmp_path, ASCII_CSV.encode(codec))
    assert [r["id"] for r in rows] == ["S001"]
    (notice,) = assumed
    assert f"read as UTF-16 ({label}, without BOM)" in notice.message and not notice.is_error
    assert "--encoding" in notice.hint


def test_a_big5_guess_is_said(tmp_path):
    rows, assumed = _load_bytes(tmp_path, CSV_TEXT.encode("cp950"))
    assert [r["name"] for r in rows] == ["王小明", "李小華"]
    assert [d.message for d in assumed] == ["the file is not UTF-8: read as Big5 (cp950)"]


def test_utf8_and_a_named_encoding_are_not_guesses(tmp_path):
    assert _load_bytes(tmp_path, CSV_TEXT.encode("utf-8"))[1] == []
    assert _load_bytes(tmp_path, CSV_TEXT.encode("cp950"), encoding="big5")[1] == []


@pytest.mark.parametrize("codec", ["rot13", "hex", "base64", "zlib", "bz2", "uu", "quopri"])
def test_a_codec_that_does_not_make_text_is_a_usage_error(tmp_path, codec):
    folder = tmp_path / "school"
    folder.mkdir()
    (folder / "students.csv").write_text(CSV_TEXT, encoding="utf-8")
    result = run("check", str(folder), "--policy", POLICY, "--as-of", AS_OF, "--encoding", codec)
    assert result.exit_code == 2, result.stderr
    assert f"error[unknown-encoding]: {codec} is not a text encoding" in result.stderr
    assert "internal error" not in result.stderr and "hint: e.g. utf-8, big5" in result.stderr


@settings(max_examples=30, deadline=None)
@given(st.integers(0, len(SHIPPED) - 1), st.sampled_from(["\x00", "\x1b", "\x07", "\x7f"]))
def test_a_control_character_in_the_policy_is_reported_where_it_is(tmp_path_factory, index, char):
    from rulekit.sourceyaml import load_text

    text = SHIPPED[:index] + char + SHIPPED[index:]
    with pytest.raises(RulekitError) as err:
        load_text(text, "regulation.yaml")
    (finding,) = err.value.diagnostics
    line = SHIPPED.count("\n", 0, index) + 1
    column = index - SHIPPED.rfind("\n", 0, index)
    assert finding.code == "yaml-syntax" and (finding.span.line, finding.span.column) == (line, column)
    assert f"U+{ord(char):04X}" in finding.message and finding.hint
