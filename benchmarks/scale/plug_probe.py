#!/usr/bin/env python3
"""One measured plug for benchmarks/scale/run.sh: POST /port, then the guest's metadata poll.

Runs as ONE process that is already up (interpreter started, sockets created) when the clock
starts, so no process start-up is measured:
  1. connects to port IPC (127.0.0.1, the root namespace) and prepares the POST;
  2. enters the guest's network namespace (setns) and opens a packet socket on its interface,
     which sees the guest's outgoing ARP requests and the answers;
  3. t0, then the POST as nova's vrouter-port-control sends it (one JSON port object);
  4. once port IPC has answered (nova starts the VM after its plug returns: a guest cannot send
     before), the guest polls http://169.254.169.254/openstack/latest/meta_data.json: a new
     connection every --stagger-ms while none has answered (each attempt may take up to
     --attempt-s; a lost SYN then costs at most one stagger, not TCP's 1 s retransmit), until an
     answer is 200 and holds the guest's own uuid, or --timeout-s.
Prints one JSON object: times in ms from t0 of the POST answered, the first ARP answer, the first
connection established, the first right answer (timed when the response is whole, by its
Content-Length or last chunk, not when the connection closes); ARP requests sent before that answer; attempts.
The resolution of the answer time is the event loop's (select), not the stagger: a connection
that succeeds is timed when its answer arrives.
"""
import argparse
import ctypes
import errno
import json
import os
import select
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
ETH_P_ALL = 3
METADATA = ("169.254.169.254", 80)


def ms(t0, t):
    return None if t is None else round((t - t0) / 1e6, 1)


def complete(resp):
    """True once an HTTP response is whole (Content-Length or chunked): timed then, not at the close."""
    head, sep, body = resp.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip())
    return body.endswith(b"\r\n0\r\n\r\n")


def enter_netns(name):
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if ctypes.CDLL(None, use_errno=True).setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {name}")
    finally:
        os.close(fd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--netns", required=True)
    ap.add_argument("--iface", default="eth0")
    ap.add_argument("--ipc-port", type=int, required=True)
    ap.add_argument("--body-file", required=True)
    ap.add_argument("--uuid", required=True)
    ap.add_argument("--stagger-ms", type=float, default=10)
    ap.add_argument("--attempt-s", type=float, default=2)
    ap.add_argument("--timeout-s", type=float, default=10)
    a = ap.parse_args()

    body = open(a.body_file, "rb").read()
    post = (f"POST /port HTTP/1.1\r\nHost: 127.0.0.1:{a.ipc_port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
    ipc = socket.create_connection(("127.0.0.1", a.ipc_port), timeout=5)
    ipc.setblocking(False)
    enter_netns(a.netns)
    pkt = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    pkt.bind((a.iface, 0))
    pkt.setblocking(False)
    get = (f"GET /openstack/latest/meta_data.json HTTP/1.1\r\nHost: 169.254.169.254\r\n"
           f"Connection: close\r\n\r\n").encode()

    t0 = time.monotonic_ns()
    ipc.sendall(post)
    ipc_buf = b""
    post_at = post_status = None
    arp_requests, arp_answer_at = 0, None
    connected_at = answer_at = None
    attempts = {}  # socket -> [state, buffer, started]
    started = 0
    next_attempt = None
    deadline = t0 + int(a.timeout_s * 1e9)
    last_error = ""
    while answer_at is None and time.monotonic_ns() < deadline:
        now = time.monotonic_ns()
        if post_at is not None and (next_attempt is None or now >= next_attempt) and len(attempts) < 50:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            err = s.connect_ex(METADATA)
            if err not in (0, errno.EINPROGRESS):
                last_error = os.strerror(err)
                s.close()
            else:
                attempts[s] = ["connecting", b"", now]
                started += 1
            next_attempt = now + int(a.stagger_ms * 1e6)
        for s, st in list(attempts.items()):  # attempts that took too long are given up
            if now - st[2] > a.attempt_s * 1e9:
                s.close()
                del attempts[s]
                last_error = "attempt timed out"
        readers = [pkt] + ([ipc] if post_at is None else []) + [s for s, st in attempts.items() if st[0] == "sent"]
        writers = [s for s, st in attempts.items() if st[0] == "connecting"]
        wait = (deadline - now) / 1e9 if next_attempt is None else max(0, (next_attempt - now) / 1e9)
        r, w, _ = select.select(readers, writers, [], min(wait, 0.05))
        now = time.monotonic_ns()
        for s in w:
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                last_error = os.strerror(err)
                s.close()
                del attempts[s]
                continue
            connected_at = connected_at or now
            s.sendall(get)
            attempts[s][0] = "sent"
        for s in r:
            if s is pkt:
                while True:
                    try:
                        data, addr = pkt.recvfrom(2048)
                    except BlockingIOError:
                        break
                    if len(data) < 22 or data[12:14] != b"\x08\x06":
                        continue
                    op = struct.unpack("!H", data[20:22])[0]
                    if addr[2] == socket.PACKET_OUTGOING and op == 1 and arp_answer_at is None:
                        arp_requests += 1
                    elif addr[2] != socket.PACKET_OUTGOING and op == 2 and arp_answer_at is None:
                        arp_answer_at = now
            elif s is ipc:
                chunk = ipc.recv(65536)
                ipc_buf += chunk
                if not chunk or b"\r\n\r\n" in ipc_buf:
                    post_at = now
                    post_status = int(ipc_buf.split(b" ", 2)[1]) if ipc_buf.startswith(b"HTTP/") else None
                    if post_status is None or post_status >= 300:
                        print(json.dumps({"error": f"POST /port answered {ipc_buf[:200]!r}"}))
                        return 1
            else:
                try:
                    chunk = s.recv(65536)
                except OSError as e:
                    last_error = str(e)
                    chunk = b""
                    attempts[s][1] = b""
                if chunk:
                    attempts[s][1] += chunk
                    if not complete(attempts[s][1]):
                        continue
                resp = attempts.pop(s)[1]
                s.close()
                if resp.startswith(b"HTTP/1.1 200") and a.uuid.encode() in resp:
                    answer_at = now
                else:
                    last_error = f"answer {resp[:60]!r}"
    for s in attempts:
        s.close()
    out = {"post_ms": ms(t0, post_at), "arp_requests": arp_requests, "arp_answer_ms": ms(t0, arp_answer_at),
           "connected_ms": ms(t0, connected_at), "answer_ms": ms(t0, answer_at), "attempts": started}
    if answer_at is None:
        out["error"] = f"no right answer within {a.timeout_s} s (last: {last_error})"
    print(json.dumps(out))
    return 0 if answer_at is not None else 1


if __name__ == "__main__":
    sys.exit(main())
