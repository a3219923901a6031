#!/usr/bin/env bash
# process.sh — process helpers shared by the server scripts (sourced, not run).
# Uses the caller's log() function.

# True while PID exists and is not a zombie.
alive() {
    [[ -e "/proc/$1" ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# Prints the pid in PIDFILE if that process is alive and its command line
# holds PATTERN (so a recycled pid is not taken for our server).
pid_from_file() {
    local pidfile=$1 pattern=$2 pid
    [[ -f "$pidfile" ]] || return 1
    pid="$(cat "$pidfile")"
    [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$pattern" || return 1
    echo "$pid"
}

# Sends SIGTERM to PID, waits up to TIMEOUT seconds, then SIGKILLs it and
# waits until it is gone.
terminate() {
    local pid=$1 timeout=$2
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + timeout))
    while alive "$pid"; do
        if ((SECONDS >= deadline)); then
            log "still alive after ${timeout}s, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            while alive "$pid"; do sleep 0.1; done
            break
        fi
        sleep 0.2
    done
}
