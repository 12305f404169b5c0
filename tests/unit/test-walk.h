/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small guest RAM for the page-walker golden tests (test-walk-x86.c, test-walk-arm64.c):
 * frames at chosen guest-physical addresses (sparse, so tables can sit above 4 GiB or at
 * 52-bit addresses), entries written into them byte by byte in the guest's byte order by
 * the tests' own code, and the read callback the walkers get.  The callback counts and
 * checks every read (8 or 4 bytes, naturally aligned, inside one frame; anything else is
 * -EFAULT, as an unbacked address would be); ram_begin() and ram_end() around each walk
 * prove the walker changed no byte of the RAM, Accessed and Dirty bits included, and left
 * the result untouched when it failed.
 */
#ifndef KVMDBG_TEST_WALK_H
#define KVMDBG_TEST_WALK_H

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "walk/walk.h"

#define RAM_POOL (1u << 20)
#define RAM_FRAMES 48

struct ram {
	uint8_t pool[RAM_POOL];
	uint8_t copy[RAM_POOL];
	size_t used;
	struct {
		uint64_t gpa;
		size_t size;
		size_t off;
	} frame[RAM_FRAMES];
	unsigned int nframes;
	unsigned int reads; /* since the last ram_begin() */
	uint64_t fail_gpa;  /* a read covering it fails with fail_err */
	int fail_err;
};

/* One RAM per test program (each includes this header once). */
static struct ram ram;

static inline void ram_reset(void)
{
	memset(ram.pool, 0, ram.used);
	ram.used = 0;
	ram.nframes = 0;
	ram.fail_err = 0;
}

/* A zeroed frame (every entry invalid) of size bytes at gpa. */
static inline void ram_frame(uint64_t gpa, size_t size)
{
	g_assert_cmpuint(ram.nframes, <, RAM_FRAMES);
	g_assert_cmpuint(ram.used + size, <=, RAM_POOL);
	for (unsigned int i = 0; i < ram.nframes; i++)
		g_assert_true(gpa + size <= ram.frame[i].gpa ||
			      ram.frame[i].gpa + ram.frame[i].size <= gpa);
	ram.frame[ram.nframes].gpa = gpa;
	ram.frame[ram.nframes].size = size;
	ram.frame[ram.nframes].off = ram.used;
	ram.nframes++;
	ram.used += size;
}

static inline uint8_t *ram_at(uint64_t gpa, size_t len)
{
	for (unsigned int i = 0; i < ram.nframes; i++)
		if (gpa >= ram.frame[i].gpa && gpa - ram.frame[i].gpa + len <= ram.frame[i].size)
			return ram.pool + ram.frame[i].off + (gpa - ram.frame[i].gpa);
	return NULL;
}

/* Store len (4 or 8) bytes of v at gpa, least significant first unless big-endian. */
static inline void ram_put(uint64_t gpa, uint64_t v, size_t len, bool be)
{
	uint8_t *p = ram_at(gpa, len);

	g_assert_nonnull(p);
	for (size_t i = 0; i < len; i++)
		p[be ? len - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

static inline int ram_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	uint8_t *p;

	g_assert_true(ctx == &ram);
	g_assert_true(len == 4 || len == 8);
	g_assert_cmphex(gpa % len, ==, 0);
	ram.reads++;
	if (ram.fail_err && gpa <= ram.fail_gpa && ram.fail_gpa < gpa + len)
		return ram.fail_err;
	p = ram_at(gpa, len);
	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

static inline void ram_begin(struct walk_result *res)
{
	memcpy(ram.copy, ram.pool, ram.used);
	ram.reads = 0;
	memset(res, 0xa5, sizeof(*res));
}

/* After a walk: no RAM byte changed, and a failed walk left *res as ram_begin() set it. */
static inline void ram_end(int err, const struct walk_result *res)
{
	struct walk_result untouched;

	g_assert_cmpmem(ram.pool, ram.used, ram.copy, ram.used);
	if (err) {
		memset(&untouched, 0xa5, sizeof(untouched));
		g_assert_cmpmem(res, sizeof(*res), &untouched, sizeof(untouched));
	}
}

/* Permission bits of a result as one number for assertions: W U X UX = 8 4 2 1. */
#define P_W 8
#define P_U 4
#define P_X 2
#define P_UX 1

static inline unsigned int perm_bits(const struct walk_result *res)
{
	return (res->writable ? P_W : 0) | (res->user ? P_U : 0) | (res->executable ? P_X : 0) |
	       (res->user_executable ? P_UX : 0);
}

#endif /* KVMDBG_TEST_WALK_H */
