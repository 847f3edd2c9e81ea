#!/usr/bin/env python3
# xrt: a stand-in for syslogd on /dev/log (RFC 3164 datagrams, syslog(3)): writes each message it receives, one a line.
import os
import socket
import sys

path, out, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
s.settimeout(limit)
with open(out, "a", buffering=1) as f:
    f.write("listening\n")
    try:
        while True:
            f.write(s.recv(4096).decode(errors="replace").rstrip("\n") + "\n")
    except socket.timeout:
        pass
