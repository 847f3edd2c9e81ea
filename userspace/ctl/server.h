/* xrt: the control socket server: accepts CLI connections and answers their requests. */
#ifndef XRT_CTL_SERVER_H
#define XRT_CTL_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>
#include "router/router.h"

#define CTL_MAX_CONNS 32        /* concurrent CLI connections */
#define CTL_SEND_TIMEOUT_S 5    /* a CLI that stops reading is dropped */

struct ctl_server {
	int listen_fd;
	int conns[CTL_MAX_CONNS]; /* -1 = free; only uid 0 peers hold one */
	struct xrt_router *r;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* bound by us */
	bool paused; /* ENFILE: listener out of epoll until the backoff ends */
};

/* Listen on name (ctl/unix_sock.h: "xrt" = /run/xrt/net-<inode>/xrt).
 * *warn says what stale or squatted socket was replaced, if any. */
int ctl_server_open(struct ctl_server *s, struct xrt_router *r, const char *name,
		    char *warn, char *err);
void ctl_server_close(struct ctl_server *s);
/* Accept one connection; returns its fd (to watch), -1 when refused or none
 * pending, -ENFILE when the listener must be paused (XRT_LISTEN_BACKOFF_MS). */
int ctl_server_accept(struct ctl_server *s);
/* A connection the event loop could not watch: free its slot and close it. */
void ctl_server_drop(struct ctl_server *s, int fd);
/* Serve what fd has sent. Returns 0 to keep watching, -1 when it was closed. */
int ctl_server_serve(struct ctl_server *s, int fd);

#endif
