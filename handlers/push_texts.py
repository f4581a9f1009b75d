"""Every text of the pushed reminders and notices (to be merged into handlers/texts.py).

Placeholders are filled by handlers/reminders.py; keep each message short enough for a phone.
"""

SUBMISSION_REMINDER = ("【申报提醒】{round_name}申报截止还有{days_left}天（{deadline}）。\n"
                       "{unit}：已申报{submitted}项，目标{target}，已通过初审{approved}项，待初审{pending}项。")
LAGGING_HEADER = "进度落后："
LAGGING_LINE = "· {name}：{submitted}/{target}"
SUBMISSION_CLOSING = "请督促大家抓紧申报。"
NO_TARGET = "未定"
REVIEW_REMINDER = "【初审提醒】{round_name}初审截止还有{days_left}天（{deadline}）。\n{unit}还有{count}个项目等待初审："
PENDING_LINE = "{index}. {number} {title}"
MORE_PENDING = "……另有{count}项，请到网页查看。"
REVIEW_CLOSING = "请及时审核。"
DIGEST = "【每日动态】{unit}在{round_name}：{changes}。\n目前已申报{submitted}项，目标{target}，待初审{pending}项。"
DIGEST_CHANGE = {"submitted": "新申报{count}项", "returned": "退回{count}项", "unit_approved": "通过初审{count}项",
                 "withdrawn": "撤回{count}项", "under_review": "进入评审{count}项", "awarded": "获奖{count}项",
                 "not_awarded": "未获奖{count}项"}
DIGEST_OTHER = "其他变化{count}项"
DIGEST_SEPARATOR = "，"
DRAFT_REMINDER = ("【草稿提醒】您有{drafts}个项目还没提交（最近一个：“{title}”），"
                  "{round_name}申报截止还有{days_left}天（{deadline}）。发“申报”继续填写。")
UNTITLED = "未命名"
STATUS_NOTICE = {
    "returned": "您的项目“{title}”（{number}）被退回，原因：{reason}。修改后可以重新提交。",
    "unit_approved": "好消息：您的项目“{title}”（{number}）已通过单位初审。",
    "awarded": "恭喜！您的项目“{title}”（{number}）获奖：{reason}。",
    "not_awarded": "您的项目“{title}”（{number}）本次未获奖，感谢参与，欢迎继续创新。",
}
NO_REASON = "未填写"
NO_NUMBER = "未编号"
#: First lines of template messages, by template name.
TEMPLATE_TITLES = {"deadline_reminder": "申报截止提醒", "review_reminder": "初审截止提醒", "digest": "单位每日动态",
                   "draft_reminder": "草稿未提交提醒", "status_change": "项目状态变更"}
