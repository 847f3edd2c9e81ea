#!/usr/bin/python3
"""xrt: send COUNT UDP datagrams as fast as the socket takes them (netns tests).

Usage: punt_flood.py DST DPORT COUNT HOPLIMIT
All from one socket with the given hop limit (1 = every one expires at the
first router). Prints how many were sent. Bounded by COUNT, never by time.
"""
import socket
import sys


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    dst, dport, count, hops = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    payload = b"f" * 32
    sent = 0
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, hops)
        for _ in range(count):
            try:
                s.sendto(payload, (dst, dport))
                sent += 1
            except OSError:
                # An ICMPv6 error from the router can surface as ECONNREFUSED
                # and the like on the next send; the datagram is not sent.
                pass
    print(sent)


if __name__ == "__main__":
    main()
