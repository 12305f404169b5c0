// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The store of software breakpoints (lib/sw.c): the table keyed by address through growth to
 * 10^5 entries, find/release consistency, deletions in the middle of collision chains, the
 * longest probe at 10^6 dense, strided and page-aligned keys; ids that never come back,
 * extras, hit counts past what a record holds, offsets, and the set of fired one-shots.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "internal.h"

#define BIG 100000

/*
 * The longest run of occupied slots (cyclically).  With open addressing a lookup walks at
 * most one run, so "O(1) at any size" means this stays small whatever the keys.  At most
 * 3/4 full, runs stay within a few hundred slots (a 64-byte line holds 16 of them).
 */
#define MAX_CLUSTER 512

static size_t max_cluster(const struct sw_store *s)
{
	size_t slots = s->mask + 1, best = 0, run = 0;

	for (size_t k = 0; k < 2 * slots; k++) {
		if (s->slots[k & s->mask]) {
			run++;
			if (run > best)
				best = run;
		} else {
			run = 0;
		}
	}
	return best < slots ? best : slots;
}

static void assert_shape(const struct sw_store *s, size_t live)
{
	size_t slots = s->mask + 1;

	g_assert_cmpuint(s->count, ==, live);
	g_assert_nonnull(s->slots);
	g_assert_cmpuint(slots & (slots - 1), ==, 0); /* a power of two */
	g_assert_cmpuint(live * 4, <=, slots * 3);     /* at most 3/4 full */
	if (max_cluster(s) > MAX_CLUSTER)
		g_test_message("%zu entries in %zu slots: a run of %zu occupied slots", live,
			       slots, max_cluster(s));
	g_assert_cmpuint(max_cluster(s), <=, MAX_CLUSTER);
}

static uint32_t add(struct sw_store *s, uint64_t addr)
{
	uint32_t idx = 0;

	g_assert_cmpint(sw_alloc(s, addr, &idx), ==, 0);
	g_assert_cmpuint(idx, !=, 0);
	g_assert_cmphex(sw_addr(s, idx), ==, addr);
	return idx;
}

static void test_empty(void)
{
	struct sw_store s;

	memset(&s, 0xa5, sizeof(s));
	g_assert_cmpint(sw_store_init(&s), ==, 0);
	assert_shape(&s, 0);
	g_assert_cmpuint(sw_find(&s, 0), ==, 0);
	g_assert_cmpuint(sw_find(&s, 1), ==, 0);
	g_assert_cmpuint(sw_find(&s, ~0ull), ==, 0);
	g_assert_cmpuint(sw_next(&s, 0), ==, 0);
	g_assert_cmpuint(sw_by_id(&s, 1), ==, 0);
	g_assert_cmpuint(sw_by_id(&s, 1ull << 32 | 1), ==, 0);
	sw_store_fini(&s);
}

static void test_edge_keys(void)
{
	static const uint64_t keys[] = {
		0, 1, ~0ull, 1ull << 63, (1ull << 63) - 1, 0xffffffff, 0x100000000ull,
	};
	uint32_t idx[G_N_ELEMENTS(keys)];
	struct sw_store s;

	g_assert_cmpint(sw_store_init(&s), ==, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
		idx[i] = add(&s, keys[i]);
	assert_shape(&s, G_N_ELEMENTS(keys));
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
		g_assert_cmpuint(sw_find(&s, keys[i]), ==, idx[i]);
	g_assert_cmpuint(sw_find(&s, 2), ==, 0);
	g_assert_cmpuint(sw_find(&s, ~0ull - 1), ==, 0);

	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
		sw_release(&s, idx[i]);
		g_assert_cmpuint(sw_find(&s, keys[i]), ==, 0);
		for (size_t j = i + 1; j < G_N_ELEMENTS(keys); j++)
			g_assert_cmpuint(sw_find(&s, keys[j]), ==, idx[j]);
	}
	assert_shape(&s, 0);
	sw_store_fini(&s);
}

static void check_all(const struct sw_store *s, const uint64_t *key, const uint32_t *idx,
		      const bool *live, size_t n)
{
	for (size_t i = 0; i < n; i++)
		g_assert_cmpuint(sw_find(s, key[i]), ==, live[i] ? idx[i] : 0);
}

static void grow(uint64_t (*keyf)(size_t i))
{
	uint64_t *key = g_new(uint64_t, BIG);
	uint32_t *idx = g_new(uint32_t, BIG);
	bool *live = g_new0(bool, BIG);
	size_t *order = g_new(size_t, BIG);
	GRand *rand = g_rand_new_with_seed(20241125);
	struct sw_store s;
	size_t n_live = 0;

	g_assert_cmpint(sw_store_init(&s), ==, 0);
	for (size_t i = 0; i < BIG; i++) {
		key[i] = keyf(i);
		idx[i] = add(&s, key[i]);
		live[i] = true;
		n_live++;
		/* earlier entries survive every growth */
		if ((i & (i + 1)) == 0 || i % 9973 == 0) {
			assert_shape(&s, n_live);
			for (size_t j = 0; j <= i; j += 1 + i / 512)
				g_assert_cmpuint(sw_find(&s, key[j]), ==, idx[j]);
		}
	}
	assert_shape(&s, BIG);
	check_all(&s, key, idx, live, BIG);

	/* keys next to the live ones are absent */
	for (size_t i = 0; i < BIG; i += 97)
		g_assert_cmpuint(sw_find(&s, key[i] ^ 0x8000000000000000ull), ==, 0);

	/* delete every other one */
	for (size_t i = 0; i < BIG; i += 2) {
		sw_release(&s, idx[i]);
		live[i] = false;
		n_live--;
	}
	g_assert_cmpuint(s.count, ==, n_live);
	check_all(&s, key, idx, live, BIG);

	/* put them back: into the freed records */
	for (size_t i = 0; i < BIG; i += 2) {
		idx[i] = add(&s, key[i]);
		live[i] = true;
		n_live++;
	}
	assert_shape(&s, BIG);
	g_assert_cmpuint(s.next_idx, ==, BIG + 1);
	check_all(&s, key, idx, live, BIG);

	/* delete everything in a random order, checking along the way */
	for (size_t i = 0; i < BIG; i++)
		order[i] = i;
	for (size_t i = BIG - 1; i > 0; i--) {
		size_t j = (size_t)g_rand_int_range(rand, 0, (gint32)(i + 1));
		size_t tmp = order[i];

		order[i] = order[j];
		order[j] = tmp;
	}
	for (size_t k = 0; k < BIG; k++) {
		size_t i = order[k];

		sw_release(&s, idx[i]);
		live[i] = false;
		n_live--;
		g_assert_cmpuint(sw_find(&s, key[i]), ==, 0);
		if (k % 10000 == 9999) {
			g_assert_cmpuint(s.count, ==, n_live);
			check_all(&s, key, idx, live, BIG);
		}
	}
	g_assert_cmpuint(s.count, ==, 0);
	g_assert_cmpuint(sw_next(&s, 0), ==, 0);
	check_all(&s, key, idx, live, BIG);

	sw_store_fini(&s);
	g_rand_free(rand);
	g_free(order);
	g_free(live);
	g_free(idx);
	g_free(key);
}

static uint64_t key_dense(size_t i)
{
	return 0x400000 + i;
}

static uint64_t key_pages(size_t i)
{
	/* page-aligned: identical low 12 bits */
	return 0xffffffff80000000ull + ((uint64_t)i << 12);
}

static uint64_t key_high(size_t i)
{
	/* identical low 32 bits: collide under any mask of the low bits */
	return ((uint64_t)i + 1) << 32 | 0x1234;
}

static uint64_t key_random(size_t i)
{
	/* a fixed odd multiplier: distinct, scattered */
	return ((uint64_t)i + 1) * 0x9e3779b97f4a7c15ull;
}

static void test_grow_dense(void)
{
	grow(key_dense);
}

static void test_grow_pages(void)
{
	grow(key_pages);
}

static void test_grow_high(void)
{
	grow(key_high);
}

static void test_grow_random(void)
{
	grow(key_random);
}

static void test_collisions(void)
{
	/*
	 * Keys that agree in their low 40 bits, inserted between keys that do not: whatever
	 * the hash, some of them share chains; deleting from the front, middle and back of
	 * those chains must keep the rest findable.
	 */
	enum { N = 256 };
	uint64_t key[N];
	uint32_t idx[N];
	bool live[N];
	struct sw_store s;
	size_t n_live = 0;

	g_assert_cmpint(sw_store_init(&s), ==, 0);
	for (size_t i = 0; i < N; i++) {
		key[i] = i % 2 ? ((uint64_t)i << 40 | 0x1000) : 0x1000 + i;
		idx[i] = add(&s, key[i]);
		live[i] = true;
	}
	check_all(&s, key, idx, live, N);

	/* delete from the middle, then front and back of the insertion order */
	for (size_t i = N / 4; i < N / 2; i += 3) {
		sw_release(&s, idx[i]);
		live[i] = false;
		check_all(&s, key, idx, live, N);
	}
	sw_release(&s, idx[1]);
	live[1] = false;
	sw_release(&s, idx[N - 1]);
	live[N - 1] = false;
	check_all(&s, key, idx, live, N);

	/* re-insert some, in another order */
	for (size_t i = N / 2 - 2; i >= N / 4; i -= 3) {
		if (live[i])
			continue;
		idx[i] = add(&s, key[i]);
		live[i] = true;
		check_all(&s, key, idx, live, N);
	}
	for (size_t i = 0; i < N; i++)
		n_live += live[i];
	g_assert_cmpuint(s.count, ==, n_live);
	sw_store_fini(&s);
}

static void test_churn(void)
{
	/*
	 * A debugger removing a breakpoint and inserting another at every stop, for ever: a few
	 * live entries and many deletions must neither fill the table with leftovers nor grow
	 * it, nor use new records.
	 */
	enum { LIVE = 16, ROUNDS = 300000 };
	uint64_t key[LIVE];
	uint32_t idx[LIVE];
	struct sw_store s;

	g_assert_cmpint(sw_store_init(&s), ==, 0);
	for (size_t i = 0; i < LIVE; i++) {
		key[i] = 0x1000 * (i + 1);
		idx[i] = add(&s, key[i]);
	}
	for (size_t r = 0; r < ROUNDS; r++) {
		size_t i = r % LIVE;

		sw_release(&s, idx[i]);
		g_assert_cmpuint(sw_find(&s, key[i]), ==, 0);
		key[i] = 0x100000000ull + r * 8;
		idx[i] = add(&s, key[i]);
		g_assert_cmpuint(sw_find(&s, key[i]), ==, idx[i]);
		g_assert_cmpuint(sw_find(&s, key[i] + 4), ==, 0);
	}
	assert_shape(&s, LIVE);
	for (size_t i = 0; i < LIVE; i++)
		g_assert_cmpuint(sw_find(&s, key[i]), ==, idx[i]);
	g_assert_cmpuint(s.mask + 1, <=, 1024); /* no growth from churn alone */
	g_assert_cmpuint(s.next_idx, ==, LIVE + 1);
	sw_store_fini(&s);
}

/*
 * A record reused by a new point gives it a new id; the old id finds nothing, even after
 * thousands of reuses of the same record (the debugger's remove-and-insert at every stop).
 */
static void test_ids(void)
{
	struct sw_store s;
	uint64_t first, id;
	uint32_t idx, again;

	g_assert_cmpint(sw_store_init(&s), ==, 0);
	idx = add(&s, 0x1000);
	first = sw_id(&s, idx);
	g_assert_cmpuint(sw_by_id(&s, first), ==, idx);
	g_assert_cmpuint((uint32_t)first, ==, idx);
	g_assert_cmpuint(first >> 31 & 1, ==, 0); /* never a hardware point's id */
	id = first;
	for (int i = 0; i < 5000; i++) {
		sw_release(&s, idx);
		g_assert_cmpuint(sw_by_id(&s, id), ==, 0);
		again = add(&s, 0x1000);
		g_assert_cmpuint(again, ==, idx);
		g_assert_cmphex(sw_id(&s, again), !=, id);
		id = sw_id(&s, again);
	}
	g_assert_cmpuint(sw_by_id(&s, first), ==, 0);
	g_assert_cmpuint(sw_by_id(&s, id), ==, idx);
	/* ids that name no record */
	g_assert_cmpuint(sw_by_id(&s, 0), ==, 0);
	g_assert_cmpuint(sw_by_id(&s, id + 1), ==, 0);
	g_assert_cmpuint(sw_by_id(&s, id | 1u << 31), ==, 0);
	sw_store_fini(&s);
}

/* 63 hits fit in the record; past that the count goes on in an extra, exactly. */
static void test_hits(void)
{
	struct sw_store s;
	uint32_t idx;

	g_assert_cmpint(sw_store_init(&s), ==, 0);
	idx = add(&s, 0x2000);
	for (uint64_t n = 0; n < 1000; n++) {
		g_assert_cmpuint(sw_hits(&s, idx), ==, n);
		g_assert_true(sw_has(&s, idx, SW_EXTRA) == (n > 63));
		sw_hit(&s, idx);
	}
	g_assert_cmpuint(sw_hits(&s, idx), ==, 1000);
	/* an extra with a count stays */
	sw_extra_trim(&s, idx);
	g_assert_true(sw_has(&s, idx, SW_EXTRA));
	sw_store_fini(&s);
}

/* Offsets are shared and counted; an extra that holds nothing is trimmed away. */
static void test_offsets_extras(void)
{
	struct sw_store s;
	uint32_t a, b, c;
	struct sw_extra *x;

	g_assert_cmpint(sw_store_init(&s), ==, 0);
	a = add(&s, 0x1000);
	b = add(&s, 0x2000);
	c = add(&s, 0xffffffff80001000ull);
	g_assert_cmpint(sw_offset_set(&s, a, 0x1000), ==, 0);
	g_assert_cmpint(sw_offset_set(&s, b, 0x2000), ==, 0);
	g_assert_cmpint(sw_offset_set(&s, c, 0x1000), ==, 0);
	g_assert_cmpuint(s.live_offsets, ==, 2);
	g_assert_cmphex(sw_gpa(&s, a), ==, 0x1000);
	g_assert_cmphex(sw_gpa(&s, b), ==, 0x2000);
	g_assert_cmphex(sw_gpa(&s, c), ==, 0x1000);
	sw_release(&s, a);
	g_assert_cmpuint(s.live_offsets, ==, 2);
	sw_release(&s, b);
	g_assert_cmpuint(s.live_offsets, ==, 1);
	/* a freed offset is reused */
	a = add(&s, 0x5000);
	g_assert_cmpint(sw_offset_set(&s, a, 0x7000), ==, 0);
	g_assert_cmpuint(s.live_offsets, ==, 2);
	g_assert_cmpuint(s.nr_offsets, ==, 2);
	g_assert_cmphex(sw_gpa(&s, a), ==, 0x7000);

	g_assert_null(sw_extra(&s, c));
	x = sw_extra_get(&s, c);
	g_assert_nonnull(x);
	g_assert_true(sw_extra_get(&s, c) == x);
	g_assert_true(sw_has(&s, c, SW_EXTRA));
	x->user_data = &s;
	sw_extra_trim(&s, c);
	g_assert_true(sw_extra(&s, c) == x);
	x->user_data = NULL;
	sw_extra_trim(&s, c);
	g_assert_null(sw_extra(&s, c));
	g_assert_false(sw_has(&s, c, SW_EXTRA));
	sw_store_fini(&s);
}

/*
 * The fired set holds record indexes; one whose point went (and whose record another point
 * took) is skipped, and a record reused by a point that fired too is given once.
 */
static void test_fired(void)
{
	enum { N = 1000 };
	uint32_t idx[N], got;
	struct sw_store s;
	size_t cursor = 0, n = 0;

	g_assert_cmpint(sw_store_init(&s), ==, 0);
	for (size_t i = 0; i < N; i++) {
		idx[i] = add(&s, 0x10000 + 4 * i);
		sw_set(&s, idx[i], SW_ONESHOT | SW_ARMED);
	}
	for (size_t i = 0; i < N; i += 2) {
		g_assert_cmpint(sw_fired_add(&s, idx[i]), ==, 0);
		sw_clear(&s, idx[i], SW_ARMED);
	}
	/* one fired point removed, its record taken by another that fired too */
	sw_release(&s, idx[0]);
	g_assert_cmpuint(add(&s, 0x90000), ==, idx[0]);
	sw_set(&s, idx[0], SW_ONESHOT);
	g_assert_cmpint(sw_fired_add(&s, idx[0]), ==, 0);
	/* one fired point removed for good */
	sw_release(&s, idx[2]);
	/* enough fires to compact on growth */
	for (int r = 0; r < 5000; r++) {
		g_assert_cmpint(sw_fired_add(&s, idx[4]), ==, 0);
		if (r % 100 == 0)
			g_assert_cmpuint(s.cap_fired, <=, 2048);
	}
	while ((got = sw_fired_next(&s, &cursor))) {
		g_assert_true(sw_has(&s, got, SW_ONESHOT));
		g_assert_false(sw_has(&s, got, SW_ARMED));
		sw_set(&s, got, SW_ARMED); /* as a reset does: given once */
		n++;
	}
	g_assert_cmpuint(n, ==, N / 2 - 1);
	sw_store_fini(&s);
}

/*
 * The worst case at the sizes a fuzzer uses: 10^6 keys dense, strided by 64 and 4 KiB + 1,
 * and page-aligned.  The longest run of occupied slots (what a miss walks at worst) is
 * printed and bounded.
 */
static void test_million(void)
{
	static const struct {
		const char *name;
		uint64_t base, stride;
	} patterns[] = {
		{ "dense", 0xffffffff81000000ull, 1 },
		{ "stride-64", 0xffffffff81000000ull, 64 },
		{ "stride-4097", 0x400000, 4097 },
		{ "page-aligned", 0x7f0000000000ull, 4096 },
	};
	enum { M = 1000000 };

	for (size_t k = 0; k < G_N_ELEMENTS(patterns); k++) {
		struct sw_store s;

		g_assert_cmpint(sw_store_init(&s), ==, 0);
		for (uint64_t i = 0; i < M; i++)
			add(&s, patterns[k].base + i * patterns[k].stride);
		g_test_message("%s: 10^6 keys in %zu slots, longest run %zu", patterns[k].name,
			       s.mask + 1, max_cluster(&s));
		assert_shape(&s, M);
		for (uint64_t i = 0; i < M; i += 997)
			g_assert_cmpuint(sw_find(&s, patterns[k].base + i * patterns[k].stride), !=,
					 0);
		sw_store_fini(&s);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/kvmdbg/unit/sw/empty", test_empty);
	g_test_add_func("/kvmdbg/unit/sw/edge-keys", test_edge_keys);
	g_test_add_func("/kvmdbg/unit/sw/grow/dense", test_grow_dense);
	g_test_add_func("/kvmdbg/unit/sw/grow/pages", test_grow_pages);
	g_test_add_func("/kvmdbg/unit/sw/grow/high-bits", test_grow_high);
	g_test_add_func("/kvmdbg/unit/sw/grow/scattered", test_grow_random);
	g_test_add_func("/kvmdbg/unit/sw/collisions", test_collisions);
	g_test_add_func("/kvmdbg/unit/sw/churn", test_churn);
	g_test_add_func("/kvmdbg/unit/sw/ids", test_ids);
	g_test_add_func("/kvmdbg/unit/sw/hits", test_hits);
	g_test_add_func("/kvmdbg/unit/sw/offsets-extras", test_offsets_extras);
	g_test_add_func("/kvmdbg/unit/sw/fired", test_fired);
	g_test_add_func("/kvmdbg/unit/sw/million", test_million);

	return g_test_run();
}
