"""What the workbook calls things: sheet names, the fixed column headers HR's import and the
reader depend on, and the label tables per language ("en", "zh") for everything else.
"""

from __future__ import annotations

from typing import Any

ASSIGNMENTS = "Assignments"
ROSTER = "Roster"
COVERAGE = "Coverage"
SUMMARY = "Summary"
FORECAST = "Forecast"
CHANGES = "Changes"
ABSENCES = "Absences"
ABSENCE_COLUMNS = ["employee_id", "name", "start", "end", "reason"]

# HR's import reads these exact strings in row 1, in every language
ASSIGNMENT_COLUMNS = ["employee_id", "name", "date", "shift", "queue", "start", "end", "hours"]
# the coverage table keeps the SPEC's column names so it reads back into pandas unchanged
COVERAGE_COLUMNS = ["start", "queue", "contacts", "required", "staffed", "shortage",
                    "concurrency", "overflow", "high_load"]
COVERAGE_DECIMALS = {"contacts": 2, "required": 2, "staffed": 2, "shortage": 2,
                     "concurrency": 1, "overflow": 1}


LABELS: dict[str, dict[str, Any]] = {
    "en": {
        "weekdays": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        "employee_id": "employee_id", "name": "name", "home_queue": "home queue", "kind": "kind",
        "regular": "regular", "flex": "flex", "absent": "absent",
        "legend": "Legend", "moved": "X→queue: works that queue instead of the home queue",
        "absent_legend": "absent (leave or sick call; the reason when one was given)",
        "night": "night", "kinds": "for",
        "chart_title": "Required vs staffed agents: {queue}", "required": "required",
        "staffed": "staffed", "agents": "agents (efficiency-weighted)",
        "title": "Roster summary", "scenario": "scenario",
        "sec_solve": "Solve", "status": "status", "objective": "objective ({tier}, {unit})",
        "objective_plain": "objective", "best_bound": "best bound", "gap": "gap",
        "solve_seconds": "solve seconds", "time_limit": "time limit (s)", "workers": "workers",
        "seed": "seed", "variables": "model size: variables", "constraints": "model size: constraints",
        "sec_tiers": "Objective tiers (in order of priority)", "tier": "tier", "unit": "unit",
        "sec_service": "Service against proven lower bounds", "measure": "measure", "achieved": "achieved",
        "lp_bound": "LP relaxation bound", "cp_bound": "CP-SAT bound",
        "bound_from": "best bound from", "other_bound": "the other bound",
        "from_lp": "LP relaxation", "from_cp": "CP-SAT", "from_none": "none proven yet",
        "weaker": "{name} {value}: weaker", "model_only": "CP-SAT: holds for its own patterns only",
        "model_only_short": "model only",
        "seconds": "seconds", "sec_notes": "Notes", "sec_kpis": "Key figures",
        "sec_horizon": "Scenario", "horizon": "horizon", "days": "days", "slot_minutes": "slot minutes",
        "n_agents": "agents (regular / flex / leads)", "demand_source": "demand from",
        "sec_rules": "Rules in force", "rule": "rule", "value": "value", "meaning": "meaning",
        "high_load_auto": "auto: 60 % of the horizon's peak",
        "sec_queues": "Queues", "queue": "queue", "queue_name": "name",
        "contacts_per_agent_hour": "contacts per agent-hour", "session_minutes": "session minutes",
        "norm_concurrency": "concurrent customers at the norm",
        "sec_shifts": "Shift types", "code": "code", "start": "start", "end": "end", "hours": "hours",
        "sec_moves": "Mandatory moves", "dates": "dates", "from": "from", "to": "to",
        "sec_versions": "Software", "yes": "yes", "no": "no", "na": "n/a",
        "step": "step", "rule_of_thumb": "Rule-of-thumb headcount beside the optimized roster",
        "date": "date", "contacts": "contacts", "rot_agents": "agents (rule of thumb)",
        "rostered": "agents rostered",
        "before": "before", "after": "after", "call_list": "Call these people",
        "changed_dates": "dates changed",
    },
    "zh": {
        "weekdays": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
        "employee_id": "工号", "name": "姓名", "home_queue": "所属队列", "kind": "类型",
        "regular": "正式", "flex": "机动", "absent": "缺勤",
        "legend": "图例", "moved": "X→队列：当班服务该队列而非所属队列",
        "absent_legend": "缺勤（请假或病假；填写了原因时显示原因）",
        "night": "夜班", "kinds": "适用",
        "chart_title": "需求人数与在岗人数：{queue}", "required": "需求",
        "staffed": "在岗", "agents": "人数（按效率折算）",
        "title": "排班汇总", "scenario": "场景",
        "sec_solve": "求解", "status": "状态", "objective": "目标值（{tier}，{unit}）",
        "objective_plain": "目标值", "best_bound": "最优界", "gap": "差距",
        "solve_seconds": "求解秒数", "time_limit": "时间上限（秒）", "workers": "线程数",
        "seed": "随机种子", "variables": "模型规模：变量数", "constraints": "模型规模：约束数",
        "sec_tiers": "目标层级（按优先级）", "tier": "层级", "unit": "单位",
        "sec_service": "服务指标与可证明的下界", "measure": "指标", "achieved": "实际值",
        "lp_bound": "线性松弛下界", "cp_bound": "CP-SAT 下界",
        "bound_from": "最优界来源", "other_bound": "另一个下界",
        "from_lp": "线性松弛", "from_cp": "CP-SAT", "from_none": "尚未证明",
        "weaker": "{name} {value}：较弱", "model_only": "CP-SAT：仅对其自身的排班模式成立",
        "model_only_short": "仅限模型",
        "seconds": "秒", "sec_notes": "说明", "sec_kpis": "关键指标",
        "sec_horizon": "场景", "horizon": "排班周期", "days": "天数", "slot_minutes": "时段分钟数",
        "n_agents": "人数（正式 / 机动 / 组长）", "demand_source": "需求来源",
        "sec_rules": "生效规则", "rule": "规则", "value": "值", "meaning": "含义",
        "high_load_auto": "自动：周期峰值的 60 %",
        "sec_queues": "队列", "queue": "队列", "queue_name": "名称",
        "contacts_per_agent_hour": "每人每小时接待量", "session_minutes": "会话分钟数",
        "norm_concurrency": "标准同时接待数",
        "sec_shifts": "班次", "code": "代码", "start": "开始", "end": "结束", "hours": "小时",
        "sec_moves": "强制调岗", "dates": "日期", "from": "从", "to": "到",
        "sec_versions": "软件版本", "yes": "是", "no": "否", "na": "无",
        "step": "步骤", "rule_of_thumb": "经验估算人数与优化排班对比",
        "date": "日期", "contacts": "咨询量", "rot_agents": "经验估算人数",
        "rostered": "排班人数",
        "before": "调整前", "after": "调整后", "call_list": "需要通知的人员",
        "changed_dates": "变动日期数",
    },
}

KPI_LABELS = {
    "en": {
        "overflow_customer_hours": "overflow (customer-hours)",
        "shortage_agent_hours": "shortage (agent-hours)",
        "required_agent_hours": "required (agent-hours)",
        "flex_hours": "flex staff hours",
        "regular_hours": "regular staff hours",
        "shifts": "shifts",
        "agents_working": "agents with at least one shift",
        "hours_per_agent_min": "hours per agent, min",
        "hours_per_agent_max": "hours per agent, max",
        "nights_per_agent_min": "night shifts per agent, min",
        "nights_per_agent_max": "night shifts per agent, max",
        "peak_concurrency": "peak concurrent customers per agent",
    },
    "zh": {
        "overflow_customer_hours": "溢出（客户·小时）",
        "shortage_agent_hours": "缺口（人·小时）",
        "required_agent_hours": "需求（人·小时）",
        "flex_hours": "机动人员工时",
        "regular_hours": "正式人员工时",
        "shifts": "班次数",
        "agents_working": "有排班的人数",
        "hours_per_agent_min": "人均工时最少",
        "hours_per_agent_max": "人均工时最多",
        "nights_per_agent_min": "人均夜班最少",
        "nights_per_agent_max": "人均夜班最多",
        "peak_concurrency": "峰值人均同时接待数",
    },
}

RULE_MEANINGS = {
    "en": {
        "min_rest_hours": "hours of rest between two shifts, at least",
        "max_consecutive_days": "dates in a row with a shift, at most",
        "max_hours_week": "worked hours per 7-day block, at most (staff list may override)",
        "max_night_shifts": "night shifts per agent over the horizon, at most",
        "max_continuous_hours": "hours worked without a break, at most",
        "max_continuous_high_load_hours": "hours worked without a break in high-load slots, at most",
        "high_load_contacts_per_hour": "contacts per hour (all queues) from which a slot is high-load",
        "reroute_concurrency": "concurrent customers per agent above which contacts are rerouted",
        "min_leads_on_duty": "leads on shift whenever anyone works, at least",
    },
    "zh": {
        "min_rest_hours": "两班之间最少休息小时数",
        "max_consecutive_days": "最多连续上班天数",
        "max_hours_week": "每 7 天最多工时（人员表可单独设置）",
        "max_night_shifts": "每人周期内最多夜班数",
        "max_continuous_hours": "最长连续工作小时数（不休息）",
        "max_continuous_high_load_hours": "高负荷时段最长连续工作小时数",
        "high_load_contacts_per_hour": "高负荷时段阈值（所有队列每小时咨询量）",
        "reroute_concurrency": "人均同时接待超过此数即分流",
        "min_leads_on_duty": "有人上班时最少在班组长数",
    },
}
