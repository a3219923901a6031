# Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
"""A fault-injecting TCP proxy for the storage path of the integration tests.

    with FaultProxy(upstream_port) as proxy:        # listens on 127.0.0.1:<free port>
        endpoint = proxy.endpoint                    # "http://127.0.0.1:<port>"
        proxy.latency(300)                           # delay every request by 300 ms
        proxy.reset()                                # RST new connections at accept
        proxy.reset("request")                       # read the request, then RST
        proxy.reset("response")                      # forward, relay a few response bytes, RST
        proxy.refuse()                               # stop listening: connection refused
        proxy.blackhole()                            # accept, read, never answer
        proxy.http_error(503, "SlowDown")            # canned S3 error for PUT/POST
        proxy.http_error(403, "AccessDenied")        # "a policy that denies writes"
        proxy.http_error(403, "AccessDenied", path_prefix="/b/")  # ... to bucket b only
        proxy.passthrough()                          # back to normal

The proxy speaks just enough HTTP/1.1 to find request boundaries on the
client side (request line, headers, Content-Length or chunked body), so a new
mode takes effect at the next request even on a kept-alive connection, and
`http_error` can answer a write itself while reads/deletes still reach the
server. Responses are relayed as raw bytes. No pipelining is assumed (libcurl
and boto3 do not pipeline).

Safety bounds: listens on 127.0.0.1 only and forwards to 127.0.0.1 only; all
threads are daemons; `close()` (or leaving the `with` block) stops the
listener, resets every connection and joins every thread with a timeout.
`stats()` counts what was injected (connections, requests, resets, ...).
"""
from __future__ import annotations

import collections
import socket
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Optional

LOOPBACK = "127.0.0.1"
_POLL = 0.1  # seconds: how often blocked threads look at the stop flags
_MAX_HEAD = 64 * 1024

PASS, LATENCY, RESET, REFUSE, BLACKHOLE, HTTP_ERROR = (
    "pass", "latency", "reset", "refuse", "blackhole", "http_error")

_REASONS = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
            429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented",
            503: "Slow Down", 504: "Gateway Timeout"}


@dataclass(frozen=True)
class Mode:
    name: str = PASS
    latency_ms: int = 0
    reset_when: str = "accept"          # accept | request | response
    status: int = 0
    s3_code: str = ""
    message: str = ""
    methods: frozenset = field(default_factory=frozenset)
    path_prefix: str = ""               # http_error: only targets starting with it

    def describe(self) -> str:
        if self.name == LATENCY:
            return f"latency({self.latency_ms}ms)"
        if self.name == RESET:
            return f"reset({self.reset_when})"
        if self.name == HTTP_ERROR:
            where = f" under {self.path_prefix}" if self.path_prefix else ""
            return (f"http_error({self.status} {self.s3_code} for "
                    f"{','.join(sorted(self.methods))}{where})")
        return self.name


class _Closed(Exception):
    """The connection (or the proxy) was closed while waiting for bytes."""


def _rst(sock: Optional[socket.socket]) -> None:
    """Closes with an RST (SO_LINGER 0) instead of a FIN."""
    if sock is None:
        return
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class _Conn:
    """One client connection and (lazily) its upstream connection."""

    def __init__(self, proxy: "FaultProxy", client: socket.socket):
        self.proxy = proxy
        self.client = client
        self.upstream: Optional[socket.socket] = None
        self.closed = threading.Event()
        self.lock = threading.Lock()           # guards writes to `client`
        self.cut_response_after: Optional[int] = None
        self.buf = b""

    # -- low-level I/O with stop checks --------------------------------------
    def _alive(self) -> bool:
        return not self.closed.is_set() and not self.proxy._stopping.is_set()

    def recv_some(self, sock: socket.socket) -> bytes:
        while True:
            if not self._alive():
                raise _Closed()
            try:
                data = sock.recv(65536)
            except socket.timeout:
                continue
            except OSError as e:
                raise _Closed() from e
            if not data:
                raise _Closed()
            return data

    def read_exact(self, n: int, forward: Optional[socket.socket]) -> None:
        """Consumes n body bytes from the client (already-buffered ones first),
        sending them to `forward` if given."""
        while n > 0:
            if not self.buf:
                self.buf = self.recv_some(self.client)
            chunk, self.buf = self.buf[:n], self.buf[n:]
            n -= len(chunk)
            if forward is not None:
                forward.sendall(chunk)

    def read_line(self, forward: Optional[socket.socket]) -> bytes:
        while b"\r\n" not in self.buf:
            if len(self.buf) > _MAX_HEAD:
                raise _Closed()
            self.buf += self.recv_some(self.client)
        line, self.buf = self.buf.split(b"\r\n", 1)
        if forward is not None:
            forward.sendall(line + b"\r\n")
        return line

    def read_head(self) -> Optional[bytes]:
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > _MAX_HEAD:
                raise _Closed()
            self.buf += self.recv_some(self.client)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        return head + b"\r\n\r\n"

    def read_body(self, headers: dict, forward: Optional[socket.socket]) -> None:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            while True:
                size_line = self.read_line(forward)
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.read_line(forward):  # trailers up to the empty line
                        pass
                    return
                self.read_exact(size + 2, forward)  # data + CRLF
        length = int(headers.get("content-length", "0") or "0")
        self.read_exact(length, forward)

    def send_client(self, data: bytes) -> None:
        with self.lock:
            self.client.sendall(data)

    def close(self, rst: bool = True) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        for s in (self.client, self.upstream):
            if rst:
                _rst(s)
            elif s is not None:
                try:
                    s.close()
                except OSError:
                    pass

    def hold(self) -> None:
        """Blackhole: swallow whatever the client sends, answer nothing, until
        the client, the proxy or a drop closes the connection."""
        self.proxy._count("blackholed")
        try:
            while True:
                self.recv_some(self.client)
        except _Closed:
            pass

    # -- the request loop ------------------------------------------------------
    def serve(self) -> None:
        try:
            mode = self.proxy.mode
            if mode.name == REFUSE:  # accepted just before the listener closed
                self.proxy._count("refused_late")
                return
            if mode.name == RESET and mode.reset_when == "accept":
                self.proxy._count("reset_accept")
                return
            if mode.name == BLACKHOLE:
                self.hold()
                return
            while self._alive():
                head = self.read_head()
                self.proxy._count("requests")
                lines = head.decode("latin-1").split("\r\n")
                method, target = (lines[0].split(" ") + ["", ""])[:2]
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                mode = self.proxy.mode
                if mode.name == REFUSE:
                    self.proxy._count("refused_late")
                    return
                if mode.name == RESET:
                    self.proxy._count("reset_" + ("request" if mode.reset_when != "response"
                                                  else "response"))
                    if mode.reset_when != "response":
                        return  # RST with the request unanswered
                if mode.name == BLACKHOLE:
                    self.hold()
                    return
                if (mode.name == HTTP_ERROR and method.upper() in mode.methods
                        and target.startswith(mode.path_prefix)):
                    self._answer_error(mode, method, target, headers)
                    continue
                if mode.name == LATENCY and mode.latency_ms > 0:
                    self.proxy._count("delayed")
                    if self.proxy._stopping.wait(mode.latency_ms / 1000.0):
                        return
                self._forward(head, headers, cut=(mode.name == RESET))
        except (_Closed, OSError, ValueError):
            pass
        finally:
            self.close()

    def _answer_error(self, mode: Mode, method: str, target: str, headers: dict) -> None:
        expect_continue = "100-continue" in headers.get("expect", "").lower()
        if not expect_continue:
            self.read_body(headers, None)  # drain it, keep the connection usable
        request_id = uuid.uuid4().hex[:16].upper()
        resource = target.split("?", 1)[0]
        body = b"" if method.upper() == "HEAD" else (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{mode.s3_code}</Code><Message>{mode.message}</Message>"
            f"<Resource>{resource}</Resource><RequestId>{request_id}</RequestId></Error>"
        ).encode()
        reason = _REASONS.get(mode.status, "Error")
        head = (f"HTTP/1.1 {mode.status} {reason}\r\n"
                f"Content-Type: application/xml\r\n"
                f"Content-Length: {len(body)}\r\n"
                f"x-amz-request-id: {request_id}\r\n"
                f"Server: k2c-faultproxy\r\n"
                f"Connection: {'close' if expect_continue else 'keep-alive'}\r\n\r\n")
        self.send_client(head.encode() + body)
        self.proxy._count("http_errors")
        self.proxy._count(f"http_{mode.status}_{mode.s3_code}")
        if expect_continue:
            raise _Closed()

    def _forward(self, head: bytes, headers: dict, cut: bool) -> None:
        if self.upstream is None:
            try:
                up = socket.create_connection((LOOPBACK, self.proxy.upstream_port), timeout=5)
            except OSError:
                self.proxy._count("upstream_connect_failed")
                raise _Closed()
            up.settimeout(_POLL)
            self.upstream = up
            t = threading.Thread(target=self._pump_responses, name="faultproxy-resp",
                                 daemon=True)
            self.proxy._track(t)
            t.start()
        if cut:
            self.cut_response_after = 12  # "HTTP/1.1 200", then RST
        self.upstream.sendall(head)
        self.read_body(headers, self.upstream)
        self.proxy._count("forwarded")

    def _pump_responses(self) -> None:
        try:
            while True:
                data = self.recv_some(self.upstream)
                cut = self.cut_response_after
                if cut is not None:
                    self.send_client(data[:cut])
                    return  # finally: RST both sides mid-response
                self.send_client(data)
        except (_Closed, OSError):
            pass
        finally:
            self.close()


class FaultProxy:
    """TCP proxy 127.0.0.1:<port> -> 127.0.0.1:<upstream_port> with switchable faults."""

    def __init__(self, upstream_port: int, upstream_host: str = LOOPBACK, port: int = 0):
        if upstream_host not in (LOOPBACK, "localhost"):
            raise ValueError("FaultProxy only forwards to 127.0.0.1")
        self.upstream_port = int(upstream_port)
        self._mode = Mode()
        self._mode_lock = threading.Lock()
        self._stopping = threading.Event()
        self._stats: collections.Counter = collections.Counter()
        self._stats_lock = threading.Lock()
        self._conns: set[_Conn] = set()
        self._conns_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._threads_lock = threading.Lock()
        self._listening = threading.Event()
        self._not_listening = threading.Event()
        self._history: list[tuple[float, str]] = []
        # Bind now so that the port is known (and ours) before start().
        self._lsock: Optional[socket.socket] = self._bind(port)
        self.port = self._lsock.getsockname()[1]
        self._listener = threading.Thread(target=self._accept_loop, name="faultproxy-accept",
                                          daemon=True)
        self._started = False

    # -- lifecycle -----------------------------------------------------------------
    @property
    def endpoint(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> "FaultProxy":
        if not self._started:
            self._started = True
            self._listener.start()
            self._listening.wait(5)
        return self

    def close(self, timeout: float = 10) -> None:
        """Stops listening, resets every connection, joins every thread."""
        self._stopping.set()
        self.drop_connections()
        if self._started:
            self._listener.join(timeout)
        elif self._lsock is not None:
            self._lsock.close()
            self._lsock = None
        deadline = time.monotonic() + timeout
        with self._threads_lock:
            threads = list(self._threads)
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
        alive = [t.name for t in threads if t.is_alive()]
        if alive:
            raise RuntimeError(f"faultproxy threads still alive after close: {alive}")

    def __enter__(self) -> "FaultProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- modes -------------------------------------------------------------------
    @property
    def mode(self) -> Mode:
        with self._mode_lock:
            return self._mode

    def _set(self, mode: Mode, drop: bool = False) -> None:
        with self._mode_lock:
            self._mode = mode
            self._history.append((time.monotonic(), mode.describe()))
        self._count(f"mode_{mode.name}")
        if drop:
            self.drop_connections()
        if mode.name == REFUSE:
            if self._started and not self._not_listening.wait(5):
                raise RuntimeError("faultproxy did not stop listening")
            self.drop_connections()  # any accepted while the listener was closing
        elif self._started and not self._listening.wait(5):
            raise RuntimeError("faultproxy did not start listening again")

    def passthrough(self) -> None:
        self._set(Mode(PASS))

    def latency(self, ms: int) -> None:
        self._set(Mode(LATENCY, latency_ms=int(ms)))

    def reset(self, when: str = "accept") -> None:
        """RST: at accept (also the next request on kept-alive connections),
        after reading a request ("request"), or after forwarding it and
        relaying the first bytes of the answer ("response": the server did
        apply the request, the client sees a broken connection)."""
        if when not in ("accept", "request", "response"):
            raise ValueError(when)
        self._set(Mode(RESET, reset_when=when))

    def refuse(self) -> None:
        """Closes the listening socket (connection refused) and every open connection."""
        self._set(Mode(REFUSE), drop=True)

    def blackhole(self) -> None:
        """Accepts and reads, never answers: the client must time out."""
        self._set(Mode(BLACKHOLE))

    def http_error(self, status: int, s3_code: str, message: Optional[str] = None,
                   methods=("PUT", "POST"), path_prefix: str = "") -> None:
        """Answers requests whose method is in `methods` (and whose target
        starts with `path_prefix`, e.g. "/bucket/" for one path-style bucket)
        with an S3 XML error, without forwarding them; others are forwarded."""
        self._set(Mode(HTTP_ERROR, status=int(status), s3_code=s3_code,
                       message=message or f"injected by k2c-faultproxy ({s3_code})",
                       methods=frozenset(m.upper() for m in methods),
                       path_prefix=path_prefix))

    def drop_connections(self) -> int:
        """RSTs every open connection; returns how many."""
        with self._conns_lock:
            conns = list(self._conns)
        for c in conns:
            c.close()
        if conns:
            self._count("dropped", len(conns))
        return len(conns)

    # -- reporting -------------------------------------------------------------------
    def stats(self) -> dict:
        with self._stats_lock:
            return dict(self._stats)

    def history(self) -> list[tuple[float, str]]:
        with self._mode_lock:
            return list(self._history)

    def _count(self, key: str, n: int = 1) -> None:
        with self._stats_lock:
            self._stats[key] += n

    # -- internals ----------------------------------------------------------------
    @staticmethod
    def _bind(port: int) -> socket.socket:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((LOOPBACK, port))
        s.listen(64)
        s.settimeout(_POLL)
        return s

    def _track(self, t: threading.Thread) -> None:
        with self._threads_lock:
            self._threads = [x for x in self._threads if x.is_alive()]
            self._threads.append(t)

    def _accept_loop(self) -> None:
        try:
            while not self._stopping.is_set():
                refusing = self.mode.name == REFUSE
                if refusing and self._lsock is not None:
                    self._lsock.close()
                    self._lsock = None
                if not refusing and self._lsock is None:
                    try:
                        self._lsock = self._bind(self.port)
                    except OSError:
                        time.sleep(_POLL)  # TIME_WAIT or similar; retry
                        continue
                if self._lsock is None:
                    self._listening.clear()
                    self._not_listening.set()
                    time.sleep(_POLL)
                    continue
                self._not_listening.clear()
                self._listening.set()
                try:
                    client, _ = self._lsock.accept()
                except socket.timeout:
                    continue
                except OSError:
                    continue
                self._count("connections")
                client.settimeout(_POLL)
                conn = _Conn(self, client)
                with self._conns_lock:
                    self._conns.add(conn)
                t = threading.Thread(target=self._serve, args=(conn,), name="faultproxy-conn",
                                     daemon=True)
                self._track(t)
                t.start()
        finally:
            if self._lsock is not None:
                self._lsock.close()
                self._lsock = None
            self._listening.clear()
            self._not_listening.set()

    def _serve(self, conn: _Conn) -> None:
        try:
            conn.serve()
        finally:
            with self._conns_lock:
                self._conns.discard(conn)
