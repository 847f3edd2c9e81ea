#!/usr/bin/python3
"""xrt tests: bounded floods at a router's slow path, sent at layer 2.

Usage: slowpath_flood.py KIND COUNT IFACE ROUTER_MAC SRC DST [STOP_FILE MAX_SECONDS]
  hl1   COUNT echo requests with hop limit 1 to DST (through the router)
  frag  COUNT first fragments (M=1, distinct ids) of 1232 bytes to DST:
        reassembly queues that never complete
  ns    COUNT Neighbor Solicitations for DST from distinct sources of SRC's
        /64, each with a source link-layer option

The frames are built first, then sent at most RATE frames/s (the test's
link and the router's slow path, not this script, must be the bottleneck
being measured). "sending MS" is printed (flushed) just before the first
frame goes out (MS: the wall clock in milliseconds), so a test can start
what must overlap the flood only then, and knows when the flood began. With
STOP_FILE, the COUNT frames are sent again and again (fragment ids renewed
each round, so no queue ever completes) until STOP_FILE exists or
MAX_SECONDS have passed: the flood then lasts as long as the test needs
it. Prints "sent N SECONDS" at the end: frames written and time spent
sending.
"""
import logging
import os
import random
import socket
import struct
import sys
import time

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (Ether, ICMPv6EchoRequest, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr, IPv6,  # noqa: E402
                       IPv6ExtHdrFragment, Raw, conf, get_if_hwaddr, in6_getnsma,
                       in6_getnsmac, inet_pton, inet_ntop)

conf.verb = 0
RATE = 20000          # frames/s at most
BATCH = 200           # frames between two pacing checks
FRAG_ID_OFF = 14 + 40 + 4  # Ethernet + IPv6 + offset of the Fragment header's Identification


def build(kind, count, iface, mac, src, dst):
    rnd = random.Random(7)
    frames = []
    if kind == "hl1":
        for i in range(count):
            frames.append(Ether(dst=mac) / IPv6(src=src, dst=dst, hlim=1) /
                          ICMPv6EchoRequest(id=0x99, seq=i & 0xffff, data=b"h" * 32))
    elif kind == "frag":
        for i in range(count):
            frames.append(Ether(dst=mac) / IPv6(src=src, dst=dst) /
                          IPv6ExtHdrFragment(nh=58, offset=0, m=1, id=0x10000 + i) /
                          Raw(b"\x80\x00" + b"\x00" * 1230))
    elif kind == "ns":
        prefix = inet_pton(socket.AF_INET6, src)[:8]
        my_mac = get_if_hwaddr(iface)
        nsma = inet_ntop(socket.AF_INET6, in6_getnsma(inet_pton(socket.AF_INET6, dst)))
        for i in range(count):
            s = inet_ntop(socket.AF_INET6, prefix + rnd.getrandbits(64).to_bytes(8, "big"))
            frames.append(Ether(dst=in6_getnsmac(inet_pton(socket.AF_INET6, nsma)), src=my_mac) /
                          IPv6(src=s, dst=nsma, hlim=255) / ICMPv6ND_NS(tgt=dst) /
                          ICMPv6NDOptSrcLLAddr(lladdr=my_mac))
    else:
        sys.exit(f"unknown kind {kind}")
    return [bytearray(bytes(f)) for f in frames]


def main():
    kind, count, iface, mac, src, dst = sys.argv[1], int(sys.argv[2]), *sys.argv[3:7]
    stop, max_s = (sys.argv[7], float(sys.argv[8])) if len(sys.argv) > 8 else (None, 0.0)
    frames = build(kind, count, iface, mac, src, dst)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    sent, rnd = 0, 0
    t0 = time.monotonic()
    print(f"sending {time.time_ns() // 1000000}", flush=True)  # wall clock (ms) of the first frame
    while True:
        if kind == "frag" and rnd:
            for i, f in enumerate(frames):  # new datagrams: never a duplicate fragment
                struct.pack_into("!I", f, FRAG_ID_OFF, 0x10000 + rnd * count + i)
        for i in range(0, len(frames), BATCH):
            for f in frames[i:i + BATCH]:
                s.send(f)
            sent += len(frames[i:i + BATCH])
            ahead = sent / RATE - (time.monotonic() - t0)
            if ahead > 0:
                time.sleep(ahead)  # pacing, not synchronisation
            if sent >= count and (stop is None or os.path.exists(stop) or time.monotonic() - t0 >= max_s):
                break
        else:
            rnd += 1
            continue
        break
    print(f"sent {sent} {time.monotonic() - t0:.3f}", flush=True)


main()
