/* xrt fpcost --stages: the product fast path's cost split by stage, from variants with the stages taken out one by one (bench_strip.h). */
#include <stdio.h>
#include <stdlib.h>
#include "fpcost.h"

/* What level i + 1 of bench_strip.h takes out on top of level i; level 1
 * is bench_notrace.bpf.o, the others bench_stripN.bpf.o. */
const char *const fp_strip_what[FP_NSTRIP] = {
	"trace check", "rules check", "nf_hook x2", "rpf check",
	"MIB counters", "forward checks", "rcv checks"};
/* The same as RESULT keys. */
const char *const fp_strip_key[FP_NSTRIP] = {
	"trace", "rules", "nf_hook", "rpf", "mib", "forward", "rcv"};

/*
 * Every level loaded on xrt's pins (the maps shared, as trace_cost.c does),
 * each attached to an idle veth of its own (fp_pin_to_dispatcher).
 */
int fp_strips_open(const char *bench_dir, const char *bpffs, const struct fp_topo *t,
		   struct fp_xrt *x[FP_NSTRIP], int fd[FP_NSTRIP])
{
	char obj[512], cmd[128], dev[16];

	for (int i = 0; i < FP_NSTRIP; i++) {
		if (i == 0)
			snprintf(obj, sizeof(obj), "%s/bench_notrace.bpf.o", bench_dir);
		else
			snprintf(obj, sizeof(obj), "%s/bench_strip%d.bpf.o", bench_dir, i + 1);
		snprintf(dev, sizeof(dev), "xbfst%d", i + 1);
		snprintf(cmd, sizeof(cmd),
			 "ip link add %s type veth peer name %sp && ip link set %s up", dev, dev,
			 dev);
		x[i] = fp_xrt_open(obj, bpffs, t);
		if (!x[i] || system(cmd) != 0) {
			fprintf(stderr, "fpcost: --stages: cannot set up %s\n", obj);
			return -1;
		}
		fd[i] = fp_xrt_prog_fd(x[i]);
		if (fp_pin_to_dispatcher(fd[i], dev))
			return -1;
	}
	return 0;
}
