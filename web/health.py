"""Liveness and readiness: is the process up, and can it reach its database."""
from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from web.state import web_state

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Answer 200 when the database answers, 503 otherwise."""
    try:
        with web_state().engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - report, never raise: this is what a load balancer polls
        return jsonify(ok=False, error=type(exc).__name__), 503
    return jsonify(ok=True)
