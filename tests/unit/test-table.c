// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The software-breakpoint hash table (lib/table.c, keyed by address): growth to 100k entries,
 * find/del consistency, and deletions in the middle of collision chains.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "internal.h"

#define BIG 100000

static struct kvmdbg_point *points_new(size_t n)
{
	return g_new0(struct kvmdbg_point, n);
}

/*
 * The longest run of occupied buckets (cyclically).  With open addressing a lookup walks at
 * most one run, so "O(1) at any size" means this stays small whatever the keys; a healthy
 * table at most half full has runs of a few dozen at worst, even with 10^5 entries.
 */
#define MAX_CLUSTER 512

static size_t max_cluster(const struct table *t)
{
	size_t buckets = t->mask + 1, best = 0, run = 0;

	for (size_t k = 0; k < 2 * buckets; k++) {
		if (t->buckets[k & t->mask]) {
			run++;
			if (run > best)
				best = run;
		} else {
			run = 0;
		}
	}
	return best < buckets ? best : buckets;
}

static void assert_shape(const struct table *t, size_t live)
{
	size_t buckets = t->mask + 1;

	g_assert_cmpuint(t->count, ==, live);
	g_assert_nonnull(t->buckets);
	g_assert_cmpuint(buckets & (buckets - 1), ==, 0); /* a power of two */
	g_assert_cmpuint(buckets, >, live);
	if (max_cluster(t) > MAX_CLUSTER)
		g_test_message("%zu entries in %zu buckets: a run of %zu occupied buckets", live,
			       buckets, max_cluster(t));
	g_assert_cmpuint(max_cluster(t), <=, MAX_CLUSTER);
}

static void test_empty(void)
{
	struct table t;

	memset(&t, 0xa5, sizeof(t));
	g_assert_cmpint(table_init(&t), ==, 0);
	assert_shape(&t, 0);
	g_assert_null(table_find(&t, 0));
	g_assert_null(table_find(&t, 1));
	g_assert_null(table_find(&t, ~0ull));
	table_fini(&t);
}

static void test_edge_keys(void)
{
	static const uint64_t keys[] = {
		0, 1, ~0ull, 1ull << 63, (1ull << 63) - 1, 0xffffffff, 0x100000000ull,
	};
	struct kvmdbg_point *p = points_new(G_N_ELEMENTS(keys));
	struct table t;

	g_assert_cmpint(table_init(&t), ==, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
		p[i].addr = keys[i];
		g_assert_cmpint(table_add(&t, &p[i]), ==, 0);
	}
	assert_shape(&t, G_N_ELEMENTS(keys));
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
		g_assert_true(table_find(&t, keys[i]) == &p[i]);
	g_assert_null(table_find(&t, 2));
	g_assert_null(table_find(&t, ~0ull - 1));

	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
		table_del(&t, &p[i]);
		g_assert_null(table_find(&t, keys[i]));
		for (size_t j = i + 1; j < G_N_ELEMENTS(keys); j++)
			g_assert_true(table_find(&t, keys[j]) == &p[j]);
	}
	assert_shape(&t, 0);
	table_fini(&t);
	g_free(p);
}

static void check_all(const struct table *t, const struct kvmdbg_point *p,
		      const bool *live, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct kvmdbg_point *q = table_find(t, p[i].addr);

		if (live[i])
			g_assert_true(q == &p[i]);
		else
			g_assert_null(q);
	}
}

static void grow(uint64_t (*key)(size_t i))
{
	struct kvmdbg_point *p = points_new(BIG);
	bool *live = g_new0(bool, BIG);
	size_t *order = g_new(size_t, BIG);
	GRand *rand = g_rand_new_with_seed(20241125);
	struct table t;
	size_t n_live = 0;

	g_assert_cmpint(table_init(&t), ==, 0);
	for (size_t i = 0; i < BIG; i++) {
		p[i].addr = key(i);
		g_assert_cmpint(table_add(&t, &p[i]), ==, 0);
		live[i] = true;
		n_live++;
		/* earlier entries survive every growth */
		if ((i & (i + 1)) == 0 || i % 9973 == 0) {
			assert_shape(&t, n_live);
			for (size_t j = 0; j <= i; j += 1 + i / 512)
				g_assert_true(table_find(&t, p[j].addr) == &p[j]);
		}
	}
	assert_shape(&t, BIG);
	check_all(&t, p, live, BIG);

	/* keys next to the live ones are absent */
	for (size_t i = 0; i < BIG; i += 97) {
		uint64_t k = p[i].addr ^ 0x8000000000000000ull;

		g_assert_null(table_find(&t, k));
	}

	/* delete every other one */
	for (size_t i = 0; i < BIG; i += 2) {
		table_del(&t, &p[i]);
		live[i] = false;
		n_live--;
	}
	g_assert_cmpuint(t.count, ==, n_live);
	check_all(&t, p, live, BIG);

	/* put them back */
	for (size_t i = 0; i < BIG; i += 2) {
		g_assert_cmpint(table_add(&t, &p[i]), ==, 0);
		live[i] = true;
		n_live++;
	}
	assert_shape(&t, BIG);
	check_all(&t, p, live, BIG);

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

		table_del(&t, &p[i]);
		live[i] = false;
		n_live--;
		g_assert_null(table_find(&t, p[i].addr));
		if (k % 10000 == 9999) {
			g_assert_cmpuint(t.count, ==, n_live);
			check_all(&t, p, live, BIG);
		}
	}
	g_assert_cmpuint(t.count, ==, 0);
	check_all(&t, p, live, BIG);

	table_fini(&t);
	g_rand_free(rand);
	g_free(order);
	g_free(live);
	g_free(p);
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
	struct kvmdbg_point *p = points_new(N);
	bool live[N];
	struct table t;

	g_assert_cmpint(table_init(&t), ==, 0);
	for (size_t i = 0; i < N; i++) {
		p[i].addr = i % 2 ? ((uint64_t)i << 40 | 0x1000) : 0x1000 + i;
		g_assert_cmpint(table_add(&t, &p[i]), ==, 0);
		live[i] = true;
	}
	check_all(&t, p, live, N);

	/* delete from the middle, then front and back of the insertion order */
	for (size_t i = N / 4; i < N / 2; i += 3) {
		table_del(&t, &p[i]);
		live[i] = false;
		check_all(&t, p, live, N);
	}
	table_del(&t, &p[1]);
	live[1] = false;
	table_del(&t, &p[N - 1]);
	live[N - 1] = false;
	check_all(&t, p, live, N);

	/* re-insert some, in another order */
	for (size_t i = N / 2 - 2; i >= N / 4; i -= 3) {
		if (live[i])
			continue;
		g_assert_cmpint(table_add(&t, &p[i]), ==, 0);
		live[i] = true;
		check_all(&t, p, live, N);
	}

	size_t n_live = 0;
	for (size_t i = 0; i < N; i++)
		n_live += live[i];
	g_assert_cmpuint(t.count, ==, n_live);
	table_fini(&t);
	g_free(p);
}

static void test_churn(void)
{
	/*
	 * A fuzzer inserting and removing breakpoints for ever: a few live entries and many
	 * deletions must neither fill the table with leftovers nor slow lookups to a crawl.
	 */
	enum { LIVE = 16, ROUNDS = 300000 };
	struct kvmdbg_point *p = points_new(LIVE);
	struct table t;

	g_assert_cmpint(table_init(&t), ==, 0);
	for (size_t i = 0; i < LIVE; i++) {
		p[i].addr = 0x1000 * (i + 1);
		g_assert_cmpint(table_add(&t, &p[i]), ==, 0);
	}
	for (size_t r = 0; r < ROUNDS; r++) {
		struct kvmdbg_point *q = &p[r % LIVE];

		table_del(&t, q);
		g_assert_null(table_find(&t, q->addr));
		q->addr = 0x100000000ull + r * 8;
		g_assert_cmpint(table_add(&t, q), ==, 0);
		g_assert_true(table_find(&t, q->addr) == q);
		g_assert_null(table_find(&t, 0x100000000ull + r * 8 + 4));
	}
	assert_shape(&t, LIVE);
	for (size_t i = 0; i < LIVE; i++)
		g_assert_true(table_find(&t, p[i].addr) == &p[i]);
	g_assert_cmpuint(t.mask + 1, <=, 1024); /* no growth from churn alone */
	table_fini(&t);
	g_free(p);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/kvmdbg/unit/table/empty", test_empty);
	g_test_add_func("/kvmdbg/unit/table/edge-keys", test_edge_keys);
	g_test_add_func("/kvmdbg/unit/table/grow/dense", test_grow_dense);
	g_test_add_func("/kvmdbg/unit/table/grow/pages", test_grow_pages);
	g_test_add_func("/kvmdbg/unit/table/grow/high-bits", test_grow_high);
	g_test_add_func("/kvmdbg/unit/table/grow/scattered", test_grow_random);
	g_test_add_func("/kvmdbg/unit/table/collisions", test_collisions);
	g_test_add_func("/kvmdbg/unit/table/churn", test_churn);

	return g_test_run();
}
