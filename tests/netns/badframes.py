#!/usr/bin/python3
"""xrt: send one crafted Ethernet frame on an interface (netns tests).

Usage: badframes.py IFACE DST_MAC KIND
KIND names what is wrong with the IPv6 packet (or "padded" / "good" for
well-formed ones); every packet is an ICMPv6 echo request from
2001:db8:1::2 to 2001:db8:b::1 unless the kind changes an address.
"""
import sys

from scapy.all import Ether, ICMPv6EchoRequest, IPv6, Raw, sendp  # noqa: E402

SRC, DST = "2001:db8:1::2", "2001:db8:b::1"


def frame(kind, dst_mac):
    eth = Ether(dst=dst_mac, type=0x86DD)
    echo = ICMPv6EchoRequest(id=0x7872, seq=1, data=b"xrt-badframes")
    if kind == "good":
        return eth / IPv6(src=SRC, dst=DST, hlim=64) / echo
    if kind == "padded":  # 20 bytes beyond the payload length: trimmed
        pkt = bytes(IPv6(src=SRC, dst=DST, hlim=64) / echo)  # plen fixed here
        return eth / Raw(pkt + b"P" * 20)
    if kind == "short":  # shorter than an IPv6 header
        return eth / Raw(bytes(IPv6(src=SRC, dst=DST))[:30])
    if kind == "version":  # version 4 in an IPv6 ethertype frame
        raw = bytearray(bytes(IPv6(src=SRC, dst=DST, hlim=64) / echo))
        raw[0] = (4 << 4) | (raw[0] & 0x0F)
        return eth / Raw(bytes(raw))
    if kind == "truncated":  # payload length says 200, 21 bytes follow
        return eth / IPv6(src=SRC, dst=DST, hlim=64, plen=200) / echo
    if kind == "dst_loopback":
        return eth / IPv6(src=SRC, dst="::1", hlim=64) / echo
    if kind == "dst_unspec":
        return eth / IPv6(src=SRC, dst="::", hlim=64) / echo
    if kind == "src_mcast":
        return eth / IPv6(src="ff02::1", dst=DST, hlim=64) / echo
    if kind == "mcast":  # site-scoped multicast: xrt does no multicast routing
        return Ether(dst="33:33:00:00:00:05", type=0x86DD) / \
            IPv6(src=SRC, dst="ff05::5", hlim=64) / echo
    sys.exit("badframes: unknown kind %r" % kind)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    iface, dst_mac, kind = sys.argv[1:]
    sendp(frame(kind, dst_mac), iface=iface, verbose=False)


if __name__ == "__main__":
    main()
