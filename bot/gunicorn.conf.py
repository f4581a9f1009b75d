"""gunicorn settings for production: `gunicorn -c bot/gunicorn.conf.py bot.wsgi:app`.

The NLP models load once in the master before forking, so no request waits for them and the
workers share the memory; each worker then opens its own database connections and, in a
background thread, builds its similar-projects index from them (never in the master: database
connections must not cross a fork). Each worker also runs the spool replayer (bot/replay.py):
messages kept during a database outage are handled once it answers again, one worker at a time.

After loading, the master freezes its heap (`gc.freeze()`): the collector of a forked worker
never walks the master's objects (the dictionary, the classifier). Without it each worker's
first full collections wrote to every page of that heap, copying it (copy-on-write, about
90 MB per worker) and stalling the first seconds of service: in `bench/gateway.py`'s first
4 s of a fresh server, 4.6 page faults per request against 0.7 with the freeze, 0.82 against
0.77 ms of CPU per request, a p99 of 391 against 156 ms (bench/README.md, issue 15).

Workers and threads (issue 15, item 2), measured on a quiet host on 2026-12-01 (bench/README.md,
"the quiet run"): 2 sync workers answered the benchmark 1.19x faster than 2 gthread workers x 4
threads on SQLite (p99 24 against 46 ms) and 0.92x on PostgreSQL; both met every throughput
target. gthread is kept because the same workers serve the staff pages: a sync worker is held
whole by one slow request (an export, a slow upload), and two of them would stop every
follower's 5-second reply. WEB_CONCURRENCY and THREADS override the numbers.
"""
import gc

import nlp
from bot.config import load_server_settings
from bot.extensions import database_of, gateway_of, similar_projects_of

_server = load_server_settings()  # BIND, WEB_CONCURRENCY, THREADS (bot/config.py reads the environment)
bind = _server.bind
workers = _server.workers
worker_class = "gthread"
threads = _server.threads
preload_app = True
timeout = 30
accesslog = "-"


def on_starting(server) -> None:  # noqa: ANN001 - gunicorn's hook signature
    """Load the jieba dictionary and the classifier before any worker exists, then freeze the heap."""
    nlp.warm()
    gc.collect()
    gc.freeze()


def post_fork(server, worker) -> None:  # noqa: ANN001 - gunicorn's hook signature
    """Drop database connections inherited from the master; build the similar-projects index and replay
    the spool in the background."""
    from bot.replay import Replayer
    from bot.wsgi import app

    db = database_of(app)
    db.engine.dispose(close=False)
    similar_projects_of(app).warm_in_background(db.transaction)
    Replayer(gateway_of(app)).start()
