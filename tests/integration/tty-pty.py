#!/usr/bin/env python3
"""Runs `mdlaunch run -t ARGS...` on a pseudo-terminal (24x80) and prints
what the container wrote, then lines the tests match:

  modes=same|changed    the outer terminal's modes after the run vs before
  exit=N                the launcher's exit status

Options (before MDLAUNCH):
  --resize        once "ready" is printed, resize the outer terminal to 50x132
                  (the kernel sends the launcher SIGWINCH), then send a newline
  --term          once "ready" is printed, send the launcher SIGTERM
  --input TEXT    once "ready" is printed, type TEXT ("\\n" for Enter)

Usage: tty-pty.py [options] MDLAUNCH ARGS...
"""
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time

resize = term = False
text = None
argv = sys.argv[1:]
while argv and argv[0].startswith("--"):
    opt = argv.pop(0)
    if opt == "--resize":
        resize = True
    elif opt == "--term":
        term = True
    elif opt == "--input":
        text = argv.pop(0).replace("\\n", "\n").encode()
mdlaunch, args = argv[0], argv[1:]

go_r, go_w = os.pipe()
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    os.close(go_w)
    os.read(go_r, 1)  # the modes before are read
    os.execv(mdlaunch, [mdlaunch, "run", "-t"] + args)

# The slave's modes, read through the master (Linux reports the slave's).
os.close(go_r)
before = termios.tcgetattr(fd)
os.write(go_w, b"g")
os.close(go_w)
out = b""
acted = False
deadline = time.monotonic() + 30
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
    if not acted and b"ready" in out:
        acted = True
        time.sleep(0.3)
        if resize:
            fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 132, 0, 0))
            time.sleep(0.3)
            os.write(fd, b"\n")
        if term:
            os.kill(pid, signal.SIGTERM)
        if text is not None:
            os.write(fd, text)
_, status = os.waitpid(pid, 0)
after = termios.tcgetattr(fd)
sys.stdout.write(out.decode(errors="replace").replace("\r\n", "\n"))
print("modes=%s" % ("same" if before == after else "changed"))
print("exit=%d" % os.waitstatus_to_exitcode(status))
