# ruff: noqa: E501  (a strings table: long texts read better unbroken)
"""The dashboard's one strings table: every label, explanation and generated text, in English and Chinese.

``t(key, lang, **values)`` returns the text of ``key`` in ``lang`` with ``{placeholders}`` filled. Pure Python
(no streamlit), so figure builders and reports use it too. A missing key is a bug: :func:`t` raises
``KeyError`` naming it, and ``tests/dashboard`` checks that every key used in the code is here in both languages.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LANGS", "LANG_NAMES", "STRINGS", "t", "has"]

LANGS = ("en", "zh")
#: What the language switch shows.
LANG_NAMES = {"en": "English", "zh": "中文"}

#: key -> (English, Chinese)
STRINGS: dict[str, tuple[str, str]] = {
    # -- navigation and sidebar -----------------------------------------------------------------------------
    "page_scenario": ("Scenario", "情景"),
    "page_run": ("Run", "运行"),
    "page_compare": ("Compare plans", "预案比较"),
    "page_response": ("Response", "应急响应"),
    "page_shelters": ("Shelters", "避难场所"),
    "page_drill": ("Drill", "演练设计"),
    "page_scorecard": ("Scorecard", "评分卡"),
    "page_learn": ("Learn", "学习"),
    "sidebar_scenario": ("Scenario", "情景"),
    "sidebar_scenario_help": ("The venue and its plans used by the Run, Compare, Drill and Scorecard pages.",
                              "运行、比较、演练和评分页面所用的场所及其预案。"),
    "sidebar_caption": ("drillsim — emergency drill and incident simulation. Results are cached by scenario, "
                        "plan and seed; comparisons go into the run catalogue.",
                        "drillsim — 应急演练与事故仿真。结果按情景、预案和随机种子缓存；比较结果写入运行目录库。"),
    "error_input": ("Cannot use this input: {msg}", "无法使用该输入：{msg}"),
    "error_unexpected": ("Something went wrong ({kind}): {msg}. The rest of the app keeps working.",
                         "出现错误（{kind}）：{msg}。应用的其他部分仍可使用。"),
    "none": ("none", "无"),
    "meets": ("meets", "满足"),
    "fails": ("FAILS", "不满足"),
    "not_reached": ("not reached", "未达到"),
    "not_all_out": ("not everyone out", "未全部疏散"),
    # -- shared inputs ------------------------------------------------------------------------------------------
    "plan": ("Plan", "预案"),
    "plans": ("Plans", "预案"),
    "populations": ("Populations", "人员分布"),
    "seed": ("Seed", "随机种子"),
    "seed_help": ("The same scenario, plan and seed give the same result.", "相同的情景、预案和种子给出相同结果。"),
    "first_seed": ("First seed", "起始种子"),
    "reps": ("Replications", "重复次数"),
    "reps_help": ("Seeds S, S+1, ... are used for every plan (common random numbers).",
                  "每个预案使用相同的种子 S, S+1, ...（共同随机数）。"),
    "agents": ("Persons simulated", "模拟人数"),
    "agents_help": ("Populations are rescaled to this total (the scenario has {total}). Fewer persons run "
                    "faster; use the full count for results you report.",
                    "按比例缩放各人群至该总数（情景原有 {total} 人）。人数越少运行越快；正式结果请使用完整人数。"),
    "level": ("Level", "楼层"),
    "metric": ("Metric", "指标"),
    "time_s": ("Time [s]", "时间 [s]"),
    "uploaded": ("uploaded", "已上传"),
    "catalogue_at": ("Run catalogue: {db} · {workers} local worker(s)", "运行目录库：{db} · {workers} 个本地进程"),
    "download_csv": ("Download CSV", "下载 CSV"),
    "download_md": ("Download Markdown", "下载 Markdown"),
    "download_agents": ("Download the agents table (CSV)", "下载人员表（CSV）"),
    # -- Scenario page ------------------------------------------------------------------------------------------
    "scenario_title": ("Scenario", "情景"),
    "scenario_intro": ("Pick a shipped scenario in the sidebar or upload your own YAML file. The drawing is to "
                       "scale: walls, obstacles, exits, stairs and escalators, where people start, hazards.",
                       "在侧栏选择自带情景，或上传自己的 YAML 文件。图按比例绘制：墙体、障碍物、出口、楼梯与扶梯、"
                       "人员初始位置和危险源。"),
    "upload_label": ("Upload a scenario (YAML)", "上传情景文件（YAML）"),
    "upload_help": ("The file is checked before it is used; errors name the field and how to fix it.",
                    "文件在使用前先校验；错误信息会指出字段及修改方法。"),
    "upload_invalid": ("The uploaded file {name} is not a valid scenario: {msg}",
                       "上传的文件 {name} 不是有效的情景：{msg}"),
    "upload_ok": ("{name} is valid and is now the chosen scenario.", "{name} 校验通过，已设为当前情景。"),
    "m_levels": ("Levels", "楼层数"),
    "m_persons": ("Persons", "人数"),
    "m_exits": ("Exits", "出口数"),
    "m_connectors": ("Stairs and escalators", "楼梯与扶梯"),
    "scenario_sections": ("Engines: {sections} · calibration: {calibration} · file: `{file}`",
                          "参与的引擎：{sections} · 标定：{calibration} · 文件：`{file}`"),
    "section_hazards": ("hazards (gas explosion)", "危险源（燃气爆炸）"),
    "section_response": ("emergency response", "应急响应"),
    "section_shelters": ("shelters", "避难场所"),
    "section_metro": ("metro 4/6-minute check", "地铁 4/6 分钟校核"),
    "scenario_show_plan": ("Show the layout under a plan", "按预案显示布局"),
    "scenario_no_plan": ("—: no plan, everything open", "—：不选预案，全部开放"),
    "layout_explain": ("Green lines are exits (red when the plan closes them); orange and cyan marks are the ends "
                       "of stairs and escalators with the level they lead to; shaded areas are where people start.",
                       "绿线为出口（预案关闭时为红色）；橙色和青色为楼梯与扶梯端口，并注明通往的楼层；阴影区为人员初始区域。"),
    "scenario_source": ("Scenario file", "情景文件内容"),
    "col_plan": ("Plan", "预案"),
    "col_description": ("Description", "说明"),
    "col_closed": ("Closed", "关闭"),
    "col_events": ("Events", "事件数"),
    "col_population": ("Population", "人群"),
    "col_persons": ("Persons", "人数"),
    "col_profile": ("Profile", "人员类型"),
    "col_area": ("Area [m²]", "面积 [m²]"),
    # -- figures (layout, replay, distributions) ----------------------------------------------------------------
    "fig_layout": ("layout to scale", "按比例布局"),
    "fig_level": ("Level", "楼层"),
    "fig_walls": ("Walls", "墙体"),
    "fig_obstacles": ("Obstacles", "障碍物"),
    "fig_populations": ("Populations", "人群"),
    "fig_persons": ("persons", "人"),
    "fig_monitoring": ("Monitoring areas", "监测区域"),
    "fig_exits": ("Exits", "出口"),
    "fig_closed_exits": ("Closed exits", "关闭的出口"),
    "fig_stair": ("Stairs", "楼梯"),
    "fig_escalator": ("Escalators", "扶梯"),
    "fig_hazard": ("Hazard", "危险源"),
    "fig_x": ("x [m]", "x [m]"),
    "fig_y": ("y [m]", "y [m]"),
    "fig_time": ("Time [s]", "时间 [s]"),
    "fig_replay": ("Replay of positions (levels side by side)", "人员位置回放（各楼层并排显示）"),
    "fig_by_plan": ("by plan over replications", "各预案多次重复的分布"),
    "fig_plan": ("Plan", "预案"),
    "state_waiting": ("Waiting (pre-movement)", "等待（疏散准备）"),
    "state_moving": ("Moving", "移动中"),
    "state_casualty": ("Casualty (immobile)", "伤员（无法移动）"),
    "state_trapped": ("Trapped", "被困"),
    # -- Run page -----------------------------------------------------------------------------------------------
    "run_title": ("Run one evacuation", "运行一次疏散"),
    "run_intro": ("Simulate the chosen scenario under one plan. The result is cached: the same scenario, plan, "
                  "seed and number of persons come back at once.",
                  "在一个预案下仿真当前情景。结果会缓存：相同的情景、预案、种子和人数会立即返回。"),
    "run_button": ("Run", "运行"),
    "run_starting": ("Starting the simulation…", "正在启动仿真…"),
    "run_progress": ("Simulated {t} s: {out} of {total} persons out", "已仿真 {t} 秒：{total} 人中已疏散 {out} 人"),
    "run_done": ("Simulation finished", "仿真完成"),
    "run_none": ("Choose a plan, a seed and the number of persons, then press Run.",
                 "选择预案、种子和人数后点击“运行”。"),
    "run_shown_other": ("Showing the last run (plan {plan}, seed {seed}, {agents} persons); press Run for the "
                        "inputs above.", "显示的是上次运行（预案 {plan}，种子 {seed}，{agents} 人）；点击“运行”以使用上面的输入。"),
    "m_evacuated": ("Evacuated", "已疏散"),
    "m_evac_time": ("Evacuation time (last out)", "疏散时间（最后一人）"),
    "m_t95": ("Time to 95 % out", "95% 人员疏散时间"),
    "m_max_density": ("Max density (2 m cells)", "最大密度（2 m 网格）"),
    "m_wall": ("Computing time", "计算耗时"),
    "tab_curve": ("Evacuation curve", "疏散曲线"),
    "tab_density": ("Density and LOS", "密度与服务水平"),
    "tab_warnings": ("Warnings", "预警"),
    "tab_metro": ("Metro check", "地铁校核"),
    "tab_hazard": ("Hazard", "危险源"),
    "tab_replay": ("Replay", "回放"),
    "tab_tables": ("Tables", "数据表"),
    "col_exit": ("Exit", "出口"),
    "col_flow": ("Steady flow [P/s]", "稳定流量 [人/s]"),
    "col_max_queue": ("Max queue", "最大排队人数"),
    "curve_explain": ("Each step is one person crossing an exit. A steep curve is a high flow; a flat stretch "
                      "means people are waiting (pre-movement) or queueing. The steady flow is measured between the "
                      "10th and 90th percentile of each exit's crossings.",
                      "每一阶代表一人通过出口。曲线越陡流量越大；平缓段表示人员在准备或排队。稳定流量取各出口通过时间的"
                      "第 10 至第 90 百分位之间计算。"),
    "density_mode": ("Show", "显示"),
    "density_mode_max": ("maximum over the run", "全过程最大值"),
    "density_mode_time": ("at a time", "某一时刻"),
    "density_none": ("No density was recorded on this level.", "该楼层没有记录到密度。"),
    "density_explain": ("Density = persons in a 2 m cell / its walkable area. Fruin's levels of service: A "
                        "(free walking) to F (crush risk). At least one cell was above 2 P/m² for {above2:.0f} s and "
                        "above 4 P/m² for {above4:.0f} s.",
                        "密度 = 2 m 网格内人数 / 可行走面积。Fruin 服务水平从 A（自由行走）到 F（有挤压风险）。至少一个网格"
                        "密度超过 2 人/m² 的时间为 {above2:.0f} 秒，超过 4 人/m² 的时间为 {above4:.0f} 秒。"),
    "warnings_none": ("This scenario defines no monitoring areas, so there are no four-colour warnings.",
                      "该情景未定义监测区域，因此没有四色预警。"),
    "warnings_explain": ("Blue / yellow / orange / red from 2 / 4 / 5 / 7 P/m² in each monitoring area.",
                         "各监测区域密度达到 2 / 4 / 5 / 7 人/m² 时分别为蓝 / 黄 / 橙 / 红色预警。"),
    "metro_none": ("This scenario has no metro check (only metro stations have one).", "该情景没有地铁校核（仅地铁车站有）。"),
    "metro_title": ("Metro rule: platform cleared in 4 min, safe area reached in 6 min",
                    "地铁规则：4 分钟内撤离站台，6 分钟内到达安全区"),
    "metro_formula": ("GB 50157 formula", "GB 50157 公式"),
    "metro_platform": ("Platform cleared (simulated)", "站台清空（仿真）"),
    "metro_safe": ("Safe area reached (simulated)", "到达安全区（仿真）"),
    "metro_minutes": ("Minutes", "分钟"),
    "metro_limit": ("Limit", "限值"),
    "metro_explain": ("The formula T = 1 + Q / (0.9 [A1 (N-1) + A2 B]) assumes one escalator out of service; the "
                      "simulation walks the {persons} persons on the platform up the stairs and escalators "
                      "(N = {n} escalators, B = {b} m of stairs).",
                      "公式 T = 1 + Q / (0.9 [A1 (N-1) + A2 B]) 假定一台扶梯停用；仿真让站台上的 {persons} 人经楼梯和扶梯"
                      "上行（N = {n} 台扶梯，楼梯总宽 B = {b} m）。"),
    "col_check": ("Check", "校核项"),
    "col_value": ("Value", "数值"),
    "col_limit": ("Limit", "限值"),
    "col_verdict": ("Verdict", "结论"),
    "hazard_none": ("This scenario has no hazards.", "该情景没有危险源。"),
    "hazard_summary": ("Alarm at {alarm} s, ignition at {ignition} s; exits closed by the blast: {closed}.",
                       "报警时间 {alarm} 秒，点火时间 {ignition} 秒；爆炸导致关闭的出口：{closed}。"),
    "hazard_explain": ("Zones are where the peak overpressure reaches each threshold (6.9 kPa: injuries from glass; "
                       "24.1 kPa: serious injuries, exits lost; 55.2 kPa: fatalities likely). Crosses mark people "
                       "immobilised by the blast.",
                       "各区域为峰值超压达到相应阈值的范围（6.9 kPa：玻璃致伤；24.1 kPa：重伤，出口失效；55.2 kPa：可能致死）。"
                       "标记为被爆炸致残无法移动的人员。"),
    "replay_none": ("No positions were recorded.", "没有记录到位置。"),
    "replay_explain": ("Press ▶ or drag the time slider. Grey: still preparing to leave; blue: moving; red: "
                       "casualties; orange: trapped. People who are out disappear.",
                       "点击 ▶ 或拖动时间滑块。灰色：仍在准备；蓝色：移动中；红色：伤员；橙色：被困。已疏散的人员不再显示。"),
    # -- Compare page -------------------------------------------------------------------------------------------
    "compare_title": ("Compare plans", "预案比较"),
    "compare_intro": ("Every plan runs with the same seeds (common random numbers), so differences come from the "
                      "plans, not from chance. Runs already in the catalogue are not run again.",
                      "各预案使用相同的随机种子（共同随机数），差异来自预案而非偶然。目录库中已有的运行不会重复计算。"),
    "compare_plans": ("Plans to compare", "参与比较的预案"),
    "compare_button": ("Compare", "开始比较"),
    "compare_starting": ("Starting {total} runs on local workers…", "正在本地进程中启动 {total} 次运行…"),
    "compare_progress": ("{n} of {total} runs finished (last: plan {plan}, seed {seed})",
                         "已完成 {total} 次中的 {n} 次（最近：预案 {plan}，种子 {seed}）"),
    "compare_finished": ("All runs finished", "全部运行完成"),
    "compare_none": ("Choose plans and replications, then press Compare.", "选择预案和重复次数后点击“开始比较”。"),
    "compare_done": ("Compared {plans}: {reps} replications each with {agents} persons; {executed} runs made now, "
                     "{served} served from the catalogue.",
                     "已比较 {plans}：每个预案 {reps} 次重复，每次 {agents} 人；本次新运行 {executed} 次，"
                     "从目录库读取 {served} 次。"),
    "plot_kind": ("Plot", "图形"),
    "plot_box": ("box", "箱线图"),
    "plot_violin": ("violin", "小提琴图"),
    "compare_per_plan": ("Per plan", "各预案统计"),
    "direction_lower": ("lower is better", "越低越好"),
    "direction_higher": ("higher is better", "越高越好"),
    "direction_neutral": ("no preferred direction", "无优劣方向"),
    "col_mean": ("Mean", "均值"),
    "col_ci": ("95 % CI", "95% 置信区间"),
    "col_missing": ("Missing", "缺失"),
    "compare_pairs": ("Differences between plans (paired by seed)", "预案间差异（按种子配对）"),
    "col_pair": ("A − B", "A − B"),
    "col_mean_diff": ("Mean difference", "平均差"),
    "col_p_seeds": ("P(A better), seeds", "A 更优的比例（按种子）"),
    "col_p_normal": ("P(A better), normal", "A 更优的概率（正态）"),
    "col_p_boot": ("P(A's mean better), bootstrap", "A 均值更优的概率（自助法）"),
    "compare_pairs_explain": ("A difference whose 95 % confidence interval excludes 0 is unlikely to be chance. "
                              "P(A better) is the share of seeds where A did better, the probability under a normal "
                              "model of the paired difference, and the bootstrap share for the mean.",
                              "若差值的 95% 置信区间不含 0，则差异不太可能由偶然造成。“A 更优”分别给出按种子统计的比例、"
                              "配对差正态模型下的概率，以及均值的自助法比例。"),
    "compare_ranking": ("Ranking by {metric}, best first: {order}; the same in {stability} % of bootstrap "
                        "resamples of {n} seeds.",
                        "按 {metric} 排序（最优在前）：{order}；在 {n} 个种子的自助重抽样中有 {stability}% 保持相同排序。"),
    "compare_past": ("Earlier comparisons of this scenario in the catalogue", "目录库中该情景的历史比较"),
    "compare_past_none": ("None yet.", "暂无。"),
    "compare_past_pick": ("Comparison", "比较编号"),
    "compare_past_show": ("Show", "显示"),
    "metric_evacuation_time_s": ("Evacuation time [s]", "疏散时间 [s]"),
    "metric_t95_s": ("Time to 95 % out [s]", "95% 疏散时间 [s]"),
    "metric_max_density_p_m2": ("Max density [P/m²]", "最大密度 [人/m²]"),
    "metric_time_above_2_p_m2_s": ("Time above 2 P/m² [s]", "超过 2 人/m² 的时间 [s]"),
    "metric_time_above_4_p_m2_s": ("Time above 4 P/m² [s]", "超过 4 人/m² 的时间 [s]"),
    "metric_evacuated": ("Persons evacuated", "已疏散人数"),
    # -- Response page ------------------------------------------------------------------------------------------
    "response_title": ("Emergency response", "应急响应"),
    "response_intro": ("Fire, medical and gas-utility teams are dispatched from their stations over the road "
                       "network; the Gantt chart shows what each unit does, the map the routes driven, and the "
                       "distributions how often each target (e.g. first fire unit within 5 minutes) is met.",
                       "消防、医疗和燃气抢修队伍从各自站点经道路网络出动；甘特图显示各队伍的活动，地图显示行驶路线，"
                       "分布图显示各目标（如 5 分钟内首车到场）的达成情况。"),
    "response_not_in_scenario": ("The chosen scenario has no response section; showing a shipped file that has one.",
                                 "当前情景没有应急响应部分；改为显示带有该部分的自带文件。"),
    "response_no_files": ("No file with a response section was found.", "未找到带有应急响应部分的文件。"),
    "response_file": ("File with a response section", "含应急响应部分的文件"),
    "response_running": ("Simulating the response…", "正在仿真应急响应…"),
    "m_units_sent": ("Units sent", "出动队伍数"),
    "m_first_unit": ("First unit on scene (mean)", "首支队伍到场（均值）"),
    "m_all_clear": ("All clear", "处置完毕"),
    "tab_gantt": ("Timeline", "时间线"),
    "tab_map": ("Map and routes", "地图与路线"),
    "tab_times": ("Response times", "响应时间"),
    "gantt_explain": ("One row per unit: turnout, driving to the scene, working on scene, transport to hospital "
                      "and return, in simulated seconds from the alarm.",
                      "每行一支队伍：出动准备、赶赴现场、现场处置、转运医院及返回，时间为自报警起的仿真秒数。"),
    "map_explain": ("Roads in grey; stations, hospitals and incident sites as markers; coloured lines are the "
                    "routes the units drove.", "灰色为道路；标记为站点、医院和事件地点；彩色线为队伍实际行驶路线。"),
    "times_none": ("No response times were recorded.", "没有记录到响应时间。"),
    "times_explain": ("Each point is one incident in one of {reps} replications; the dashed line is the target "
                      "(fire: 5 minutes from dispatch).", "每个点为 {reps} 次重复中某次的一个事件；虚线为目标时间（消防：自派车起 5 分钟）。"),
    "col_target": ("Target", "目标"),
    "col_within": ("Within [s]", "时限 [s]"),
    "col_share_met": ("Share met", "达标比例"),
    # -- Shelters page ------------------------------------------------------------------------------------------
    "shelters_title": ("Shelters", "避难场所"),
    "shelters_intro": ("Who lives within the service distance of an emergency shelter, who does not, how full each "
                       "shelter gets when everyone goes to one, and which new sites would cover the most people.",
                       "哪些人位于紧急避难场所服务半径内，哪些人不在；所有人前往避难场所时各场所的负荷；以及哪些新选址能覆盖最多人口。"),
    "shelters_not_in_scenario": ("The chosen scenario has no shelters section; showing a shipped file that has one.",
                                 "当前情景没有避难场所部分；改为显示带有该部分的自带文件。"),
    "shelters_no_files": ("No file with shelters was found.", "未找到带有避难场所的文件。"),
    "shelters_file": ("District or scenario with shelters", "含避难场所的片区或情景"),
    "shelters_running": ("Computing coverage, assignment and siting…", "正在计算覆盖、分配与选址…"),
    "site_k": ("New sites to choose", "新增选址数"),
    "site_k_help": ("Maximal covering: the k candidate sites that cover the most uncovered people (0: none).",
                    "最大覆盖：选择覆盖最多未覆盖人口的 k 个候选点（0 表示不选址）。"),
    "evacuees": ("Evacuees added at the venue", "场所新增疏散人数"),
    "evacuees_help": ("People who leave the venue become shelter demand at its entrance.",
                      "离开场所的人员在其出入口处成为避难需求。"),
    "m_population": ("Population", "人口"),
    "m_shelters_open": ("Shelters open", "开放的避难场所"),
    "m_covered": ("Covered (emergency tier)", "覆盖率（紧急避难）"),
    "m_uncovered": ("Uncovered persons", "未覆盖人数"),
    "tab_coverage": ("Coverage map", "覆盖地图"),
    "tab_loads": ("Loads", "负荷"),
    "tab_siting": ("Siting", "选址建议"),
    "tab_compliance": ("Compliance", "合规性"),
    "shelter_map_title": ("Population, emergency shelters and coverage ({kind} distance)",
                          "人口、紧急避难场所与覆盖（{kind}距离）"),
    "kind_network": ("walking", "步行"),
    "kind_euclidean": ("straight-line", "直线"),
    "coverage_explain": ("Grey heat: where people live; circles: shelters sized by capacity with their service "
                         "distance; orange crosses: people outside every service area.",
                         "灰色热力：人口分布；圆点：按容量大小绘制的避难场所及其服务半径；橙色叉号：不在任何服务范围内的人口。"),
    "col_tier": ("Tier", "层级"),
    "col_covered": ("Covered", "覆盖率"),
    "col_uncovered": ("Uncovered persons", "未覆盖人数"),
    "uncovered_blocks": ("Where the uncovered people live (500 m blocks)", "未覆盖人口所在位置（500 m 网格）"),
    "loads_title": ("Shelter loads against capacity", "避难场所负荷与容量"),
    "assignment_summary": ("Assigned {assigned:,.0f} persons, {unassigned:,.0f} without a place; mean walk "
                           "{mean:,.0f} m, 95th percentile {p95:,.0f} m.",
                           "已分配 {assigned:,.0f} 人，{unassigned:,.0f} 人无安置位置；平均步行 {mean:,.0f} m，"
                           "第 95 百分位 {p95:,.0f} m。"),
    "siting_none": ("Choose at least one new site to see siting suggestions.", "新增选址数至少为 1 才显示选址建议。"),
    "siting_summary": ("The best {k} of {n} candidate sites: {sites}; they add {added:,.0f} covered persons "
                       "(coverage {before:.1f} % → {after:.1f} %).",
                       "{n} 个候选点中最优的 {k} 个：{sites}；新增覆盖 {added:,.0f} 人（覆盖率 {before:.1f}% → {after:.1f}%）。"),
    "setcover_summary": ("Covering everyone who can be covered ({frac:.1f} %) needs {n} new sites.",
                         "要覆盖所有可覆盖人口（{frac:.1f}%）需要 {n} 个新选址。"),
    "compliance_summary": ("Fixed shelter capacity is {share:.1f} % of the population (required {required:.1f} %): "
                           "{ok}. {zones} of {total} shelters have every required functional zone.",
                           "固定避难场所容量占人口的 {share:.1f}%（要求 {required:.1f}%）：{ok}。{total} 个场所中有 {zones} 个"
                           "具备全部必需功能区。"),
    # -- Drill page ---------------------------------------------------------------------------------------------
    "drill_title": ("Drill design and evaluation", "演练设计与评估"),
    "drill_intro": ("The drill script (MSEL) is built from the simulated timeline: each milestone becomes an "
                    "inject with target times from the replications. Edit it in the table, download it, and after "
                    "the drill upload the observed times.",
                    "演练脚本（MSEL）由仿真时间线生成：每个里程碑成为一个注入事件，其目标时间取自多次重复。可在表格中编辑、"
                    "下载，演练后上传实际观察时间。"),
    "exercise_type": ("Exercise type", "演练类型"),
    "drill_button": ("Generate the MSEL", "生成演练脚本"),
    "drill_none": ("Choose a plan and press Generate.", "选择预案后点击“生成演练脚本”。"),
    "drill_done": ("{n} injects for plan {plan} from {reps} replications with {agents} persons.",
                   "预案 {plan}：基于 {reps} 次重复（每次 {agents} 人）生成 {n} 个注入事件。"),
    "drill_explain": ("Target p50 / p90: the simulated median and 90th percentile of the milestone. Edits in the "
                      "table go into the downloads and the evaluation.",
                      "目标 p50 / p90：该里程碑仿真结果的中位数与第 90 百分位。表格中的修改会用于下载和评估。"),
    "drill_evaluate": ("Evaluate the drill", "演练评估"),
    "drill_evaluate_intro": ("Upload a CSV with the columns inject_id, observed_time_s, notes (seconds or mm:ss; "
                             "empty = not performed). Ratings: P ≤ p50, S ≤ p90, M ≤ 1.5 × p90, otherwise U.",
                             "上传包含 inject_id、observed_time_s、notes 列的 CSV（秒或 分:秒；留空表示未完成）。"
                             "评级：P ≤ p50，S ≤ p90，M ≤ 1.5 × p90，否则为 U。"),
    "observed_upload": ("Observed times (CSV)", "观察时间（CSV）"),
    "observed_template": ("Download an example observations file", "下载观察记录示例文件"),
    "observed_example": ("Use example observations", "使用示例观察记录"),
    "drill_score": ("Drill score", "演练得分"),
    "band": ("Band", "等级"),
    "rated_objectives": ("{n} objectives rated", "已评定 {n} 项目标"),
    "msel_inject_id": ("Inject", "注入编号"),
    "msel_scenario_time": ("Scenario time", "情景时间"),
    "msel_inject_type": ("Type", "类型"),
    "msel_description": ("Description", "描述"),
    "msel_expected_action": ("Expected action", "预期行动"),
    "msel_objective": ("Objective", "目标"),
    "msel_target_p50_s": ("Target p50 [s]", "目标 p50 [s]"),
    "msel_target_p90_s": ("Target p90 [s]", "目标 p90 [s]"),
    "msel_controller": ("Controller", "导调员"),
    "msel_notes": ("Notes", "备注"),
    "col_objective": ("Objective", "目标"),
    "col_rating": ("Rating", "等级"),
    "col_evidence": ("Evidence", "依据"),
    "download_aar": ("Download the after-action report (Markdown)", "下载评估报告（Markdown）"),
    "aar_preview": ("After-action report", "演练评估报告"),
    # -- Scorecard page -----------------------------------------------------------------------------------------
    "sc_title": ("Readiness scorecard", "准备度评分卡"),
    "sc_intro": ("The plan is replicated and each criterion of the rubric is rated P / S / M / U from the "
                 "simulated values against thresholds from the standards; every rating shows its evidence.",
                 "对预案进行多次重复仿真，按评分标准将每项准则评为 P / S / M / U，阈值来自相关标准；每个评级均附依据。"),
    "sc_rubric": ("Rubric", "评分标准"),
    "rubric_default": ("International practice (NFPA, Fruin, RSET/ASET)", "国际通行做法（NFPA、Fruin、RSET/ASET）"),
    "rubric_china": ("Chinese standards (GB 51298, 建标152 …)", "中国标准（GB 51298、建标152 等）"),
    "sc_interval": ("Months between drills", "演练间隔（月）"),
    "sc_interval_help": ("A fact the simulation cannot know: how often this venue holds a drill.",
                         "仿真无法得知的事实：该场所多久组织一次演练。"),
    "sc_button": ("Score the plan", "评分"),
    "sc_none": ("Choose a plan and a rubric, then press Score.", "选择预案和评分标准后点击“评分”。"),
    "sc_score": ("Score", "得分"),
    "sc_assessed_short": ("Criteria assessed", "已评估准则"),
    "sc_assessed": ("{n} of {total} criteria assessed", "共 {total} 项准则，已评估 {n} 项"),
    "sc_facts": ("facts given", "给定事实"),
    "sc_col_id": ("Criterion", "准则"),
    "sc_col_title": ("Title", "名称"),
    "sc_col_rating": ("Rating", "等级"),
    "sc_col_value": ("Measured", "实测值"),
    "sc_col_thresholds": ("P / S / M thresholds", "P / S / M 阈值"),
    "sc_col_weight": ("Weight", "权重"),
    "sc_col_evidence": ("Evidence", "依据"),
    "sc_not_assessed": ("not assessed", "未评估"),
    "sc_from_fact": ("given as a fact", "由给定事实"),
    "sc_over_runs": ("{stat} over {n} runs", "{n} 次运行的 {stat}"),
    "sc_improvements": ("Improvement items (largest loss of points first)", "改进事项（按失分从多到少）"),
    "sc_points_lost": ("{n} points lost", "失 {n} 分"),
    "sc_ratings_rule": ("P performed without challenges · S some challenges · M major challenges · U unable to "
                        "perform (HSEEP, AQ/T 9009).", "P 无挑战完成 · S 存在一些挑战 · M 存在重大挑战 · U 无法完成（HSEEP、AQ/T 9009）。"),
    "sc_download": ("Download the HTML report", "下载 HTML 报告"),
    "sc_report_title": ("Readiness scorecard", "准备度评分卡"),
    "sc_report_meta": ("Scenario {scenario}, plan {plan}: {reps} replications with {agents} persons; rubric: "
                       "{rubric}.", "情景 {scenario}，预案 {plan}：{reps} 次重复，每次 {agents} 人；评分标准：{rubric}。"),
    # -- Learn page ---------------------------------------------------------------------------------------------
    "learn_title": ("Learn: guided walk-throughs", "学习：分步讲解"),
    "learn_intro": ("Two shipped scenarios explained one figure at a time. Move the step slider; steps after the "
                    "layout need one small run (press the button once).",
                    "通过两个自带情景逐图讲解。拖动步骤滑块；布局之后的步骤需要先运行一次小规模仿真（点击一次按钮即可）。"),
    "learn_pick": ("Walk-through", "讲解"),
    "learn_step": ("Step", "步骤"),
    "learn_tour_bottleneck": ("A room and its door (bottleneck)", "房间与门（瓶颈）"),
    "learn_tour_metro": ("A metro station (multi-level)", "地铁车站（多层）"),
    "learn_needs_run": ("This step needs one run of plan {plan} with {n} persons.", "此步骤需要以 {n} 人运行一次预案 {plan}。"),
    "learn_run": ("Run the example", "运行示例"),
    "learn_curve_numbers": ("In this run the last person was out after {evac} s and 95 % after {t95} s.",
                            "本次运行最后一人在 {evac} 秒疏散完毕，95% 的人在 {t95} 秒内疏散。"),
    "learn_flow_metric": ("Steady flow through {exit}", "{exit} 的稳定流量"),
    "learn_flow_compare": ("Laboratory experiments (Seyfried et al. 2009) measured about 1.6–1.9 persons per second "
                           "through a 1 m wide bottleneck; design codes assume about 1.3 P/s/m. A value in that range "
                           "means the model reproduces the bottleneck capacity.",
                           "实验（Seyfried 等，2009）测得 1 m 宽瓶颈的流量约为 1.6–1.9 人/秒；设计规范约取 1.3 人/(s·m)。"
                           "数值落在此范围说明模型再现了瓶颈通行能力。"),
    "learn_next_pages": ("Go on: **Compare plans** runs plan A against plan B over many seeds; **Scorecard** rates a "
                         "plan against the standards; **Drill** turns the timeline into a drill script.",
                         "继续：**预案比较**在多个种子下比较预案 A 与 B；**评分卡**按标准为预案评分；**演练设计**把时间线变成演练脚本。"),
    "learn_bottleneck_about": ("150 people leave an 8 m × 10 m room through a 1 m wide corridor — the classic "
                               "bottleneck experiment. Plan A locks the side door, plan B opens it.",
                               "150 人经 1 m 宽通道离开 8 m × 10 m 的房间——经典的瓶颈实验。预案 A 锁闭侧门，预案 B 打开侧门。"),
    "learn_bottleneck_layout_title": ("1. The layout", "1. 布局"),
    "learn_bottleneck_layout_text": ("Black lines are walls, the green line on the right is the corridor's exit, the "
                                     "shaded area is where the 150 people start. Everything is drawn to scale in "
                                     "metres.", "黑线为墙体，右侧绿线为通道出口，阴影区为 150 人的初始位置。图中一切按米制比例绘制。"),
    "learn_bottleneck_curve_title": ("2. The evacuation curve", "2. 疏散曲线"),
    "learn_bottleneck_curve_text": ("Persons out against time. After a short start the curve is a straight line: "
                                    "the door lets through a constant number of people per second.",
                                    "已疏散人数随时间变化。起步之后曲线近似直线：门每秒通过的人数基本恒定。"),
    "learn_bottleneck_flow_title": ("3. The flow through the door", "3. 通过门的流量"),
    "learn_bottleneck_flow_text": ("The slope of that straight part is the flow, in persons per second.",
                                   "直线段的斜率就是流量，单位为人/秒。"),
    "learn_bottleneck_density_title": ("4. Where it gets crowded", "4. 拥挤位置"),
    "learn_bottleneck_density_text": ("The highest density of each 2 m cell during the run: the crowd packs in front "
                                      "of the corridor, not inside it.", "运行中各 2 m 网格的最高密度：人群挤在通道入口前，而不是通道内。"),
    "learn_bottleneck_next_title": ("5. What next", "5. 下一步"),
    "learn_bottleneck_next_text": ("Open the side door (plan B) and compare: two doors share the crowd.",
                                   "打开侧门（预案 B）并比较：两个门分担人流。"),
    "learn_metro_about": ("An island-platform station: 1 800 passengers on the platform walk up stairs and "
                          "escalators to the concourse and out to the street. Chinese codes require the platform to "
                          "be cleared within 4 minutes and a safe area reached within 6.",
                          "岛式站台车站：站台上 1 800 名乘客经楼梯和扶梯上到站厅再到街面。中国规范要求 4 分钟内撤离站台、"
                          "6 分钟内到达安全区。"),
    "learn_metro_layout_title": ("1. Three levels", "1. 三个楼层"),
    "learn_metro_layout_text": ("Platform, concourse and street are drawn one under the other. The openings in the "
                                "platform are the stairs and escalators; the label says which level each leads to.",
                                "站台、站厅和街面上下排列。站台上的开口是楼梯和扶梯，标注说明各自通往的楼层。"),
    "learn_metro_curve_title": ("2. The evacuation curve", "2. 疏散曲线"),
    "learn_metro_curve_text": ("One curve per exit to the street and one for all: compare how the two exit stairs "
                               "share the people.", "每个街面出口一条曲线，另有一条为全部出口：比较两个出口楼梯如何分担人流。"),
    "learn_metro_metro_title": ("3. The 4 / 6 minute rule", "3. 4 / 6 分钟规则"),
    "learn_metro_metro_text": ("The design formula (GB 50157) beside the simulation: green bars meet the limit, red "
                               "bars do not. The formula assumes one escalator out of service.",
                               "设计公式（GB 50157）与仿真结果并列：绿色满足限值，红色不满足。公式假定一台扶梯停用。"),
    "learn_metro_density_title": ("4. Crowding on the platform", "4. 站台拥挤"),
    "learn_metro_density_text": ("The highest density per 2 m cell on the platform: queues form at the foot of "
                                 "the stairs and escalators.", "站台上各 2 m 网格的最高密度：在楼梯和扶梯口前形成排队。"),
    "learn_metro_next_title": ("5. What next", "5. 下一步"),
    "learn_metro_next_text": ("Compare the plans 'one escalator out' and 'power failure' with 'all running' on the "
                              "Compare plans page.", "在“预案比较”页面比较“一台扶梯停用”“停电”与“全部运行”三个预案。"),
}


def t(key: str, lang: str = "en", **values: Any) -> str:
    """The text of ``key`` in ``lang`` (``en`` or ``zh``), with ``{placeholders}`` filled from ``values``.

    Raises:
        KeyError: the key is not in :data:`STRINGS` (a bug: add it in both languages).
    """
    pair = STRINGS[key]
    text = pair[1] if lang == "zh" else pair[0]
    return text.format(**values) if values else text


def has(key: str) -> bool:
    """Whether the strings table has ``key``."""
    return key in STRINGS
