"""The demo's loopback server (simulator/demo.py ServerThread) when a browser drops a download."""
import gc
import socket
import struct

from flask import Flask, send_file

from simulator.demo import ServerThread


def test_a_download_the_client_resets_leaves_no_file_open(tmp_path):
    """A browser resetting the connection once it has a photo left the file to the garbage collector
    (a ResourceWarning, an error under this suite's warning filter, failed a browser test now and then)."""
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"x" * 2000)
    app = Flask(__name__)
    app.add_url_rule("/photo", "photo", lambda: send_file(photo))
    server = ServerThread(app).start()
    try:
        for _ in range(200):  # the reset has to land while the server reads what is left of the request
            with socket.create_connection(("127.0.0.1", server.server.server_port)) as client:
                client.sendall(b"GET /photo HTTP/1.1\r\nHost: localhost\r\n\r\n")
                assert client.recv(100_000).startswith(b"HTTP/1.1 200")
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = reset
    finally:
        server.stop()
    gc.collect()  # an unclosed file warns here at the latest
