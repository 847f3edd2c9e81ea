/* xrt: AF_XDP ring sizes (the kernel's xsk_setsockopt XDP_*_RING words): parse, check, what they cost. */
#include "xsk/xsk_rings.h"
#include "xrt/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_xdp.h>

static const struct {
	const char *word;
	size_t off;
} ring_words[] = {
	{ "rx-ring", offsetof(struct xsk_rings, rx) },
	{ "tx-ring", offsetof(struct xsk_rings, tx) },
	{ "fill-ring", offsetof(struct xsk_rings, fill) },
	{ "comp-ring", offsetof(struct xsk_rings, comp) },
};

/* xsk_init_queue refuses sizes that are not powers of two (-EINVAL). */
static int ring_size_check(const char *word, unsigned long v, char *err)
{
	if (v < XSK_RING_MIN || v > XSK_RING_MAX || (v & (v - 1)))
		return xrt_fail(err, -EINVAL, "%s %lu: want a power of two in %u..%u", word, v,
				XSK_RING_MIN, XSK_RING_MAX);
	return 0;
}

int xsk_rings_set(struct xsk_rings *r, const char *word, const char *value, char *err)
{
	for (size_t i = 0; i < sizeof(ring_words) / sizeof(ring_words[0]); i++) {
		if (strcmp(word, ring_words[i].word))
			continue;
		char *end = NULL;
		unsigned long v = 0;
		errno = 0;
		if (value && *value >= '0' && *value <= '9')
			v = strtoul(value, &end, 10);
		if (!end || *end || errno)
			return xrt_fail(err, -EINVAL, "%s \"%s\": not a number", word,
					value ? value : "");
		int rc = ring_size_check(word, v, err);
		if (rc)
			return rc;
		*(unsigned *)((char *)r + ring_words[i].off) = (unsigned)v;
		return 0;
	}
	return xrt_fail(err, -EINVAL, "unknown ring \"%s\" (rx-ring, tx-ring, fill-ring, comp-ring)",
			word ? word : "");
}

int xsk_rings_check(const struct xsk_rings *r, char *err)
{
	int rc;
	for (size_t i = 0; i < sizeof(ring_words) / sizeof(ring_words[0]); i++)
		if ((rc = ring_size_check(ring_words[i].word,
					  *(const unsigned *)((const char *)r + ring_words[i].off),
					  err)))
			return rc;
	if (r->comp < r->tx)
		return xrt_fail(err, -EINVAL,
				"comp-ring %u smaller than tx-ring %u: completions would be lost",
				r->comp, r->tx);
	if (r->rx < r->fill)
		return xrt_fail(err, -EINVAL,
				"rx-ring %u smaller than fill-ring %u: posted frames would wait unused",
				r->rx, r->fill);
	return 0;
}

unsigned xsk_rings_frames(const struct xsk_rings *r)
{
	return r->fill + r->tx;
}

size_t xsk_rings_bytes(const struct xsk_rings *r)
{
	return (size_t)xsk_rings_frames(r) * XSK_FRAME_BYTES +
	       (size_t)(r->rx + r->tx) * sizeof(struct xdp_desc) +
	       (size_t)(r->fill + r->comp) * sizeof(uint64_t);
}
