/* xrt: the Unix socket applications reach xrtd's socket layer through (protocol in stack/sock_proto.h). */
#ifndef XRT_SOCK_SERVER_H
#define XRT_SOCK_SERVER_H

/* Listen on $XRT_SOCK if set, else on the control socket's name + "-sock"
 * ("@xrt" -> "@xrt-sock", XRT_SOCK_PATH_DEFAULT; '@' = abstract; ctl_name
 * NULL = the default). Returns an epoll fd for the daemon's loop to watch
 * (readable = call sock_server_run), or -1 with err filled. */
int sock_server_open(const char *ctl_name, char *err, unsigned errlen);
/* Serve whatever is ready, without blocking. */
void sock_server_run(void);
void sock_server_close(void);

#endif
