"""The WSGI entry point for gunicorn: `gunicorn -c bot/gunicorn.conf.py bot.wsgi:app`."""
import logging

from bot import create_app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
app = create_app()
