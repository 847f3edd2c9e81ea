/* xrt scan6: a paced address scan (one UDP datagram per address of a prefix) from an AF_PACKET socket, for the neighbour-exhaustion tests. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/socket.h>

/*
 * Frame i goes to PREFIX + FIRST + i (the low 32 bits of the address),
 * FIRST..FIRST+COUNT-1, at RATE frames per second: frame i is due at
 * start + i / RATE; whatever is due is sent, then the sender sleeps until
 * the next one is due (so a late wake-up sends a small burst, never drifts).
 * Exits 0 after printing "sent N in T s (R/s)".
 */

#define SCAN_FRAME_LEN (14 + 40 + 8 + 16) /* Ethernet, IPv6, UDP, payload */
#define SCAN_UDP_PORT 9                   /* discard */
#define SCAN_HOP_LIMIT 64
#define SCAN_MAX_RATE 1000000

static int parse_mac(const char *s, uint8_t mac[6])
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
		      &mac[4], &mac[5]) == 6
		       ? 0
		       : -EINVAL;
}

static int read_mac(const char *dev, uint8_t mac[6])
{
	char path[128], buf[64];
	snprintf(path, sizeof(path), "/sys/class/net/%s/address", dev);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	int rc = fgets(buf, sizeof(buf), f) ? parse_mac(buf, mac) : -EIO;
	fclose(f);
	return rc;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* RFC 1071 over the pseudo-header (RFC 8200 8.1) and the UDP datagram. */
static uint16_t udp6_csum(const uint8_t *ip6, const uint8_t *udp, size_t len)
{
	uint32_t sum = 0;
	for (int i = 8; i < 40; i += 2)
		sum += (uint32_t)(ip6[i] << 8 | ip6[i + 1]);
	sum += (uint32_t)len + IPPROTO_UDP;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(udp[i] << 8 | udp[i + 1]);
	if (len & 1)
		sum += (uint32_t)udp[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	uint16_t c = (uint16_t)~sum;
	return c ? c : 0xffff;
}

static void usage(void)
{
	fprintf(stderr, "usage: scan6 --dev IF --dmac MAC --src ADDR --prefix ADDR "
			"--first N --count N --rate PPS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, 0, 'd' },   { "dmac", required_argument, 0, 'm' },
		{ "src", required_argument, 0, 's' },   { "prefix", required_argument, 0, 'p' },
		{ "first", required_argument, 0, 'f' }, { "count", required_argument, 0, 'c' },
		{ "rate", required_argument, 0, 'r' },  { 0, 0, 0, 0 },
	};
	const char *dev = NULL;
	uint8_t dmac[6], smac[6];
	struct in6_addr src, prefix;
	unsigned long first = 0, count = 0, rate = 0;
	int have = 0, o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': dev = optarg; have |= 1; break;
		case 'm': if (parse_mac(optarg, dmac)) usage(); have |= 2; break;
		case 's': if (inet_pton(AF_INET6, optarg, &src) != 1) usage(); have |= 4; break;
		case 'p': if (inet_pton(AF_INET6, optarg, &prefix) != 1) usage(); have |= 8; break;
		case 'f': first = strtoul(optarg, NULL, 0); break;
		case 'c': count = strtoul(optarg, NULL, 0); break;
		case 'r': rate = strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (have != 15 || !count || !rate || rate > SCAN_MAX_RATE)
		usage();
	if (read_mac(dev, smac)) {
		fprintf(stderr, "scan6: cannot read the MAC of %s\n", dev);
		return 1;
	}
	int ifindex = (int)if_nametoindex(dev);
	int fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (!ifindex || fd < 0) {
		fprintf(stderr, "scan6: %s: %s\n", dev, strerror(errno));
		return 1;
	}
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = ifindex,
				  .sll_halen = 6, .sll_protocol = htons(ETH_P_IPV6) };
	memcpy(to.sll_addr, dmac, 6);

	uint8_t f[SCAN_FRAME_LEN] = { 0 };
	uint8_t *ip6 = f + 14, *udp = ip6 + 40;
	const uint16_t udp_len = SCAN_FRAME_LEN - 14 - 40;
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = ETH_P_IPV6 >> 8;
	f[13] = ETH_P_IPV6 & 0xff;
	ip6[0] = 0x60;
	ip6[4] = udp_len >> 8;
	ip6[5] = udp_len & 0xff;
	ip6[6] = IPPROTO_UDP;
	ip6[7] = SCAN_HOP_LIMIT;
	memcpy(ip6 + 8, &src, 16);
	memcpy(ip6 + 24, &prefix, 16);
	udp[0] = udp[2] = SCAN_UDP_PORT >> 8;
	udp[1] = udp[3] = SCAN_UDP_PORT & 0xff;
	udp[4] = udp_len >> 8;
	udp[5] = udp_len & 0xff;

	uint32_t base;
	memcpy(&base, ip6 + 36, 4);
	base = ntohl(base);
	double start = now_s();
	unsigned long sent = 0, failed = 0;
	while (sent + failed < count) {
		double due = start + (double)(sent + failed) / (double)rate;
		double now = now_s();
		if (now < due) {
			struct timespec ts = { 0, (long)((due - now) * 1e9) };
			nanosleep(&ts, NULL);
			continue;
		}
		uint32_t low = htonl(base + (uint32_t)(first + sent + failed));
		memcpy(ip6 + 36, &low, 4);
		udp[6] = udp[7] = 0;
		uint16_t c = udp6_csum(ip6, udp, udp_len);
		udp[6] = c >> 8;
		udp[7] = c & 0xff;
		if (sendto(fd, f, sizeof(f), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
			failed++;
		else
			sent++;
	}
	double t = now_s() - start;
	printf("sent %lu in %.3f s (%.0f/s), %lu refused\n", sent, t, sent / t, failed);
	close(fd);
	return 0;
}
