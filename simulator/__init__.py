"""A stand-in WeChat for development, tests and trying the bot out: no production module imports it.

The WeChat API sandbox (`sandbox.py`, with its state and control API), the simulated follower
that signs and encrypts messages as WeChat's server does (`follower.py`), the terminal chat
(`chat_client.py`), and the development commands that run them with the bot on loopback
(`demo.py`; `python -m bot demo`, `sandbox`, `chat`, `serve`, `seed-demo`).
"""
