"""What a learner sees: tables, plots, widgets, the terminal demo."""

from __future__ import annotations

import re

import ctlab
from ctlab.__main__ import main
from ctlab.charts import INNER_H, TOP, Bars, LineChart, Series, Stack
from ctlab.i18n import Text
from ctlab.show import SECOND_LANGUAGE, html_table, html_text, text_table
from ctlab.widgets import FaultLab


def test_the_text_table_has_one_row_per_attempt_and_a_summary() -> None:
    ctlab.set_lang("en")
    table = text_table(ctlab.run("429 timeout 200", timeout=5)).splitlines()
    assert table[0].split()[:3] == ["attempt", "at", "(s)"]
    assert "429" in table[1] and "timed out (no answer for 5 s)" in table[2] and "200 OK" in table[3]
    assert table[-1].startswith("HTTP requests: 3;") and "returned '你好！Hello!'" in table[-1]


def test_both_languages_print_the_table_twice() -> None:
    ctlab.set_lang("both")
    text = text_table(ctlab.run("529", max_retries=0))
    assert "共 1 次 HTTP 请求" in text and "HTTP requests: 1;" in text
    assert "抛出了 OverloadedError (529)" in text


def test_the_html_table_escapes_and_shows_both_languages() -> None:
    ctlab.set_lang("both")
    page = html_table(ctlab.run("disconnect 200"))
    assert "连接被断开<br>" + SECOND_LANGUAGE.format("connection dropped") in page
    assert 'style="color:' in SECOND_LANGUAGE, "the second language looks different"


def test_a_value_that_is_already_bilingual_is_shown_once_in_html() -> None:
    ctlab.set_lang("both")
    value = "RuntimeError('重试次数用尽 / retries exhausted')"
    cell = html_text(Text(f"抛出了 {value}", f"raised {value}"))
    assert cell.count("重试次数用尽") == 1 and "抛出了" in cell and "raised" in cell


def test_the_plot_draws_a_bar_per_attempt_and_per_wait_and_says_what_it_shows() -> None:
    sim = ctlab.run("429 429 200")
    shown = ctlab.plot(sim)._repr_mimebundle_()
    assert shown["text/html"].count("<rect") == sim.requests + len(sim.waits())
    assert shown["text/plain"].startswith("<Figure: 每次请求与等待（虚拟时间） / Attempts and waits (virtual time)")


def test_a_chart_draws_the_same_bytes_for_the_same_data() -> None:
    assert ctlab.plot(ctlab.run("429 200"))._repr_html_() == ctlab.plot(ctlab.run("429 200"))._repr_html_()


def test_a_log_axis_ticks_round_values_and_keeps_every_point_inside_the_frame() -> None:
    chart = LineChart([Series("calls", [(10, 10.0), (100, 400.0), (200, 9000.0)], dots=True)], title="",
                      xlabel="clients", ylabel="calls", log_y=True)
    drawn = chart._repr_html_()
    ticks = re.findall(r'text-anchor="end">([0-9.]+)</text>', drawn)
    assert ticks == ["10", "100", "1000", "10000"]  # 1-2-5 steps would be more than eight: powers of ten only
    ys = [float(y) for y in re.findall(r'<circle cx="[0-9.]+" cy="([0-9.]+)"', drawn)]
    assert len(ys) == 3 and all(TOP <= y <= TOP + INNER_H for y in ys) and ys == sorted(ys, reverse=True)


def test_long_category_labels_tilt_and_the_chart_grows_to_hold_them() -> None:
    short = Bars(["429", "529"], {"SDK": {"429": 3, "529": 3}}, ylabel="requests")._repr_html_()
    long = Bars(["429(error-code=enforced_spend_limit_reached)"] * 5, {"SDK": {}}, ylabel="requests")._repr_html_()
    assert "rotate(-12)" not in short and 'height="250"' in short
    assert "rotate(-12)" in long and 'height="250"' not in long


def test_stacked_charts_say_what_each_shows_on_a_line_of_its_own() -> None:
    one = LineChart([Series("a", [(0, 1), (1, 2)])], title="", xlabel="x", ylabel="y")
    both = Stack([one, one])
    assert str(both) == "<Figure: x: x | y: y | a>\n<Figure: x: x | y: y | a>"
    assert both._repr_html_().count("<svg") == 2


def test_the_widget_runs_the_real_sdk_and_shows_the_timeline() -> None:
    lab = FaultLab(faults="529 200", max_retries=2)
    sim = lab.click()
    assert sim is not None and [a.answer for a in sim.attempts] == [529, 200]
    table, figure = lab.out.outputs
    assert 'class="ctlab-timeline"' in table["data"]["text/html"]
    drawn = figure["data"]["text/html"]
    assert 'class="ctlab-timeline-plot"' in drawn and drawn.count("<rect") == sim.requests + len(sim.waits())


def test_the_widget_reports_bad_input_instead_of_crashing() -> None:
    lab = FaultLab(faults="banana")
    assert lab.click() is None
    html = lab.out.outputs[0]["data"]["text/html"]
    assert "unknown fault 'banana'" in html and "看不懂的故障" in html


def test_choosing_a_preset_fills_in_the_faults() -> None:
    lab = FaultLab()
    lab.preset.value = "timeout 200"
    assert lab.faults.value == "timeout 200"


def test_the_terminal_demo(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--lang", "en", "demo", "500 200"]) == 0
    assert "HTTP requests: 2;" in capsys.readouterr().out
    assert main(["demo", "700"]) == 2
    assert "cannot be simulated" in capsys.readouterr().err
