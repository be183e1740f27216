"""Generated documents of the dashboard (pure functions, texts from :mod:`dashboard.i18n`): the scorecard as a
self-contained HTML report, example observations for a drill."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from typing import Any

from dashboard.i18n import t

__all__ = ["scorecard_html", "scorecard_rows", "example_observations"]

_RATING_COLOURS = {"P": "#1a9850", "S": "#91cf60", "M": "#fc8d59", "U": "#d73027"}


def _value(e: dict[str, Any]) -> str:
    return "∞" if e["value"] is None else f"{e['value']:.4g}{e['unit']}"


def evidence_text(c: dict[str, Any], lang: str) -> str:
    """One line of evidence for an assessed criterion (metric, statistic over runs, rule, source)."""
    e = c["evidence"]
    how = t("sc_from_fact", lang) if e["from_fact"] else t("sc_over_runs", lang, stat=e["statistic"], n=e["runs"])
    return f"{e['metric']}: {how}; {e['rule']}; {e['source']}"


def scorecard_rows(card: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """One row per criterion: id, title, rating, measured value, thresholds, weight, evidence (or the reason)."""
    rows = []
    for c in card["criteria"]:
        title = c.get("title_zh") if lang == "zh" and c.get("title_zh") else c["title"]
        if not c["assessed"]:
            rows.append({"id": c["id"], "title": title, "rating": "—", "value": t("sc_not_assessed", lang),
                         "thresholds": "", "weight": c["weight"], "evidence": c["reason"]})
            continue
        e = c["evidence"]
        th = e["thresholds"]
        rows.append({
            "id": c["id"], "title": title, "rating": c["rating"], "value": _value(e),
            "thresholds": f"{th['P']:g} / {th['S']:g} / {th['M']:g}{e['unit']}", "weight": c["weight"],
            "evidence": evidence_text(c, lang),
        })
    return rows


def scorecard_html(card: dict[str, Any], lang: str = "en") -> str:
    """The scorecard as one HTML page: score and band, every criterion with its evidence, improvement items."""
    e = html.escape
    score = "—" if card["score"] is None else f"{card['score']:.1f} / 100"
    band = card["band_zh"] if lang == "zh" and card.get("band_zh") else card["band"]
    rubric = card["rubric_zh"] if lang == "zh" and card.get("rubric_zh") else card["rubric"]
    head = [t(k, lang) for k in ("sc_col_id", "sc_col_title", "sc_col_rating", "sc_col_value", "sc_col_thresholds",
                                  "sc_col_weight", "sc_col_evidence")]
    rows = []
    for r in scorecard_rows(card, lang):
        colour = _RATING_COLOURS.get(r["rating"], "#bbbbbb")
        rows.append(
            "<tr>" + f"<td>{e(r['id'])}</td><td>{e(r['title'])}</td>"
            f"<td style='background:{colour};color:white;text-align:center'><b>{e(r['rating'])}</b></td>"
            f"<td>{e(str(r['value']))}</td><td>{e(r['thresholds'])}</td><td>{r['weight']:g}</td>"
            f"<td>{e(r['evidence'])}</td></tr>"
        )
    items = []
    for i in card["improvements"]:
        action = i["action_zh"] if lang == "zh" and i.get("action_zh") else i["action"]
        items.append(f"<li>[{e(i['rating'])}] <b>{e(i['id'])}</b> ({t('sc_points_lost', lang, n=i['points_lost'])})"
                     f": {e(action)}</li>")
    facts = ", ".join(f"{k} = {v:g}" for k, v in card.get("facts", {}).items()) or "—"
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<title>{e(t('sc_report_title', lang))} — {e(card.get('scenario', ''))}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}}table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #ccc;padding:4px 6px;vertical-align:top;font-size:90%}}th{{background:#eee}}</style>
</head><body>
<h1>{e(t('sc_report_title', lang))}</h1>
<p>{e(t('sc_report_meta', lang, scenario=card.get('scenario', ''), plan=card.get('plan', ''),
       reps=card.get('reps', ''), agents=card.get('agents', ''), rubric=rubric))}</p>
<h2>{e(t('sc_score', lang))}: {e(score)} — {e(band)}</h2>
<p>{e(t('sc_assessed', lang, n=card['assessed'], total=len(card['criteria'])))};
{e(t('sc_facts', lang))}: {e(facts)}</p>
<table><tr>{''.join(f'<th>{e(h)}</th>' for h in head)}</tr>
{''.join(rows)}
</table>
<h2>{e(t('sc_improvements', lang))}</h2>
<ol>{''.join(items) or '<li>—</li>'}</ol>
<p style="color:#777;font-size:85%">{e(t('sc_ratings_rule', lang))} · drillsim {e(card.get('code_version', ''))}</p>
</body></html>
"""


def example_observations(injects: Sequence[dict[str, Any]], *, factor: float = 1.1) -> str:
    """Observations CSV for a dry run of the evaluation: every inject with a target observed at ``factor`` x its
    p50 target (the first such inject late, past its p90, so that the report has something to improve)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["inject_id", "observed_time_s", "notes"])
    first = True
    for r in injects:
        p50, p90 = r.get("target_p50_s"), r.get("target_p90_s")
        if p50 in (None, "") or r.get("inject_type") == "contingency":
            continue
        value = float(p90) * 1.2 if first and p90 not in (None, "") else float(p50) * factor
        first = False
        w.writerow([r["inject_id"], f"{value:.0f}", "example"])
    return buf.getvalue()
