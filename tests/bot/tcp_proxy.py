"""A TCP proxy on loopback that a test can stall: bytes stop flowing both ways, connections stay open.

That is what a silent network loss looks like to a database client (a dropped route, a failover
behind a virtual IP): nothing is refused or reset, nothing arrives. While stalled, new connections
are accepted and then get no bytes either. `resume()` lets everything flow again, including what
was sent during the stall, as a network that comes back would.
"""
from __future__ import annotations

import logging
import selectors
import socket
import threading
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class StallingProxy:
    """Forwards 127.0.0.1:<port> to `target`; `stall()` and `resume()` stop and restart the flow."""

    target: tuple[str, int]
    port: int = 0
    _flowing: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _sockets: list[socket.socket] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> StallingProxy:
        """Listen on a free loopback port and forward in background threads."""
        self._flowing.set()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._spawn(self._accept)
        return self

    def _spawn(self, target, *args) -> None:  # noqa: ANN001
        thread = threading.Thread(target=target, args=args, daemon=True, name="stalling-proxy")
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        """Accept clients and connect each to the target."""
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, upstream]
            self._spawn(self._pump, client, upstream)

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        """Copy bytes both ways while flowing; hold them (unread) while stalled."""
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, upstream)
        selector.register(upstream, selectors.EVENT_READ, client)
        try:
            while not self._stop.is_set():
                if not self._flowing.wait(0.1):
                    continue
                for key, _ in selector.select(0.1):
                    if not self._flowing.is_set():
                        break
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    key.data.sendall(data)
        except OSError:
            return
        finally:
            selector.close()
            client.close()
            upstream.close()

    def stall(self) -> None:
        """Stop forwarding: every connection, old and new, goes silent."""
        self._flowing.clear()
        log.info("proxy :%s stalled", self.port)

    def resume(self) -> None:
        """Forward again."""
        self._flowing.set()
        log.info("proxy :%s flowing", self.port)

    def close(self) -> None:
        """Stop the proxy and close every connection."""
        self._stop.set()
        self._flowing.set()
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                sock.close()
        for thread in self._threads:
            thread.join(timeout=2)
