"""SQLite's write gate: one write transaction at a time across the threads and processes of a host.

SQLite makes a second writer wait in its busy handler, which sleeps in growing steps of up to
100 ms; the gate queues writers so that the next one starts the moment the lock is free.
"""
from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.deadline import remaining

#: How long a SQLite writer waits for the write lock before giving up (less within a request's deadline).
SQLITE_LOCK_TIMEOUT = 10.0


class WriteLockTimeout(TimeoutError):
    """Another writer held the SQLite database for longer than SQLITE_LOCK_TIMEOUT."""


class WriteGate:
    """Lets one SQLite write transaction run at a time: threads queue on a lock, processes on an flock.

    SQLite makes a second writer wait in its busy handler, which sleeps in growing steps of up to
    100 ms: under load the lock is often free while every writer sleeps. Here the threads of a
    process wait on a lock that wakes the next one at once, and one thread per process waits for
    the lock file in short steps; both waits end after `timeout` seconds.
    """

    def __init__(self, lock_path: Path | None, timeout: float = SQLITE_LOCK_TIMEOUT) -> None:
        """Gate the database whose lock file is `lock_path` (None: an in-memory database, one process)."""
        self.lock_path = lock_path
        self.timeout = timeout
        self._threads = threading.Lock()
        self._fd = -1
        self._fd_pid = 0

    def _file(self) -> int:
        """This process's descriptor of the lock file (a forked worker opens its own: flock is per open file)."""
        if self._fd_pid != os.getpid():
            assert self.lock_path is not None  # only a file database has a lock file
            self._fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            self._fd_pid = os.getpid()
        return self._fd

    def _lock_file(self, deadline: float) -> int:
        """Take the lock file, polling in steps of at most 1 ms until the deadline."""
        fd, pause = self._file(), 0.0001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WriteLockTimeout(f"{self.lock_path} held for over {self.timeout:g} s") from None
                time.sleep(pause)
                pause = min(pause * 2, 0.001)

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the gate for the duration of one write transaction (waiting at most until the request's deadline)."""
        timeout = remaining(self.timeout) or 0.0
        deadline = time.monotonic() + timeout
        if not self._threads.acquire(timeout=timeout):
            raise WriteLockTimeout(f"another thread held the database for over {timeout:g} s")
        try:
            fd = self._lock_file(deadline) if self.lock_path is not None else -1
            try:
                yield
            finally:
                if fd >= 0:
                    fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()
