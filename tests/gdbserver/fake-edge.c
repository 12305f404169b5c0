// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A fake of libkvmdbg-gdbserver's kernel edge (gdbserver/kernel.c): the register ioctls of
 * the fake VMM's vCPUs.  KVM_GET_REGS gives the model's pc as rip, KVM_SET_REGS moves it
 * (model_set_regs(): on x86, as KVM does, the write drops a trap flag the step had set), the
 * other sets are kept as they were written.  Every write is counted.
 */
#include <errno.h>
#include <string.h>

#include "fake-vmm.h"

#include "../../gdbserver/internal.h"

static struct fcpu *cpus[FV_MAX];
static pthread_mutex_t edge_lock = PTHREAD_MUTEX_INITIALIZER;

void fake_edge_reset(void)
{
	pthread_mutex_lock(&edge_lock);
	memset(cpus, 0, sizeof(cpus));
	pthread_mutex_unlock(&edge_lock);
}

void fake_edge_register(struct fcpu *c)
{
	pthread_mutex_lock(&edge_lock);
	cpus[c->fd - FV_FD] = c;
	pthread_mutex_unlock(&edge_lock);
}

static struct fcpu *by_fd(int fd)
{
	struct fcpu *c = NULL;

	pthread_mutex_lock(&edge_lock);
	if (fd >= FV_FD && fd < FV_FD + FV_MAX)
		c = cpus[fd - FV_FD];
	pthread_mutex_unlock(&edge_lock);
	return c;
}

int gs_kernel_ioctl(int fd, unsigned long request, void *arg)
{
	struct fcpu *c = by_fd(fd);
	struct fvm *f;

	if (!c)
		return -EBADF;
	f = c->f;
	switch (request) {
	case KVM_GET_REGS:
		pthread_mutex_lock(&f->machine);
		c->regs.rip = model_pc(c->mv);
		memcpy(arg, &c->regs, sizeof(c->regs));
		pthread_mutex_unlock(&f->machine);
		return 0;
	case KVM_SET_REGS:
		pthread_mutex_lock(&f->machine);
		memcpy(&c->regs, arg, sizeof(c->regs));
		model_set_regs(c->mv, c->regs.rip, c->regs.rflags & (1u << 16));
		pthread_mutex_unlock(&f->machine);
		atomic_fetch_add(&c->set_regs, 1);
		return 0;
	case KVM_GET_SREGS:
		memcpy(arg, &c->sregs, sizeof(c->sregs));
		return 0;
	case KVM_SET_SREGS:
		memcpy(&c->sregs, arg, sizeof(c->sregs));
		atomic_fetch_add(&c->set_sregs, 1);
		return 0;
	case KVM_GET_FPU:
		memcpy(arg, &c->fpu, sizeof(c->fpu));
		return 0;
	case KVM_SET_FPU:
		memcpy(&c->fpu, arg, sizeof(c->fpu));
		atomic_fetch_add(&c->set_fpu, 1);
		return 0;
	default:
		return -ENOTTY;
	}
}
