#!/usr/bin/python3
"""xrt: send a file as UDP datagrams with a bounded window (netns tests).

Usage: udp_paced.py SRC DST PORT SIZE WINDOW RECEIVED TIMEOUT [PPS]

Sends SRC in SIZE-byte datagrams to [DST]:PORT, never more than WINDOW
datagrams ahead of what the receiver has written to RECEIVED (a file the
receiving socat appends to). Why: an unpaced burst overflows the receiving
socket (a frame that went through XDP on veth is charged a whole page), so a
loss would not tell a forwarding bug from a slow receiver. With the window,
the receive buffer never holds more than WINDOW datagrams, and a datagram
that does not arrive is a real loss: the sender then stops waiting after
TIMEOUT seconds without progress and exits 1 saying how far it got.
With PPS, it also never sends faster than PPS datagrams per second, so the
flow lasts len(SRC) / SIZE / PPS seconds (a flow that spans an upgrade).
"""
import os
import socket
import sys
import time


def received(path):
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0


def main():
    if len(sys.argv) not in (8, 9):
        sys.exit(__doc__)
    src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    size, window, out = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    timeout = float(sys.argv[7])
    pps = float(sys.argv[8]) if len(sys.argv) == 9 else 0
    data = open(src, "rb").read()
    sent, last_got, last_progress = 0, -1, time.monotonic()
    start = last_progress
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
        while True:
            got = received(out)
            if got >= len(data):
                return
            if got != last_got:
                last_got, last_progress = got, time.monotonic()
            paced = pps and sent / size >= (time.monotonic() - start) * pps
            if sent < len(data) and sent - got < window * size and not paced:
                chunk = data[sent:sent + size]
                s.sendto(chunk, (dst, port))
                sent += len(chunk)
                continue
            # Window full or everything sent: wait for the receiver,
            # at most TIMEOUT seconds without progress.
            if time.monotonic() - last_progress > timeout:
                sys.exit(f"udp_paced: {got} of {len(data)} bytes arrived "
                         f"({sent} sent), nothing more for {timeout:g} s")
            time.sleep(0.002)


if __name__ == "__main__":
    main()
