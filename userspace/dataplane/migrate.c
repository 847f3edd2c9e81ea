/* xrt: replacing the running generation's maps and programs with a new object's (bpf_xdp_attach XDP_FLAGS_REPLACE, libxdp dispatcher), counters carried. */
#include "dataplane/migrate.h"
#include "dataplane/loader.h"
#include "dataplane/xdp.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

/* A map of the running generation, opened from its pin. */
struct old_map {
	char name[XRT_STAMP_NAME];
	int fd;
	struct bpf_map_info info;
};

/* One interface whose program the commit replaced. */
struct swap {
	int ifindex;
	bool dispatcher;      /* joined the dispatcher, old one still in it */
	enum xrt_xdp_mode mode;
	int old_fd;           /* the replaced program, for the way back */
	uint32_t old_id;
	bool done;            /* swapped (else only found) */
	char ifname[IF_NAMESIZE];
};

/* A map of the new set and the name it is pinned by (its name, or another
 * name a loader set with bpf_map__set_pin_path). */
struct new_pin {
	const struct bpf_map *map;
	char name[XRT_STAMP_NAME];
};

struct xrt_migration {
	bool staged;
	unsigned npins;
	struct new_pin pins[XRT_STAMP_MAX];
	unsigned nold;
	struct old_map old[XRT_STAMP_MAX];
	struct xrt_map_stamp stamp[XRT_STAMP_MAX]; /* the old set's */
	bool stamped;
	uint32_t prev_fib_id;
	unsigned nswaps;
	struct swap swaps[XRT_MAX_IFACES];
	char report[1024];
};

static void note(struct xrt_migration *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct xrt_migration *g, const char *fmt, ...)
{
	size_t n = strlen(g->report);
	va_list ap;

	if (n + 2 >= sizeof(g->report))
		return;
	va_start(ap, fmt);
	vsnprintf(g->report + n, sizeof(g->report) - n - 1, fmt, ap);
	va_end(ap);
	strcat(g->report, "\n");
}

bool xrt_maps_staged(const struct xrt_maps *m)
{
	return m->mig && m->mig->staged;
}

uint32_t xrt_migrate_prev_fib_id(const struct xrt_maps *m)
{
	return xrt_maps_staged(m) ? m->mig->prev_fib_id : 0;
}

const char *xrt_migrate_report(const struct xrt_maps *m)
{
	return m->mig ? m->mig->report : "";
}

static void old_close(struct xrt_migration *g)
{
	for (unsigned i = 0; i < g->nold; i++)
		if (g->old[i].fd >= 0)
			close(g->old[i].fd);
	g->nold = 0;
}

void xrt_migrate_free(struct xrt_maps *m)
{
	if (!m->mig)
		return;
	for (unsigned i = 0; i < m->mig->nswaps; i++)
		if (m->mig->swaps[i].old_fd >= 0)
			close(m->mig->swaps[i].old_fd);
	old_close(m->mig);
	free(m->mig);
	m->mig = NULL;
}

static const struct old_map *old_find(const struct xrt_migration *g, const char *name)
{
	for (unsigned i = 0; i < g->nold; i++)
		if (!strcmp(g->old[i].name, name))
			return &g->old[i];
	return NULL;
}

static const struct xrt_map_stamp *stamp_find(const struct xrt_migration *g, const char *name)
{
	for (unsigned i = 0; g->stamped && i < XRT_STAMP_MAX; i++)
		if (g->stamp[i].abi && !strncmp(g->stamp[i].name, name, XRT_STAMP_NAME))
			return &g->stamp[i];
	return NULL;
}

/* The pins of a set: "xrt_" names (other objects may share tc/globals). */
static bool is_set_pin(const char *name)
{
	return !strncmp(name, "xrt_", 4) && strlen(name) < XRT_STAMP_NAME;
}

/* Is fd a BPF map (its fdinfo has map_type, a program's has prog_type)? */
static bool fd_is_map(int fd)
{
	char path[64], line[128];
	bool map = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!map && fgets(line, sizeof(line), f))
		map = !strncmp(line, "map_type:", strlen("map_type:"));
	fclose(f);
	return map;
}

int xrt_migrate_open(struct xrt_maps *m, char *err)
{
	struct xrt_migration *g = calloc(1, sizeof(*g));
	struct dirent *e;
	char path[512];
	DIR *d;

	if (!g)
		return xrt_fail(err, -ENOMEM, "migration: out of memory");
	m->mig = g;
	d = opendir(m->pin_dir);
	if (!d)
		return errno == ENOENT ? 0 : xrt_fail(err, -errno, "%s: %s", m->pin_dir,
						      strerror(errno));
	while ((e = readdir(d))) {
		struct old_map *o = &g->old[g->nold];
		uint32_t len = sizeof(o->info);

		if (!is_set_pin(e->d_name))
			continue;
		if (g->nold == XRT_STAMP_MAX) {
			closedir(d);
			return xrt_fail(err, -E2BIG, "%s: more than %d xrt_ pins", m->pin_dir,
					XRT_STAMP_MAX);
		}
		snprintf(path, sizeof(path), "%s/%s", m->pin_dir, e->d_name);
		memset(&o->info, 0, sizeof(o->info));
		o->fd = bpf_obj_get(path);
		if (o->fd < 0) {
			int rc = -errno;
			closedir(d);
			return xrt_fail(err, rc, "%s: %s", path, strerror(-rc));
		}
		/* A pinned program or link answers with another info. */
		if (!fd_is_map(o->fd) || bpf_obj_get_info_by_fd(o->fd, &o->info, &len)) {
			close(o->fd);
			continue;
		}
		snprintf(o->name, sizeof(o->name), "%s", e->d_name);
		g->nold++;
	}
	closedir(d);
	const struct old_map *st = old_find(g, XRT_MAP_STAMP);
	if (st && st->info.value_size == sizeof(struct xrt_map_stamp))
		for (uint32_t k = 0; k < XRT_STAMP_MAX && k < st->info.max_entries; k++)
			if (!bpf_map_lookup_elem(st->fd, &k, &g->stamp[k]) && g->stamp[k].abi)
				g->stamped = true;
	const struct old_map *fib = old_find(g, XRT_MAP_FIB6_DP);
	g->prev_fib_id = fib ? fib->info.id : 0;
	g->staged = g->nold > 0;
	return g->staged;
}

/*
 * The sizes this build reads and writes: a map of another size is refused
 * (its setters would write past the value, its readers read garbage).
 * xrt_stats may be longer: a newer object appends counters, and
 * xrt_maps_stats_read reads the ones this build names.
 */
static const struct {
	const char *name;
	uint32_t key, value;
} map_sizes[] = {
	{ XRT_MAP_NH, sizeof(__u32), sizeof(struct xrt_nh) },
	{ XRT_MAP_NH_GRP, sizeof(__u32), sizeof(struct xrt_nh_grp) },
	{ XRT_MAP_NEIGH6, sizeof(struct xrt_neigh6_key), sizeof(struct xrt_neigh6_val) },
	{ XRT_MAP_IFACES, sizeof(__u32), sizeof(struct xrt_iface) },
	{ XRT_MAP_IFACES_DIR, sizeof(__u32), sizeof(struct xrt_iface) },
	{ XRT_MAP_PUNT_CFG, sizeof(__u32), sizeof(struct xrt_punt_cfg) },
	{ XRT_MAP_PUNT_TB, sizeof(__u32), sizeof(struct xrt_punt_tb) },
	{ XRT_MAP_LOCAL6, sizeof(struct xrt_local6_key), sizeof(__u32) },
	{ XRT_MAP_TCP_ESTAB, sizeof(struct xrt_tcp_estab_key), sizeof(__u32) },
	{ XRT_MAP_STAMP, sizeof(__u32), sizeof(struct xrt_map_stamp) },
	{ XRT_MAP_STATS, sizeof(__u32), 0 },
};

static int map_info(int fd, struct bpf_map_info *info)
{
	uint32_t len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

static int check_sizes(struct xrt_maps *m, char *err)
{
	for (size_t i = 0; i < sizeof(map_sizes) / sizeof(map_sizes[0]); i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(m->obj, map_sizes[i].name);
		uint32_t want = map_sizes[i].value;
		struct bpf_map_info info;

		if (!map)
			continue; /* maps_open_fds names the ones required */
		if (map_info(bpf_map__fd(map), &info))
			return xrt_fail(err, -errno, "%s: %s", map_sizes[i].name, strerror(errno));
		if (!want && info.value_size >= sizeof(struct xrt_stats) &&
		    info.value_size % sizeof(__u64) == 0 && info.key_size == map_sizes[i].key)
			continue;
		if (info.key_size != map_sizes[i].key || (want && info.value_size != want))
			return xrt_fail(err, -EPROTO,
					"%s: map %s has %u-byte keys and %u-byte values, this xrtd "
					"reads %u and %zu: run the xrtd built with that object",
					m->obj_path, map_sizes[i].name, info.key_size, info.value_size,
					map_sizes[i].key,
					want ? (size_t)want : sizeof(struct xrt_stats));
	}
	return 0;
}

/* The name map is pinned by in the set, or NULL: what the loader asked
 * libbpf to pin (LIBBPF_PIN_BY_NAME, or a path it set), recorded by
 * xrt_migrate_take_pins for a staged load. */
static const char *map_pin_name(const struct xrt_maps *m, const struct bpf_map *map)
{
	if (m->mig) {
		for (unsigned i = 0; i < m->mig->npins; i++)
			if (m->mig->pins[i].map == map)
				return m->mig->pins[i].name;
		return NULL;
	}
	const char *path = bpf_map__pin_path(map), *slash = path ? strrchr(path, '/') : NULL;
	return slash ? slash + 1 : path;
}

static bool new_pin_named(const struct xrt_maps *m, const char *name)
{
	for (unsigned i = 0; i < m->mig->npins; i++)
		if (!strcmp(m->mig->pins[i].name, name))
			return true;
	return false;
}

int xrt_migrate_take_pins(struct xrt_maps *m, struct bpf_object *obj, char *err)
{
	struct xrt_migration *g = m->mig;
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		const char *path = bpf_map__pin_path(map), *slash;

		if (!path)
			continue;
		if (g->npins == XRT_STAMP_MAX)
			return xrt_fail(err, -E2BIG, "%s: more than %d pinned maps", m->obj_path,
					XRT_STAMP_MAX);
		slash = strrchr(path, '/');
		g->pins[g->npins].map = map;
		snprintf(g->pins[g->npins].name, sizeof(g->pins[0].name), "%s",
			 slash ? slash + 1 : path);
		g->npins++;
		bpf_map__set_pin_path(map, NULL);
	}
	return 0;
}

/* Describe the set in xrt_stamp (include/xrt/maps.h). */
static int stamp_write(struct xrt_maps *m, char *err)
{
	int fd = bpf_object__find_map_fd_by_name(m->obj, XRT_MAP_STAMP);
	struct bpf_map *map;
	uint32_t k = 0;

	if (fd < 0)
		return 0; /* an object from before the stamp */
	bpf_object__for_each_map(map, m->obj) {
		struct xrt_map_stamp s = { .abi = XRT_MAPS_ABI };
		struct bpf_map_info info;

		const char *pin = map_pin_name(m, map);

		if (!pin)
			continue;
		if (k == XRT_STAMP_MAX) {
			/* The next loader compares those by bpf_map_info only. */
			if (m->mig)
				note(m->mig, "%s: not stamped (more than %d maps)",
				     bpf_map__name(map), XRT_STAMP_MAX);
			continue;
		}
		if (map_info(bpf_map__fd(map), &info))
			return xrt_fail(err, -errno, "%s: %s", pin, strerror(errno));
		snprintf(s.name, sizeof(s.name), "%s", pin);
		s.type = info.type;
		s.key_size = info.key_size;
		s.value_size = info.value_size;
		s.max_entries = info.max_entries;
		s.map_flags = info.map_flags;
		if (!strcmp(s.name, XRT_MAP_STATS)) {
			s.sections[0] = XRT_MIB_MAX;
			s.sections[1] = XRT_PUNT_MAX;
			s.sections[2] = XRT_DROP_MAX;
			s.sections[3] = XRT_PASS_MAX;
		}
		if (bpf_map_update_elem(fd, &k, &s, BPF_ANY))
			return xrt_fail(err, -errno, "%s: %s", XRT_MAP_STAMP, strerror(errno));
		k++;
	}
	return 0;
}

/* What differs between the running generation's set and the new one. */
static void describe_layouts(struct xrt_maps *m)
{
	struct xrt_migration *g = m->mig;
	struct bpf_map *map;
	unsigned changed = 0;

	bpf_object__for_each_map(map, m->obj) {
		const struct old_map *o;
		struct bpf_map_info n;

		const char *pin = map_pin_name(m, map);

		if (!pin || map_info(bpf_map__fd(map), &n))
			continue;
		o = old_find(g, pin);
		if (!o) {
			note(g, "%s: new map", pin);
			changed++;
			continue;
		}
#define DIFF(field)                                                                     \
	if (o->info.field != n.field) {                                                 \
		note(g, "%s: " #field " %u -> %u", o->name, o->info.field, n.field); \
		changed++;                                                              \
	}
		DIFF(type) DIFF(key_size) DIFF(value_size) DIFF(max_entries) DIFF(map_flags)
#undef DIFF
	}
	for (unsigned i = 0; i < g->nold; i++)
		if (!new_pin_named(m, g->old[i].name)) {
			note(g, "%s: gone", g->old[i].name);
			changed++;
		}
	if (!changed)
		note(g, "same map layouts as the pinned set");
}

/* bpffs refuses dots in names (bpf_lookup: reserved), and "xrt_" names are
 * the set's: the temporary pins are "new_xrt_...". */
#define XRT_PIN_TMP "new_"

/* A map's pin path, or its temporary one. */
static void pin_path(const struct xrt_maps *m, const char *pin, bool tmp, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s%s", m->pin_dir, tmp ? XRT_PIN_TMP : "", pin);
}

/*
 * The new set's pins: STAGE pins every map under its temporary name (what
 * can fail), DROP removes those, PUBLISH renames each over the old pin
 * (bpffs renames replace the target: a reader opening a pin gets the old
 * map or the new one).
 */
enum pin_op { PIN_STAGE, PIN_DROP, PIN_PUBLISH };
static int pins_apply(struct xrt_maps *m, enum pin_op op, char *err)
{
	char tmp[512], path[512];
	struct bpf_map *map;
	int rc = 0;

	bpf_object__for_each_map(map, m->obj) {
		const char *pin = map_pin_name(m, map);

		if (!pin)
			continue;
		pin_path(m, pin, true, tmp, sizeof(tmp));
		pin_path(m, pin, false, path, sizeof(path));
		if (op != PIN_PUBLISH)
			unlink(tmp); /* STAGE: left by a daemon killed here */
		if (op == PIN_STAGE && bpf_obj_pin(bpf_map__fd(map), tmp)) {
			rc = xrt_fail(err, -errno, "%s: pin: %s", tmp, strerror(errno));
			break;
		}
		if (op == PIN_PUBLISH && rename(tmp, path) && !rc)
			rc = xrt_fail(err, -errno, "%s: rename: %s", path, strerror(errno));
	}
	return rc;
}

/* On failure no temporary pin is left. */
static int pins_stage(struct xrt_maps *m, char *err)
{
	int rc = pins_apply(m, PIN_STAGE, err);

	if (rc)
		pins_apply(m, PIN_DROP, NULL);
	return rc;
}

/* Then remove the pins of maps the new object no longer has. */
static int pins_publish(struct xrt_maps *m, char *err)
{
	struct xrt_migration *g = m->mig;
	int rc = pins_apply(m, PIN_PUBLISH, err);
	char path[512];

	for (unsigned i = 0; g && i < g->nold; i++)
		if (!new_pin_named(m, g->old[i].name)) {
			snprintf(path, sizeof(path), "%s/%s", m->pin_dir, g->old[i].name);
			unlink(path);
		}
	return rc;
}

int xrt_migrate_prepare(struct xrt_maps *m, char *err)
{
	int rc = check_sizes(m, err);

	if (!rc)
		rc = stamp_write(m, err);
	if (rc)
		return rc;
	if (xrt_maps_staged(m))
		describe_layouts(m);
	else if (m->mig)
		/* No running generation: the first set. */
		return pins_stage(m, err) ?: pins_publish(m, err);
	return 0;
}

/* ---- the commit: swap, carry, pin ---- */

static int prog_mode_flags(enum xrt_xdp_mode mode)
{
	return mode == XRT_XDP_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
}

static enum xdp_attach_mode libxdp_mode(enum xrt_xdp_mode mode)
{
	return mode == XRT_XDP_GENERIC ? XDP_MODE_SKB : XDP_MODE_NATIVE;
}

static uint32_t new_fib_id(struct xrt_maps *m)
{
	struct bpf_map_info info;

	return map_info(m->fib6, &info) ? 0 : info.id;
}

/* The program of ifindex's libxdp dispatcher that uses map map_id, or 0. */
static uint32_t dispatcher_prog_using(int ifindex, uint32_t map_id)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p = NULL;
	uint32_t id = 0;

	if (libxdp_get_error(mp) || !mp)
		return 0;
	if (!xdp_multiprog__is_legacy(mp))
		while ((p = xdp_multiprog__next_prog(p, mp)))
			if (xrt_xdp_prog_uses_map(xdp_program__id(p), map_id))
				id = xdp_program__id(p);
	xdp_multiprog__close(mp);
	return id;
}

/* Put the running generation's program back where the new one replaced it. */
static void swaps_undo(struct xrt_maps *m)
{
	struct xrt_migration *g = m->mig;

	while (g->nswaps) {
		struct swap *s = &g->swaps[--g->nswaps];

		if (!s->done) {
			/* found, never swapped */
		} else if (s->dispatcher) {
			/* The old program is still in the dispatcher: take the
			 * new one out. */
			uint32_t id = dispatcher_prog_using(s->ifindex, new_fib_id(m));
			struct xdp_program *p = id ? xdp_program__from_id(id) : NULL;
			if (p && !libxdp_get_error(p)) {
				xdp_program__detach(p, s->ifindex, libxdp_mode(s->mode), 0);
				xdp_program__close(p);
			}
		} else {
			LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = m->prog_fd);
			bpf_xdp_attach(s->ifindex, s->old_fd,
				       XDP_FLAGS_REPLACE | prog_mode_flags(s->mode), &o);
		}
		if (s->old_fd >= 0)
			close(s->old_fd);
	}
}

/* Does the running generation's program run on ifindex (alone, or in a
 * libxdp dispatcher)? Fills s. */
static bool runs_old(struct xrt_maps *m, int ifindex, struct swap *s)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	uint32_t id;

	if (bpf_xdp_query(ifindex, 0, &q))
		return false;
	id = q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id;
	if (!id)
		return false;
	*s = (struct swap){ .ifindex = ifindex, .old_fd = -1,
			    .mode = q.drv_prog_id ? XRT_XDP_NATIVE : XRT_XDP_GENERIC };
	if (xrt_xdp_prog_uses_map(id, m->mig->prev_fib_id)) {
		s->old_id = id;
		return true;
	}
	s->old_id = dispatcher_prog_using(ifindex, m->mig->prev_fib_id);
	s->dispatcher = s->old_id != 0;
	return s->dispatcher;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* One interface: an atomic replace of the program alone (the kernel's
 * dev_xdp_attach with XDP_FLAGS_REPLACE: a frame runs the old program or
 * the new one), or, in a dispatcher, the new program joined beside the old
 * (libxdp replaces the dispatcher atomically) before the old one leaves. */
static int swap_one(struct xrt_maps *m, struct swap *s, char *err)
{
	int rc;

	if (s->dispatcher) {
		int arc;
		rc = xrt_xdp_attach_copy(m, s->ifindex, s->mode, &arc, err);
		if (rc)
			return rc;
		return arc ? xrt_fail(err, arc, "%s: joining the dispatcher: %s", s->ifname,
				      strerror(-arc)) : 0;
	}
	LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = s->old_fd);
	rc = bpf_xdp_attach(s->ifindex, m->prog_fd, XDP_FLAGS_REPLACE | prog_mode_flags(s->mode),
			    &o);
	if (rc)
		return xrt_fail(err, rc, "%s: replacing program %u: %s", s->ifname, s->old_id,
				strerror(-rc));
	return 0;
}

/* In a dispatcher, the old program leaves once the new one runs beside it. */
static void swaps_finish(struct xrt_maps *m)
{
	struct xrt_migration *g = m->mig;

	for (unsigned i = 0; i < g->nswaps; i++) {
		struct swap *s = &g->swaps[i];
		struct xdp_program *p;

		if (!s->dispatcher)
			continue;
		p = xdp_program__from_id(s->old_id);
		if (libxdp_get_error(p) || !p ||
		    xdp_program__detach(p, s->ifindex, libxdp_mode(s->mode), 0))
			note(g, "ifindex %d: the old program %u stays in the dispatcher beside "
				"the new one (detach failed)", s->ifindex, s->old_id);
		if (!libxdp_get_error(p) && p)
			xdp_program__close(p);
	}
}

/* Every interface that runs the running generation's program, with a
 * reference to that program (the way back). */
static int swaps_find(struct xrt_maps *m, char *err)
{
	struct xrt_migration *g = m->mig;
	struct if_nameindex *ifs = if_nameindex(), *i;
	int rc = 0;

	if (!ifs)
		return xrt_fail(err, -errno, "interfaces: %s", strerror(errno));
	for (i = ifs; i->if_index && !rc; i++) {
		struct swap *s = &g->swaps[g->nswaps];

		if (g->nswaps == XRT_MAX_IFACES) {
			rc = xrt_fail(err, -E2BIG, "more than %d interfaces run xrt", XRT_MAX_IFACES);
			break;
		}
		if (!runs_old(m, (int)i->if_index, s))
			continue;
		snprintf(s->ifname, sizeof(s->ifname), "%s", i->if_name);
		s->old_fd = bpf_prog_get_fd_by_id(s->old_id);
		if (s->old_fd < 0)
			rc = xrt_fail(err, -errno, "%s: program %u: %s", s->ifname, s->old_id,
				      strerror(errno));
		else
			g->nswaps++;
	}
	if_freenameindex(ifs);
	return rc;
}

/* Swap them back to back: the window in which interfaces run different
 * generations is the time of these calls only. */
static int swap_all(struct xrt_maps *m, uint64_t *window_us, char *err)
{
	struct xrt_migration *g = m->mig;
	int rc = swaps_find(m, err);
	uint64_t t0 = now_us();

	for (unsigned i = 0; !rc && i < g->nswaps; i++) {
		rc = swap_one(m, &g->swaps[i], err);
		g->swaps[i].done = !rc;
	}
	*window_us = now_us() - t0;
	if (rc)
		swaps_undo(m);
	return rc;
}

/*
 * Add the running generation's per-CPU values into the new map's: old word
 * w goes to new word wmap[w] (-1: dropped). The new program counts into the
 * same values meanwhile, so an increment that lands between this lookup
 * and update is lost (microseconds); none is counted twice.
 */
static int carry_percpu(const struct old_map *o, int new_fd, uint32_t new_vsize,
			uint32_t entries, const int *wmap, char *err)
{
	int ncpus = libbpf_num_possible_cpus();
	size_t ow = (o->info.value_size + 7) / 8, nw = (new_vsize + 7) / 8;
	uint64_t *ov, *nv;
	int rc = 0;

	if (ncpus <= 0)
		return xrt_fail(err, -EINVAL, "cannot count CPUs");
	ov = calloc((size_t)ncpus * ow, sizeof(*ov));
	nv = calloc((size_t)ncpus * nw, sizeof(*nv));
	for (uint32_t k = 0; ov && nv && k < entries && !rc; k++) {
		if (bpf_map_lookup_elem(o->fd, &k, ov) || bpf_map_lookup_elem(new_fd, &k, nv)) {
			rc = xrt_fail(err, -errno, "%s[%u]: %s", o->name, k, strerror(errno));
			break;
		}
		for (int c = 0; c < ncpus; c++)
			for (size_t w = 0; w < ow; w++)
				if (wmap[w] >= 0)
					nv[(size_t)c * nw + (size_t)wmap[w]] += ov[(size_t)c * ow + w];
		if (bpf_map_update_elem(new_fd, &k, nv, BPF_ANY))
			rc = xrt_fail(err, -errno, "%s[%u]: %s", o->name, k, strerror(errno));
	}
	if (!ov || !nv)
		rc = xrt_fail(err, -ENOMEM, "%s: out of memory", o->name);
	free(ov);
	free(nv);
	return rc;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/*
 * xrt_stats: section by section (MIB, punt, drop, pass; each grows at its
 * end) when the old set's stamp says how it was cut, word for word when
 * the value is the same size; otherwise the old counters cannot be placed.
 */
static void carry_stats(struct xrt_maps *m)
{
	struct xrt_migration *g = m->mig;
	const struct old_map *o = old_find(g, XRT_MAP_STATS);
	const struct xrt_map_stamp *os = stamp_find(g, XRT_MAP_STATS);
	const uint32_t nsec[4] = { XRT_MIB_MAX, XRT_PUNT_MAX, XRT_DROP_MAX, XRT_PASS_MAX };
	struct bpf_map_info n;
	char err[XRT_ERR_LEN];
	int *wmap;

	if (!o || o->info.type != BPF_MAP_TYPE_PERCPU_ARRAY || map_info(m->stats, &n))
		return;
	size_t ow = (o->info.value_size + 7) / 8, nw = (n.value_size + 7) / 8;
	wmap = malloc(ow * sizeof(*wmap));
	if (!wmap)
		return;
	bool by_section = os && os->sections[0];
	for (size_t w = 0; w < ow; w++)
		wmap[w] = !by_section && o->info.value_size == n.value_size ? (int)w : -1;
	const char *how = "word for word";
	if (by_section) {
		uint32_t oo = 0, no = 0;
		for (int s = 0; s < 4; s++) {
			for (uint32_t i = 0; i < min_u32(os->sections[s], nsec[s]); i++)
				if (oo + i < ow && no + i < nw)
					wmap[oo + i] = (int)(no + i);
			oo += os->sections[s];
			no += nsec[s];
		}
		/* Counters past the sections (a newer object's): in order. */
		for (uint32_t i = 0; oo + i < ow && no + i < nw; i++)
			wmap[oo + i] = (int)(no + i);
		how = "section by section";
	} else if (o->info.value_size != n.value_size) {
		note(g, "%s: counters not carried: %u-byte values without a stamp saying "
			"how they are cut", o->name, o->info.value_size);
		free(wmap);
		return;
	}
	if (carry_percpu(o, m->stats, n.value_size, min_u32(o->info.max_entries, n.max_entries),
			 wmap, err))
		note(g, "%s: counters not carried: %s", o->name, err);
	else
		note(g, "%s: counters carried %s (%u -> %u bytes)", o->name, how,
		     o->info.value_size, n.value_size);
	free(wmap);
}

/* xrt_punt_tb: the refused-packet counts ('limited'); the buckets refill. */
static void carry_punt_limited(struct xrt_maps *m)
{
	struct xrt_migration *g = m->mig;
	const struct old_map *o = old_find(g, XRT_MAP_PUNT_TB);
	int wmap[sizeof(struct xrt_punt_tb) / sizeof(__u64)] = { -1, -1, -1 };
	struct bpf_map_info n;
	char err[XRT_ERR_LEN];

	if (!o || map_info(m->punt_tb, &n) || o->info.value_size != sizeof(struct xrt_punt_tb) ||
	    n.value_size != sizeof(struct xrt_punt_tb))
		return;
	wmap[offsetof(struct xrt_punt_tb, limited) / sizeof(__u64)] =
		offsetof(struct xrt_punt_tb, limited) / sizeof(__u64);
	if (carry_percpu(o, m->punt_tb, n.value_size, min_u32(o->info.max_entries, n.max_entries),
			 wmap, err))
		note(g, "%s: not carried: %s", o->name, err);
}

int xrt_maps_commit(struct xrt_maps *m, char *err)
{
	struct xrt_migration *g = m->mig;
	uint64_t t0, window;
	int rc;

	if (!xrt_maps_staged(m))
		return 0;
	if (m->prog_fd < 0)
		return xrt_fail(err, -EINVAL, "no program loaded");
	t0 = now_us();
	rc = swap_all(m, &window, err);
	if (rc)
		return rc;
	rc = pins_stage(m, err);
	if (rc) {
		swaps_undo(m);
		return rc;
	}
	/* The point of no return: the old programs leave the dispatchers. */
	swaps_finish(m);
	/* No frame still runs an old program past this point. */
	xrt_synchronize_rcu();
	carry_stats(m);
	carry_punt_limited(m);
	/* A rename that fails leaves that one pin on the old map (said in
	 * the log); the interfaces already run the new set. */
	if (pins_publish(m, err))
		note(g, "pins: %s", err ? err : "rename failed");
	note(g, "%u interface(s) swapped in %llu us; committed in %llu us", g->nswaps,
	     (unsigned long long)window, (unsigned long long)(now_us() - t0));
	for (unsigned i = 0; i < g->nswaps; i++)
		if (g->swaps[i].old_fd >= 0) {
			close(g->swaps[i].old_fd);
			g->swaps[i].old_fd = -1;
		}
	g->nswaps = 0;
	old_close(g);
	g->staged = false;
	g->prev_fib_id = 0;
	return 0;
}

/* ---- a FIB resize (dataplane/loader.c, fib_resize): same set, new FIB maps ---- */

int xrt_migrate_swap(struct xrt_maps *m, uint32_t from_fib_id, char *err)
{
	struct xrt_migration *saved = m->mig, *g = calloc(1, sizeof(*g));
	uint64_t window;
	int rc;

	if (!g)
		return xrt_fail(err, -ENOMEM, "swap: out of memory");
	g->prev_fib_id = from_fib_id;
	m->mig = g;
	rc = swap_all(m, &window, err);
	if (!rc)
		swaps_finish(m);
	for (unsigned i = 0; i < g->nswaps; i++)
		if (g->swaps[i].old_fd >= 0)
			close(g->swaps[i].old_fd);
	m->mig = saved;
	free(g);
	return rc;
}

void xrt_migrate_moved(struct xrt_maps *m, struct bpf_object *old_obj)
{
	struct bpf_map *map;

	if (m->mig) {
		for (unsigned i = 0; i < m->mig->npins; i++) {
			struct bpf_map *n = bpf_object__find_map_by_name(
				m->obj, bpf_map__name(m->mig->pins[i].map));
			if (n)
				m->mig->pins[i].map = n;
		}
	} else {
		bpf_object__for_each_map(map, m->obj) {
			const struct bpf_map *o = bpf_object__find_map_by_name(old_obj,
										bpf_map__name(map));
			if (o && bpf_map__pin_path(o))
				bpf_map__set_pin_path(map, bpf_map__pin_path(o));
		}
	}
	stamp_write(m, NULL);
}
