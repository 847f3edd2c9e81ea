#!/usr/bin/python3
"""xrt IPv4 conformance: send the IPv4 probe list from host A through one router, print what came back.

Usage: ip4_conform_probe.py IFACE ROUTER_MAC [PROBE...]

Runs inside host A's namespace (192.0.2.2/24, router 192.0.2.1). Every
probe is sent at layer 2 to ROUTER_MAC, then IFACE is watched for WINDOW
seconds; each frame from the router is part of the probe's answer. One line
per probe, "NAME: ANSWER", where ANSWER is "ICMP T/C [mtu M] [gw G] from SRC
ttl T len L", "ARP reply SIP is-at router", or "dropped"; two routers that
print the same lines answered alike. A second line per probe, "NAME bytes:
HEX ...", gives every answer's bytes from the IP header (ARP: the ARP
packet) on, so that equal lines are backed by equal packets. Masked there,
and only there: the IP Identification of the answer (the source's choice;
RFC 6864 4.1: it has no meaning in an atomic datagram) and the header
checksum that covers it (verified first: a wrong one prints "BAD-IPCSUM"),
and the MAC addresses of the router and of host A (the two topologies'
interfaces differ; fixed markers); in a Timestamp Reply, the receive and
transmit times (each router's clock) and the ICMP checksum over them
(verified first). Everything else, the quoted datagram,
the ICMP and TCP checksums (over the same addresses in both topologies)
included, is compared.
"""
import logging
import sys
import threading

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (ARP, ICMP, IP, TCP, UDP, checksum, AsyncSniffer, Ether, Raw,  # noqa: E402
                       conf, get_if_hwaddr, sendp)

conf.verb = 0
WINDOW = 0.8
HOST = "192.0.2.2"
ROUTER = "192.0.2.1"
ROUTER_B = "198.51.100.1"
FAR = "203.0.113.1"        # behind host B (B's lo)
REDIRECTED = "203.0.114.1"  # route via 192.0.2.3: back out of A's link


def udp(n=16, dport=9):
    return UDP(sport=40000, dport=dport) / Raw(b"u" * n)


def with_options(pkt, opts):
    """The datagram with raw option bytes (a multiple of 4, any content)
    after its fixed header: IHL, total length and checksum fixed by hand."""
    b = bytearray(bytes(pkt))
    b = b[:20] + bytearray(opts) + b[20:]
    b[0] = 0x40 | (20 + len(opts)) // 4
    b[2:4] = len(b).to_bytes(2, "big")
    b[10:12] = b"\x00\x00"
    b[10:12] = checksum(bytes(b[:20 + len(opts)])).to_bytes(2, "big")
    return Raw(bytes(b))


def probes():
    p = {}
    # Route errors first: the kernel's ip_error limiter shares each peer's
    # tokens with icmp_send's (inet_peer_xrlim_allow), which, with
    # icmp_ratelimit 0, empties them at every other error it sends.
    p["no_route"] = IP(dst="100.64.0.1") / udp()
    p["unreachable"] = IP(dst="10.62.0.1") / udp()
    p["prohibit"] = IP(dst="10.63.0.1") / udp()
    p["echo_router"] = IP(dst=ROUTER) / ICMP(type=8, id=1, seq=1) / Raw(b"e" * 16)
    p["echo_router_b"] = IP(dst=ROUTER_B) / ICMP(type=8, id=2, seq=1) / Raw(b"e" * 16)
    p["timestamp"] = IP(dst=ROUTER) / ICMP(type=13, id=5, seq=1, ts_ori=1234)
    p["ttl1"] = IP(dst=FAR, ttl=1) / udp()
    p["ttl0"] = IP(dst=FAR, ttl=0) / udp()
    p["ttl1_big"] = IP(dst=FAR, ttl=1) / udp(1000)
    p["blackhole"] = IP(dst="10.66.0.1") / udp()
    p["too_big_df"] = IP(dst="198.51.100.2", flags="DF") / udp(1450 - 28)
    p["udp_router"] = IP(dst=ROUTER) / udp()
    p["tcp_router"] = IP(dst=ROUTER) / TCP(sport=40001, dport=22, flags="S", seq=1000)
    p["proto_router"] = IP(dst=ROUTER, proto=253) / Raw(b"x" * 16)
    p["udp_bcast"] = IP(dst="192.0.2.255") / udp()
    p["echo_bcast"] = IP(dst="192.0.2.255") / ICMP(type=8, id=3, seq=1)
    p["icmp_err_ttl1"] = IP(dst=FAR, ttl=1) / ICMP(type=3, code=3) / IP(src=FAR, dst=HOST) / udp(8)
    p["frag_later_ttl1"] = IP(dst=FAR, ttl=1, frag=100) / Raw(b"f" * 16)
    p["martian_src"] = IP(src="127.0.0.1", dst=FAR) / udp()
    p["bad_csum"] = IP(dst=ROUTER, chksum=0x1234) / ICMP(type=8, id=4, seq=1)
    # RFC 791 options: a Record Route longer than the options (Parameter
    # Problem at its length byte), a loose source route (refused), a Record
    # Route with room (forwarded, B's Port Unreachable quotes what was recorded).
    p["opt_bad_len"] = with_options(IP(dst=FAR) / udp(), b"\x07\x09\x04\x00")
    p["opt_lsrr"] = with_options(IP(dst=FAR) / udp(), b"\x83\x07\x04\xcb\x00\x71\x01\x00")
    p["opt_rr"] = with_options(IP(dst=FAR) / udp(), b"\x07\x0b\x04" + b"\x00" * 9)
    p["redirect"] = IP(dst=REDIRECTED) / udp()
    return p


def arp_probes(mac):
    bcast = "ff:ff:ff:ff:ff:ff"
    return {
        "arp_router": Ether(dst=bcast, src=mac) / ARP(op=1, hwsrc=mac, psrc=HOST, pdst=ROUTER),
        "arp_other_if": Ether(dst=bcast, src=mac) / ARP(op=1, hwsrc=mac, psrc=HOST, pdst=ROUTER_B),
        "arp_stranger": Ether(dst=bcast, src=mac) / ARP(op=1, hwsrc=mac, psrc=HOST, pdst="192.0.2.77"),
    }


RMAC_MARK = bytes.fromhex("02000000ff01")
HMAC_MARK = bytes.fromhex("02000000ff02")


def masked(f, rmac, hmac):
    """One answer's bytes (IP or ARP on), masked as the module says."""
    if ARP in f:
        raw = bytes(f[ARP])
    else:
        b = bytearray(bytes(f[IP]))
        ihl = (b[0] & 0x0f) * 4
        ok = checksum(bytes(b[:ihl])) == 0
        b[4:6] = b"\0\0"
        b[10:12] = b"\0\0"
        if ICMP in f and f[ICMP].type == 14 and len(b) >= ihl + 20:
            # A Timestamp Reply's receive and transmit times are each
            # router's clock (RFC 792); its checksum covers them.
            ok = ok and checksum(bytes(b[ihl:])) == 0
            b[ihl + 2:ihl + 4] = b"\0\0"
            b[ihl + 12:ihl + 20] = bytes(8)
        raw = bytes(b) if ok else b"BAD-IPCSUM"
    for real, mark in ((rmac, RMAC_MARK), (hmac, HMAC_MARK)):
        raw = raw.replace(bytes.fromhex(real.replace(":", "")), mark)
    return raw.hex()


def answer_bytes(frames, rmac, hmac):
    out = [masked(f, rmac, hmac) for f in frames
           if f.src.lower() == rmac.lower() and (ARP in f and f[ARP].op == 2 or IP in f and (TCP in f or ICMP in f))]
    return " ".join(out) or "-"


def describe(frames, rmac):
    out = []
    for f in frames:
        if f.src.lower() != rmac.lower():
            continue
        if ARP in f:
            if f[ARP].op == 2:
                out.append("ARP reply %s is-at router" % f[ARP].psrc)
            continue
        if IP in f and TCP in f:
            out.append("TCP %s ack %d from %s ttl %d" % (f[TCP].flags, f[TCP].ack, f[IP].src, f[IP].ttl))
            continue
        if IP not in f or ICMP not in f:
            continue
        ip, ic = f[IP], f[ICMP]
        s = "ICMP %d/%d" % (ic.type, ic.code)
        if ic.type == 3 and ic.code == 4:
            s += " mtu %d" % ic.nexthopmtu
        if ic.type == 5:
            s += " gw %s" % ic.gw
        if ic.type == 12:
            s += " ptr %d" % ic.ptr
        if ic.type == 3 and ic.code == 3 and len(bytes(ic.payload)) > 24:
            s += " quote %s" % bytes(ic.payload)[20:32].hex()
        s += " from %s ttl %d len %d" % (ip.src, ip.ttl, ip.len)
        out.append(s)
    return "; ".join(out) if out else "dropped"


def main():
    iface, rmac = sys.argv[1], sys.argv[2]
    want = sys.argv[3:]
    mac = get_if_hwaddr(iface)
    allp = {n: Ether(dst=rmac, src=mac, type=0x0800) / pk for n, pk in probes().items()}
    allp.update(arp_probes(mac))
    for name, frame in allp.items():
        if want and name not in want:
            continue
        ready = threading.Event()
        sn = AsyncSniffer(iface=iface, filter="icmp or arp or tcp", store=True,
                          started_callback=ready.set)
        sn.start()
        if not ready.wait(5):
            sys.exit("sniffer on %s did not start" % iface)
        sendp(frame, iface=iface)
        sn.join(timeout=WINDOW)
        frames = sn.stop() if sn.running else sn.results
        print("%s: %s" % (name, describe(frames or [], rmac)), flush=True)
        print("%s bytes: %s" % (name, answer_bytes(frames or [], rmac, mac)), flush=True)


if __name__ == "__main__":
    main()
