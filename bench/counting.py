"""A reverse proxy in front of one storage service that counts the requests it forwards:
the storage transactions a running host makes, whatever made them (a request, a timer,
a held long poll)."""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class CountingProxy:
    def __init__(self, target_port: int) -> None:
        self.count = 0
        lock, local = threading.Lock(), threading.local()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                # Azurite closes an idle keep-alive connection without answering what was sent on
                # it: sent again on a new one (a bench's storage, where that is harmless).
                for attempt in (1, 2):
                    if attempt == 2 or not hasattr(local, "connection"):
                        local.connection = http.client.HTTPConnection("127.0.0.1", target_port, timeout=60)
                    try:
                        local.connection.request(self.command, self.path, body=body, headers=headers)
                        answer = local.connection.getresponse()
                        payload = answer.read()
                        break
                    except (http.client.RemoteDisconnected, ConnectionError):
                        local.connection.close()
                        if attempt == 2:
                            raise
                with lock:
                    proxy.count += 1
                self.send_response(answer.status, answer.reason)
                for name, value in answer.getheaders():
                    if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_MERGE = _forward  # type: ignore[assignment]

            def log_message(self, *_: object) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
