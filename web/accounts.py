"""Account pages for admins (`/accounts`): list, create, reset a password, deactivate, link a follower."""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import Field, PasswordField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from models.account import Account, AccountRole
from models.accounts import account_by_id, actor_of, create_account, link_worker, linkable_followers, list_accounts, \
    set_active, set_password
from models.base import utcnow
from models.errors import InvalidField, NotFound
from models.project import System
from models.seed import unit_listing
from web.access import current_account, roles_required
from web.state import commit, db_session

blueprint = Blueprint("accounts", __name__, url_prefix="/accounts")


class NewAccountForm(FlaskForm):
    """A new account: who, which role, and the unit or systems the role needs."""

    username = StringField(validators=[DataRequired("required"), Length(max=50, message="too_long")])
    name = StringField(validators=[Optional(), Length(max=50, message="too_long")])
    role = SelectField(choices=[SelectChoice(r.value) for r in AccountRole])
    unit = SelectField(coerce=lambda v: int(v) if v else None, validate_choice=False)
    systems = SelectMultipleField(choices=[SelectChoice(s.value) for s in System])
    password = PasswordField(validators=[DataRequired("required")])


class PasswordForm(FlaskForm):
    """A new password for an account."""

    password = PasswordField(validators=[DataRequired("required")])


class ActiveForm(FlaskForm):
    """Deactivate or reactivate (the button says which)."""

    active = SelectField(choices=[SelectChoice("0"), SelectChoice("1")])


class LinkForm(FlaskForm):
    """The WeChat follower this account belongs to ("" unlinks)."""

    worker = SelectField(coerce=lambda v: int(v) if v else None, validate_choice=False)


def _unit_options() -> list[tuple[int, str]]:
    """Every unit by id with its full name, for the unit choice."""
    return [(u["id"], u["name"]) for u in unit_listing(db_session())]


def _field_error(form: FlaskForm, error: InvalidField) -> None:
    """Show an operation's refusal next to the field it names (or above the form)."""
    field: Field | None = getattr(form, error.field, None) or getattr(form, error.field.rstrip("s"), None)
    if isinstance(field, Field):
        field.errors = [*field.errors, error.problem]
    else:
        flash(f"{error.field}.{error.problem}", "danger")


def _account(account_id: int) -> Account:
    """The account with this id, or 404."""
    try:
        return account_by_id(db_session(), account_id)
    except NotFound:
        abort(404)


@blueprint.get("")
@roles_required(AccountRole.admin)
def index() -> ResponseReturnValue:
    """Every account with its role, scope and state."""
    return render_template("accounts/index.html", accounts=list_accounts(db_session()))


@blueprint.route("/new", methods=["GET", "POST"])
@roles_required(AccountRole.admin)
def new() -> ResponseReturnValue:
    """Create an account."""
    form = NewAccountForm()
    if form.validate_on_submit():
        try:
            account = create_account(db_session(), actor_of(current_account()), username=form.username.data or "",
                                     password=form.password.data or "", role=form.role.data or "",
                                     name=form.name.data, unit_id=form.unit.data, systems=form.systems.data or [],
                                     now=utcnow())
        except InvalidField as error:
            _field_error(form, error)
        else:
            commit()
            flash("account.created", "success")
            return redirect(url_for("accounts.detail", account_id=account.id))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/new.html", form=form, unit_options=_unit_options()), status


@blueprint.get("/<int:account_id>")
@roles_required(AccountRole.admin)
def detail(account_id: int) -> ResponseReturnValue:
    """One account, with its password, state and follower forms."""
    account = _account(account_id)
    return render_template("accounts/detail.html", account=account, followers=linkable_followers(db_session(), account),
                           password_form=PasswordForm(), active_form=ActiveForm(), link_form=LinkForm())


def _apply(form: FlaskForm, account: Account, change: Callable[[], str]) -> ResponseReturnValue:
    """Run one change of a posted form, say how it went (`change` returns the notice) and show the account."""
    if not form.validate_on_submit():
        flash("form.invalid", "danger")
    else:
        try:
            notice = change()
        except InvalidField as error:
            flash(f"{error.field}.{error.problem}", "danger")
        else:
            commit()
            flash(notice, "success")
    return redirect(url_for("accounts.detail", account_id=account.id))


@blueprint.post("/<int:account_id>/password")
@roles_required(AccountRole.admin)
def reset_password(account_id: int) -> ResponseReturnValue:
    """Give the account a new password (its sessions end)."""
    account, form = _account(account_id), PasswordForm()

    def change() -> str:
        """Set the password."""
        set_password(db_session(), actor_of(current_account()), account, form.password.data or "", utcnow())
        return "account.password_set"

    return _apply(form, account, change)


@blueprint.post("/<int:account_id>/active")
@roles_required(AccountRole.admin)
def change_active(account_id: int) -> ResponseReturnValue:
    """Deactivate or reactivate the account."""
    account, form = _account(account_id), ActiveForm()

    def change() -> str:
        """Switch the state."""
        active = form.active.data == "1"
        set_active(db_session(), actor_of(current_account()), account, active, utcnow())
        return "account.activated" if active else "account.deactivated"

    return _apply(form, account, change)


@blueprint.post("/<int:account_id>/worker")
@roles_required(AccountRole.admin)
def change_worker(account_id: int) -> ResponseReturnValue:
    """Link the account to one of the followers offered, or unlink it."""
    account, form = _account(account_id), LinkForm()
    offered = {w.id: w for w in linkable_followers(db_session(), account)}
    if form.worker.data is not None and form.worker.data not in offered:
        abort(404)

    def change() -> str:
        """Link or unlink."""
        chosen = offered.get(form.worker.data) if form.worker.data is not None else None
        link_worker(db_session(), actor_of(current_account()), account, chosen, utcnow())
        return "account.linked" if chosen else "account.unlinked"

    return _apply(form, account, change)
