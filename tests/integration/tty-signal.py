#!/usr/bin/env python3
"""Runs the launcher on a pseudo-terminal, presses Ctrl-C once, and prints what
the container's shell counted and what the launcher logged (-vv).

A terminal's SIGINT goes to the whole foreground process group, which the
container shares with the launcher: the launcher must not forward it again.
Usage: tty-signal.py MDLAUNCH
"""
import os
import pty
import select
import sys
import time

mdlaunch = sys.argv[1]
script = 'trap "echo got-INT" INT; echo ready; i=0; while [ $i -lt 40 ]; do sleep 0.1; i=$((i+1)); done; echo done'
pid, fd = pty.fork()
if pid == 0:
    os.execv(mdlaunch, [mdlaunch, "-vv", "run", "-t", "--", "bash", "-c", script])

out = b""
deadline = time.monotonic() + 30
sent = False
while time.monotonic() < deadline:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    if not sent and b"ready" in out:
        time.sleep(0.3)
        os.write(fd, b"\x03")
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
print("exit=%d" % os.waitstatus_to_exitcode(status))
