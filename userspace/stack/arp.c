/* xrt: ARP (RFC 826): arp_rcv, arp_process, arp_send, arp_solicit, and address announcements (RFC 5227 2.3). */
#include <net/ethernet.h>
#include <net/if_arp.h>
#include "stack/stack_internal.h"

/* RFC 826 packet layout for Ethernet (hln 6) and IPv4 (pln 4). */
#define ARP_OFF_OP 6
#define ARP_OFF_SHA 8
#define ARP_OFF_SIP 14
#define ARP_OFF_THA 18
#define ARP_OFF_TIP 24

/*
 * RFC 5227 2.3: an address is announced ANNOUNCE_NUM times,
 * ANNOUNCE_INTERVAL seconds apart. Pending second announcements are
 * bounded; a full table sends only the first (counted).
 */
#define ARP_ANNOUNCE_NUM 2
#define ARP_ANNOUNCE_INTERVAL_SEC 2
#define ARP_ANNOUNCE_PENDING_MAX 64

static struct {
	int ifindex; /* 0: free */
	uint32_t addr;
	unsigned left;
	uint64_t due_ns;
} announce[ARP_ANNOUNCE_PENDING_MAX];

static uint8_t arp_buf[PKT_HEADROOM + ARP_HDR_LEN];

/* arp_create + arp_xmit: one ARP packet out of ifindex to dest_mac. */
static int arp_send(uint16_t op, int ifindex, const uint8_t dest_mac[6], uint32_t sip,
		    uint32_t tip, const uint8_t *tha)
{
	const struct xrt_netdev *dev = stack_dev(ifindex);
	if (!dev)
		return -1;
	uint8_t *a = arp_buf + PKT_HEADROOM;
	a[0] = ARPHRD_ETHER >> 8;
	a[1] = ARPHRD_ETHER & 0xff;
	a[2] = ETH_P_IP_BE >> 8;
	a[3] = ETH_P_IP_BE & 0xff;
	a[4] = ETH_ALEN;
	a[5] = IP4_ALEN;
	a[ARP_OFF_OP] = (uint8_t)(op >> 8);
	a[ARP_OFF_OP + 1] = (uint8_t)op;
	memcpy(a + ARP_OFF_SHA, dev->mac, ETH_ALEN);
	memcpy(a + ARP_OFF_SIP, &sip, 4);
	if (tha)
		memcpy(a + ARP_OFF_THA, tha, ETH_ALEN);
	else
		memset(a + ARP_OFF_THA, 0, ETH_ALEN);
	memcpy(a + ARP_OFF_TIP, &tip, 4);
	return dev_xmit_eth(ifindex, dest_mac, ETH_P_ARP_BE, a, ARP_HDR_LEN);
}

static const uint8_t eth_bcast_addr[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/*
 * arp_solicit: the sender address is the source of the packet waiting for
 * the answer when it is one of ours (arp_announce 0), else the interface's
 * address for the target (inet_select_addr). An entry being probed (PROBE)
 * is asked by unicast to the MAC it had, as neigh_probe does.
 */
void arp_solicit(int ifindex, const struct in6_addr *target, const uint8_t *unicast_mac,
		 const struct in6_addr *prompt_src)
{
	const struct xrt_netdev *dev = stack_dev(ifindex);
	uint32_t tip = xrt_addr_v4(target), sip;
	if (!dev)
		return;
	if (prompt_src && xrt_addr_is_v4(prompt_src) && ipv6_chk_addr(prompt_src))
		sip = xrt_addr_v4(prompt_src);
	else if (!inet_select_addr(dev, tip, &sip))
		return;
	if (arp_send(ARPOP_REQUEST, ifindex, unicast_mac ? unicast_mac : eth_bcast_addr, sip, tip,
		     unicast_mac) == 0)
		IP4_INC(ARP_OUT_REQUESTS);
}

static void arp_announce_send(int ifindex, uint32_t addr)
{
	/* RFC 5227 2.3: sender and target IP both the address, target
	 * hardware address zero, broadcast. */
	if (arp_send(ARPOP_REQUEST, ifindex, eth_bcast_addr, addr, addr, NULL) == 0)
		IP4_INC(ARP_OUT_ANNOUNCES);
}

void stack_arp_announce(int ifindex, const struct in6_addr *addr)
{
	if (!senv.dev_get || !xrt_addr_is_v4(addr) || !stack_dev(ifindex))
		return; /* before stack_init, or not attached */
	uint32_t v4 = xrt_addr_v4(addr);
	arp_announce_send(ifindex, v4);
	for (unsigned i = 0; i < ARP_ANNOUNCE_PENDING_MAX; i++)
		if (!announce[i].ifindex) {
			announce[i].ifindex = ifindex;
			announce[i].addr = v4;
			announce[i].left = ARP_ANNOUNCE_NUM - 1;
			announce[i].due_ns = stack_now() + ARP_ANNOUNCE_INTERVAL_SEC * NSEC_PER_SEC;
			return;
		}
	DROP_INC(ARP_ANNOUNCE_FULL);
}

void arp_timers_run(uint64_t now)
{
	for (unsigned i = 0; i < ARP_ANNOUNCE_PENDING_MAX; i++) {
		if (!announce[i].ifindex || announce[i].due_ns > now)
			continue;
		if (stack_dev(announce[i].ifindex))
			arp_announce_send(announce[i].ifindex, announce[i].addr);
		if (--announce[i].left == 0)
			announce[i].ifindex = 0;
		else
			announce[i].due_ns = now + ARP_ANNOUNCE_INTERVAL_SEC * NSEC_PER_SEC;
	}
}

uint64_t arp_timers_next(void)
{
	uint64_t due = UINT64_MAX;
	for (unsigned i = 0; i < ARP_ANNOUNCE_PENDING_MAX; i++)
		if (announce[i].ifindex && announce[i].due_ns < due)
			due = announce[i].due_ns;
	return due;
}

void arp_init(void)
{
	memset(announce, 0, sizeof(announce));
}

/*
 * arp_rcv + arp_process. A request for one of the interface's addresses is
 * answered and teaches us its sender (neigh_event_ns: STALE, created if
 * need be). Anything else only refreshes an entry we already have
 * (arp_accept 0): a reply sent to our MAC confirms it (REACHABLE), a
 * broadcast reply or another request makes it STALE with the MAC given.
 */
void arp_rcv(struct pkt *p)
{
	const uint8_t *a = p->nh;
	const struct xrt_netdev *dev = stack_dev(p->ifindex);
	if (!dev) {
		DROP_INC(NO_DEV);
		return;
	}
	if (p->len < ARP_HDR_LEN || a[0] != (ARPHRD_ETHER >> 8) || a[1] != (ARPHRD_ETHER & 0xff) ||
	    a[2] != (ETH_P_IP_BE >> 8) || a[3] != (ETH_P_IP_BE & 0xff) || a[4] != ETH_ALEN ||
	    a[5] != IP4_ALEN) {
		DROP_INC(ARP_INVALID);
		return;
	}
	uint16_t op = (uint16_t)(a[ARP_OFF_OP] << 8 | a[ARP_OFF_OP + 1]);
	uint8_t sha[ETH_ALEN];
	uint32_t sip, tip;
	memcpy(sha, a + ARP_OFF_SHA, ETH_ALEN);
	memcpy(&sip, a + ARP_OFF_SIP, 4);
	memcpy(&tip, a + ARP_OFF_TIP, 4);
	if (op != ARPOP_REQUEST && op != ARPOP_REPLY) {
		DROP_INC(ARP_INVALID);
		return;
	}
	if (op == ARPOP_REQUEST)
		IP4_INC(ARP_IN_REQUESTS);
	else
		IP4_INC(ARP_IN_REPLIES);
	/* arp_process: a multicast or loopback target, a multicast or
	 * broadcast sender MAC, a sender address that cannot name a host. */
	if (ipv4_is_multicast(tip) || ipv4_is_loopback(tip) || (sha[0] & 1) ||
	    ipv4_is_multicast(sip) || ipv4_is_loopback(sip) || ipv4_is_lbcast(sip)) {
		DROP_INC(ARP_INVALID);
		return;
	}
	bool tip_ours = inet_dev_has_addr(dev, tip);
	struct in6_addr sender = ip4_mapped(sip);
	if (sip == 0) {
		/* RFC 5227 2.1.1 probe (the kernel's "IPv4 DAD" case): answer
		 * if the address is ours, learn nothing. */
		if (op == ARPOP_REQUEST && tip_ours &&
		    arp_send(ARPOP_REPLY, p->ifindex, sha, tip, sip, sha) == 0)
			IP4_INC(ARP_OUT_REPLIES);
		return;
	}
	if (ipv6_chk_addr(&sender)) {
		/* Someone else claims one of our addresses: never learnt. */
		DROP_INC(ARP_INVALID);
		return;
	}
	if (op == ARPOP_REQUEST && tip_ours && sip != tip) {
		neigh_update_from_slla(p->ifindex, &sender, sha);
		if (arp_send(ARPOP_REPLY, p->ifindex, sha, tip, sip, sha) == 0)
			IP4_INC(ARP_OUT_REPLIES);
		return;
	}
	if (op == ARPOP_REQUEST && !tip_ours && sip != tip)
		DROP_INC(ARP_NOT_OURS);
	bool confirmed = op == ARPOP_REPLY && !p->eth_mcast && tip_ours;
	neigh_update_from_na(p->ifindex, &sender, sha, confirmed, true, false);
}
