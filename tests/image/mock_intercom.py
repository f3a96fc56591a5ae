#!/usr/bin/env python3
"""A stand-in for Intercom over HTTPS, for tests/image/run.sh: answers GET /tags with one tag
and records each request it sees, one `METHOD PATH AUTHORIZATION` line in the log file.

Usage: mock_intercom.py CERT KEY PORT_FILE LOG_FILE
Listens on 127.0.0.1 on a free port, which it writes to PORT_FILE once it accepts connections.
"""

import http.server
import json
import os
import ssl
import sys

CERT, KEY, PORT_FILE, LOG_FILE = sys.argv[1:5]
TAGS = {"type": "list", "data": [{"type": "tag", "id": "17", "name": "image-test-tag"}]}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(LOG_FILE, "a", encoding="utf-8") as log:
            log.write(f"{self.command} {self.path} {self.headers.get('Authorization', '-')}\n")
        if self.path.split("?")[0] == "/tags":
            body, status = json.dumps(TAGS).encode(), 200
        else:
            body, status = b'{"type":"error.list","errors":[{"code":"not_found"}]}', 404
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        sys.stderr.write("mock intercom: " + (format % args) + "\n")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(CERT, KEY)
server.socket = context.wrap_socket(server.socket, server_side=True)
with open(PORT_FILE + ".tmp", "w", encoding="utf-8") as out:
    out.write(str(server.server_address[1]))
# Renamed into place so that a reader never sees a half-written port.
os.replace(PORT_FILE + ".tmp", PORT_FILE)
server.serve_forever()
