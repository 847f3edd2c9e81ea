/* xrt: the SYN_RECV request table (inet_csk_reqsk_queue_hash_add, inet_csk_reqsk_queue_drop, reqsk_timer_handler): bounded, keyed hash, SYN-ACK retransmission. */
#include "stack/stack_internal.h"
#include "stack/request_sock.h"
#include "stack/secure_seq.h"
#include "stack/sock_tcp.h"

_Static_assert((XRT_TCP_REQSK_HASH & (XRT_TCP_REQSK_HASH - 1)) == 0, "power of 2");

static struct request_sock reqs[XRT_TCP_REQSK_MAX];
static struct request_sock *hash[XRT_TCP_REQSK_HASH];
static struct request_sock *live;  /* list of requests in use */
static struct request_sock *free_list; /* the others, through hnext */
static unsigned nlive;

void reqsk_table_init(void)
{
	memset(reqs, 0, sizeof(reqs));
	memset(hash, 0, sizeof(hash));
	live = NULL;
	nlive = 0;
	free_list = NULL;
	for (unsigned i = XRT_TCP_REQSK_MAX; i-- > 0;) {
		reqs[i].hnext = free_list;
		free_list = &reqs[i];
	}
}

/* Keyed (SECURE_KEY_REQSK_HASH): a spoofing attacker cannot aim SYNs at one
 * chain and turn each lookup into a walk of the whole table. */
static unsigned reqsk_bucket(const struct in6_addr *rmt, uint16_t rport,
			     const struct in6_addr *loc, uint16_t lport)
{
	struct {
		struct in6_addr rmt, loc;
		uint16_t rport, lport;
	} t = { *rmt, *loc, rport, lport };
	return (unsigned)siphash(&t, sizeof(t), secure_key(SECURE_KEY_REQSK_HASH)) &
	       (XRT_TCP_REQSK_HASH - 1);
}

/* O(1) either way: a flood must not make each SYN walk the table. */
struct request_sock *reqsk_alloc(void)
{
	struct request_sock *req = free_list;
	if (!req)
		return NULL;
	free_list = req->hnext;
	memset(req, 0, sizeof(*req));
	return req;
}

void inet_csk_reqsk_queue_hash_add(struct request_sock *req, uint64_t timeout_ns)
{
	unsigned b = reqsk_bucket(&req->rmt_addr, req->rmt_port, &req->loc_addr, req->loc_port);
	req->in_use = true;
	req->hnext = hash[b];
	hash[b] = req;
	req->prev = NULL;
	req->next = live;
	if (live)
		live->prev = req;
	live = req;
	nlive++;
	req->expires = stack_now() + timeout_ns;
	req->listener->tp->synq_len++;
}

void inet_csk_reqsk_queue_drop(struct request_sock *req)
{
	if (!req->in_use)
		return;
	unsigned b = reqsk_bucket(&req->rmt_addr, req->rmt_port, &req->loc_addr, req->loc_port);
	for (struct request_sock **pp = &hash[b]; *pp; pp = &(*pp)->hnext)
		if (*pp == req) {
			*pp = req->hnext;
			break;
		}
	if (req->prev)
		req->prev->next = req->next;
	else
		live = req->next;
	if (req->next)
		req->next->prev = req->prev;
	nlive--;
	struct tcp_sock *ltp = req->listener->tp;
	if (ltp && ltp->synq_len)
		ltp->synq_len--;
	req->in_use = false;
	req->hnext = free_list;
	free_list = req;
}

struct request_sock *reqsk_lookup(const struct sock *listener, const struct in6_addr *rmt,
				  uint16_t rport, const struct in6_addr *loc, uint16_t lport)
{
	if (!nlive)
		return NULL;
	for (struct request_sock *r = hash[reqsk_bucket(rmt, rport, loc, lport)]; r; r = r->hnext)
		if (r->listener == listener && r->rmt_port == rport && r->loc_port == lport &&
		    ip6_eq(&r->rmt_addr, rmt) && ip6_eq(&r->loc_addr, loc))
			return r;
	return NULL;
}

void reqsk_queue_purge(const struct sock *listener)
{
	struct request_sock *next;
	for (struct request_sock *r = live; r; r = next) {
		next = r->next;
		if (r->listener == listener)
			inet_csk_reqsk_queue_drop(r);
	}
}

unsigned reqsk_count(void)
{
	return nlive;
}

/* reqsk_timer_handler: resend the SYN-ACK with exponential backoff (RFC
 * 6298 5.5) or give up; under pressure give up sooner. */
static void reqsk_timer_handler(struct request_sock *req, uint64_t now)
{
	const struct tcp_sock *ltp = req->listener->tp;
	unsigned max_retries = TCP_SYNACK_RETRIES;
	unsigned floor = ltp->backlog > 8 ? (unsigned)ltp->backlog : 8;
	if (2 * ltp->synq_len > floor)
		max_retries = TCP_SYNACK_RETRIES_PRESSURE;
	if (req->num_retrans >= max_retries) {
		sockstats.tcp_reqsk_timeouts++;
		inet_csk_reqsk_queue_drop(req);
		return;
	}
	req->num_retrans++;
	sockstats.tcp_retrans++;
	sockstats.tcp_synack_retrans++;
	tcp_v6_send_synack(req);
	uint64_t rto = (uint64_t)TCP_SYNACK_TIMEOUT_INIT_MS * NSEC_PER_MSEC << req->num_retrans;
	uint64_t max = (uint64_t)TCP_RTO_MAX_MS * NSEC_PER_MSEC;
	req->expires = now + (rto < max ? rto : max);
}

void reqsk_timers_run(uint64_t now)
{
	struct request_sock *next;
	for (struct request_sock *r = live; r; r = next) {
		next = r->next;
		if (now >= r->expires)
			reqsk_timer_handler(r, now);
	}
}

uint64_t reqsk_timers_next(void)
{
	uint64_t due = UINT64_MAX;
	for (const struct request_sock *r = live; r; r = r->next)
		if (r->expires < due)
			due = r->expires;
	return due;
}
