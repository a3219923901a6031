#!/usr/bin/env bash
# ports.sh — free-port helpers shared by the server scripts (sourced, not run).

# Prints N distinct TCP ports that are free on 127.0.0.1, from below the
# kernel's ephemeral range so that outgoing connections do not grab them:
# from $K2C_PORT_RANGE ("LOW-HIGH", default 20000-32000). A port is only
# free until someone binds it, so servers started side by side (the test
# suite's pytest-xdist workers) each get a range of their own.
free_ports() {
    python3 - "$1" "${K2C_PORT_RANGE:-20000-32000}" <<'EOF'
import random, socket, sys
n, found, held = int(sys.argv[1]), [], []
low, high = (int(x) for x in sys.argv[2].split("-"))
for port in random.sample(range(low, high), min(2000, high - low)):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        s.close()
        continue
    held.append(s)
    found.append(port)
    if len(found) == n:
        break
print(" ".join(map(str, found)))
EOF
}

port_is_free() {
    python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}
