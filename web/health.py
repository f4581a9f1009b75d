"""Liveness and readiness: is the process up, and can it reach its database."""
from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from bot.extensions import database_of

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Answer 200 when the database answers, 503 otherwise."""
    try:
        with database_of(current_app).engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - report, never raise: this is what a load balancer polls
        return jsonify(ok=False, error=type(exc).__name__), 503
    return jsonify(ok=True)
