// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Architectures whose registers the server does not know (s390, ppc, riscv, loongarch): the
 * library builds, and kvmdbg_gdbserver_new() says -EOPNOTSUPP.
 */
#include <errno.h>

#include "internal.h"

const struct gs_arch gs_arch = {
	.target_xml = NULL,
};

struct gs_regs *regs_new(void)
{
	return NULL;
}

void regs_free(struct gs_regs *r)
{
	(void)r;
}

void regs_invalidate(struct gs_regs *r)
{
	(void)r;
}

unsigned int regs_size(unsigned int regno)
{
	(void)regno;
	return 0;
}

size_t regs_g_size(void)
{
	return 0;
}

int regs_read(struct gs_regs *r, int fd, unsigned int regno, uint8_t *out)
{
	return -EOPNOTSUPP;
}

int regs_write(struct gs_regs *r, int fd, unsigned int first, unsigned int count, const uint8_t *in,
	       bool *ret_pc_changed)
{
	return -EOPNOTSUPP;
}
