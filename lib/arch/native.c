// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Which backend the kernel edge speaks (chosen at build time), and every backend by name for
 * the tests, which drive any architecture on any host.
 */
#include <string.h>

#include "arch.h"

static const struct arch *const all_arches[] = {
	&arch_x86,
	&arch_s390x,
	&arch_ppc64_book3s,
	&arch_ppc64_booke,
	&arch_ppc64le_book3s,
	&arch_aarch64,
	&arch_riscv64,
	&arch_loongarch64,
};

const struct arch *arch_native(void)
{
#if defined(__x86_64__)
	return &arch_x86;
#elif defined(__s390x__)
	return &arch_s390x;
#elif defined(__powerpc64__) && defined(__BIG_ENDIAN__)
	/* a BookE kernel is recognised when the VM is probed */
	return &arch_ppc64_book3s;
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
	return &arch_ppc64le_book3s;
#elif defined(__aarch64__) && defined(__AARCH64EL__)
	return &arch_aarch64;
#elif defined(__riscv) && __riscv_xlen == 64
	return &arch_riscv64;
#elif defined(__loongarch64)
	return &arch_loongarch64;
#else
#error "no KVM guest-debug backend for this architecture"
#endif
}

const struct arch *arch_get(unsigned int i)
{
	return i < sizeof(all_arches) / sizeof(all_arches[0]) ? all_arches[i] : NULL;
}

const struct arch *arch_by_name(const char *name)
{
	for (unsigned int i = 0; name && arch_get(i); i++)
		if (!strcmp(arch_get(i)->name, name))
			return arch_get(i);
	return NULL;
}
