/* xrtd: the xrt daemon: loads the fast path, serves the control socket, runs the event loop. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>

#include "ctl/ctl_proto.h"
#include "daemon/config.h"
#include "daemon/metrics.h"
#include "daemon/service.h"
#include "dataplane/ip6_fib.h"
#include "dataplane/migrate.h"
#include "kernel/linkwatch.h"
#include "kernel/netlink.h"
#include "ctl/server.h"
#include "ctl/unix_sock.h"
#include "ctl/local_stats.h"
#include "ctl/monitor.h"
#include "ctl/trace.h"
#include "router/router.h"
#include "router/stack_env.h"
#include "sock/server.h"
#include "stack/stack.h"
#include "xsk/xsk_port.h"

#define OBJ_INSTALLED "/usr/local/lib/xrt/xrt_fwd.bpf.o"
#ifndef XRT_VERSION
#define XRT_VERSION "unknown" /* the Makefile passes VERSION */
#endif
#define MAX_EVENTS 64
#define RX_BUDGET 64     /* frames per socket per wakeup: fairness */
#define MONITOR_RETRY_MS 50
/* Descriptors: two per application socket (XRT_SOCK_MAX), the CLI, AF_XDP,
 * netlink; the usual soft limit of 1024 would run out first. */
#define XRTD_NOFILE 65536
#define XRTD_NOFILE_MIN 4096 /* below this, warn */

/* epoll tags: what kind of fd an event is for (fd in the low 32 bits). */
enum ev_kind { EV_LISTEN = 1, EV_CONN, EV_SIGNAL, EV_TIMER, EV_XSK, EV_NETLINK, EV_LINKWATCH, EV_SOCK, EV_METRICS, EV_TRACE };
#define EV(kind, fd) (((uint64_t)(kind) << 32) | (uint32_t)(fd))

struct daemon {
	int epfd, sigfd, timerfd, linkfd;
	struct xrt_router router;
	struct ctl_server server;
	struct metrics_server metrics; /* epfd -1: no --metrics */
	bool stop;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: xrtd [-c FILE] [--socket SOCKET] [--bpffs DIR] [--obj PATH] [-f] [--sync-kernel]\n"
		   "            [--max-routes N]\n"
		   "       xrtd --version | --help\n"
		   "  -c FILE      commands to run at start; SIGHUP or `xrt config reload`\n"
		   "               re-reads it and applies only the difference\n"
		   "               (SIGTERM stops; SIGUSR2 stops for an upgrade, leaving the\n"
		   "               XDP programs attached for the next xrtd to replace)\n"
		   "  --socket SOCKET, -s SOCKET\n"
		   "               control socket: a NAME in this network namespace's\n"
		   "               directory %s/net-<inode>/ (default %s), or a PATH\n"
		   "  --bpffs DIR  bpffs for the pinned maps (default %s)\n"
		   "  --obj PATH   XDP object (default: bpf/xrt_fwd.bpf.o of the build tree,\n"
		   "               else lib/xrt/xrt_fwd.bpf.o beside the installed sbin/,\n"
		   "               else %s)\n"
		   "  -f           stay in the foreground\n"
		   "  --sync-kernel  mirror the kernel's IPv6 addresses, routes and\n"
		   "               neighbours (as `xrt sync kernel on`)\n"
		   "  --xsk-rx-ring N, --xsk-tx-ring N, --xsk-fill-ring N, --xsk-comp-ring N\n"
		   "               AF_XDP ring sizes of every socket (one per attached\n"
		   "               queue; powers of two in " XSK_STR(XSK_RING_MIN) ".." XSK_STR(
			   XSK_RING_MAX) ", default " XSK_STR(XSK_RING_DEFAULT) "); each\n"
		   "               socket pins (fill + tx) x 4 KiB of UMEM\n"
		   "  --metrics [ADDR:]PORT  serve Prometheus metrics on http://ADDR:PORT/metrics\n"
		   "               (no ADDR: 127.0.0.1 and [::1]; [V6ADDR]:PORT for IPv6)\n"
		   "  --max-routes N  most routes (all tables, both families; default %u):\n"
		   "               the fast path's FIB grows with the table up to them\n"
		   "  --version    print the version and exit\n",
		XRT_RUN_DIR, XRT_CTL_SOCK_DEFAULT, XRT_BPFFS_DEFAULT, OBJ_INSTALLED,
		XRT_MAX_ROUTES);
}

/* getopt codes of --xsk-WORD, WORD being xsk_rings_set's. */
enum { OPT_XSK_RING = 0x100 };
static const char *const xsk_ring_words[] = { "rx-ring", "tx-ring", "fill-ring", "comp-ring" };

/* The object next to the build tree (build/xrtd -> ../bpf/), else the one
 * installed beside this binary (PREFIX/sbin/xrtd -> PREFIX/lib/xrt/, for any
 * PREFIX and DESTDIR), else the default PREFIX's. */
static const char *default_obj(char *buf, size_t len)
{
	static const char *const rel[] = { "../bpf/xrt_fwd.bpf.o", "../lib/xrt/xrt_fwd.bpf.o" };
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
				snprintf(buf, len, "%s/%s", exe, rel[i]);
				struct stat st;
				if (stat(buf, &st) == 0)
					return buf;
			}
		}
	}
	return OBJ_INSTALLED;
}

/*
 * Without -f: fork at once, and let the parent wait until the child reports
 * ready (exit 0) or dies (exit 1), so start-up errors still reach the shell.
 * Everything (epoll, signalfd, AF_XDP sockets and their UMEM) is created in
 * the child: a signalfd wakes epoll through its creator's signal queue, and
 * UMEM pages pinned by the parent are not the ones a forked child sees.
 * Returns the child's end of the readiness pipe, or -2 on error.
 */
static int background(void)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC)) {
		perror("xrtd: pipe");
		return -2;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("xrtd: fork");
		return -2;
	}
	if (pid > 0) {
		char ok;
		close(p[1]);
		_exit(read(p[0], &ok, 1) == 1 ? 0 : 1);
	}
	close(p[0]);
	setsid();
	if (chdir("/"))
		perror("xrtd: chdir");
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		close(null);
	}
	return p[1];
}

static int loop_fd_add(void *ctx, int fd)
{
	struct daemon *d = ctx;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EV(EV_XSK, fd) };
	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int loop_nl_fd_add(void *ctx, int fd)
{
	struct daemon *d = ctx;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EV(EV_NETLINK, fd) };
	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static void loop_fd_del(void *ctx, int fd)
{
	struct daemon *d = ctx;
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
}

static void on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;
	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			char err[XRT_ERR_LEN];
			if (config_reload(&d->router, err))
				xrtd_log(LOG_ERR, "reload: %s", err);
			else
				xrtd_log(LOG_INFO, "configuration reloaded");
		} else if (si.ssi_signo == SIGUSR2) {
			/* README "Upgrades": the next xrtd swaps these programs. */
			xrtd_log(LOG_INFO, "stopping for an upgrade: the XDP programs stay attached");
			d->router.keep_xdp = true;
			d->stop = true;
		} else {
			d->stop = true;
		}
	}
}

/* A frame the fast path punted: up the userspace stack. */
static void on_punt(const struct xrt_punt_meta *meta, int ifindex, const uint8_t *frame,
		    size_t len, void *arg)
{
	struct xrt_router *r = arg;
	/* `xrt trace`: the slow path's outcome for a traced packet. */
	bool traced = ctl_trace_punt_begin(ifindex, frame, len);
	router_punt_begin(r, meta, frame, len);
	stack_rx(meta, ifindex, frame, len);
	router_punt_end(r);
	if (traced)
		ctl_trace_punt_end();
}

/* One-shot timerfd at the stack's next deadline (disarmed when none). */
static void arm_timer(struct daemon *d)
{
	uint64_t ns = stack_timers_next();
	struct itimerspec its = { 0 };
	if (ns != UINT64_MAX) {
		if (ns == 0)
			ns = 1; /* 0 would disarm: run it at once instead */
		its.it_value.tv_sec = (time_t)(ns / 1000000000ull);
		its.it_value.tv_nsec = (long)(ns % 1000000000ull);
	}
	timerfd_settime(d->timerfd, 0, &its, NULL);
}

static void on_event(struct daemon *d, uint64_t tag)
{
	int fd = (int)(uint32_t)tag;
	switch (tag >> 32) {
	case EV_LISTEN: {
		int c = ctl_server_accept(&d->server);
		if (c >= 0) {
			struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EV(EV_CONN, c) };
			if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, c, &ev))
				ctl_server_drop(&d->server, c);
		} else if (c == -ENFILE && !d->server.paused) {
			/* Nothing could be shed: stop watching the listener
			 * for a while instead of spinning on it. */
			struct epoll_event ev = { .events = 0, .data.u64 = tag };
			epoll_ctl(d->epfd, EPOLL_CTL_MOD, d->server.listen_fd, &ev);
			d->server.paused = true;
			xrt_local_stats.listen_backoffs++;
		}
		break;
	}
	case EV_CONN:
		/* A closed connection leaves epoll by itself when its fd closes. */
		ctl_server_serve(&d->server, fd);
		break;
	case EV_SIGNAL:
		on_signal(d);
		break;
	case EV_TIMER: {
		uint64_t ticks;
		if (read(d->timerfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
			perror("xrtd: timerfd");
		stack_timers_run();
		break;
	}
	case EV_XSK:
		xsk_port_rx(fd, RX_BUDGET, on_punt, &d->router);
		break;
	case EV_NETLINK:
		nl_mirror_input(&d->router);
		break;
	case EV_LINKWATCH:
		linkwatch_input(&d->router, fd);
		break;
	case EV_SOCK:
		sock_server_run();
		break;
	case EV_TRACE:
		ctl_trace_poll();
		break;
	case EV_METRICS:
		metrics_run(&d->metrics);
		break;
	}
}

static int setup_fds(struct daemon *d, const char *sock, char *err)
{
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	d->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->epfd < 0 || d->sigfd < 0 || d->timerfd < 0) {
		xrt_err(err, "epoll/signalfd/timerfd: %s", strerror(errno));
		return -errno;
	}
	char warn[XRT_ERR_LEN];
	int rc = ctl_server_open(&d->server, &d->router, sock, warn, err);
	if (rc)
		return rc;
	if (warn[0])
		xrtd_log(LOG_WARNING, "%s", warn);
	struct epoll_event ev = { .events = EPOLLIN };
	ev.data.u64 = EV(EV_LISTEN, d->server.listen_fd);
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->server.listen_fd, &ev);
	ev.data.u64 = EV(EV_SIGNAL, d->sigfd);
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->sigfd, &ev);
	ev.data.u64 = EV(EV_TIMER, d->timerfd);
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->timerfd, &ev);
	d->linkfd = linkwatch_open(err);
	if (d->linkfd < 0)
		return d->linkfd;
	ev.data.u64 = EV(EV_LINKWATCH, d->linkfd);
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->linkfd, &ev);
	return 0;
}

/* getrlimit(2): the soft RLIMIT_NOFILE up to XRTD_NOFILE, raising the hard
 * limit too when allowed (CAP_SYS_RESOURCE), else up to the hard limit. */
static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur >= XRTD_NOFILE)
		return;
	struct rlimit want = { XRTD_NOFILE, rl.rlim_max > XRTD_NOFILE ? rl.rlim_max : XRTD_NOFILE };
	if (setrlimit(RLIMIT_NOFILE, &want)) {
		want.rlim_cur = want.rlim_max = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &want);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < XRTD_NOFILE_MIN)
		xrtd_log(LOG_WARNING, "warning: only %llu descriptors (RLIMIT_NOFILE)",
			 (unsigned long long)rl.rlim_cur);
}

/*
 * Until now the maps pinned by the previous run (the running generation)
 * kept forwarding while this run programmed its own: swap the program on
 * every interface that runs the old one and pin the new maps in their
 * place (dataplane/migrate.h). A failure leaves the old ones as they were.
 */
static int upgrade_commit(struct xrt_router *r, char *err)
{
	bool staged = xrt_maps_staged(&r->maps);
	int rc = xrt_maps_commit(&r->maps, err);
	char *line, *save = NULL, report[1024];

	snprintf(report, sizeof(report), "%s", xrt_migrate_report(&r->maps));
	for (line = strtok_r(report, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		xrtd_log(LOG_INFO, "upgrade: %s", line);
	if (rc) {
		xrtd_log(LOG_ERR, "upgrade: %s; the running fast path is unchanged", err);
		return rc;
	}
	if (staged)
		for (unsigned s = 1; s < XRT_MAX_IFACES; s++)
			if (r->links[s])
				link_xdp_refresh(r, r->links[s]);
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Listeners paused by ENFILE get back into epoll after the backoff. */
static void resume_listeners(struct daemon *d)
{
	if (d->server.paused) {
		struct epoll_event ev = { .events = EPOLLIN,
					  .data.u64 = EV(EV_LISTEN, d->server.listen_fd) };
		epoll_ctl(d->epfd, EPOLL_CTL_MOD, d->server.listen_fd, &ev);
		d->server.paused = false;
	}
	sock_server_resume();
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "bpffs", required_argument, NULL, 'B' },
		{ "obj", required_argument, NULL, 'O' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "sync-kernel", no_argument, NULL, 'k' },
		{ "xsk-rx-ring", required_argument, NULL, OPT_XSK_RING + 0 },
		{ "xsk-tx-ring", required_argument, NULL, OPT_XSK_RING + 1 },
		{ "xsk-fill-ring", required_argument, NULL, OPT_XSK_RING + 2 },
		{ "xsk-comp-ring", required_argument, NULL, OPT_XSK_RING + 3 },
		{ "metrics", required_argument, NULL, 'M' },
		{ "max-routes", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct xsk_rings rings = XSK_RINGS_DEFAULT;
	char err[XRT_ERR_LEN];
	const char *config = NULL, *sock = XRT_CTL_SOCK_DEFAULT, *bpffs = XRT_BPFFS_DEFAULT;
	const char *obj = NULL, *metrics = NULL;
	bool foreground = false, sync_kernel = false;
	unsigned long long max_routes = XRT_MAX_ROUTES;
	char *end;
	int c;
	while ((c = getopt_long(argc, argv, "c:s:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 's': sock = optarg; break;
		case 'B': bpffs = optarg; break;
		case 'O': obj = optarg; break;
		case 'f': foreground = true; break;
		case 'k': sync_kernel = true; break;
		case OPT_XSK_RING + 0:
		case OPT_XSK_RING + 1:
		case OPT_XSK_RING + 2:
		case OPT_XSK_RING + 3:
			if (xsk_rings_set(&rings, xsk_ring_words[c - OPT_XSK_RING], optarg, err)) {
				fprintf(stderr, "xrtd: --xsk-%s\n", err);
				return 1;
			}
			break;
		case 'M': metrics = optarg; break;
		case 'R':
			errno = 0;
			max_routes = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || !max_routes ||
			    max_routes > XRT_FIB6_E_IDX) {
				fprintf(stderr,
					"xrtd: --max-routes \"%s\": must be a number from 1 to %u\n",
					optarg, XRT_FIB6_E_IDX);
				return 1;
			}
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("xrtd %s\n", XRT_VERSION); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "xrtd: unexpected argument \"%s\"\n", argv[optind]);
		return 1;
	}
	if (xsk_rings_check(&rings, err)) {
		fprintf(stderr, "xrtd: --xsk-%s\n", err);
		return 1;
	}
	char objbuf[PATH_MAX + 32], confbuf[PATH_MAX];
	if (!obj)
		obj = default_obj(objbuf, sizeof(objbuf));
	/* Reloads re-open the file after the daemon left its directory. */
	if (config && realpath(config, confbuf))
		config = confbuf;
	xrtd_log_open();
	xrt_accept_reserve();
	raise_nofile();
	int ready_fd = foreground ? -1 : background();
	if (ready_fd == -2)
		return 1;

	static struct daemon d;
	/* What is up, for the one teardown below (start-up failures and
	 * shutdown alike). */
	bool router_up = false, pool_up = false, stack_up = false;
	int sockfd = -1, status = 1;
	d.epfd = d.sigfd = d.timerfd = d.linkfd = -1;
	d.server.listen_fd = -1;
	d.metrics.epfd = -1;
	/* Cheap, user-facing checks first: the socket (a second xrtd in the
	 * namespace stops here before touching the maps the first one owns),
	 * then the configuration's syntax; only then the BPF object and
	 * AF_XDP, whose sockets pin a UMEM each. */
	int rc = setup_fds(&d, sock, err);
	if (rc)
		goto fail;
	if (config && (rc = config_check(config, err)))
		goto fail;
	/* A wrong address or a port in use stops us here too. Nothing is
	 * scraped before the loop runs, when the router is up. */
	if (metrics) {
		char mwarn[XRT_ERR_LEN];
		if ((rc = metrics_open(&d.metrics, &d.router, metrics, mwarn, err)))
			goto fail;
		if (mwarn[0])
			xrtd_log(LOG_WARNING, "%s", mwarn);
		struct epoll_event mev = { .events = EPOLLIN,
					   .data.u64 = EV(EV_METRICS, d.metrics.epfd) };
		if (epoll_ctl(d.epfd, EPOLL_CTL_ADD, d.metrics.epfd, &mev)) {
			rc = -errno;
			xrt_err(err, "metrics: epoll: %s", strerror(errno));
			goto fail;
		}
	}
	rc = router_init(&d.router, obj, bpffs, err);
	if (rc)
		goto fail;
	router_up = true;
	/* The ceiling of the RIB and of the fast path's FIB alike. */
	rib_set_max_routes(d.router.rib, max_routes);
	fib6_set_max_routes(d.router.maps.fib, max_routes);
	d.router.loop = (struct router_loop_ops){
		.ctx = &d, .fd_add = loop_fd_add, .nl_fd_add = loop_nl_fd_add,
		.fd_del = loop_fd_del,
	};
	d.router.events = (struct router_event_ops){ .ctx = &d.router, .fn = ctl_monitor_event };
	if ((rc = xsk_pool_create(&rings, err))) {
		xrtd_log(LOG_ERR, "AF_XDP: %s", err);
		goto out;
	}
	pool_up = true;
	d.router.xsk_ready = true;
	struct stack_env env;
	router_stack_env(&d.router, &env);
	if ((rc = stack_init(&env))) {
		xrtd_log(LOG_ERR, "stack_init failed (%d)", rc);
		goto out;
	}
	stack_up = true;
	/* Applications' sockets (userspace/sock/README): their own epoll set, one fd
	 * here. Without them the router still routes, so a failure only warns. */
	char warn[XRT_ERR_LEN];
	sockfd = sock_server_open(sock, warn, err);
	if (warn[0])
		xrtd_log(LOG_WARNING, "%s", warn);
	if (sockfd < 0) {
		xrtd_log(LOG_WARNING, "application sockets disabled: %s", err);
	} else {
		struct epoll_event sev = { .events = EPOLLIN, .data.u64 = EV(EV_SOCK, sockfd) };
		epoll_ctl(d.epfd, EPOLL_CTL_ADD, sockfd, &sev);
	}
	if (config && (rc = config_load(&d.router, config, err)))
		goto fail;
	if (sync_kernel && (rc = nl_mirror_start(&d.router, err))) {
		xrtd_log(LOG_ERR, "kernel sync: %s", err);
		goto out;
	}
	if ((rc = upgrade_commit(&d.router, err)))
		goto fail;
	/* `xrt trace`: the fast path's trace ring (refused sessions without it),
	 * opened from the pins, which are this run's only once committed. */
	int tracefd = ctl_trace_init(&d.router, err);
	if (tracefd < 0) {
		xrtd_log(LOG_WARNING, "xrt trace disabled: %s", err);
	} else {
		struct epoll_event tev = { .events = EPOLLIN, .data.u64 = EV(EV_TRACE, tracefd) };
		epoll_ctl(d.epfd, EPOLL_CTL_ADD, tracefd, &tev);
	}
	if (ready_fd >= 0) {
		/* Tell the waiting parent that we are up; it exits 0. */
		if (write(ready_fd, "", 1) != 1)
			perror("xrtd: readiness pipe");
		close(ready_fd);
	}
	xrtd_log(LOG_INFO, "ready on %s (version %s, obj %s, bpffs %s)", d.server.path, XRT_VERSION,
		 obj, bpffs);
	/* sd_notify(3): Type=notify units are started once the control socket
	 * accepts and the configuration is applied, i.e. now. */
	if (xrtd_notify("READY=1\nSTATUS=ready") < 0)
		xrtd_log(LOG_WARNING, "NOTIFY_SOCKET: cannot send READY=1");

	struct epoll_event evs[MAX_EVENTS];
	uint64_t resume_at = 0; /* ms, CLOCK_MONOTONIC; 0 = no listener paused */
	bool monitors_pending = false;
	while (!d.stop) {
		/* A monitor whose socket was full is retried this often. */
		int timeout = monitors_pending ? MONITOR_RETRY_MS : -1;
		if (d.server.paused || sock_server_paused()) {
			uint64_t now = now_ms();
			if (!resume_at)
				resume_at = now + XRT_LISTEN_BACKOFF_MS;
			int left = resume_at > now ? (int)(resume_at - now) : 0;
			timeout = timeout >= 0 && timeout < left ? timeout : left;
		}
		int trace_left = ctl_trace_timeout_ms();
		if (trace_left >= 0 && (timeout < 0 || trace_left < timeout))
			timeout = trace_left;
		int n = epoll_wait(d.epfd, evs, MAX_EVENTS, timeout);
		if (n < 0 && errno != EINTR) {
			perror("xrtd: epoll_wait");
			break;
		}
		if (resume_at && now_ms() >= resume_at) {
			resume_listeners(&d);
			resume_at = 0;
		}
		for (int i = 0; i < n; i++)
			on_event(&d, evs[i].data.u64);
		xsk_tx_reclaim();
		arm_timer(&d);
		monitors_pending = ctl_monitor_flush();
		ctl_trace_expire();
	}
	xrtd_notify("STOPPING=1");
	xrtd_log(LOG_INFO, "shutting down");
	status = 0;
	goto out;

fail:
	xrtd_log(LOG_ERR, "%s", err);
out:
	/* Not the reverse of start-up: router_fini closes the links' AF_XDP
	 * sockets, which must go before the UMEM they share. */
	if (d.server.listen_fd >= 0)
		ctl_server_close(&d.server);
	ctl_trace_fini();
	if (d.metrics.epfd >= 0)
		metrics_close(&d.metrics);
	if (sockfd >= 0)
		sock_server_close();
	if (router_up)
		router_fini(&d.router);
	if (stack_up)
		stack_fini();
	if (pool_up)
		xsk_pool_destroy();
	linkwatch_close(d.linkfd);
	if (d.timerfd >= 0)
		close(d.timerfd);
	if (d.sigfd >= 0)
		close(d.sigfd);
	if (d.epfd >= 0)
		close(d.epfd);
	return status;
}
