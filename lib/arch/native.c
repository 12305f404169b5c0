// SPDX-License-Identifier: LGPL-2.1-or-later
#include "arch.h"

const struct kvmdbg_arch *kvmdbg_arch_native(void)
{
#if defined(__x86_64__)
	return &kvmdbg_arch_x86;
#else
#error "no native KVM guest-debug backend for this architecture yet"
#endif
}
