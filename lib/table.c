// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Software breakpoints by address: open addressing with linear probing, at most half full,
 * deletion by backward shift (no tombstones), so a lookup costs O(1) at any size and never
 * allocates.  Only an insert that grows the table allocates.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

#define TABLE_MIN_BUCKETS 64

static size_t hash_addr(uint64_t addr)
{
	/* Fibonacci hashing: breakpoint addresses are clustered, the low bits alone are poor */
	return (size_t)((addr * 0x9e3779b97f4a7c15ull) >> 17);
}

int kvmdbg_table_init(struct kvmdbg_table *t)
{
	t->buckets = calloc(TABLE_MIN_BUCKETS, sizeof(*t->buckets));
	if (!t->buckets)
		return -ENOMEM;
	t->mask = TABLE_MIN_BUCKETS - 1;
	t->count = 0;
	return 0;
}

void kvmdbg_table_fini(struct kvmdbg_table *t)
{
	free(t->buckets);
	t->buckets = NULL;
	t->mask = 0;
	t->count = 0;
}

struct kvmdbg_point *kvmdbg_table_find(const struct kvmdbg_table *t, uint64_t addr)
{
	for (size_t i = hash_addr(addr) & t->mask;; i = (i + 1) & t->mask) {
		struct kvmdbg_point *p = t->buckets[i];

		if (!p || p->addr == addr)
			return p;
	}
}

static void place(struct kvmdbg_point **buckets, size_t mask, struct kvmdbg_point *p)
{
	size_t i = hash_addr(p->addr) & mask;

	while (buckets[i])
		i = (i + 1) & mask;
	buckets[i] = p;
}

int kvmdbg_table_add(struct kvmdbg_table *t, struct kvmdbg_point *p)
{
	if ((t->count + 1) * 2 > t->mask + 1) {
		size_t n = (t->mask + 1) * 2;
		struct kvmdbg_point **nb = calloc(n, sizeof(*nb));

		if (!nb)
			return -ENOMEM;
		for (size_t i = 0; i <= t->mask; i++)
			if (t->buckets[i])
				place(nb, n - 1, t->buckets[i]);
		free(t->buckets);
		t->buckets = nb;
		t->mask = n - 1;
	}
	place(t->buckets, t->mask, p);
	t->count++;
	return 0;
}

void kvmdbg_table_del(struct kvmdbg_table *t, struct kvmdbg_point *p)
{
	size_t i = hash_addr(p->addr) & t->mask;

	while (t->buckets[i] != p)
		i = (i + 1) & t->mask;
	t->buckets[i] = NULL;
	t->count--;

	/* shift back every entry of the cluster that would no longer be reachable */
	for (size_t j = (i + 1) & t->mask; t->buckets[j]; j = (j + 1) & t->mask) {
		size_t home = hash_addr(t->buckets[j]->addr) & t->mask;

		/* entry j may move to the hole at i unless its home lies cyclically in (i, j] */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		t->buckets[i] = t->buckets[j];
		t->buckets[j] = NULL;
		i = j;
	}
}
