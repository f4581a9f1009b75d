"""The WSGI entry point for gunicorn: `gunicorn -c bot/gunicorn.conf.py bot.wsgi:app`."""
import logging

from bot import create_app
from models.migrate import is_current

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
app = create_app()
if not is_current(app.extensions["db"].engine):
    raise SystemExit("the database is not at the newest schema: run `python -m bot init-db` first")
