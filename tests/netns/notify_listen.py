#!/usr/bin/env python3
# xrt: a stand-in for systemd's notification socket (sd_notify(3)): prints each datagram, and on READY=1 whether the control socket already accepts.
import socket
import sys
import time

addr, ctl, out, limit = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
with open(out + ".tmp", "w") as f:
    f.write("listening\n")
import os
os.rename(out + ".tmp", out)
deadline = time.monotonic() + limit
with open(out, "a", buffering=1) as f:
    while time.monotonic() < deadline:
        s.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            break
        for line in msg.split("\n"):
            f.write("msg " + line + "\n")
        if "READY=1" in msg.split("\n"):
            c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            try:
                c.connect(ctl)
                f.write("ctl accepts\n")
            except OSError as e:
                f.write("ctl refused %s\n" % e)
            c.close()
        if "STOPPING=1" in msg.split("\n"):
            break
