// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The server's kernel edge: its only call of ioctl(), for the register ioctls on the vCPU file
 * descriptors the VMM gave it.  The unit tests link a fake instead.
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "internal.h"

int gs_kernel_ioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg) < 0 ? -errno : 0;
}
