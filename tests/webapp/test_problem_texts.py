"""A problem or a test run's stop reads in Chinese on a Chinese page, with the element's
kind in words, and as the engine said it in English."""

from __future__ import annotations

from django.utils import translation

from processes.errors import ModelError
from webapp.designer import problem_texts


def test_a_test_runs_stop_is_said_in_chinese() -> None:
    english = "element compute_rating: script failed on line 2 ('y = 1/0'): ZeroDivisionError: division by zero"
    with translation.override("zh-hans"):
        text = problem_texts.text(english)
    assert text == "元素 compute_rating：脚本在第 2 行（'y = 1/0'）失败：除数为零"
    with translation.override("en"):
        assert problem_texts.text(english) == english


def test_a_located_problem_names_file_line_and_element_kind_in_chinese() -> None:
    problem = ModelError(
        "2 sequence flows leave this event (a, b); the engine would follow all of them at once",
        file="x.bpmn",
        line=7,
        element="startEvent start (收到报名)",
    )
    with translation.override("zh-hans"):
        text = problem_texts.located(problem)
    assert text.startswith(
        "x.bpmn 第 7 行，元素 开始事件 start (收到报名)：有 2 条顺序流从此事件流出（a, b）"
    )


def test_a_message_no_pattern_reads_stays_as_it_was_said() -> None:
    with translation.override("zh-hans"):
        assert problem_texts.text("something new") == "something new"
