"""Accounts: what each role needs, passwords, links to followers, and the audit entry of every change."""
import pytest
from sqlalchemy import select

from models.account import Account
from models.accounts import check_password, create_account, find_account, link_worker, set_active, set_password
from models.audit import COMMAND_LINE, AuditEntry, AuditFilter, audit_entries
from models.base import utcnow
from models.errors import InvalidField, NotAllowed
from models.worker import Worker


def make(session, username="wang", role="staff", password="long-enough", **fields):
    return create_account(session, COMMAND_LINE, username=username, password=password, role=role, now=utcnow(),
                          **fields)


def refusal(session, **fields):
    with pytest.raises(InvalidField) as caught:
        make(session, **fields)
    return caught.value.field, caught.value.problem


def test_each_role_gets_the_scope_it_needs(db, demo):
    mine = demo["晋源能源集团一矿"]["id"]
    with db.transaction() as session:
        assert refusal(session, role="coordinator") == ("unit", "empty")
        assert refusal(session, role="reviewer") == ("systems", "empty")
        assert refusal(session, role="reviewer", systems=["astrology"]) == ("systems", "unknown")
        assert refusal(session, role="staff", unit_id=mine) == ("unit", "not_for_role")
        assert refusal(session, role="coordinator", unit_id=99999) == ("unit", "unknown")
        assert refusal(session, role="janitor") == ("role", "unknown")
        assert refusal(session, password="short") == ("password", "too_short")
        assert refusal(session, username="has space") == ("username", "invalid")
        coordinator = make(session, "li", "coordinator", unit_id=mine)
        reviewer = make(session, "zhao", "reviewer", systems=["transport", "mining", "transport"], unit_id=mine)
        assert (coordinator.unit_id, reviewer.systems) == (mine, ["mining", "transport"])
        assert session.scalar(select(AuditEntry.id).where(AuditEntry.action != "account.create")) is None


def test_passwords_are_stored_at_full_cost_outside_the_tests(db, monkeypatch):
    from models import accounts
    from tests.conftest import FULL_COST_PASSWORDS

    assert FULL_COST_PASSWORDS == "scrypt:32768:8:1"
    monkeypatch.setattr(accounts, "PASSWORD_METHOD", FULL_COST_PASSWORDS)
    with db.transaction() as session:
        account = make(session)
        assert account.password_hash.startswith("scrypt:32768:8:1$") and check_password(account, "long-enough")


def test_usernames_are_one_account_whatever_the_case(db):
    with db.transaction() as session:
        make(session, "Wang")
        assert refusal(session, username=" WANG ") == ("username", "taken")
        assert find_account(session, "wAnG").username == "wang"


def test_password_is_hashed_checked_and_changing_it_ends_other_sessions(db):
    with db.transaction() as session:
        account = make(session)
        assert "long-enough" not in account.password_hash
        assert check_password(account, "long-enough") and not check_password(account, "long-enougH")
        assert not check_password(None, "long-enough")
        version = account.session_version
        set_password(session, COMMAND_LINE, account, "another-secret", utcnow())
        assert check_password(account, "another-secret") and account.session_version == version + 1
        set_active(session, COMMAND_LINE, account, False, utcnow())
        assert not account.is_active and account.session_version == version + 2


def test_every_change_is_in_the_audit_log_without_the_password(db):
    with db.transaction() as session:
        account = make(session, name="王力")
        set_password(session, COMMAND_LINE, account, "another-secret", utcnow())
        set_active(session, COMMAND_LINE, account, False, utcnow())
        set_active(session, COMMAND_LINE, account, False, utcnow())  # no change, no entry
        entries = audit_entries(session, AuditFilter(subject="wang"))
        assert [e.action for e in entries] == ["account.deactivate", "account.password", "account.create"]
        assert entries[0].before["active"] is True and entries[0].after["active"] is False
        assert entries[2].after["name"] == "王力" and entries[2].channel == "cli"
        assert all("hash" not in str(e.before) + str(e.after) for e in entries)
        assert "another-secret" not in str([(e.before, e.after, e.note) for e in entries])


def test_audit_entries_cannot_be_changed_or_deleted(db):
    with db.transaction() as session:
        make(session)
    with pytest.raises(NotAllowed), db.transaction() as session:
        session.scalars(select(AuditEntry)).one().note = "rewritten"
    with pytest.raises(NotAllowed), db.transaction() as session:
        session.delete(session.scalars(select(AuditEntry)).one())
    with db.transaction() as session:
        assert session.scalars(select(AuditEntry.note)).all() == [None]


def test_a_follower_belongs_to_one_account(db):
    with db.transaction() as session:
        worker = Worker(openid="o_wang", name="王力")
        session.add(worker)
        first, second = make(session, "wang"), make(session, "wang2")
        link_worker(session, COMMAND_LINE, first, worker, utcnow())
        with pytest.raises(InvalidField) as caught:
            link_worker(session, COMMAND_LINE, second, worker, utcnow())
        assert caught.value.field == "worker"
        link_worker(session, COMMAND_LINE, first, None, utcnow())
        link_worker(session, COMMAND_LINE, second, worker, utcnow())
        assert session.scalars(select(Account.username).where(Account.worker_id == worker.id)).all() == ["wang2"]
        actions = [e.action for e in audit_entries(session, AuditFilter(action="account.link"))]
        assert actions == ["account.link"] * 3
