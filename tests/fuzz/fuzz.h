/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What every fuzz target shares: the libFuzzer entry point each one defines, a check that
 * aborts (so that libFuzzer, the sanitizers and the corpus replay all see a failed invariant as
 * a crash), and a cursor that hands out the fuzz input a few bytes at a time.
 *
 * Each target is one file, fuzz-<name>.c; replay.c gives it a main() that runs it over corpus
 * files, so the same code is a libFuzzer target (clang, -Dfuzz=enabled) and an ordinary test in
 * suite fuzz-replay (any compiler).
 */
#ifndef KVMDBG_TEST_FUZZ_H
#define KVMDBG_TEST_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A target's own bookkeeping that loops over its buffers (a model's checks of every byte):
 * not instrumented for coverage, which would trace every comparison of every iteration and
 * slow libFuzzer down tenfold for no coverage of the code under test.
 */
#ifdef __clang__
#define FUZZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define FUZZ_NO_COVERAGE
#endif

#define FUZZ_CHECK(cond, ...)                                                                    \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                            \
			fputc('\n', stderr);                                                     \
			abort();                                                                 \
		}                                                                                \
	} while (0)

/* The input, consumed front to back; past its end every read gives zeros. */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline bool fuzz_empty(const struct fuzz_in *in)
{
	return !in->left;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

/* n bytes, little-endian (n <= 8) */
static inline uint64_t fuzz_uint(struct fuzz_in *in, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)fuzz_u8(in) << (8 * i);
	return v;
}

/* Copy n bytes out (zeros past the end). */
static inline void fuzz_bytes(struct fuzz_in *in, uint8_t *out, size_t n)
{
	size_t have = n < in->left ? n : in->left;

	memcpy(out, in->p, have);
	memset(out + have, 0, n - have);
	in->p += have;
	in->left -= have;
}

#endif /* KVMDBG_TEST_FUZZ_H */
