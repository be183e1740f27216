"""The strings table: every key the dashboard uses exists in both languages with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from dashboard.i18n import LANGS, STRINGS, has, t

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
#: keys built at run time from a prefix and a value
DYNAMIC = (
    [f"page_{p}" for p in ("scenario", "run", "compare", "response", "shelters", "drill", "scorecard", "learn")]
    + [f"section_{s}" for s in ("hazards", "response", "shelters", "metro")]
    + [f"density_mode_{m}" for m in ("max", "time")]
    + [f"direction_{d}" for d in ("lower", "higher", "neutral")]
    + [f"plot_{k}" for k in ("box", "violin")]
    + [f"kind_{k}" for k in ("network", "euclidean")]
    + [f"rubric_{r}" for r in ("default", "china")]
    + [f"state_{s}" for s in ("waiting", "moving", "casualty", "trapped")]
    + [f"fig_{k}" for k in ("exits", "closed_exits", "stair", "escalator")]
    + [f"learn_tour_{k}" for k in ("bottleneck", "metro")]
    + [f"msel_{c}" for c in ("inject_id", "scenario_time", "inject_type", "description", "expected_action",
                             "objective", "target_p50_s", "target_p90_s", "controller", "notes")]
    + [f"learn_{tour}_about" for tour in ("bottleneck", "metro")]
    + [f"learn_bottleneck_{s}_{p}" for s in ("layout", "curve", "flow", "density", "next") for p in ("title", "text")]
    + [f"learn_metro_{s}_{p}" for s in ("layout", "curve", "metro", "density", "next") for p in ("title", "text")]
)
#: texts that are the same in both languages (units, symbols)
SAME = {"fig_x", "fig_y", "col_pair"}


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in DASHBOARD.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"\b(?:tr|t|legend)\(\s*[\"']([a-z0-9_]+)[\"']", text))
    return keys


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_used_in_the_code_is_in_the_table():
    keys = used_keys()
    assert len(keys) > 150  # the scan finds the pages' keys
    missing = sorted(k for k in keys | set(DYNAMIC) if not has(k) and not k.endswith("_"))  # "x_" + value: DYNAMIC
    assert missing == []


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_both_languages_have_a_text_with_the_same_placeholders(key):
    en, zh = STRINGS[key]
    assert en.strip() and zh.strip()
    assert placeholders(en) == placeholders(zh)
    if key not in SAME and re.search(r"[A-Za-z]{4}", en):
        assert re.search(r"[\u4e00-\u9fff]", zh), f"{key}: the Chinese text has no Chinese"


def test_t_fills_placeholders_and_rejects_unknown_keys():
    assert t("run_progress", "en", t="12", out=3, total=10) == "Simulated 12 s: 3 of 10 persons out"
    assert t("run_progress", "zh", t="12", out=3, total=10) == "已仿真 12 秒：10 人中已疏散 3 人"
    assert LANGS == ("en", "zh")
    with pytest.raises(KeyError):
        t("no_such_key", "en")
