/* xrt: following attached interfaces in the kernel (deleted, renamed, MTU or MAC changed). */
#ifndef XRT_KERNEL_LINKWATCH_H
#define XRT_KERNEL_LINKWATCH_H

#include "router/router.h"

/* Open the RTMGRP_LINK socket; returns its fd for the event loop. */
int linkwatch_open(char *err);
void linkwatch_close(int fd);
/* The socket is readable: apply what changed to the attached links. */
void linkwatch_input(struct xrt_router *r, int fd);

#endif
