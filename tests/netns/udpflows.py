#!/usr/bin/python3
"""xrt: send UDP datagrams on several flows (netns tests).

Usage: udpflows.py DST DPORT FIRST_SPORT NFLOWS PER_FLOW   (DST IPv6 or IPv4)
Each flow is one source port (FIRST_SPORT + i): PER_FLOW datagrams of 64
bytes from it to [DST]:DPORT. Nobody needs to listen: the tests count the
packets on the routers' forwarding counters.
"""
import socket
import sys


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    dst, dport = sys.argv[1], int(sys.argv[2])
    first, nflows, per_flow = map(int, sys.argv[3:6])
    payload = b"x" * 64
    v4 = ":" not in dst
    for i in range(nflows):
        with socket.socket(socket.AF_INET if v4 else socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("0.0.0.0" if v4 else "::", first + i))
            for _ in range(per_flow):
                s.sendto(payload, (dst, dport))


if __name__ == "__main__":
    main()
