"""A returned project is fixed and submitted again in the chat; a coordinator refiles a project's system."""

from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from models import Attachment, ProjectEvent, SystemCorrection
from tests.chat import bind_coordinator, bind_worker, notice_text, outbox, projects, state_of, submit_project



def submitted_and_returned(chat, demo):
    """A worker's project 2026-0001, returned by the mine's coordinator for better photos."""
    submit_project(chat, demo)
    coordinator = bind_coordinator(chat, demo)
    coordinator.send_text("退回 0001 照片不清楚，请补充")
    return coordinator


def test_worker_fixes_a_returned_project_and_submits_it_again(chat, demo, db):
    coordinator = submitted_and_returned(chat, demo)
    assert "修改 0001" in notice_text(outbox(db)[0])  # the notice says how to go on

    opened = chat.send_text("修改 0001")
    assert "照片不清楚，请补充" in opened and "1. 名称：皮带机清扫器改进" in opened
    assert "共1张" in chat.send_image("media-clear-photo")
    chat.send_text("1")
    chat.send_text("皮带机聚氨酯清扫器")
    again = chat.send_text("确认")
    assert "已重新提交 2026-0001" in again

    [project] = projects(db)
    assert (project.status, project.number, project.title) == ("submitted", "2026-0001", "皮带机聚氨酯清扫器")
    with db.transaction() as s:
        assert [a.media_id for a in s.scalars(select(Attachment))] == ["media-clear-photo"]
    with db.transaction() as s:
        history = s.scalars(select(ProjectEvent.to_status).order_by(ProjectEvent.id)).all()
    assert history == ["submitted", "returned", "submitted"]
    assert "2026-0001" in coordinator.send_text("待审")


def test_the_only_returned_project_needs_no_number_and_cancel_keeps_it(chat, demo, db):
    submitted_and_returned(chat, demo)
    assert "照片不清楚" in chat.send_text("重新提交")
    assert "确定不报了吗" in chat.send_text("取消")
    assert "仍是退回状态" in chat.send_text("确认")
    assert projects(db)[0].status == "returned"
    assert state_of(db, chat.follower.openid) == "idle"


def test_only_returned_projects_can_be_revised(chat, demo, db):
    submit_project(chat, demo)
    assert "只有被退回的项目才能修改" in chat.send_text("修改 0001")
    colleague = chat.as_follower("o_colleague_wang")
    bind_worker(colleague, demo, name="王五")
    assert "没找到" in colleague.send_text("修改 0001")


def test_returned_project_can_be_resubmitted_after_submissions_close(chat, demo, db, clock):
    submitted_and_returned(chat, demo)
    clock.advance(days=11)  # submissions closed a day ago; the unit review runs for ten days more
    chat.send_text("修改 0001")
    assert "已重新提交" in chat.send_text("确认")
    assert projects(db)[0].status == "submitted"


def test_coordinator_refiles_the_system_and_the_correction_is_exported(chat, demo, db, settings_overrides):
    submit_project(chat, demo)
    assert projects(db)[0].system == "transport"
    assert "联络员" in chat.send_text("0001 专业改成机电")

    coordinator = bind_coordinator(chat, demo)
    assert "改为机电专业" in coordinator.send_text("0001 专业改成机电")
    assert "本来就是机电" in coordinator.send_text("系统改成机电 0001")
    assert projects(db)[0].system == "electromechanical"
    with db.transaction() as s:
        [correction] = s.scalars(select(SystemCorrection)).all()
        assert (correction.from_system, correction.to_system) == ("transport", "electromechanical")

    env = {k: str(v) for k, v in settings_overrides.items()}
    exported = CliRunner().invoke(main, ["--log-level", "WARNING", "export", "corrections"], env=env)
    assert exported.exit_code == 0, exported.output
    text, system = exported.output.strip().split("\t")
    assert text.startswith("皮带机清扫器改进 我和王刚改了个皮带机清扫器") and system == "electromechanical"


def test_staff_refile_a_project_from_the_command_line(chat, demo, db, settings_overrides):
    submit_project(chat, demo)
    env = {k: str(v) for k, v in settings_overrides.items()}
    runner = CliRunner()
    moved = runner.invoke(main, ["--log-level", "WARNING", "project", "system", "2026-0001", "mining"], env=env)
    assert moved.exit_code == 0 and "2026-0001 is now filed under mining" in moved.output
    missing = runner.invoke(main, ["--log-level", "WARNING", "project", "system", "2026-0999", "mining"], env=env)
    assert missing.exit_code == 1 and "no project 2026-0999" in missing.output
    assert projects(db)[0].system == "mining"
