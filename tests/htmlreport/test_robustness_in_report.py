"""The report says how robust each headline answer is under parameter draws (issue 13 §1
with issue 12 §3): a verdict per headline outcome, from :func:`diffusion.robustness`."""

from __future__ import annotations

import datetime as dt

from diffusion.htmlreport import build

#: few draws and the conftest's 8 runs keep this quick; the verdicts' statistics are
#: tested in tests/test_robustness.py
DRAWS = 3


def test_the_headline_carries_a_verdict_for_each_judged_answer(simulated):
    last = build.report_dates(simulated)[0][-1]
    judged = build.judge(simulated, last, DRAWS)
    what_ifs = {sim.name for sim in simulated[1:]}
    assert {key[0] for key in judged} == what_ifs
    for name in what_ifs:
        assert (name, "working", "all staff", last.isoformat()) in judged
    context = build.build_context(simulated, command="pytest", judged=judged, n_draws=DRAWS)
    assert context["draws"] == DRAWS
    working = [r for r in context["headline"] if r["words"].startswith("working from")]
    assert {r["whatif"] for r in working} == what_ifs
    for row in working:
        verdict = judged[(row["whatif"], "working", "all staff", row["date"])]
        # the words match the verdict: robust, no clear effect, or depends on assumptions
        assert row["robustness"].startswith(
            {"robust": "robust", "no clear effect": "no clear effect"}.get(
                verdict.verdict, "depends on assumptions"
            )
        )
        if verdict.verdict != "no clear effect":
            assert f"of {DRAWS} parameter sets" in row["robustness"]
    html = build.render(context)
    assert "Under other assumptions" in html and f"under {DRAWS}" in html


def test_without_draws_the_report_says_nothing_of_them(context):
    assert context["draws"] == 0
    assert all(r["robustness"] == "" for r in context["headline"])
    assert "Under other assumptions" not in build.render(context)
    assert isinstance(dt.date.fromisoformat(context["headline_date"]), dt.date)
