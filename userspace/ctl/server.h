/* xrt: the control socket server: accepts CLI connections and answers their requests. */
#ifndef XRT_CTL_SERVER_H
#define XRT_CTL_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include "router/router.h"

#define CTL_MAX_CONNS 32        /* concurrent CLI connections */
#define CTL_SEND_TIMEOUT_S 5    /* a CLI that stops reading is dropped */

struct ctl_server {
	int listen_fd;
	int conns[CTL_MAX_CONNS]; /* -1 = free */
	bool root[CTL_MAX_CONNS]; /* peer is uid 0: served; else refused */
	struct xrt_router *r;
	uint64_t refused_full, refused_uid, bad_requests;
};

int ctl_server_open(struct ctl_server *s, struct xrt_router *r, const char *name,
		    char *err);
void ctl_server_close(struct ctl_server *s);
/* Accept one connection; returns its fd (to watch) or -1 (refused/none). */
int ctl_server_accept(struct ctl_server *s);
/* Serve what fd has sent. Returns 0 to keep watching, -1 when it was closed. */
int ctl_server_serve(struct ctl_server *s, int fd);

#endif
