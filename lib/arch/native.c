// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Which backend the kernel edge speaks (chosen at build time), and every backend by name for
 * the tests, which drive any architecture on any host.
 */
#include <string.h>

#include "arch.h"

static const struct kvmdbg_arch *const all_arches[] = {
	&kvmdbg_arch_x86,
	&kvmdbg_arch_s390x,
	&kvmdbg_arch_ppc64_book3s,
	&kvmdbg_arch_ppc64_booke,
	&kvmdbg_arch_ppc64le_book3s,
	&kvmdbg_arch_aarch64,
	&kvmdbg_arch_riscv64,
	&kvmdbg_arch_loongarch64,
};

const struct kvmdbg_arch *kvmdbg_arch_native(void)
{
#if defined(__x86_64__)
	return &kvmdbg_arch_x86;
#elif defined(__s390x__)
	return &kvmdbg_arch_s390x;
#elif defined(__powerpc64__) && defined(__BIG_ENDIAN__)
	/* a BookE kernel is recognised when the VM is probed */
	return &kvmdbg_arch_ppc64_book3s;
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
	return &kvmdbg_arch_ppc64le_book3s;
#elif defined(__aarch64__) && defined(__AARCH64EL__)
	return &kvmdbg_arch_aarch64;
#elif defined(__riscv) && __riscv_xlen == 64
	return &kvmdbg_arch_riscv64;
#elif defined(__loongarch64)
	return &kvmdbg_arch_loongarch64;
#else
#error "no KVM guest-debug backend for this architecture"
#endif
}

const struct kvmdbg_arch *kvmdbg_arch_get(unsigned int i)
{
	return i < sizeof(all_arches) / sizeof(all_arches[0]) ? all_arches[i] : NULL;
}

const struct kvmdbg_arch *kvmdbg_arch_by_name(const char *name)
{
	for (unsigned int i = 0; name && kvmdbg_arch_get(i); i++)
		if (!strcmp(kvmdbg_arch_get(i)->name, name))
			return kvmdbg_arch_get(i);
	return NULL;
}
