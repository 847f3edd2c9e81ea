#!/usr/bin/python3
"""xrt tests: scapy probes for the slow path; prints what came back, one line per probe.

Usage: slowpath_probe.py CASE DST [SRC]
  pp0   routing header type 0, segments left 1       -> "4 0 42"
  pp1   unknown next header 253                      -> "4 1 6"
  pp2   destination option 0x80 (action 10)          -> "4 2 42"
  pp3   first fragment without the ICMPv6 header     -> "4 3 0"
  overlap  two overlapping fragments of an echo      -> "none" if nothing came back
  frag  an echo in three good fragments              -> "129 0 -" (echo reply)
Each line is "TYPE CODE POINTER" of the ICMPv6 answer, or "none".
"""
import sys
import threading

from scapy.all import (AsyncSniffer, ICMPv6DestUnreach, ICMPv6EchoReply,
                       ICMPv6EchoRequest, ICMPv6ParamProblem, IPv6,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrRouting, HBHOptUnknown, Raw, conf, send, sr1)

conf.verb = 0
TIMEOUT = 2


def show(ans):
    if ans is None:
        print("none")
        return
    if ICMPv6ParamProblem in ans:
        p = ans[ICMPv6ParamProblem]
        print(f"{p.type} {p.code} {p.ptr}")
    elif ICMPv6EchoReply in ans:
        print("129 0 -")
    elif ICMPv6DestUnreach in ans:
        print(f"1 {ans[ICMPv6DestUnreach].code} -")
    else:
        print("other " + ans.summary())


def frags_and_listen(pkts, dst):
    """Send fragments, wait for whatever answer comes from dst."""
    started = threading.Event()
    sn = AsyncSniffer(filter=f"icmp6 and src host {dst}", count=1, timeout=TIMEOUT,
                      started_callback=started.set)
    sn.start()
    if not started.wait(TIMEOUT):
        sys.exit("sniffer did not start")
    for p in pkts:
        send(p)
    sn.join()
    res = [p for p in (sn.results or []) if IPv6 in p]
    show(res[0][IPv6] if res else None)


def main():
    case, dst = sys.argv[1], sys.argv[2]
    base = IPv6(dst=dst, src=sys.argv[3]) if len(sys.argv) > 3 else IPv6(dst=dst)
    echo = ICMPv6EchoRequest(id=0x77, seq=1, data=b"x" * 32)
    if case == "pp0":
        show(sr1(base / IPv6ExtHdrRouting(type=0, segleft=1, addresses=["2001:db8::1"]) / echo,
                 timeout=TIMEOUT))
    elif case == "pp1":
        show(sr1(IPv6(dst=base.dst, src=base.src, nh=253) / Raw(b"\0" * 8), timeout=TIMEOUT))
    elif case == "pp2":
        show(sr1(base / IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x80, optdata=b"\0\0\0\0")]) / echo,
                 timeout=TIMEOUT))
    elif case == "pp3":
        # Fragment header, then destination options; the ICMPv6 header is
        # in the second fragment (RFC 7112).
        dopt = bytes(IPv6ExtHdrDestOpt(nh=58, options=[HBHOptUnknown(otype=0x1e, optdata=b"\0" * 4)]))
        first = base / IPv6ExtHdrFragment(nh=60, offset=0, m=1, id=0x1234) / Raw(dopt)
        frags_and_listen([first], dst)
    elif case in ("overlap", "frag"):
        payload = bytes(ICMPv6EchoRequest(id=0x77, seq=2, data=bytes(range(256)) * 6))
        # Checksum over the whole message: let scapy compute it once.
        whole = IPv6(bytes(base / ICMPv6EchoRequest(id=0x77, seq=2, data=bytes(range(256)) * 6)))
        payload = bytes(whole[ICMPv6EchoRequest])
        cuts = [(0, 512), (512, 1024), (1024, len(payload))]
        if case == "overlap":
            cuts = [(0, 512), (504, 1024), (1024, len(payload))]
        pkts = []
        for off, end in cuts:
            pkts.append(IPv6(src=whole.src, dst=dst) /
                        IPv6ExtHdrFragment(nh=58, offset=off // 8, m=int(end < len(payload)), id=0x4242) /
                        Raw(payload[off:end]))
        frags_and_listen(pkts, dst)
    else:
        sys.exit(f"unknown case {case}")


main()
