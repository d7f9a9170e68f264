#!/usr/bin/env python3
"""Drives headless Chromium over the DevTools protocol, for tests of the served dashboard.

    cdp.py --chromium /usr/bin/chromium --profile DIR

Starts Chromium (headless, a fresh profile in DIR, background networking off), attaches to
its page, then reads one JSON command per line on stdin and answers each with one JSON line on
stdout:

    {"op": "load", "url": U}                   navigate; wait for the load event and a quiet network
    {"op": "click", "selector": S}             click a link; wait until its target has loaded
    {"op": "reload-by-itself", "timeout": T}   wait until the page loads again unasked (its refresh)
    {"op": "eval", "expression": E}            the value of a JavaScript expression
    {"op": "screenshot", "path": P}            a PNG of the whole page
    {"op": "quit"}

Every answer says what happened since the previous one: "requests" (every URL the page asked
for), "errors" (console errors, uncaught exceptions, failed or >= 400 loads), "loads" (the URLs
that finished loading); plus "url" (the page's now) and, for eval, "value". A failure answers
{"ok": false, "error": …}. Only the standard library: a minimal WebSocket client (RFC 6455).
"""
import argparse
import base64
import json
import os
import select
import socket
import struct
import subprocess
import sys
import time
import urllib.request


class WebSocket:
    """A client WebSocket over a plain TCP socket: text frames out (masked), frames in."""

    def __init__(self, url):
        assert url.startswith("ws://"), url
        hostport, _, path = url[len("ws://"):].partition("/")
        host, _, port = hostport.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        # No Origin header: Chromium accepts DevTools clients without one.
        request = (f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("the DevTools socket closed during the handshake")
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"the DevTools socket refused the upgrade: {head[:200]!r}")

    def send(self, text):
        payload = text.encode()
        header = bytes([0x81])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _read(self, n, deadline):
        while len(self.buffer) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self.sock], [], [], left)
            if not ready:
                raise TimeoutError
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("the DevTools socket closed")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def receive(self, deadline):
        """The next whole text message; TimeoutError when none came by `deadline`."""
        message = b""
        while True:
            b0, b1 = self._read(2, deadline)
            fin, opcode, n = b0 & 0x80, b0 & 0x0F, b1 & 0x7F
            # Once a frame has begun, it is read whole whatever the deadline.
            late = time.monotonic() + 30
            if n == 126:
                n = struct.unpack(">H", self._read(2, late))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8, late))[0]
            mask = self._read(4, late) if b1 & 0x80 else None
            payload = self._read(n, late)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x8:
                raise RuntimeError("the DevTools socket was closed by Chromium")
            if opcode == 0x9:
                self.sock.sendall(bytes([0x8A, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)
                continue
            if opcode in (0x0, 0x1, 0x2):
                message += payload
                if fin:
                    return message.decode()


class Browser:
    def __init__(self, chromium, profile):
        os.makedirs(profile, exist_ok=True)
        self.log = open(os.path.join(profile, "chromium.log"), "wb")
        self.process = subprocess.Popen(
            [chromium, "--headless", "--disable-gpu", "--no-sandbox", "--remote-debugging-port=0",
             f"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-default-apps", "--mute-audio", "--hide-scrollbars", "--window-size=1280,900", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        # Chromium names its DevTools port in the profile once it listens.
        active = os.path.join(profile, "DevToolsActivePort")
        deadline = time.monotonic() + 60
        port = None
        while port is None:
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited ({self.process.returncode}) before listening; see {self.log.name}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"chromium did not listen within 60 s; see {self.log.name}")
            try:
                with open(active) as f:
                    lines = f.read().split("\n")
                if len(lines) >= 2 and lines[0].strip():
                    port = int(lines[0])
            except FileNotFoundError:
                pass
            if port is None:
                time.sleep(0.05)
        targets = []
        while not [t for t in targets if t.get("type") == "page"]:
            if time.monotonic() > deadline:
                raise RuntimeError("chromium has no page to attach to")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
                targets = json.load(r)
            time.sleep(0.05)
        page = [t for t in targets if t.get("type") == "page"][0]
        self.ws = WebSocket(page["webSocketDebuggerUrl"])
        self.next_id = 0
        self.inflight = set()
        self.url = "about:blank"
        self.reset()
        for method in ("Page.enable", "Network.enable", "Runtime.enable", "Log.enable"):
            self.call(method)
        # Caches off: a second load must ask the server again.
        self.call("Network.setCacheDisabled", {"cacheDisabled": True})
        self.reset()

    def reset(self):
        self.requests, self.errors, self.loads = [], [], []

    def answer(self, **extra):
        out = {"ok": True, "url": self.url, "requests": self.requests, "errors": self.errors, "loads": self.loads}
        out.update(extra)
        self.reset()
        return out

    def handle(self, message):
        method, params = message.get("method"), message.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
            self.inflight.add(params["requestId"])
        elif method == "Network.responseReceived":
            status = params["response"].get("status", 0)
            if status >= 400:
                self.errors.append(f"HTTP {status} for {params['response'].get('url')}")
        elif method in ("Network.loadingFinished", "Network.loadingFailed"):
            self.inflight.discard(params["requestId"])
            if method == "Network.loadingFailed" and not params.get("canceled"):
                self.errors.append(f"load failed: {params.get('errorText')} ({params.get('type')})")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            self.errors.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.errors.append(f"uncaught: {details.get('exception', {}).get('description') or details.get('text')}")
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            self.errors.append(f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip())
        elif method == "Page.frameNavigated" and not params["frame"].get("parentId"):
            self.url = params["frame"]["url"]
        elif method == "Page.loadEventFired":
            self.loads.append(self.url)

    def pump(self, until, timeout, what):
        """Handles events until `until()` holds; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not until():
            try:
                self.handle(json.loads(self.ws.receive(deadline)))
            except TimeoutError:
                raise RuntimeError(f"no {what} within {timeout} s") from None

    def call(self, method, params=None, timeout=60):
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            try:
                message = json.loads(self.ws.receive(deadline))
            except TimeoutError:
                raise RuntimeError(f"{method}: no answer within {timeout} s") from None
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.handle(message)

    def settle(self):
        """Waits until no request has been in flight for half a second."""
        quiet_since = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.inflight:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= 0.5:
                return
            try:
                self.handle(json.loads(self.ws.receive(time.monotonic() + 0.1)))
            except TimeoutError:
                pass
        raise RuntimeError(f"requests still in flight after 60 s: {sorted(self.inflight)}")

    def wait_for_load(self, url, timeout):
        seen = len(self.loads)
        self.pump(lambda: any(u == url for u in self.loads[seen:]) if url else len(self.loads) > seen, timeout,
                  f"load of {url}" if url else "load")
        self.settle()

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def run(self, command):
        op = command["op"]
        if op == "load":
            before = len(self.loads)
            result = self.call("Page.navigate", {"url": command["url"]})
            if result.get("errorText"):
                raise RuntimeError(f"navigating to {command['url']}: {result['errorText']}")
            self.pump(lambda: len(self.loads) > before, command.get("timeout", 60), f"load of {command['url']}")
            self.settle()
            return self.answer()
        if op == "click":
            target = self.evaluate(f"document.querySelector({json.dumps(command['selector'])}).href")
            self.evaluate(f"document.querySelector({json.dumps(command['selector'])}).click()")
            self.wait_for_load(target, command.get("timeout", 60))
            return self.answer(value=target)
        if op == "reload-by-itself":
            self.wait_for_load(None, command.get("timeout", 60))
            return self.answer()
        if op == "eval":
            return self.answer(value=self.evaluate(command["expression"]))
        if op == "screenshot":
            data = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})["data"]
            with open(command["path"], "wb") as f:
                f.write(base64.b64decode(data))
            return self.answer()
        raise RuntimeError(f"unknown op {op}")

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", required=True)
    parser.add_argument("--profile", required=True)
    args = parser.parse_args()
    try:
        browser = Browser(args.chromium, args.profile)
    except Exception as error:  # noqa: BLE001 - said to the test, which fails with it
        print(json.dumps({"ok": False, "error": f"chromium did not start: {error}"}), flush=True)
        return 1
    print(json.dumps({"ok": True, "ready": True}), flush=True)
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            command = json.loads(line)
            if command.get("op") == "quit":
                break
            try:
                answer = browser.run(command)
            except Exception as error:  # noqa: BLE001
                answer = {"ok": False, "error": str(error), "url": browser.url, "requests": browser.requests,
                          "errors": browser.errors, "loads": browser.loads}
                browser.reset()
            print(json.dumps(answer), flush=True)
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
