/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The public header alone, as a user's first include: the 'build' suite compiles this as C99,
 * C11 and C++11 with -pedantic -Werror.  Included twice to check the include guards.
 */
#include <kvmdbg/kvmdbg.h>
#include <kvmdbg/kvmdbg.h>

#if !KVMDBG_CHECK_VERSION(0, 1, 0)
#error "KVMDBG_CHECK_VERSION(0, 1, 0) must hold from 0.1.0 on"
#endif
