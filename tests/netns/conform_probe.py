#!/usr/bin/python3
"""xrt conformance: send the probe list from host A through one router and record what A got back.

Usage: conform_probe.py OUT.json IFACE ROUTER_MAC ROUTER_LL HOST_LL [PROBE...]

Runs inside host A's namespace. Every probe is sent at layer 2 to ROUTER_MAC
(or the multicast MAC of a multicast destination), then IFACE is watched for
a fixed window; every frame from the router in that window is the probe's
answer (ND and MLD chatter excluded). Each probe carries its own flow label
(PROBE_FL_BASE + index) so the frames that reached host B can be matched
later from B's capture (conform_compare.py). ROUTER_LL and HOST_LL are
written as "router-ll" / "host-ll" so two topologies compare equal.

Besides the summary fields, each answer keeps its whole IPv6 packet
("raw", hex) with what must differ between the two topologies replaced
by fixed markers: the router's and host A's link-local addresses (RLL_MARK,
HLL_MARK) and MAC addresses (RMAC_MARK, HMAC_MARK), wherever they occur
(header, ND targets and options, quoted packet), and the answer's own flow
label and a fragment's Identification zeroed (the kernel picks its own
values, xrt others; both are the source's choice). The upper-layer
checksum covers those addresses, so it is verified here on the packet as
received ("csum_ok") and zeroed in "raw"; when an error quotes a probe sent
from or to a link-local address, the quoted probe's own checksum is zeroed
too (the probe itself differs there). Each probe also records how many of its
frames were seen leaving A ("on_wire"), so a probe that never went out
cannot pass as "dropped" on both routers.
"""
import json
import logging
import sys
import threading

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (TCP, UDP, AsyncSniffer, Ether, HBHOptUnknown,  # noqa: E402
                       ICMPv6DestUnreach, ICMPv6EchoReply, ICMPv6EchoRequest,
                       ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6ND_Redirect, ICMPv6ND_RS, ICMPv6NDOptSrcLLAddr,
                       ICMPv6PacketTooBig, ICMPv6ParamProblem,
                       ICMPv6TimeExceeded, IPerror6, IPv6, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrRouting, Jumbo, PadN, Raw, UDPerror, RouterAlert, checksum, conf, get_if_hwaddr,
                       in6_getnsma, inet_pton, sendp, socket)

conf.verb = 0
WINDOW = 1.0          # seconds each probe listens for answers (slack for a loaded machine)
PROBE_FL_BASE = 0x5000  # flow label of probe i is PROBE_FL_BASE + i
HOST = "2001:db8:1::2"       # host A
ROUTER = "2001:db8:1::1"     # the router on A's link
ROUTER_B = "2001:db8:2::1"   # the router on B's link
ANYCAST = "2001:db8:1::"     # Subnet-Router anycast of the router's prefix on A's link
FWD = "2001:db8:b::99"       # behind host B (B drops it silently: not its address)
BIG_MTU_DST = "2001:db8:c::99"  # route with mtu 1400 towards B
UNRESOLVED = "2001:db8:d::1"    # route via 2001:db8:2::99, which never answers ND
REDIRECTED = "2001:db8:e::1"    # route via 2001:db8:1::3: back out of A's link
# Probes whose answer may wait for 3 solicitations 1 s apart (DU code 3).
SLOW = {"neigh_fail": 5.0, "echo_anycast": 5.0,
        # The kernel delays an NA for an anycast target by up to 0.8 s (RFC 4861 7.2.7).
        "ns_anycast_mcast": 2.0}
ONLINK = "2001:db8:1::5"        # on A's link (static neighbour on the router)
# ND/MLD messages a router sends on its own (resolution, reports) are not answers.
CHATTER = {130, 131, 132, 133, 135, 143}
# Markers that replace what differs between the two topologies in "raw".
RLL_MARK = inet_pton(socket.AF_INET6, "fe80::ffff:1")
HLL_MARK = inet_pton(socket.AF_INET6, "fe80::ffff:2")
RMAC_MARK = bytes.fromhex("02000000ff01")
HMAC_MARK = bytes.fromhex("02000000ff02")
# Experimental option types (RFC 4727 5.1) of each action class, unknown to every stack.
OPT = {"00": 0x1e, "01": 0x5e, "10": 0x9e, "11": 0xde}


def udp(n=16):
    return UDP(sport=40000, dport=9) / Raw(b"u" * n)


def echo(ident, n=16):
    return ICMPv6EchoRequest(id=ident, seq=1, data=b"e" * n)


def mcast_mac(addr):
    b = inet_pton(socket.AF_INET6, addr)
    return "33:33:" + ":".join(f"{x:02x}" for x in b[12:])


def frags(hdr, payload, cuts, ident, nh):
    """Fragments of payload at the given (start, end) byte ranges."""
    return [hdr / IPv6ExtHdrFragment(nh=nh, offset=s // 8, m=int(e < len(payload)), id=ident) /
            Raw(payload[s:e]) for s, e in cuts]


def build(name, rll, hll, hmac="00:00:00:00:00:00"):
    """The frames (IPv6 packets or raw bytes) of one probe; dst MAC is chosen by send()."""
    ip = IPv6(src=HOST, dst=FWD, hlim=64)
    to_r = IPv6(src=HOST, dst=ROUTER, hlim=64)
    # Upper-layer bytes with their checksum computed over the real pseudo-header.
    bigecho = bytes(to_r / ICMPv6EchoRequest(id=0x77, seq=2, data=bytes(range(256)) * 6))[40:]
    bigudp = bytes(ip / udp(1000))[40:]
    ns = ICMPv6ND_NS(tgt=ROUTER) / ICMPv6NDOptSrcLLAddr(lladdr=hmac)
    table = {
        "fwd_udp": lambda: [ip / udp()],
        "fwd_hlim2": lambda: [IPv6(src=HOST, dst=FWD, hlim=2) / udp()],
        "hlim1": lambda: [IPv6(src=HOST, dst=FWD, hlim=1) / udp()],
        "hlim0": lambda: [IPv6(src=HOST, dst=FWD, hlim=0) / udp()],
        "hlim1_big": lambda: [IPv6(src=HOST, dst=FWD, hlim=1) / udp(1400)],
        "no_route": lambda: [IPv6(src=HOST, dst="2001:db8:dead::1") / udp()],
        "blackhole": lambda: [IPv6(src=HOST, dst="2001:db8:f1::1") / udp()],
        "unreachable": lambda: [IPv6(src=HOST, dst="2001:db8:f2::1") / udp()],
        "prohibit": lambda: [IPv6(src=HOST, dst="2001:db8:f3::1") / udp()],
        "too_big": lambda: [IPv6(src=HOST, dst=BIG_MTU_DST) / udp(1402)],
        "fits_mtu": lambda: [IPv6(src=HOST, dst=BIG_MTU_DST) / udp(1352)],
        "ll_src_fwd": lambda: [IPv6(src=hll, dst=FWD) / udp()],
        "mcast_src_fwd": lambda: [IPv6(src="ff02::1", dst=FWD) / udp()],
        "mcast_src_local": lambda: [IPv6(src="ff02::1", dst=ROUTER) / echo(1)],
        "unspec_src_fwd": lambda: [IPv6(src="::", dst=FWD) / udp()],
        "loopback_dst": lambda: [IPv6(src=HOST, dst="::1") / udp()],
        "unspec_dst": lambda: [IPv6(src=HOST, dst="::") / udp()],
        "loopback_src_fwd": lambda: [IPv6(src="::1", dst=FWD) / udp()],
        "mcast_dst_global": lambda: [IPv6(src=HOST, dst="ff0e::1234") / udp()],
        "trunc_plen": lambda: [bytes(ip / udp())[:-8]],
        "trailing_pad": lambda: [bytes(ip / udp()) + b"\xee" * 24],
        "bad_version": lambda: [b"\x40" + bytes(ip / udp())[1:]],
        "router_alert_fwd": lambda: [IPv6(src=HOST, dst=FWD) /
                                     IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)]) / udp()],
        "rh0_sl1": lambda: [to_r / IPv6ExtHdrRouting(type=0, segleft=1, addresses=["2001:db8:2::2"]) / echo(2)],
        "rh0_sl0": lambda: [to_r / IPv6ExtHdrRouting(type=0, segleft=0, addresses=["2001:db8:2::2"]) / echo(3)],
        "rh77_sl1": lambda: [to_r / IPv6ExtHdrRouting(type=77, segleft=1, addresses=["2001:db8:2::2"]) / echo(4)],
        "rh77_sl0": lambda: [to_r / IPv6ExtHdrRouting(type=77, segleft=0, addresses=["2001:db8:2::2"]) / echo(5)],
        "rh0_fwd": lambda: [ip / IPv6ExtHdrRouting(type=0, segleft=1, addresses=["2001:db8:2::2"]) / udp()],
        "unknown_nh_local": lambda: [IPv6(src=HOST, dst=ROUTER, nh=253) / Raw(b"\0" * 8)],
        "unknown_nh_fwd": lambda: [IPv6(src=HOST, dst=FWD, nh=253) / Raw(b"\0" * 8)],
        "dstopt10_local": lambda: [to_r / IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=OPT["10"], optdata=b"\0" * 4)])
                                   / echo(6)],
        "frag_ok": lambda: frags(to_r, bigecho, [(0, 512), (512, 1024), (1024, len(bigecho))], 0x4201, 58),
        "frag_overlap": lambda: frags(to_r, bigecho, [(0, 512), (504, 1024), (1024, len(bigecho))], 0x4202, 58),
        "frag_not8": lambda: [to_r / IPv6ExtHdrFragment(nh=58, offset=0, m=1, id=0x4203) / Raw(bigecho[:500])],
        "frag_over64k": lambda: [to_r / IPv6ExtHdrFragment(nh=58, offset=8190, m=0, id=0x4204) / Raw(b"\0" * 24)],
        "frag_incomplete_chain": lambda: [to_r / IPv6ExtHdrFragment(nh=60, offset=0, m=1, id=0x4205) /
                                          Raw(bytes(IPv6ExtHdrDestOpt(nh=58, options=[HBHOptUnknown(
                                              otype=OPT["00"], optdata=b"\0" * 4)])))],
        "frag_atomic": lambda: [to_r / IPv6ExtHdrFragment(nh=58, offset=0, m=0, id=0x4206) / echo(7)],
        "frag_fwd": lambda: frags(ip, bigudp, [(0, 504), (504, len(bigudp))], 0x4207, 17),
        "ns_ok": lambda: [IPv6(src=HOST, dst=ROUTER, hlim=255) / ns],
        "ns_hlim64": lambda: [IPv6(src=HOST, dst=ROUTER, hlim=64) / ns],
        "ns_code1": lambda: [IPv6(src=HOST, dst=ROUTER, hlim=255) / ICMPv6ND_NS(tgt=ROUTER, code=1) /
                             ICMPv6NDOptSrcLLAddr(lladdr=hmac)],
        "ns_badsum": lambda: [IPv6(src=HOST, dst=ROUTER, hlim=255) / ICMPv6ND_NS(tgt=ROUTER, cksum=0x1234) /
                              ICMPv6NDOptSrcLLAddr(lladdr=hmac)],
        "ns_frag": lambda: [IPv6(src=HOST, dst=ROUTER, hlim=255) / IPv6ExtHdrFragment(nh=58, offset=0, m=0, id=0x4208)
                            / ns],
        "ns_mcast_ok": lambda: [IPv6(src=HOST, dst=socket.inet_ntop(socket.AF_INET6, in6_getnsma(
            inet_pton(socket.AF_INET6, ROUTER))), hlim=255) / ns],
        "echo_global": lambda: [to_r / echo(8)],
        "echo_other_if": lambda: [IPv6(src=HOST, dst=ROUTER_B) / echo(9)],
        "echo_ll": lambda: [IPv6(src=hll, dst=rll) / echo(10)],
        "echo_allnodes": lambda: [IPv6(src=HOST, dst="ff02::1") / echo(11)],
        "echo_hlim1_local": lambda: [IPv6(src=HOST, dst=ROUTER, hlim=1) / echo(12)],
        "echo_big_local": lambda: [to_r / echo(13, 1400)],
        "echo_anycast": lambda: [IPv6(src=HOST, dst="2001:db8:1::") / echo(14)],
        "udp_closed_local": lambda: [to_r / udp()],
        "udp_closed_anycast": lambda: [IPv6(src=HOST, dst=ANYCAST) / udp()],
        "tcp_syn_anycast": lambda: [IPv6(src=HOST, dst=ANYCAST) / TCP(sport=40002, dport=9, flags="S", seq=1000)],
        "ns_anycast": lambda: [IPv6(src=HOST, dst=ANYCAST, hlim=255) / ICMPv6ND_NS(tgt=ANYCAST) /
                               ICMPv6NDOptSrcLLAddr(lladdr=hmac)],
        "ns_anycast_mcast": lambda: [IPv6(src=HOST, dst=socket.inet_ntop(socket.AF_INET6, in6_getnsma(
            inet_pton(socket.AF_INET6, ANYCAST))), hlim=255) / ICMPv6ND_NS(tgt=ANYCAST) /
            ICMPv6NDOptSrcLLAddr(lladdr=hmac)],
        "tcp_syn_local": lambda: [to_r / TCP(sport=40001, dport=9, flags="S", seq=1000)],
        "rs_local": lambda: [IPv6(src=HOST, dst="ff02::2", hlim=255) / ICMPv6ND_RS() /
                             ICMPv6NDOptSrcLLAddr(lladdr=hmac)],
        "hbh_not_first": lambda: [to_r / IPv6ExtHdrDestOpt(nh=0) / IPv6ExtHdrHopByHop(nh=58) / echo(15)],
        "jumbo_small": lambda: [IPv6(src=HOST, dst=FWD, plen=0) /
                                IPv6ExtHdrHopByHop(options=[Jumbo(jumboplen=8 + 24)]) / udp()],
        "plen0_trailing": lambda: [bytes(IPv6(src=HOST, dst=FWD, nh=59, plen=0)) + b"\xee" * 16],
        "hlim1_icmp_err": lambda: [IPv6(src=HOST, dst=FWD, hlim=1) / ICMPv6DestUnreach(code=4) /
                                   IPerror6(src=FWD, dst=HOST) / UDPerror(sport=9, dport=40000)],
        "hbh_9_unknown": lambda: [IPv6(src=HOST, dst=FWD) / IPv6ExtHdrHopByHop(
            options=[HBHOptUnknown(otype=OPT["00"], optdata=b"") for _ in range(9)] + [PadN(optdata=b"\0" * 3)])
            / udp()],
        "hbh_padn8": lambda: [IPv6(src=HOST, dst=FWD) / IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\0" * 12)])
                              / udp()],
        "ah_local": lambda: [IPv6(src=HOST, dst=ROUTER, nh=51) / Raw(bytes([58, 4, 0, 0]) + b"\0\0\1\0" +
                                                                    b"\0\0\0\1" + b"\0" * 12) / echo(16)],
        "esp_local": lambda: [IPv6(src=HOST, dst=ROUTER, nh=50) / Raw(b"\0\0\1\0\0\0\0\1" + b"\0" * 24)],
        "neigh_fail": lambda: [IPv6(src=HOST, dst=UNRESOLVED) / udp()],
        "redirect": lambda: [IPv6(src=HOST, dst=REDIRECTED) / udp()],
        "redirect_onlink": lambda: [IPv6(src=HOST, dst=ONLINK) / udp()],
    }
    for cls, t in OPT.items():
        table[f"hbh{cls}_fwd"] = (lambda t=t: [IPv6(src=HOST, dst=FWD) / IPv6ExtHdrHopByHop(
            options=[HBHOptUnknown(otype=t, optdata=b"\0" * 4)]) / udp()])
        table[f"hbh{cls}_mcast"] = (lambda t=t: [IPv6(src=HOST, dst="ff02::1") / IPv6ExtHdrHopByHop(
            options=[HBHOptUnknown(otype=t, optdata=b"\0" * 4)]) / echo(0x20 + int(cls, 2))])
        table[f"hbh{cls}_local"] = (lambda t=t: [to_r / IPv6ExtHdrHopByHop(
            options=[HBHOptUnknown(otype=t, optdata=b"\0" * 4)]) / echo(0x30 + int(cls, 2))])
    if name == "list":
        return sorted(table)
    return table[name]()


ORDER = [
    "fwd_udp", "fwd_hlim2", "hlim1", "hlim0", "hlim1_big", "no_route", "blackhole", "unreachable",
    "prohibit", "too_big", "fits_mtu", "ll_src_fwd", "mcast_src_fwd", "mcast_src_local",
    "unspec_src_fwd", "loopback_src_fwd", "loopback_dst", "unspec_dst", "mcast_dst_global",
    "trunc_plen", "trailing_pad", "bad_version",
    "hbh00_fwd", "hbh01_fwd", "hbh10_fwd", "hbh11_fwd",
    "hbh00_mcast", "hbh01_mcast", "hbh10_mcast", "hbh11_mcast",
    "hbh00_local", "hbh01_local", "hbh10_local", "hbh11_local",
    "router_alert_fwd", "rh0_sl1", "rh0_sl0", "rh77_sl1", "rh77_sl0", "rh0_fwd",
    "unknown_nh_local", "unknown_nh_fwd", "dstopt10_local",
    "frag_ok", "frag_overlap", "frag_not8", "frag_over64k", "frag_incomplete_chain", "frag_atomic",
    "frag_fwd",
    "ns_ok", "ns_mcast_ok", "ns_hlim64", "ns_code1", "ns_badsum", "ns_frag",
    "echo_global", "echo_other_if", "echo_ll", "echo_allnodes", "echo_hlim1_local", "echo_big_local",
    "echo_anycast", "udp_closed_anycast", "tcp_syn_anycast", "ns_anycast", "ns_anycast_mcast",
    "udp_closed_local", "tcp_syn_local", "rs_local", "hbh_not_first", "jumbo_small",
    "plen0_trailing", "hlim1_icmp_err", "hbh_9_unknown", "hbh_padn8", "ah_local", "esp_local", "neigh_fail", "redirect", "redirect_onlink",
]


def ll_bytes(ip):
    """The source and destination of an IPv6 header, as bytes."""
    raw = bytes(ip)
    return {raw[8:24], raw[24:40]}


def csum_ok(ip):
    """The upper-layer checksum of an answer (ICMPv6, TCP, UDP: RFC 8200 8.1) over its real pseudo-header."""
    raw = bytes(ip)
    nh, off = raw[6], 40
    while nh in (0, 43, 60) and off + 2 <= len(raw):  # hop-by-hop, routing, destination options
        nh, off = raw[off], off + (raw[off + 1] + 1) * 8
    if nh not in (58, 6, 17) or off >= len(raw):
        return None
    body = raw[off:40 + ip.plen]
    if len(body) < ip.plen + 40 - off:
        return True, off + (2 if nh == 58 else 16 if nh == 6 else 6)  # cut short (a quote): not verifiable
    pseudo = raw[8:40] + len(body).to_bytes(4, "big") + b"\0\0\0" + bytes([nh])
    return checksum(pseudo + body) == 0, off + (2 if nh == 58 else 16 if nh == 6 else 6)


def normalised(ip, rll, hll, rmac, hmac):
    """The answer's bytes with topology-specific addresses marked and the checksum zeroed."""
    raw = bytearray(bytes(ip))
    if ip.nh == 44:
        # A fragment's Identification is the source's choice (RFC 8200 4.5,
        # RFC 7739 5: unpredictable); the kernel and xrt pick differently.
        raw[44:48] = b"\0\0\0\0"
    if IPerror6 in ip and ll_bytes(ip[IPerror6]) & {rll, hll}:
        # The quoted probe's own checksum covers a link-local address: the
        # probe itself differs between the two topologies there.
        q = len(raw) - len(bytes(ip[IPerror6]))
        ck = csum_ok(ip[IPerror6])
        if ck and q + ck[1] + 2 <= len(raw):
            raw[q + ck[1]:q + ck[1] + 2] = b"\0\0"
    # The answer's own flow label: the kernel sets one (auto_flowlabels),
    # xrt sends 0; RFC 6437 3 lets the source choose either.
    raw[1] &= 0xf0
    raw[2] = raw[3] = 0
    ck = csum_ok(ip)
    if ck:
        raw[ck[1]:ck[1] + 2] = b"\0\0"
    out = bytes(raw)
    for real, mark in ((rll, RLL_MARK), (hll, HLL_MARK), (rmac, RMAC_MARK), (hmac, HMAC_MARK)):
        out = out.replace(real, mark)
    return out.hex(), (ck[0] if ck else None)


def describe(pkt, rll, hll, rmac=None, hmac=None):
    """One answer as the fields the comparison looks at."""
    ip = pkt[IPv6]
    norm = {rll: "router-ll", hll: "host-ll"}
    ans = {"src": norm.get(ip.src, ip.src), "dst": norm.get(ip.dst, ip.dst),
           "len": 40 + ip.plen, "hlim": ip.hlim, "type": None, "code": None, "field": None, "quoted_fl": None}
    for layer, field in ((ICMPv6ParamProblem, "ptr"), (ICMPv6PacketTooBig, "mtu"),
                         (ICMPv6TimeExceeded, None), (ICMPv6DestUnreach, None),
                         (ICMPv6EchoReply, "id"), (ICMPv6ND_NA, None), (ICMPv6ND_Redirect, None),
                         (ICMPv6ND_RA, None)):
        if layer in ip:
            m = ip[layer]
            ans["type"], ans["code"] = m.type, m.code
            ans["field"] = getattr(m, field) if field else None
            if layer is ICMPv6ND_NA:
                ans["field"] = "".join(f for f, on in (("R", m.R), ("S", m.S), ("O", m.O)) if on) or "-"
            break
    else:
        ans["type"] = f"TCP {ip[TCP].flags}" if TCP in ip else f"nh{ip.nh}"
    if IPerror6 in ip:
        ans["quoted_fl"] = ip[IPerror6].fl
    if rmac is not None:
        ans["raw"], ans["csum_ok"] = normalised(
            ip, inet_pton(socket.AF_INET6, rll), inet_pton(socket.AF_INET6, hll),
            bytes.fromhex(rmac.replace(":", "")), bytes.fromhex(hmac.replace(":", "")))
    return ans


def send_probe(idx, name, iface, rmac, rll, hll):
    mine = get_if_hwaddr(iface)
    pkts = build(name, rll, hll, mine)
    started = threading.Event()
    sn = AsyncSniffer(iface=iface, filter=f"ip6 and (ether src {rmac} or ether src {mine})",
                      timeout=SLOW.get(name, WINDOW),
                      started_callback=started.set)
    sn.start()
    if not started.wait(5):
        sys.exit("sniffer did not start")
    for p in pkts:
        if isinstance(p, bytes):
            raw, dst = p, FWD
            # Patch the flow label into raw frames too (bytes 1..3, low 20 bits).
            b = bytearray(raw)
            fl = PROBE_FL_BASE + idx
            b[1] = (b[1] & 0xf0) | (fl >> 16)
            b[2], b[3] = (fl >> 8) & 0xff, fl & 0xff
            raw = bytes(b)
        else:
            p.fl = PROBE_FL_BASE + idx
            dst = p.dst
            raw = bytes(p)
        dmac = mcast_mac(dst) if dst.startswith("ff") else rmac
        sendp(Ether(src=mine, dst=dmac, type=0x86dd) / Raw(raw), iface=iface)
    sn.join()
    answers, on_wire = [], 0
    for f in sn.results or []:
        if IPv6 not in f:
            continue
        ip = f[IPv6]
        if f[Ether].src.lower() == mine.lower():
            on_wire += ip.fl == PROBE_FL_BASE + idx
            continue
        if ip.nh == 58 and ICMPv6ND_NA not in ip and getattr(ip.payload, "type", None) in CHATTER:
            continue
        if ICMPv6ND_NA in ip and ip[ICMPv6ND_NA].tgt not in (ROUTER, ANYCAST):
            continue  # the router answering host A's kernel, not a probe
        if IPv6ExtHdrHopByHop in ip and ip.hlim == 1 and ip[IPv6ExtHdrHopByHop].nh == 58 and \
                getattr(ip[IPv6ExtHdrHopByHop].payload, "type", None) in CHATTER:
            continue  # MLD report or query behind a hop-by-hop header (RFC 3810 5)
        answers.append(describe(f, rll, hll, rmac, mine))
    return {"name": name, "fl": PROBE_FL_BASE + idx, "frames": len(pkts), "on_wire": on_wire, "answers": answers}


def main():
    out, iface, rmac, rll, hll = sys.argv[1:6]
    names = sys.argv[6:] or ORDER
    missing = set(ORDER) - set(build("list", rll, hll))
    if missing:
        sys.exit(f"probes without a builder: {missing}")
    res = []
    for name in names:
        res.append(send_probe(ORDER.index(name), name, iface, rmac, rll, hll))
    with open(out, "w") as f:
        json.dump(res, f, indent=1)


main()
