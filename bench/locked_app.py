"""The previous design, for bench/gateway.py to measure beside the current one in the same run.

The same application as `bot.wsgi`, with the unlocked first run turned off (bot/inbox.py,
OPTIMISTIC_TRIES = 0): every message is handled inside one write transaction with its dialog
locked from the start (SQLite's write gate, PostgreSQL's row lock), as before issue 15.
"""
import bot.inbox
from bot.wsgi import app

bot.inbox.OPTIMISTIC_TRIES = 0

__all__ = ["app"]
