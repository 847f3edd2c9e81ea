/* xrt test: bind xsk/ on an interface behind xsk_meta_probe.bpf.o, report punt metadata, echo frames back. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/if_link.h>
#include "xsk/xsk_port.h"
#include "xsk/xsk_stats.h"

static int echoed;

/* Send the frame back out with the MACs swapped: proves TX on the port. */
static void on_frame(const struct xrt_punt_meta *meta, int ifindex,
		     const uint8_t *frame, size_t len, void *arg)
{
	(void)arg;
	printf("frame if=%d len=%zu meta=%s", ifindex, len, meta ? "yes" : "no");
	if (meta)
		printf(" reason=%u ifindex=%u mtu=%u", meta->reason, meta->ifindex,
		       meta->mtu);
	printf("\n");
	uint8_t out[4096];
	if (len > sizeof(out) || len < 14)
		return;
	memcpy(out, frame + 6, 6);
	memcpy(out + 6, frame, 6);
	memcpy(out + 12, frame + 12, len - 12);
	if (xsk_xmit(ifindex, out, len) == 0)
		echoed++;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s OBJ IFNAME NFRAMES\n", argv[0]);
		return 2;
	}
	int ifindex = if_nametoindex(argv[2]);
	int want = atoi(argv[3]);
	char err[256];
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "cannot load %s\n", argv[1]);
		return 1;
	}
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, "xsk_meta_probe");
	int map = bpf_object__find_map_fd_by_name(obj, "probe_xsks");
	struct xsk_rings rings = XSK_RINGS_DEFAULT;
	if (xsk_pool_create(&rings, err) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	int fd;
	if (xsk_port_open(ifindex, 0, &fd, err) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("zerocopy=%d\n", xsk_port_zerocopy(fd));
	__u32 key = 0;
	if (bpf_map_update_elem(map, &key, &fd, 0) ||
	    bpf_xdp_attach(ifindex, bpf_program__fd(prog), XDP_FLAGS_DRV_MODE, NULL)) {
		fprintf(stderr, "attach failed\n");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	int got = 0;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (got < want) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		poll(&pfd, 1, 100);
		got += xsk_port_rx(fd, 64, on_frame, NULL);
		xsk_tx_reclaim();
		fflush(stdout);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 10)
			break;
	}
	/* Let the echoes complete before closing. */
	for (int i = 0; i < 20; i++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		poll(&pfd, 1, 10);
		xsk_tx_reclaim();
	}
	printf("got=%d echoed=%d tx=%llu with_meta=%llu umem_frames=%llu\n", got, echoed,
	       (unsigned long long)xsk_stats.tx_frames,
	       (unsigned long long)xsk_stats.rx_with_meta,
	       (unsigned long long)xsk_stats.umem_frames);
	bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	xsk_port_close(ifindex);
	printf("closed umem_frames=%llu\n", (unsigned long long)xsk_stats.umem_frames);
	xsk_pool_destroy();
	bpf_object__close(obj);
	return got == want ? 0 : 1;
}
