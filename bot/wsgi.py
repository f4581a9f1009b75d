"""The WSGI entry point for gunicorn: `gunicorn -c bot/gunicorn.conf.py bot.wsgi:app`."""
import logging

from bot import create_app
from models.migrate import schema_problem
from bot.extensions import database_of

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
app = create_app()
problem = schema_problem(database_of(app).engine)
if problem:
    raise SystemExit(problem)
