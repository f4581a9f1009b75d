"""The conversation: turns an Incoming message into a Reply, one flow per module."""
from handlers.messages import Article, Event, Incoming, Kind, Reply
from handlers.router import Context, dispatch

__all__ = ["Article", "Context", "Event", "Incoming", "Kind", "Reply", "dispatch"]
