#!/usr/bin/env python3
"""A fault-injecting HTTP/1.1 reverse proxy for one upstream on 127.0.0.1 (standard library only).

    faultproxy.py --listen PORT --upstream http://127.0.0.1:4443 \\
        --faults 503:0.1,429:0.05,reset:0.05,reset-after:0.05,slow:0.05,ok [--seed N] \\
        [--slow-ms 500] [--match REGEX] [--max-faults-per-request 2] [--pass-first N] [--stats FILE] [--log FILE]

Each request draws one fault at random (seeded; one draw per request, in arrival order):
  NNN          answer status NNN with a Google-style error JSON, without forwarding
               (429 also sends `Retry-After: 1`); e.g. 503, 429, 500, 403
  reset        read the request, then reset the connection (RST, SO_LINGER 0) without answering
  reset-after  forward the request, then reset instead of relaying the answer: the upload
               landed but the client never heard
  slow         wait --slow-ms, then forward and answer (the request is in flight, not stored)
  slow-after   forward, then wait --slow-ms before answering (stored, not yet acknowledged)
  ok           forward and relay the answer
Weights are probabilities; an entry without a weight (or the remainder) is the rest.

Only requests whose "METHOD /path?query" matches --match are candidates for faults. A request
that already failed --max-faults-per-request times (same method, path and body: a retry) is
forwarded untouched, so a client with a bounded retry budget always gets through eventually.
--pass-first N spares the first N matching requests every failing fault (slow ones still apply),
so a test knows some requests succeeded before the first failure.

The first stdout line is `faultproxy: listening on http://127.0.0.1:PORT`. --stats FILE holds
the running counts as JSON (rewritten atomically after each request); --log FILE gets one JSON
line per event (request, upstream, answered, reset, client-gone) with a wall-clock time, so a
test can tell what was in flight at a given moment. On SIGTERM or SIGINT the counts are printed
on stdout and the proxy exits 0.
"""
import argparse
import hashlib
import http.client
import http.server
import json
import os
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse

HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "te", "trailer", "transfer-encoding", "upgrade", "expect", "content-length",
}
FAILING = {"reset", "reset-after"}  # plus every status code
REASONS = {400: "badRequest", 401: "authError", 403: "forbidden", 404: "notFound", 408: "requestTimeout",
           429: "rateLimitExceeded", 500: "backendError", 502: "badGateway", 503: "backendError",
           504: "gatewayTimeout"}


def parse_faults(spec):
    """'503:0.1,reset,ok' -> [(kind, probability)], the unweighted entry taking the remainder."""
    entries, rest = [], []
    for item in filter(None, (s.strip() for s in spec.split(","))):
        kind, _, weight = item.partition(":")
        if not (kind.isdigit() and len(kind) == 3) and kind not in ("ok", "reset", "reset-after", "slow", "slow-after"):
            raise SystemExit(f"faultproxy: unknown fault {kind!r} in --faults {spec}")
        if weight:
            entries.append((kind, float(weight)))
        else:
            rest.append(kind)
    total = sum(w for _, w in entries)
    if total > 1 + 1e-9:
        raise SystemExit(f"faultproxy: --faults {spec}: the weights add up to {total} (more than 1)")
    remainder = max(0.0, 1 - total)
    for kind in rest or ["ok"]:
        entries.append((kind, remainder / max(1, len(rest))))
    return entries


def is_failing(kind):
    return kind in FAILING or kind.isdigit()


class Faults:
    """The seeded draw and every count, behind one lock."""

    def __init__(self, args):
        self.table = parse_faults(args.faults)
        self.random = random.Random(args.seed)
        self.match = re.compile(args.match) if args.match else None
        self.max_per_request = args.max_faults_per_request
        self.pass_first = args.pass_first
        self.matched = 0
        self.lock = threading.Lock()
        self.failures = {}
        self.counts = {kind: 0 for kind, _ in self.table}
        self.counts.setdefault("ok", 0)
        self.by_method = {}
        self.requests = 0
        self.in_flight = 0
        self.next_id = 0
        self.stats_path = args.stats
        self.log = open(args.log, "a", buffering=1) if args.log else None

    def draw(self, method, target, body):
        with self.lock:
            self.requests += 1
            self.in_flight += 1
            self.next_id += 1
            number = self.next_id
            x = self.random.random()  # drawn for every request, so a seed gives one sequence
            kind = "ok"
            if self.match is None or self.match.search(f"{method} {target}"):
                self.matched += 1
                for candidate, weight in self.table:
                    if x < weight:
                        kind = candidate
                        break
                    x -= weight
                else:
                    kind = self.table[-1][0]
            if is_failing(kind) and self.matched <= self.pass_first:
                kind = "ok"
            if is_failing(kind):
                key = (method, target, hashlib.sha1(body).hexdigest())
                if self.failures.get(key, 0) >= self.max_per_request:
                    kind = "ok"
                else:
                    self.failures[key] = self.failures.get(key, 0) + 1
            self.counts[kind] = self.counts.get(kind, 0) + 1
            per = self.by_method.setdefault(method, {})
            per[kind] = per.get(kind, 0) + 1
            return number, kind

    def done(self):
        with self.lock:
            self.in_flight -= 1
            self.write_stats()

    def snapshot(self):
        return {"requests": self.requests, "in_flight": self.in_flight,
                "faults": {k: v for k, v in sorted(self.counts.items())}, "by_method": self.by_method}

    def write_stats(self):
        if not self.stats_path:
            return
        temporary = self.stats_path + ".tmp"
        with open(temporary, "w") as f:
            json.dump(self.snapshot(), f, sort_keys=True)
        os.replace(temporary, self.stats_path)

    def event(self, number, what, **fields):
        if self.log:
            line = json.dumps({"t": round(time.time(), 6), "id": number, "ev": what, **fields})
            with self.lock:
                self.log.write(line + "\n")


UPLOAD_NAME = re.compile(rb'"name"\s*:\s*"((?:[^"\\]|\\.)*)"')


def object_name(body):
    """The object name in a multipart upload's JSON part, for the log."""
    match = UPLOAD_NAME.search(body[:8192])
    if not match:
        return None
    try:
        return json.loads(b'"' + match.group(1) + b'"')
    except ValueError:
        return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faultproxy"
    upstream_connection = None

    def log_message(self, *args):
        pass

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def forward(self, body):
        """Sends the request upstream on this connection's keep-alive connection; returns
        (status, reason, headers, body). A reused connection the upstream closed is retried once
        on a fresh one."""
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
        headers["Host"] = self.server.upstream_netloc
        if body or self.command in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = str(len(body))
        for attempt in (0, 1):
            fresh = self.upstream_connection is None
            if fresh:
                self.upstream_connection = http.client.HTTPConnection(
                    self.server.upstream_host, self.server.upstream_port, timeout=120)
            try:
                self.upstream_connection.request(self.command, self.path, body=body or None, headers=headers)
                answer = self.upstream_connection.getresponse()
                data = answer.read()
                if answer.will_close:
                    self.upstream_connection.close()
                    self.upstream_connection = None
                return answer.status, answer.reason, answer.getheaders(), data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
                self.upstream_connection.close()
                self.upstream_connection = None
                if fresh or attempt == 1:
                    message = f"faultproxy: upstream {self.server.upstream_netloc} failed: {error}"
                    return 502, "Bad Gateway", [("Content-Type", "application/json")], google_error(502, message)
            except OSError as error:
                self.upstream_connection.close()
                self.upstream_connection = None
                message = f"faultproxy: upstream {self.server.upstream_netloc} failed: {error}"
                return 502, "Bad Gateway", [("Content-Type", "application/json")], google_error(502, message)

    def answer(self, status, reason, headers, data):
        self.send_response(status, reason)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP and name.lower() not in ("server", "date"):
                self.send_header(name, value)
        if self.command == "HEAD":
            length = next((v for k, v in headers if k.lower() == "content-length"), None)
            if length is not None:
                self.send_header("Content-Length", length)
        elif status not in (204, 304) and not 100 <= status < 200:
            self.send_header("Content-Length", str(len(data)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(data)
        self.wfile.flush()

    def reset(self):
        """Drops the connection with a RST: SO_LINGER 0, then close the descriptor itself (a
        plain close would wait for the request handler's file objects and send FIN first)."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            os.close(self.connection.detach())
        except OSError:
            pass

    def handle_any(self):
        faults = self.server.faults
        body = self.read_body()
        number, kind = faults.draw(self.command, self.path, body)
        fields = {"method": self.command, "path": self.path, "fault": kind}
        name = object_name(body) if self.command == "POST" and "/upload/" in self.path else None
        if name:
            fields["name"] = name
        faults.event(number, "request", **fields)
        try:
            if kind == "reset":
                self.reset()
                faults.event(number, "reset")
                return
            if kind.isdigit():
                code = int(kind)
                extra = [("Retry-After", "1")] if code == 429 else []
                message = f"faultproxy: injected {code} on {self.command} {urllib.parse.urlsplit(self.path).path}"
                if code == 403:
                    message = ("faultproxy: injected 403: the caller does not have storage.objects.create access "
                               "to the Google Cloud Storage object. Permission 'storage.objects.create' denied on "
                               "resource (or it may not exist).")
                self.answer(code, http.HTTPStatus(code).phrase if code in http.HTTPStatus._value2member_map_ else "Error",
                            [("Content-Type", "application/json; charset=UTF-8")] + extra, google_error(code, message))
                faults.event(number, "answered", status=code)
                return
            if kind == "slow":
                time.sleep(self.server.slow)
            status, reason, headers, data = self.forward(body)
            faults.event(number, "upstream", status=status)
            if kind == "reset-after":
                self.reset()
                faults.event(number, "reset")
                return
            if kind == "slow-after":
                time.sleep(self.server.slow)
            self.answer(status, reason, headers, data)
            faults.event(number, "answered", status=status)
        except OSError as error:
            self.close_connection = True
            faults.event(number, "client-gone", error=str(error))
        finally:
            faults.done()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass
        if self.upstream_connection is not None:
            self.upstream_connection.close()


def google_error(code, message):
    reason = REASONS.get(code, "error")
    return json.dumps({"error": {"code": code, "message": message,
                                 "errors": [{"message": message, "domain": "global", "reason": reason}]}}).encode()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that vanished mid-request is routine here


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listen", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--upstream", required=True, help="http://127.0.0.1:PORT (loopback only)")
    parser.add_argument("--faults", default="ok")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--slow-ms", type=int, default=500)
    parser.add_argument("--match", default=None, help="regex on 'METHOD /path?query'; others never get faults")
    parser.add_argument("--max-faults-per-request", type=int, default=2)
    parser.add_argument("--pass-first", type=int, default=0, help="no failing fault for the first N matching requests")
    parser.add_argument("--stats", default=None)
    parser.add_argument("--log", default=None)
    args = parser.parse_args()

    upstream = urllib.parse.urlsplit(args.upstream)
    if upstream.scheme != "http" or upstream.hostname not in ("127.0.0.1", "localhost") or not upstream.port:
        raise SystemExit(f"faultproxy: --upstream {args.upstream}: expected http://127.0.0.1:PORT (the proxy only talks to loopback)")

    server = Server(("127.0.0.1", args.listen), Handler)
    server.upstream_host = "127.0.0.1"
    server.upstream_port = upstream.port
    server.upstream_netloc = f"127.0.0.1:{upstream.port}"
    server.slow = args.slow_ms / 1000
    server.faults = Faults(args)
    server.faults.write_stats()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"faultproxy: listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    while not stop.wait(0.2):
        pass
    faults = server.faults
    with faults.lock:
        snapshot = faults.snapshot()
    print(f"faultproxy: {snapshot['requests']} requests; " +
          ", ".join(f"{kind} x{count}" for kind, count in snapshot["faults"].items()), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
