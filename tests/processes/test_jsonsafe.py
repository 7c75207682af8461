"""Untrusted JSON is read bounded: size, depth, UTF-8, storable text (processes/jsonsafe.py)."""

from __future__ import annotations

import time

import pytest

from processes.jsonsafe import JsonRefused, check_value, load_json


def reason(data: bytes | str, **kwargs) -> str:
    with pytest.raises(JsonRefused) as caught:
        load_json(data, **kwargs)
    return caught.value.reason


def test_it_reads_plain_json_and_keeps_valid_astral_text():
    value = load_json('{"name": "张三", "smile": "\\ud83d\\ude00", "n": [1, 2.5, null]}'.encode())
    assert value == {"name": "张三", "smile": "😀", "n": [1, 2.5, None]}
    assert load_json(b"\xef\xbb\xbf[1]") == [1]  # a byte-order mark is dropped


def test_it_refuses_nesting_past_the_limit_however_deep():
    assert reason("[" * 33 + "]" * 33) == "too_deep"
    assert load_json("[" * 32 + "]" * 32) is not None
    began = time.monotonic()
    assert reason("[" * 950 + "]" * 950) == "too_deep"  # RecursionError-free
    assert reason("[" * 2_000_000 + "]" * 2_000_000, max_bytes=5_000_000) == "too_deep"
    assert time.monotonic() - began < 10


def test_it_refuses_lone_surrogates_anywhere_and_nul_characters():
    assert reason(b'{"a": "\\ud800"}') == "surrogate"
    assert reason(b'{"a": ["x\\udfffy"]}') == "surrogate"
    assert reason(b'{"\\udc00": 1}') == "surrogate"
    assert reason(b'{"a": "\\ude00\\ud83d"}') == "surrogate"  # a pair in the wrong order
    assert reason(b'{"a": "x\\u0000"}') == "nul"


def test_it_refuses_what_is_not_utf8_json_and_what_is_too_large():
    assert reason('{"a": "投诉"}'.encode("gb18030")) == "encoding"
    assert reason("{'a': 1}") == "syntax"
    assert reason(b"1" * 5000) == "syntax"  # past Python's 4,300-digit integer limit
    assert reason(b"[" + b"0," * 100 + b"0]", max_bytes=100) == "too_large"


def test_check_value_walks_without_recursion():
    value: list = []
    for _ in range(100_000):
        value = [value]
    with pytest.raises(JsonRefused):
        check_value(value, max_depth=50)


def test_a_caller_that_refuses_nul_itself_may_let_it_through():
    assert load_json(b'{"f": "<a>\\u0000</a>"}', allow_nul=True) == {"f": "<a>\x00</a>"}
    with pytest.raises(JsonRefused):
        load_json(b'{"f": "\\u0000\\ud800"}', allow_nul=True)
