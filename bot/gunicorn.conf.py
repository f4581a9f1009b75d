"""gunicorn settings for production: `gunicorn -c bot/gunicorn.conf.py bot.wsgi:app`.

The NLP models load once in the master before forking, so no request waits for them and the
workers share the memory; each worker then opens its own database connections and, in a
background thread, builds its similar-projects index from them (never in the master: database
connections must not cross a fork). Each worker also runs the spool replayer (bot/replay.py):
messages kept during a database outage are handled once it answers again, one worker at a time.
"""
import os

import nlp

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "4"))
preload_app = True
timeout = 30
accesslog = "-"


def on_starting(server) -> None:  # noqa: ANN001 - gunicorn's hook signature
    """Load the jieba dictionary and the classifier before any worker exists."""
    nlp.warm()


def post_fork(server, worker) -> None:  # noqa: ANN001 - gunicorn's hook signature
    """Drop database connections inherited from the master; build the similar-projects index and replay
    the spool in the background."""
    from bot.replay import Replayer
    from bot.wsgi import app

    db = app.extensions["db"]
    db.engine.dispose(close=False)
    app.extensions["similar_projects"].warm_in_background(db.transaction)
    Replayer(app.extensions["wechat_gateway"]).start()
