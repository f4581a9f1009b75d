"""One database session per request: what a page commits stays, the rest is rolled back, the connection goes back."""
import pytest
from sqlalchemy import select

from models.worker import Worker
from web.state import commit, db_session


@pytest.fixture
def app(app):
    """The application with two probe pages that add a follower: one commits, one fails before committing."""

    @app.post("/_probe/commit/<openid>")
    def committed(openid):
        db_session().add(Worker(openid=openid))
        commit()
        assert db_session() is db_session()  # the same session all through the request
        return "ok"

    @app.post("/_probe/fail/<openid>")
    def failed(openid):
        db_session().add(Worker(openid=openid))
        db_session().flush()
        raise RuntimeError("the page broke after writing")

    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # probes only: the real forms keep their tokens
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_a_request_keeps_what_it_committed_and_loses_the_rest(app, client, db):
    assert client.post("/_probe/commit/o_kept").status_code == 200
    response = client.post("/_probe/fail/o_lost")
    assert response.status_code == 500 and "服务器出了点问题" in response.get_data(as_text=True)
    with db.transaction() as session:
        assert session.scalars(select(Worker.openid)).all() == ["o_kept"]
    assert db.engine.pool.checkedout() == 0
