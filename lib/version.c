// SPDX-License-Identifier: LGPL-2.1-or-later
#include <kvmdbg/version.h>

#include "internal.h"

_public_ const char *kvmdbg_version_string(void)
{
	return KVMDBG_VERSION_STRING;
}
