// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What every backend shares: the list of them (arches.def), by index and by name for the
 * tests, which drive any architecture on any host, and the request-to-control mapping.
 */
#include <string.h>

#include "arch.h"

static const struct arch *const all_arches[] = {
#define ARCH(file, symbol) &symbol,
#include "arches.def"
#undef ARCH
};

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

uint32_t arch_control(const struct arch *arch, uint32_t req)
{
	uint32_t c = 0;

	if (!(req & REQ_ENABLE))
		return 0;
	if (arch->control_needs && !(req & arch->control_needs))
		return 0;
	for (unsigned int bit = 0; bit < REQ_NR; bit++)
		if (req & (1u << bit))
			c |= arch->control[bit];
	return c;
}
