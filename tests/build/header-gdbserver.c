/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkvmdbg-gdbserver's public header alone, as a user's first include: the 'build' suite
 * compiles this as C99, C11 and C++11 with -pedantic -Werror.  Included twice to check the
 * include guards.
 */
#include <kvmdbg/gdbserver.h>
#include <kvmdbg/gdbserver.h>

#if !KVMDBG_CHECK_VERSION(0, 2, 0)
#error "libkvmdbg-gdbserver comes with libkvmdbg 0.2.0 and later"
#endif
