#!/usr/bin/env python3
"""hark and toot side by side: both pointed at one local Mastodon-API server holding 2,000
mentions, each timed from process start to its list of mentions on screen, alternately, on the
same run.

    scripts/compare-toot.py [--runs 10] [--mentions 2000] [--hark target/release/hark]

toot (the Mastodon terminal client) is installed from PyPI into target/toot-venv when it is
not there. hark runs in a pseudo-terminal with a fresh database each time, so it starts cold:
it signs in, fetches the newest page of mentions and draws them; "shown" is when the newest
mention's text is on its screen. toot runs `toot notifications --type mention`, which prints
its list and exits; "shown" is when it has printed it.
"""

import argparse
import fcntl
import json
import os
import pty
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKEN = "compare-token"
WORDS = ["order", "late", "refund", "thanks", "coffee", "beans", "box", "espresso", "decaf"]


def account(n):
    """A Mastodon Account entity (the API docs' fields)."""
    return {
        "id": str(n), "username": f"customer{n}", "acct": f"customer{n}@remote.example",
        "display_name": f"Customer {n}", "locked": False, "bot": False, "group": False,
        "discoverable": True, "noindex": False, "created_at": "2024-01-01T00:00:00.000Z",
        "note": "<p>Coffee person</p>", "url": f"https://remote.example/@customer{n}",
        "uri": f"https://remote.example/users/customer{n}",
        "avatar": "https://remote.example/a.png", "avatar_static": "https://remote.example/a.png",
        "header": "https://remote.example/h.png", "header_static": "https://remote.example/h.png",
        "followers_count": n % 500, "following_count": 10, "statuses_count": 42,
        "last_status_at": "2026-01-01", "emojis": [], "fields": [],
    }


class Data:
    def __init__(self, mentions):
        self.me = account(1)
        self.me.update({"username": "brand", "acct": "brand", "display_name": "Brand"})
        start = datetime(2026, 1, 1, tzinfo=timezone.utc)
        self.notifications = []
        for n in range(1, mentions + 1):
            at = (start + timedelta(minutes=n)).isoformat().replace("+00:00", "Z")
            words = " ".join(WORDS[(n * k) % len(WORDS)] for k in range(1, 9))
            status = {
                "id": str(100000 + n), "created_at": at, "in_reply_to_id": None,
                "in_reply_to_account_id": None, "sensitive": False, "spoiler_text": "",
                "visibility": "public", "language": "en",
                "uri": f"https://remote.example/statuses/{n}",
                "url": f"https://remote.example/@customer{n % 300 + 2}/{n}",
                "replies_count": 0, "reblogs_count": 0, "favourites_count": 0,
                "favourited": False, "reblogged": False, "muted": False, "bookmarked": False,
                "content": f"<p><span class=\"h-card\"><a href=\"https://local/@brand\">@brand</a></span> mention-{n} {words}</p>",
                "text": None, "edited_at": None, "reblog": None, "application": None,
                "account": account(n % 300 + 2), "media_attachments": [],
                "mentions": [{"id": "1", "username": "brand", "acct": "brand", "url": "https://local/@brand"}],
                "tags": [], "emojis": [], "card": None, "poll": None,
            }
            self.notifications.append({
                "id": str(n), "type": "mention", "created_at": at,
                "account": status["account"], "status": status,
            })
        self.notifications.reverse()  # newest first


def handler(data, port):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as written: without this, a kept-alive connection waits
        # ~40 ms per answer (Nagle's algorithm against the client's delayed ACK).
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def send(self, body, status=200, headers=()):
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self):
            url = urlparse(self.path)
            query = parse_qs(url.query)
            if url.path in ("/api/v1/instance", "/api/v2/instance"):
                return self.send({"uri": f"127.0.0.1:{port}", "domain": f"127.0.0.1:{port}",
                                  "title": "Local", "version": "4.3.0",
                                  "configuration": {"statuses": {"max_characters": 500}}})
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self.send({"error": "The access token is invalid"}, 401)
            if url.path == "/api/v1/accounts/verify_credentials":
                return self.send(data.me)
            if url.path == "/api/v1/notifications":
                items = data.notifications
                if "max_id" in query:
                    items = [n for n in items if int(n["id"]) < int(query["max_id"][0])]
                if "min_id" in query:
                    items = [n for n in items if int(n["id"]) > int(query["min_id"][0])][-40:]
                page = items[: min(int(query.get("limit", ["20"])[0]), 80)]
                headers = []
                if page:
                    base = f"http://127.0.0.1:{port}/api/v1/notifications"
                    headers.append(("Link", f'<{base}?max_id={page[-1]["id"]}>; rel="next", '
                                            f'<{base}?min_id={page[0]["id"]}>; rel="prev"'))
                return self.send(page, headers=headers)
            if url.path.startswith("/api/v1/statuses/") and url.path.endswith("/context"):
                return self.send({"ancestors": [], "descendants": []})
            if url.path in ("/api/v1/conversations", "/api/v1/preferences", "/api/v1/lists"):
                return self.send([] if url.path != "/api/v1/preferences" else {})
            return self.send({"error": "Record not found"}, 404)

    return Handler


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client stopped mid-answer: hark is killed once it has shown the list


def toot_binary():
    venv = os.path.join(ROOT, "target", "toot-venv")
    toot = os.path.join(venv, "bin", "toot")
    if not os.path.exists(toot):
        print("installing toot from PyPI into target/toot-venv…", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "toot"], check=True)
    return toot


def time_toot(toot, home, newest):
    env = {"HOME": home, "XDG_CONFIG_HOME": os.path.join(home, "config"), "PATH": os.environ["PATH"],
           "LANG": "C.UTF-8", "COLUMNS": "120"}
    start = time.perf_counter()
    out = subprocess.run([toot, "notifications", "--type", "mention"], env=env,
                         capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if out.returncode != 0 or newest not in out.stdout:
        raise SystemExit(f"toot did not list the mentions:\n{out.stdout}\n{out.stderr}")
    return elapsed


def time_hark(hark, home, newest):
    db = os.path.join(home, "run.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    env = {"HOME": home, "XDG_CONFIG_HOME": os.path.join(home, "config"),
           "XDG_STATE_HOME": os.path.join(home, "state"), "TERM": "xterm-256color",
           "HARK_COMPARE_TOKEN": TOKEN, "PATH": os.environ["PATH"], "HARK_LOG": os.environ.get("HARK_LOG", "info")}
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        # A terminal of 120×40, set before hark asks.
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.execve(hark, [hark, "--db", db], env)
    seen = b""
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], 30)
            if not ready:
                raise SystemExit("hark did not show the mentions within 30 s")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise SystemExit("hark stopped before showing the mentions")
            seen = (seen + chunk)[-200000:]
            if newest.encode() in seen:
                return time.perf_counter() - start
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--mentions", type=int, default=2000)
    parser.add_argument("--hark", default=os.path.join(ROOT, "target", "release", "hark"))
    args = parser.parse_args()
    if not os.path.exists(args.hark):
        subprocess.run(["cargo", "build", "--release", "--bin", "hark"], cwd=ROOT, check=True)
    toot = toot_binary()

    data = Data(args.mentions)
    server = Server(("127.0.0.1", 0), None)
    port = server.server_address[1]
    server.RequestHandlerClass = handler(data, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    newest = f"mention-{args.mentions}"

    home = tempfile.mkdtemp(prefix="hark-toot-")
    instance = f"127.0.0.1:{port}"
    os.makedirs(os.path.join(home, "config", "toot"))
    with open(os.path.join(home, "config", "toot", "config.json"), "w") as f:
        json.dump({
            "apps": {instance: {"instance": instance, "base_url": base,
                                "client_id": "id", "client_secret": "secret"}},
            "users": {f"brand@{instance}": {"instance": instance, "username": "brand",
                                             "access_token": TOKEN}},
            "active_user": f"brand@{instance}",
        }, f)
    os.makedirs(os.path.join(home, "config", "hark"))
    with open(os.path.join(home, "config", "hark", "config.toml"), "w") as f:
        f.write('keyboard_protocol = "off"\n\n[[accounts]]\nname = "brand"\nnetwork = "mastodon"\n'
                f'instance = "{base}"\ntoken_env = "HARK_COMPARE_TOKEN"\n')

    hark_times, toot_times = [], []
    for _ in range(args.runs):
        hark_times.append(time_hark(args.hark, home, newest))
        toot_times.append(time_toot(toot, home, newest))
    shutil.rmtree(home, ignore_errors=True)
    server.shutdown()

    version = subprocess.run([toot, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"{args.mentions} mentions on a local Mastodon-API server, {args.runs} runs each, alternating")
    print("| client | start → mentions shown, median | fastest | slowest |")
    print("|---|---|---|---|")
    for name, times in (("hark (TUI, new database)", hark_times),
                        (f"{version} (notifications --type mention)", toot_times)):
        print(f"| {name} | {statistics.median(times) * 1e3:.0f} ms | {min(times) * 1e3:.0f} ms | "
              f"{max(times) * 1e3:.0f} ms |")


if __name__ == "__main__":
    main()
