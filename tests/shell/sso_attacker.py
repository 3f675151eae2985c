#!/usr/bin/env python3
"""Another local user against credsh's sign-in listener (t_sso_login_attack.sh runs it with runuser).

  hold PORT OUT DIR    keep N connections to 127.0.0.1:PORT open, each sending one byte of a request line
                       that never ends every 0.2 s, and reconnecting whenever the listener closes it, until DIR/stop exists (or 300 s).
                       DIR/ready appears once all N have sent their first bytes. OUT gets JSON: opened, closed
                       (by the listener: EOF/reset), answered (an HTTP answer came), refused (connect failed: the
                       listener is gone), pending (connect not done in 0.3 s: backlog full), open_at_stop.
  forge PORT OUT       send forged callbacks and record each status line in OUT (JSON list).
  read PATH            exit 0 if PATH can be read, 1 if not.
"""
import json
import os
import socket
import sys
import time

N = 40


def hold(port, out, d):
    # A request line that never ends: a listener that waits for it per read is held for as long as we like.
    prefix = b"GET /oauth/callback?code=held&state=held"
    stats = {"opened": 0, "closed": 0, "answered": 0, "refused": 0, "pending": 0, "open_at_stop": 0}
    conns = {}

    def connect():
        # A full backlog (a listener that no longer accepts) must not stall us: then we keep poking the
        # connections we have, which is what holds a listener that reads one connection at a time.
        s = socket.socket()
        s.settimeout(0.3)
        try:
            s.connect(("127.0.0.1", port))
        except socket.timeout:
            stats["pending"] += 1
            s.close()
            return None
        except OSError:
            stats["refused"] += 1
            s.close()
            return None
        s.setblocking(False)
        stats["opened"] += 1
        conns[s] = 0
        return s

    def poke(s):
        # One byte; then see whether the listener answered or closed it.
        i = conns[s]
        b = prefix[i:i + 1] if i < len(prefix) else b"a"
        try:
            s.send(b)
            conns[s] = i + 1
            data = s.recv(4096)
            if data:
                stats["answered"] += 1
            stats["closed"] += 1
            del conns[s]
            s.close()
        except BlockingIOError:
            pass
        except OSError:
            stats["closed"] += 1
            del conns[s]
            s.close()

    for _ in range(N):
        s = connect()
        if s:
            for _ in range(3):
                if s in conns:
                    poke(s)
    open(os.path.join(d, "ready"), "w").close()
    end = time.time() + 300
    while not os.path.exists(os.path.join(d, "stop")) and time.time() < end:
        for s in list(conns):
            poke(s)
        while len(conns) < N and stats["refused"] < 1000:
            if not connect():
                break
        time.sleep(0.2)
    # The listener may have closed some since the last round: look once more.
    for s in list(conns):
        poke(s)
    stats["open_at_stop"] = len(conns)
    json.dump(stats, open(out, "w"))


def forge(port, out):
    targets = ["/oauth/callback?code=evil-code&state=wrong-state",
               "/oauth/callback?error=access_denied&error_description=PWNED%20%3Cb%3Eby%20another%20user%3C%2Fb%3E",
               "/oauth/callback?error=server_error&error_description=PWNED&state=wrong-state",
               "/oauth/callback?code=evil-code"]
    answers = []
    for t in targets:
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % t).encode())
        data = b""
        s.settimeout(60)
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        answers.append(data.split(b"\r\n", 1)[0].decode(errors="replace"))
    json.dump(answers, open(out, "w"))


def main():
    mode = sys.argv[1]
    if mode == "hold":
        hold(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif mode == "forge":
        forge(int(sys.argv[2]), sys.argv[3])
    elif mode == "read":
        try:
            open(sys.argv[2]).read()
            return 0
        except OSError:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
