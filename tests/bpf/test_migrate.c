/* xrt BPF tests: a staged load beside a pinned set (dataplane/migrate.c): the running program is ours until the commit, which replaces it, re-pins and carries counters by the old stamp's sections. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "harness.h"
#include "dataplane/loader.h"
#include "dataplane/migrate.h"
#include "dataplane/xdp.h"

TestSuite(migrate, .init = xt_setup, .fini = xt_teardown);

static uint32_t id_of(int fd, bool prog)
{
	struct bpf_prog_info pi = { 0 };
	struct bpf_map_info mi = { 0 };
	uint32_t len = prog ? sizeof(pi) : sizeof(mi);

	cr_assert_eq(bpf_obj_get_info_by_fd(fd, prog ? (void *)&pi : (void *)&mi, &len), 0);
	return prog ? pi.id : mi.id;
}

static uint32_t xdp_prog_on(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	cr_assert_eq(bpf_xdp_query(ifindex, 0, &q), 0);
	return q.drv_prog_id;
}

static uint32_t pinned_id(const char *name)
{
	char path[512];
	int fd;
	uint32_t id;

	snprintf(path, sizeof(path), "%s/%s", M.pin_dir, name);
	fd = bpf_obj_get(path);
	cr_assert_geq(fd, 0, "%s", path);
	id = id_of(fd, false);
	close(fd);
	return id;
}

/* The old build had one MIB counter fewer: its punt[0] sits where this
 * build's last MIB counter is, and must land in this build's punt[0]. */
Test(migrate, commit_swaps_repins_and_carries_by_section)
{
	const size_t words = sizeof(struct xrt_stats) / sizeof(__u64);
	int ncpus = libbpf_num_possible_cpus();
	char err[XRT_ERR_LEN] = "";
	struct xrt_map_stamp st;
	struct xrt_maps m2;
	struct xrt_xdp_info in;
	struct xrt_stats sum;
	uint32_t k, slot = 1, stamp_fd = (uint32_t)-1;
	__u64 *v = calloc((size_t)ncpus * words, sizeof(__u64));

	cr_assert(v);
	cr_assert_eq(bpf_xdp_attach(if_a, M.prog_fd, XDP_FLAGS_DRV_MODE, NULL), 0);
	v[0] = 1;                      /* mib[0] */
	v[XRT_MIB_MAX - 1] = 7;        /* the old punt[0] */
	v[words - 1] = 9;              /* past the old sections: no place */
	cr_assert_eq(bpf_map_update_elem(M.stats, &slot, v, BPF_ANY), 0);
	/* A punt budget's refused count (xrt_punt_tb.limited, CPU 0). */
	struct xrt_punt_tb *tb = calloc((size_t)ncpus, sizeof(*tb));
	uint64_t limited[XRT_PUNT_MAX];
	uint32_t reason = XRT_PUNT_LOCAL;
	cr_assert(tb);
	tb[0].limited = 5;
	tb[0].tokens_milli = 1234;
	cr_assert_eq(bpf_map_update_elem(M.punt_tb, &reason, tb, BPF_ANY), 0);
	stamp_fd = (uint32_t)bpf_object__find_map_fd_by_name(M.obj, XRT_MAP_STAMP);
	for (k = 0; k < XRT_STAMP_MAX; k++) {
		cr_assert_eq(bpf_map_lookup_elem((int)stamp_fd, &k, &st), 0);
		if (!strcmp(st.name, XRT_MAP_STATS))
			break;
	}
	cr_assert_lt(k, XRT_STAMP_MAX, "xrt_maps_load stamped no xrt_stats");
	cr_assert_eq(st.sections[0], XRT_MIB_MAX);
	st.sections[0] = XRT_MIB_MAX - 1;
	cr_assert_eq(bpf_map_update_elem((int)stamp_fd, &k, &st, BPF_ANY), 0);

	/* The harness's bpffs: pin_dir without "/tc/globals". */
	char bpffs[256];
	snprintf(bpffs, sizeof(bpffs), "%s", M.pin_dir);
	*strstr(bpffs, "/" XRT_PIN_SUBDIR) = '\0';
	cr_assert_eq(xrt_maps_stage(&m2, "bpf/xrt_fwd.bpf.o", bpffs, err), 0, "%s", err);
	cr_assert(xrt_maps_staged(&m2));
	cr_assert_neq(id_of(m2.fib6, false), id_of(M.fib6, false), "maps of its own");
	cr_assert_eq(pinned_id(XRT_MAP_FIB6_DP), id_of(M.fib6, false), "pins untouched");
	/* Before the commit, the running generation's program counts as ours
	 * (link attach adopts it instead of refusing it). */
	cr_assert_eq(xrt_maps_xdp_info(&m2, if_a, &in), 0);
	cr_assert_eq(in.ours_id, id_of(M.prog_fd, true));
	cr_assert(strstr(xrt_migrate_report(&m2), "same map layouts"), "%s",
		  xrt_migrate_report(&m2));

	cr_assert_eq(xrt_maps_commit(&m2, err), 0, "%s", err);
	cr_assert_not(xrt_maps_staged(&m2));
	cr_assert_eq(xdp_prog_on(if_a), id_of(m2.prog_fd, true), "program replaced");
	cr_assert_eq(xdp_prog_on(if_b), 0, "an interface without xrt is left alone");
	cr_assert_eq(pinned_id(XRT_MAP_FIB6_DP), id_of(m2.fib6, false), "re-pinned");
	cr_assert_eq(pinned_id(XRT_MAP_STATS), id_of(m2.stats, false), "re-pinned");
	cr_assert(strstr(xrt_migrate_report(&m2), "counters carried section by section"), "%s",
		  xrt_migrate_report(&m2));
	cr_assert(strstr(xrt_migrate_report(&m2), "1 interface(s) swapped"), "%s",
		  xrt_migrate_report(&m2));
	cr_assert_eq(xrt_maps_stats_read(&m2, (int)slot, &sum, err), 0, "%s", err);
	cr_assert_eq(sum.mib[0], 1);
	cr_assert_eq(sum.punt[0], 7, "the old punt[0] moved with its section");
	cr_assert_eq(sum.mib[XRT_MIB_MAX - 1], 0, "nothing left where the old punt[0] was");
	cr_assert_eq(sum.pass[XRT_PASS_MAX - 1], 0, "a word past the old sections is dropped");

	cr_assert_eq(xrt_maps_punt_limited(&m2, limited, err), 0, "%s", err);
	cr_assert_eq(limited[XRT_PUNT_LOCAL], 5, "refused punts carried");
	cr_assert_eq(bpf_map_lookup_elem(m2.punt_tb, &reason, tb), 0);
	cr_assert_eq(tb[0].tokens_milli, 0, "the bucket itself starts afresh");
	free(tb);

	/* Without a running generation, a commit has nothing to do. */
	cr_assert_eq(xrt_maps_commit(&m2, err), 0, "%s", err);
	cr_assert_eq(bpf_xdp_detach(if_a, XDP_FLAGS_DRV_MODE, NULL), 0);
	xrt_maps_close(&m2);
	free(v);
}

