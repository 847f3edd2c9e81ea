#!/usr/bin/python3
"""xrt tests: scapy probes for the slow path; prints what came back, one line per probe.

Usage: slowpath_probe.py CASE IFACE ROUTER_MAC SRC DST
  pp0   routing header type 0, segments left 1       -> "4 0 42"
  pp1   unknown next header 253                      -> "4 1 6"
  pp2   destination option 0x80 (action 10)          -> "4 2 42"
  pp3   first fragment without the ICMPv6 header     -> "4 3 0"
  overlap  three fragments of an echo, two overlap   -> "none"
  frag  an echo in three good fragments              -> "129 0 -"
Each line is "TYPE CODE POINTER" of the ICMPv6 answer, or "none".
Frames are sent at layer 2 to ROUTER_MAC, so scapy needs no ND of its own.
"""
import logging
import sys
import threading

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (AsyncSniffer, Ether, HBHOptUnknown, ICMPv6DestUnreach,  # noqa: E402
                       ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6ParamProblem,
                       IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrRouting, Raw, conf, sendp)

conf.verb = 0
TIMEOUT = 2


def show(ans):
    if ans is None:
        print("none")
    elif ICMPv6ParamProblem in ans:
        p = ans[ICMPv6ParamProblem]
        print(f"{p.type} {p.code} {p.ptr}")
    elif ICMPv6EchoReply in ans:
        print("129 0 -")
    elif ICMPv6DestUnreach in ans:
        print(f"1 {ans[ICMPv6DestUnreach].code} -")
    else:
        print("other " + ans.summary())


def send_and_listen(iface, mac, pkts, dst):
    """Send frames to the router; report the first ICMPv6 answer from dst."""
    started = threading.Event()
    sn = AsyncSniffer(iface=iface, filter=f"icmp6 and src host {dst}", count=1,
                      timeout=TIMEOUT, started_callback=started.set)
    sn.start()
    if not started.wait(TIMEOUT):
        sys.exit("sniffer did not start")
    for p in pkts:
        sendp(Ether(dst=mac) / p, iface=iface)
    sn.join()
    res = [p for p in (sn.results or []) if IPv6 in p]
    show(res[0][IPv6] if res else None)


def main():
    case, iface, mac, src, dst = sys.argv[1:6]
    base = IPv6(src=src, dst=dst)
    echo = ICMPv6EchoRequest(id=0x77, seq=1, data=b"x" * 32)
    if case == "pp0":
        pkts = [base / IPv6ExtHdrRouting(type=0, segleft=1, addresses=["2001:db8::1"]) / echo]
    elif case == "pp1":
        pkts = [IPv6(src=src, dst=dst, nh=253) / Raw(b"\0" * 8)]
    elif case == "pp2":
        pkts = [base / IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x80, optdata=b"\0" * 4)]) / echo]
    elif case == "pp3":
        # Fragment header, then destination options; the ICMPv6 header is
        # left for a second fragment (RFC 7112).
        dopt = bytes(IPv6ExtHdrDestOpt(nh=58, options=[HBHOptUnknown(otype=0x1e, optdata=b"\0" * 4)]))
        pkts = [base / IPv6ExtHdrFragment(nh=60, offset=0, m=1, id=0x1234) / Raw(dopt)]
    elif case in ("overlap", "frag"):
        whole = IPv6(bytes(base / ICMPv6EchoRequest(id=0x77, seq=2, data=bytes(range(256)) * 6)))
        payload = bytes(whole[ICMPv6EchoRequest])
        cuts = [(0, 512), (512, 1024), (1024, len(payload))]
        if case == "overlap":
            cuts = [(0, 512), (504, 1024), (1024, len(payload))]
        ident = 0x4242 if case == "frag" else 0x4343
        pkts = [base / IPv6ExtHdrFragment(nh=58, offset=off // 8, m=int(end < len(payload)), id=ident) /
                Raw(payload[off:end]) for off, end in cuts]
    else:
        sys.exit(f"unknown case {case}")
    send_and_listen(iface, mac, pkts, dst)


main()
