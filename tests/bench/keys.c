// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Key patterns for the synthetic rows, the guest memory behind them, and its translation.
 *
 * Points sit at x86 linear addresses in the kernel's text range (what a kernel fuzzer's
 * coverage breakpoints look like); the translate callback maps them into one registered region
 * of guest memory.  Where the pattern is no sparser than 16 bytes a point the mapping is the
 * identity offset; sparser patterns are compressed (the point's index, times two) so that
 * 10^6 page-aligned points need 2 MB of memory, not 4 GB.  The library keys its table by the
 * linear address, so the compression changes nothing of what the patterns test.
 *
 * Every byte of guest memory is a nop (0x90) but the misses' bytes, which are int3 (0xcc): the
 * guest's own breakpoints, at pcs where no point is.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"

#define GVA_BASE 0xffffffff81000000ull
#define GPA_BASE 0x40000000ull
#define NOP 0x90
#define INT3 0xcc

const char *pattern_name(enum pattern_kind kind)
{
	static const char *const names[] = {
		[PAT_BLOCKS] = "blocks (16 B, jittered)",
		[PAT_DENSE] = "dense (consecutive)",
		[PAT_STRIDE64] = "stride 64",
		[PAT_STRIDE4097] = "stride 4 KiB + 1",
		[PAT_PAGE] = "page-aligned (4 KiB)",
	};

	return kind < PAT_NR ? names[kind] : "?";
}

/* splitmix64: a fixed seed per pattern, so every run and every implementation sees the same. */
static uint64_t next_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void shuffle(uint32_t *v, long n, uint64_t *state)
{
	for (long i = n - 1; i > 0; i--) {
		long j = (long)(next_rand(state) % (uint64_t)(i + 1));
		uint32_t tmp = v[i];

		v[i] = v[j];
		v[j] = tmp;
	}
}

int keys_translate(void *data, uint64_t gva, uint64_t *ret_gpa)
{
	const struct keys *k = data;
	uint64_t off = gva - k->gva_base, gpa;

	if (k->compress)
		gpa = 2 * (off / k->stride) + (off % k->stride != 0);
	else
		gpa = off;
	if (gpa >= k->span)
		return -14; /* -EFAULT: not mapped */
	*ret_gpa = k->gpa_base + gpa;
	return 0;
}

uint8_t *keys_byte(const struct keys *k, uint64_t gva)
{
	uint64_t gpa;

	if (keys_translate((void *)k, gva, &gpa) < 0)
		abort();
	return k->mem + (gpa - k->gpa_base);
}

int keys_make(struct keys *k, enum pattern_kind kind, long n)
{
	uint64_t state = 0x6b766d6462670000ull + (uint64_t)kind;
	uint32_t *order;

	memset(k, 0, sizeof(*k));
	k->kind = kind;
	k->n = n;
	k->gva_base = GVA_BASE;
	k->gpa_base = GPA_BASE;
	switch (kind) {
	case PAT_BLOCKS:
		k->stride = 16;
		break;
	case PAT_DENSE:
		k->stride = 1;
		break;
	case PAT_STRIDE64:
		k->stride = 64;
		break;
	case PAT_STRIDE4097:
		k->stride = 4097;
		break;
	case PAT_PAGE:
	default:
		k->stride = 4096;
		break;
	}
	k->compress = k->stride > 16;
	/* dense: the misses follow the points; blocks: a miss in every block's second half */
	k->span = k->compress	   ? 2 * (uint64_t)n
		  : k->stride == 1 ? 2 * (uint64_t)n
				   : k->stride * (uint64_t)n;
	k->mem = mmap(NULL, k->span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	k->addr = malloc((size_t)n * sizeof(*k->addr));
	k->hit = malloc((size_t)n * sizeof(*k->hit));
	k->miss = malloc((size_t)n * sizeof(*k->miss));
	k->perm = malloc((size_t)n * sizeof(*k->perm));
	order = malloc((size_t)n * sizeof(*order));
	if (k->mem == MAP_FAILED || !k->addr || !k->hit || !k->miss || !k->perm || !order) {
		if (k->mem == MAP_FAILED)
			k->mem = NULL;
		free(order);
		keys_free(k);
		return -1;
	}
	memset(k->mem, NOP, k->span);

	for (long i = 0; i < n; i++) {
		uint64_t base = k->gva_base + k->stride * (uint64_t)i;

		if (kind == PAT_BLOCKS) {
			uint64_t r = next_rand(&state);

			k->addr[i] = base + (r & 7);
			k->miss[i] = base + 8 + ((r >> 3) & 7);
		} else if (kind == PAT_DENSE) {
			k->addr[i] = base;
			k->miss[i] = k->gva_base + (uint64_t)n + (uint64_t)i;
		} else {
			k->addr[i] = base;
			k->miss[i] = base + k->stride / 2;
		}
		*keys_byte(k, k->miss[i]) = INT3;
	}

	for (long i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	shuffle(order, n, &state);
	for (long i = 0; i < n; i++)
		k->hit[i] = k->addr[order[i]];
	shuffle(order, n, &state);
	for (long i = 0; i < n; i++)
		k->perm[i] = order[i];
	free(order);
	/* the misses in a random order too */
	for (long i = n - 1; i > 0; i--) {
		long j = (long)(next_rand(&state) % (uint64_t)(i + 1));
		uint64_t tmp = k->miss[i];

		k->miss[i] = k->miss[j];
		k->miss[j] = tmp;
	}
	return 0;
}

void keys_free(struct keys *k)
{
	if (k->mem)
		munmap(k->mem, k->span);
	free(k->addr);
	free(k->hit);
	free(k->miss);
	free(k->perm);
	memset(k, 0, sizeof(*k));
}

bool keys_points_are(const struct keys *k, uint8_t value)
{
	for (long i = 0; i < k->n; i++)
		if (*keys_byte(k, k->addr[i]) != value)
			return false;
	return true;
}

bool keys_memory_clean(const struct keys *k)
{
	for (long i = 0; i < k->n; i++)
		if (*keys_byte(k, k->addr[i]) != NOP || *keys_byte(k, k->miss[i]) != INT3)
			return false;
	return true;
}
