#!/usr/bin/python3
"""xrt tests: bounded floods at a router's slow path, sent at layer 2.

Usage: slowpath_flood.py KIND COUNT IFACE ROUTER_MAC SRC DST
  hl1   COUNT echo requests with hop limit 1 to DST (through the router)
  frag  COUNT first fragments (M=1, distinct ids) of 1232 bytes to DST:
        reassembly queues that never complete
  ns    COUNT Neighbor Solicitations for DST from distinct sources of SRC's
        /64, each with a source link-layer option
Prints the number of frames sent.
"""
import logging
import random
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (Ether, ICMPv6EchoRequest, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr, IPv6,  # noqa: E402
                       IPv6ExtHdrFragment, Raw, conf, get_if_hwaddr, in6_getnsma,
                       in6_getnsmac, inet_pton, inet_ntop, sendp)
import socket  # noqa: E402

conf.verb = 0


def main():
    kind, count, iface, mac, src, dst = sys.argv[1], int(sys.argv[2]), *sys.argv[3:7]
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
    sendp(frames, iface=iface)
    print(len(frames))


main()
