#!/usr/bin/env bash
# process.sh — process helpers shared by the server scripts (sourced, not run).
# Uses the caller's log() function.

# True while PID exists and is not a zombie.
alive() {
    [[ -e "/proc/$1" ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
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
