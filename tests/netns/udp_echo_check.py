#!/usr/bin/python3
"""xrt netns: 100 UDP datagrams to an echo service, each checked byte for byte.

Usage: udp_echo_check.py ADDR PORT   (IPv4 or IPv6, told by the address)

Retries "hello" for up to 10 s first (the service may not be bound yet: Port
Unreachable, seen as ECONNREFUSED, or silence), then sends 100 datagrams of
1..1400 bytes and prints "echoed SENT GOT"; exits 1 on a mismatch.
"""
import os
import socket
import sys
import time


def main():
    addr, port = sys.argv[1], int(sys.argv[2])
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.connect((addr, port))
    s.settimeout(0.2)
    deadline = time.time() + 10
    while True:  # first echo: the listener is up
        try:
            s.send(b"hello")
            if s.recv(2000) == b"hello":
                break
        except (ConnectionRefusedError, socket.timeout):
            pass
        if time.time() > deadline:
            print("no echo")
            sys.exit(1)
    s.settimeout(3)
    sent = got = 0
    for i in range(100):
        data = os.urandom(1 + (i * 137) % 1400)
        s.send(data)
        sent += len(data)
        back = s.recv(2000)
        if back != data:
            print("mismatch at", i, len(back), len(data))
            sys.exit(1)
        got += len(back)
    print("echoed", sent, got)


if __name__ == "__main__":
    main()
