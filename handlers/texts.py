"""Every text the bot says to a person, in one catalogue.

Short enough for a phone screen, friendly, with numbered options and no jargon. Fields in
braces are filled by the flows with str.format.
"""

# --- general -------------------------------------------------------------------------------
WELCOME = (
    "欢迎关注五小创新！这里可以申报小发明、小创造、小革新、小设计、小建议，也能随时查进度。\n"
    "先绑定您的班组：请发送班组邀请码，例如“绑定 7KQ2M9”；没有邀请码就直接说队名和姓名，"
    "例如“综采一队 张三”。"
)
HELP = (
    "您可以直接发：\n1. 申报 —— 报一个新项目\n2. 查询 —— 看我的项目进度\n3. 帮助 —— 看这段说明\n"
    "说话也行，按住说一句“我要申报”就好。"
)
HELP_COORDINATOR = "\n联络员还可以发：待审、通过 0042、退回 0042 原因、统计。"
HELP_IN_FORM = "正在申报中：直接回答问题就行；“上一步”回到上一题，“取消”不报了，“标题改成…”随时修改。"
TRY_AGAIN = "抱歉，刚才没处理好，请再发一次。"
#: The passive reply while the database cannot be reached: the message is kept and answered later.
SPOOLED = "收到，稍后回复您。"
#: A yes (to submit, delete, unbind) handled minutes after it was sent: not acted on, the question again.
LATE_ANSWER = "您几分钟前发的这条消息现在才处理到，为免弄错，这一步还没有执行。"
LATE_DUPLICATE_CHOICE = "同名项目已报过。回序号：\n1. 仍然提交\n2. 改名称\n3. 不报了"
UNSUPPORTED = "这种消息我还看不懂，请发文字或语音。发“帮助”看看能做什么。"
VOICE_NOT_RECOGNIZED = "这段语音没听清，请再说一遍，或者打字发给我。"
LOCATION_NOTED = "收到位置了。需要申报项目请发“申报”。"
LINK_NOTED = "收到链接了。要把它作为项目材料，请在申报时说明。"
FILE_NOTED = "收到文件了。项目照片请直接发图片。"
MEDIA_NOTED = "收到了。申报时发的照片会附在项目里，现在发“申报”开始。"
CHITCHAT = "我是五小创新助手。发“申报”报项目，发“查询”看进度，发“帮助”看说明。"
GREETING = "您好！发“申报”报项目，发“查询”看进度。"
NOT_UNDERSTOOD_IN_FORM = "没太明白。{question}"

# --- binding -------------------------------------------------------------------------------
BIND_FIRST = "申报前要先绑定班组：请发班组邀请码（例如“7KQ2M9”），或说队名和姓名，例如“综采一队 张三”。"
BIND_ASK = "请发班组邀请码（例如“7KQ2M9”），或说队名和姓名，例如“综采一队 张三”。"
BIND_CODE_UNKNOWN = "邀请码“{code}”不对，请核对后再发，或直接说队名，例如“综采一队”。"
BIND_UNIT_UNKNOWN = "没找到这个单位。请发邀请码，或说得更完整些，例如“一矿综采一队”。"
BIND_CHOOSE = "您说的是哪个？回序号：\n{options}"
BIND_ASK_NAME = "好的，{unit}。请问您怎么称呼？回姓名就行，例如“张三”。"
BIND_NAME_INVALID = "请只回姓名，例如“张三”。"
BOUND_WORKER = "绑定好了：{unit}，{name}。"
BOUND_COORDINATOR = "绑定好了：您是{unit}的联络员，{name}。发“待审”看待审项目，发“统计”看完成情况。"
UNBOUND = "已解除与{unit}的绑定。想重新绑定，发班组邀请码就行。"
UNBIND_ASK = "确定要解除与{unit}的绑定吗？{notes}\n回“确认”解除，回“取消”保留。"
UNBIND_ROLE_NOTE = "解除后您的{role}身份也会取消。"
UNBIND_DRAFT_NOTE = "正在填的申报会留作草稿。"
UNBIND_ASK_AGAIN = "请回“确认”解除绑定，或回“取消”保留。"
UNBIND_KEPT = "好的，没有解除，您仍绑定在{unit}。"
ROLE_NAMES = {"coordinator": "联络员", "reviewer": "评审员", "admin": "管理员"}
NOT_BOUND = "您还没有绑定班组。" + BIND_ASK

# --- submission ----------------------------------------------------------------------------
ASK_TITLE = "请说一下项目名称，例如“皮带机防跑偏装置”。"
ASK_DESCRIPTION = "请简单说说：原来有什么问题，您做了什么，效果怎么样。"
ASK_CATEGORY = "属于哪一类？回序号：\n1. 小发明\n2. 小创造\n3. 小革新\n4. 小设计\n5. 小建议"
ASK_CATEGORY_SUGGEST = "我看像是“{suggestion}”，对就回“对”，不是就回序号：\n1. 小发明\n2. 小创造\n3. 小革新\n4. 小设计\n5. 小建议"
ASK_SYSTEM = ("属于哪个专业？回序号：\n1. 采煤\n2. 掘进\n3. 机电\n4. 运输\n5. 通风\n6. 选煤\n7. 经营管理\n8. 后勤")
ASK_BENEFIT = "一年大概能创效或节约多少钱？例如“每年节约3万元”“两三万”。没有经济效益就回“没有”，说不清就回“说不清”。"
INVALID_TITLE = "项目名称用2到30个字说清是什么，例如“皮带机防跑偏装置”。"
INVALID_DESCRIPTION = "再多说几句吧，例如“皮带经常跑偏，加了两个挡辊，一个月没再停机”。"
INVALID_CATEGORY = "请回1到5的序号，例如“3”。"
INVALID_SYSTEM = "请回1到8的序号，例如“4”。"
INVALID_BENEFIT = "没看出金额，请说“每年节约3万元”这样的话；没有效益回“没有”，说不清回“说不清”。"
INVALID_MEMBERS = "请只回成员姓名，例如“王刚、李强”；就您一个人就回“就我一个”。"
ASK_EDIT_VALUE = "请发新的{field}。"
ASK_MEMBERS = "还有谁和您一起做的？回姓名就行，例如“王刚、李强”；就您一个人就回“就我一个”。"
ASK_MEMBERS_EDIT = "请回全部成员姓名，例如“王刚、李强”；就您一个人就回“就我一个”。"
#: The numbered summary (handlers/form.py): a head, one line per field of the form, the photos, the tail.
SUMMARY_HEAD = "请核对您的申报："
SUMMARY_LINE = "{index}. {label}：{value}"
SUMMARY_PHOTOS = "照片：{photos}张（可以直接发照片）"
SUMMARY_TAIL = "没问题回“确认”；要改哪项就回序号，例如“1”。"
SUMMARY_UNKNOWN = "未填"
BENEFIT_NONE = "说不清"
BENEFIT_NO = "没有"
#: The stored benefit beside the one the description states, when they differ (the reviewer sees both).
BENEFIT_SAID_OTHERWISE = "{value}（简介里写的是{said}）"
SUBMITTED = (
    "提交成功！项目编号 {number}。\n接下来由{unit}联络员初审，有结果会第一时间告诉您。"
    "发“查询 {short}”随时看进度。"
)
RESUBMITTED = "已重新提交 {number}，等{unit}联络员再次初审，有结果会告诉您。"
SUBMISSION_CLOSED = "本批次（{round}）申报已于{deadline}截止，草稿已为您保存。"
SUBMISSION_CLOSED_NEXT = "下一批次（{round}）{opens}开始申报，到时发“继续”就能接着报。"
NO_ROUND = "现在还没有开放申报的竞赛批次，开放后会通知您。"
DUPLICATE_TITLE = "您这批次已经报过“{title}”（{number}）。回序号：\n1. 仍然提交\n2. 改名称\n3. 不报了"
SIMILAR_FOUND = "提交前看一下，已有相似的项目：\n{lines}\n确实是不同的改进就回“确认”提交；要改哪项回序号。"
SIMILAR_FOR_REVIEW = "相似项目：\n{lines}"
SIMILAR_LINE = "· {number} {title}（{unit}）"
CANCEL_ASK = "确定不报了吗？草稿会删除。回“确认”删除，回“继续”接着填。"
CANCELLED = "好的，已取消，草稿已删除。想报随时发“申报”。"
CANCEL_NOTHING = "好的。发“申报”报项目，发“查询”看进度。"
RESUMING = "接着填：{question}"
DRAFT_WAITING = "您还有一个没填完的申报“{title}”，回“继续”接着填，回“取消”不报了。"
DRAFT_NO_TITLE = "（未命名）"
WELCOME_BACK_DRAFT = "欢迎回来！" + DRAFT_WAITING
NOTHING_TO_CONTINUE = "没有需要继续的申报。发“申报”开始新的。"
PHOTO_ATTACHED = "照片收到了（共{count}张）。"
PHOTOS_DONE = "照片都收好了。{question}"
BACK_AT_START = "已经是第一题了。"
EDITED = "已改好。"
#: A piece sent after the description (at a later question) is added to it.
ADDED_TO_DESCRIPTION = "这段补充到简介里了。"
#: A message that answered another field than the one asked: kept, and the question follows.
ANSWER_KEPT = "好的，记下了。"
DESCRIPTION_JOINER = "，"
#: The form's fields as the summary and the prompts name them.
FIELD_NAMES = {"title": "名称", "description": "简介", "category": "类别", "system": "专业",
               "benefit": "年效益", "members": "成员"}
CATEGORY_NAMES = {"invention": "小发明", "creation": "小创造", "innovation": "小革新", "design": "小设计",
                  "suggestion": "小建议"}
#: How a message names its professional system outright ("机电专业的", "专业是通风"), on its compact text.
SYSTEM_SAID = ("{name}专业", "专业是{name}", "专业{name}", "属于{name}")
SYSTEM_NAMES = {"mining": "采煤", "tunneling": "掘进", "electromechanical": "机电", "transport": "运输",
                "ventilation": "通风", "preparation": "选煤", "management": "经营管理", "logistics": "后勤"}

# --- status --------------------------------------------------------------------------------
STATUS_WORDS = {
    "draft": "草稿", "submitted": "等待单位初审", "returned": "被退回，待修改", "unit_approved": "初审通过，等待评审",
    "under_review": "评审中", "awarded": "获奖", "not_awarded": "未获奖", "withdrawn": "已撤回",
}
MY_PROJECTS = "您的项目：\n{lines}\n回“查询 编号”看详情，例如“查询 {example}”。"
MY_PROJECT_LINE = "{index}. {number} {title} —— {status}（{date}）"
NO_PROJECTS = "您还没有申报过项目。发“申报”开始。"
PROJECT_DETAIL = "{number} {title}\n状态：{status}\n类别：{category}　专业：{system}\n年效益：{benefit}\n进展：\n{history}"
HISTORY_LINE = "{date} {status}{reason}"
HISTORY_REASON = "（{reason}）"
PROJECT_NOT_FOUND = "没找到编号 {number} 的项目，请核对。发“查询”看您的全部项目。"
ASK_WHICH_NUMBER = "请带上项目编号，例如“{verb} 0042”。"
WITHDRAWN = "已撤回 {number}“{title}”。"
CANNOT_WITHDRAW = "{number} 现在是“{status}”，不能撤回了。"
REVISING = "{number} 退回原因：{reason}\n改好后回“确认”重新提交；可以直接补发照片。"
CANNOT_REVISE = "{number} 现在是“{status}”，只有被退回的项目才能修改。"
REVISE_CANCELLED = "好的，先不改了，{number} 仍是退回状态。想改时发“修改 {short}”。"

# --- coordinators --------------------------------------------------------------------------
ONLY_COORDINATORS = "这是联络员的功能。您是联络员的话，请用联络员邀请码绑定。"
PENDING_LIST = "{unit}待初审 {count} 项：\n{lines}\n回“通过 编号”或“退回 编号 原因”。"
PENDING_LINE = "{index}. {number} {title}（{worker}，{unit}）"
PENDING_NONE = "{unit}目前没有待初审的项目。"
APPROVED = "已通过 {number}“{title}”，已通知{worker}。"
RETURNED = "已退回 {number}“{title}”，已把原因告诉{worker}。"
ASK_RETURN_REASON = "请说一下退回 {number} 的原因，例如“照片不清楚，请补充”。"
CANNOT_REVIEW = "{number} 现在是“{status}”，不能再初审了。"
NOT_YOUR_UNIT = "{number} 不是您单位的项目。"
REFILED = "已把 {number}“{title}”改为{system}专业，系统会记住这次更正。"
REFILE_SAME = "{number} 本来就是{system}专业。"
ASK_REFILE = "请说明编号和专业，例如“0042 专业改成机电”。"
CANNOT_REFILE = "{number} 还是草稿，提交后才能改专业。"
STATS = "{unit} {round}：已申报 {submitted}/{target}，初审通过 {approved}。\n{lines}"
STATS_LINE = "{name}：{submitted}/{target}，通过 {approved}"
STATS_NO_TARGET = "未定"

# --- menu ----------------------------------------------------------------------------------
MENU_SUBMIT = "申报"
MENU_QUERY = "查询"
MENU_HELP = "帮助"
MENU_MY_PAGE = "我的项目"
INVALID_DUPLICATE_CHOICE = "请回1、2或3。"
DATE_LONG = "%Y年%m月%d日"
DATE_SHORT = "%m月%d日 %H:%M"
VERB_WITHDRAW = "撤回"
VERB_APPROVE = "通过"
VERB_RETURN = "退回"
VERB_REVISE = "修改"


# --- pushed reminders and notices (composed by handlers/notices.py) ----------------------------
SUBMISSION_REMINDER = ("【申报提醒】{round_name}申报截止还有{days_left}天（{deadline}）。\n"
                       "{unit}：已申报{submitted}项，目标{target}，已通过初审{approved}项，待初审{pending}项。")
LAGGING_HEADER = "进度落后："
LAGGING_LINE = "· {name}：{submitted}/{target}"
SUBMISSION_CLOSING = "请督促大家抓紧申报。"
NO_TARGET = "未定"
REVIEW_REMINDER = "【初审提醒】{round_name}初审截止还有{days_left}天（{deadline}）。\n{unit}还有{count}个项目等待初审："
REMINDER_PENDING_LINE = "{index}. {number} {title}"
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
#: The worker's notice of a status change of their project (handlers/notices.py), by the new status.
STATUS_NOTICE = {
    "returned": "您的项目 {number}“{title}”被退回：{reason}\n发“修改 {short}”改好后重新提交。",
    "unit_approved": "好消息：您的项目 {number}“{title}”通过了单位初审，接下来进入评审。",
    "awarded": "恭喜！您的项目 {number}“{title}”获奖：{reason}。",
    "not_awarded": "您的项目 {number}“{title}”本次未获奖，感谢参与，欢迎继续创新。",
}
STATUS_NOTICE_OTHER = "您的项目 {number}“{title}”状态更新：{status}。"
NO_REASON = "未填写"
NO_NUMBER = "未编号"
#: First lines of template messages, by template name.
TEMPLATE_TITLES = {"deadline_reminder": "申报截止提醒", "review_reminder": "初审截止提醒", "digest": "单位每日动态",
                   "draft_reminder": "草稿未提交提醒", "status_change": "项目状态变更",
                   "scoring_reminder": "评审截止提醒"}
#: An award notice's extra lines: the prize and the certificate link.
AWARD_PRIZE = "奖金{prize}元。"
AWARD_CERTIFICATE = "电子证书：{url}"
#: A reviewer's reminder before the city-review deadline (models/review_reminders.py).
SCORING_REMINDER = ("【评审提醒】{round_name}评审截止还有{days_left}天（{deadline}）。"
                    "分配给您的{assigned}个项目中还有{open}个没有评分，请登录评审平台评分。")
#: The review and award workbooks' column headings (web/review_workbook.py); criteria are named by the score sheet.
WORKBOOK_TITLES = {"results": "评审结果", "awards": "获奖名单"}
WORKBOOK_HEADERS = {
    "number": "项目编号", "title": "项目名称", "unit": "单位", "system": "专业系统", "category": "类别",
    "members": "成员", "benefit": "年经济效益（元）", "criterion": "{name}均分", "total": "总分",
    "reviewers": "评分人数", "spread": "分差", "flagged": "需合议", "rank": "名次", "level": "奖项", "prize": "奖金（元）",
}
WORKBOOK_YES = "是"
MEMBER_SEPARATOR = "、"

# --- the JSON API's document (/api/openapi.json) -------------------------------------------
API_TITLE = "五小创新竞赛数据接口"
API_TAG = "五小竞赛数据（只读）"
