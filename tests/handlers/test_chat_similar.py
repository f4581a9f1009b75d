"""Similar earlier projects: the worker is told before confirming, the coordinator sees them in the details."""
from models import Project
from tests.chat import bind_coordinator, bind_worker, projects
from bot.extensions import similar_projects_of

FIRST = "我和王刚改了个皮带机清扫器，原来清扫器老是刮不干净，现在换成聚氨酯刮板加弹簧压紧，一年省三万多"
SAME_IDEA = "原来皮带机清扫器老是刮不干净，我们改成聚氨酯刮板再加弹簧压紧，清得干净了，一年省两万"
OTHER_IDEA = "掘进工作面局部通风机加装了变频控制，按瓦斯浓度自动调风量，一年节约电费五万元"


def submit(driver, text, title="聚氨酯刮板皮带机清扫器"):
    """Say a whole project in one message, answer what is still asked, and confirm."""
    reply = driver.send_text(text)
    if "项目名称" in reply:
        reply = driver.send_text(title)
    if "对就回" in reply:  # the category suggestion
        reply = driver.send_text("对")
    if "一起做的" in reply:  # the co-authors, when the message named none
        reply = driver.send_text("就我一个")
    assert "回“确认”" in reply
    return driver.send_text("确认")


def test_worker_is_warned_once_of_a_similar_project_then_may_submit(chat, demo, db):
    bind_worker(chat, demo)
    assert "提交成功" in submit(chat, FIRST)
    colleague = chat.as_follower("o_colleague_wang")
    bind_worker(colleague, demo, name="王五")

    warning = submit(colleague, SAME_IDEA)
    assert "已有相似的项目" in warning and "2026-0001" in warning
    assert len(projects(db)) == 2 and projects(db)[1].status == "draft"
    assert "提交成功" in colleague.send_text("确认")
    assert [p.status for p in projects(db)] == ["submitted", "submitted"]

    coordinator = bind_coordinator(chat, demo)
    detail = coordinator.send_text("查询 0002")
    assert "相似项目" in detail and "2026-0001" in detail


def test_a_different_idea_is_not_called_similar(chat, demo, db):
    bind_worker(chat, demo)
    submit(chat, FIRST)
    colleague = chat.as_follower("o_colleague_wang")
    bind_worker(colleague, demo, name="王五")
    assert "提交成功" in submit(colleague, OTHER_IDEA)


def test_the_index_is_not_rebuilt_when_nothing_changed(app, chat, demo, db, monkeypatch):
    from nlp import ProjectIndex

    bind_worker(chat, demo)
    submit(chat, FIRST)
    similar = similar_projects_of(app)
    added: list[str] = []
    original = ProjectIndex.add_all
    monkeypatch.setattr(ProjectIndex, "add_all",  # models/similar.py passes a list
                        lambda self, projects: added.extend(k for k, *_ in projects) or original(self, projects))
    with db.transaction() as session:
        project = session.get(Project, 1)
        similar.find(session, project)
        assert added == [str(project.id)]  # indexed on first sight
        similar.find(session, project)
    assert added == [str(project.id)]  # nothing changed since: no second add, so no rebuild
