// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Software breakpoints by address: open addressing with linear probing, at most half full,
 * deletion by backward shift (no tombstones), so a lookup costs O(1) at any size and never
 * allocates.  Only an insert that grows the table allocates.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

#define TABLE_MIN_SHIFT 58 /* 64 buckets */

/*
 * Fibonacci hashing: the top bits of the product depend on every bit of the address, so
 * addresses that differ only in their high bits (other pages, other mappings) spread too.
 */
static size_t home(const struct table *t, uint64_t addr)
{
	return (size_t)((addr * 0x9e3779b97f4a7c15ull) >> t->shift);
}

int table_init(struct table *t)
{
	t->buckets = calloc((size_t)1 << (64 - TABLE_MIN_SHIFT), sizeof(*t->buckets));
	if (!t->buckets)
		return -ENOMEM;
	t->shift = TABLE_MIN_SHIFT;
	t->mask = ((size_t)1 << (64 - TABLE_MIN_SHIFT)) - 1;
	t->count = 0;
	return 0;
}

void table_fini(struct table *t)
{
	free(t->buckets);
	t->buckets = NULL;
	t->mask = 0;
	t->shift = 0;
	t->count = 0;
}

struct kvmdbg_point *table_find(const struct table *t, uint64_t addr)
{
	for (size_t i = home(t, addr);; i = (i + 1) & t->mask) {
		struct kvmdbg_point *p = t->buckets[i];

		if (!p || p->addr == addr)
			return p;
	}
}

static void place(struct table *t, struct kvmdbg_point *p)
{
	size_t i = home(t, p->addr);

	while (t->buckets[i])
		i = (i + 1) & t->mask;
	t->buckets[i] = p;
}

int table_add(struct table *t, struct kvmdbg_point *p)
{
	if ((t->count + 1) * 2 > t->mask + 1) {
		struct table old = *t;
		size_t n = (t->mask + 1) * 2;

		t->buckets = calloc(n, sizeof(*t->buckets));
		if (!t->buckets) {
			*t = old;
			return -ENOMEM;
		}
		t->mask = n - 1;
		t->shift--;
		for (size_t i = 0; i <= old.mask; i++)
			if (old.buckets[i])
				place(t, old.buckets[i]);
		free(old.buckets);
	}
	place(t, p);
	t->count++;
	return 0;
}

void table_del(struct table *t, struct kvmdbg_point *p)
{
	size_t i = home(t, p->addr);

	while (t->buckets[i] != p)
		i = (i + 1) & t->mask;
	t->buckets[i] = NULL;
	t->count--;

	/* shift back every entry of the cluster that would no longer be reachable */
	for (size_t j = (i + 1) & t->mask; t->buckets[j]; j = (j + 1) & t->mask) {
		size_t h = home(t, t->buckets[j]->addr);

		/* entry j may move to the hole at i unless its home lies cyclically in (i, j] */
		if (i <= j ? (h > i && h <= j) : (h > i || h <= j))
			continue;
		t->buckets[i] = t->buckets[j];
		t->buckets[j] = NULL;
		i = j;
	}
}
