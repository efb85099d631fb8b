"""Strict JSON: every reader must see the same value, and the same value gives the same bytes."""

from __future__ import annotations

import pickle
import time

import pytest

from reviewer.core.strict_json import (
    JsonRejected,
    dumps_canonical,
    dumps_line,
    escape_line_breaks,
    loads,
)


def test_reads_plain_json_from_bytes_and_text() -> None:
    data = '{"name": "Zürich", "pages": [1, 2.5, null, true], "nested": {"a": []}}'
    expected = {"name": "Zürich", "pages": [1, 2.5, None, True], "nested": {"a": []}}
    assert loads(data) == expected
    assert loads(data.encode("utf-8")) == expected
    assert loads(bytearray(data.encode("utf-8"))) == expected


def test_a_byte_order_mark_before_utf8_bytes_is_tolerated() -> None:
    assert loads(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('{"type": "a", "type": "b"}', "'type'"),
        ('{"outer": [{"sha256": "x", "size": 1, "sha256": "y"}]}', "'sha256'"),
    ],
)
def test_duplicate_keys_are_refused_and_named(text: str, key: str) -> None:
    with pytest.raises(JsonRejected, match="duplicate key") as err:
        loads(text)
    assert key in str(err.value)
    assert err.value.kind == "duplicate-key"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(constant: str) -> None:
    with pytest.raises(JsonRejected, match="not a number JSON allows") as err:
        loads(f'{{"size": [1, {constant}]}}')
    assert constant in str(err.value)


def test_a_number_that_overflows_to_infinity_is_refused_unless_asked_not_to() -> None:
    with pytest.raises(JsonRejected, match="too large"):
        loads('{"size": 1e999}')
    assert loads('{"size": 1e999}', round_trip=False) == {"size": float("inf")}


def test_an_integer_too_long_for_python_is_refused() -> None:
    with pytest.raises(JsonRejected) as err:
        loads("1" * 10_000)
    assert err.value.kind == "number"


def test_unpaired_surrogates_are_refused_but_pairs_are_text() -> None:
    assert loads(r'["\ud83d\ude00"]') == ["\U0001f600"]
    for text in (r'["\ud800"]', r'{"\udfff": 1}', r'{"a": {"b": ["x", "\udc00y"]}}'):
        with pytest.raises(JsonRejected, match="unpaired surrogate"):
            loads(text)
    assert loads(r'["\ud800"]', round_trip=False) == ["\ud800"]


def test_deep_nesting_is_refused_quickly_without_recursion() -> None:
    start = time.perf_counter()
    for data in ("[" * 100_000, "[" * 100_000 + "]" * 100_000, b"{" + b'"a":{' * 50_000):
        with pytest.raises(JsonRejected, match="nested deeper than 32 levels") as err:
            loads(data)
        assert err.value.kind == "too-deep"
    assert time.perf_counter() - start < 2.0


def test_without_a_depth_limit_the_recursion_limit_is_still_a_rejection() -> None:
    with pytest.raises(JsonRejected, match="nested too deeply"):
        loads("[" * 100_000 + "]" * 100_000, max_depth=None)


def test_depth_counts_containers_exactly() -> None:
    assert loads("[" * 32 + "]" * 32) is not None
    with pytest.raises(JsonRejected):
        loads("[" * 33 + "]" * 33)
    assert loads('{"a": {"b": 1}}', max_depth=2) == {"a": {"b": 1}}
    with pytest.raises(JsonRejected):
        loads('{"a": {"b": []}}', max_depth=2)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = '{"a": "[[[[{{{{ \\" [[[[", "b": ["]]]]"]}'
    assert loads(text, max_depth=2) == {"a": '[[[[{{{{ " [[[[', "b": ["]]]]"]}


def test_the_depth_scan_stays_linear_on_hostile_strings() -> None:
    # an unterminated string of escaped quotes: a naive string pattern backtracks quadratically
    text = "[" * 40 + '"' + '\\"' * 200_000
    start = time.perf_counter()
    with pytest.raises(JsonRejected):
        loads(text)
    assert time.perf_counter() - start < 2.0


def test_bytes_that_are_not_utf8_are_refused_with_the_offset() -> None:
    with pytest.raises(JsonRejected, match=r"not UTF-8 text \(byte 7\)") as err:
        loads(b'{"a": "\xff"}')
    assert err.value.kind == "encoding"
    with pytest.raises(JsonRejected, match="not UTF-8"):
        loads(b'["\xed\xa0\x80"]')  # a surrogate encoded as UTF-8 is not UTF-8 either
    with pytest.raises(JsonRejected, match="not UTF-8"):
        loads('["x"]'.encode("utf-16"))


def test_syntax_errors_carry_line_and_column() -> None:
    with pytest.raises(JsonRejected) as err:
        loads('{\n  "a": 1,\n  "b" 2\n}')
    assert err.value.kind == "syntax"
    assert (err.value.line, err.value.column) == (3, 7)
    assert str(err.value) == "not JSON: Expecting ':' delimiter at line 3 column 7"


def test_text_with_a_byte_order_mark_is_a_syntax_error() -> None:
    """A str is taken as is (interchange strips the mark itself, and always did)."""
    with pytest.raises(JsonRejected, match="BOM"):
        loads('\ufeff{"a": 1}')


def test_rejections_survive_pickling() -> None:
    with pytest.raises(JsonRejected) as err:
        loads("[1,")
    copy = pickle.loads(pickle.dumps(err.value))
    assert (str(copy), copy.kind, copy.line, copy.column) == (
        str(err.value),
        "syntax",
        err.value.line,
        err.value.column,
    )


def test_canonical_bytes_do_not_depend_on_dict_order() -> None:
    one = {"b": [1, {"y": 2, "x": 1}], "a": "Zürich 東京", "c": None}
    two = {"c": None, "a": "Zürich 東京", "b": [1, {"x": 1, "y": 2}]}
    assert dumps_canonical(one) == dumps_canonical(two)
    assert dumps_canonical(one) == ('{"a":"Zürich 東京","b":[1,{"x":1,"y":2}],"c":null}'.encode())


def test_canonical_bytes_read_back_as_the_same_value() -> None:
    value = {"size": 12, "ratio": 0.1, "name": "a\u2028b", "list": [True, False, None]}
    assert loads(dumps_canonical(value)) == value
    assert dumps_canonical(loads(dumps_canonical(value))) == dumps_canonical(value)


def test_canonical_bytes_refuse_what_json_cannot_hold() -> None:
    with pytest.raises(ValueError, match="Out of range"):
        dumps_canonical({"a": float("nan")})
    with pytest.raises(ValueError, match="surrogate"):
        dumps_canonical(["\ud800"])


def test_a_json_lines_record_is_one_line_whatever_the_strings_hold() -> None:
    value = {"text": "one\ntwo\u2028three\u2029four\x85five", "n": 1}
    line = dumps_line(value)
    assert "\n" not in line
    assert len(line.splitlines()) == 1  # str.splitlines also splits at U+2028 and friends
    assert "\\u2028" in line
    assert "\\u2029" in line
    assert "\\u0085" in line
    assert loads(line) == value


def test_line_break_escaping_leaves_other_text_alone() -> None:
    assert escape_line_breaks('["é", "\\n"]') == '["é", "\\n"]'
