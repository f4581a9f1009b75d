"""The start page after signing in: what this account can do, by role."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import login_required

from web.access import current_account

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
@login_required
def index() -> ResponseReturnValue:
    """Greet the account and link the areas open to its role."""
    return render_template("home.html", account=current_account())
