// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A map from 64-bit keys to pointers: open addressing with linear probing, keys inline, at
 * most half full, deletion by backward shift (no tombstones).  A key may have several entries
 * (map_next() walks them).  Only an insert that grows the map allocates.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

#define MAP_MIN_SHIFT 58 /* 64 slots */

static size_t home(const struct map *m, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> m->shift);
}

int map_init(struct map *m)
{
	m->slots = calloc((size_t)1 << (64 - MAP_MIN_SHIFT), sizeof(*m->slots));
	if (!m->slots)
		return -ENOMEM;
	m->shift = MAP_MIN_SHIFT;
	m->mask = ((size_t)1 << (64 - MAP_MIN_SHIFT)) - 1;
	m->count = 0;
	return 0;
}

void map_fini(struct map *m)
{
	free(m->slots);
	m->slots = NULL;
	m->mask = 0;
	m->count = 0;
}

void *map_next(const struct map *m, uint64_t key, size_t *cursor)
{
	/* *cursor is 0 at the start, else one past the slot of the last match */
	size_t i = *cursor ? *cursor & m->mask : home(m, key);

	for (; m->slots[i].val; i = (i + 1) & m->mask) {
		if (m->slots[i].key == key) {
			*cursor = i + 1;
			return m->slots[i].val;
		}
	}
	return NULL;
}

static void place(struct map *m, uint64_t key, void *val)
{
	size_t i = home(m, key);

	while (m->slots[i].val)
		i = (i + 1) & m->mask;
	m->slots[i].key = key;
	m->slots[i].val = val;
}

int map_add(struct map *m, uint64_t key, void *val)
{
	if ((m->count + 1) * 2 > m->mask + 1) {
		struct map old = *m;
		size_t n = (m->mask + 1) * 2;

		m->slots = calloc(n, sizeof(*m->slots));
		if (!m->slots) {
			*m = old;
			return -ENOMEM;
		}
		m->mask = n - 1;
		m->shift--;
		for (size_t i = 0; i <= old.mask; i++)
			if (old.slots[i].val)
				place(m, old.slots[i].key, old.slots[i].val);
		free(old.slots);
	}
	place(m, key, val);
	m->count++;
	return 0;
}

void map_del(struct map *m, uint64_t key, const void *val)
{
	size_t i = home(m, key);

	while (m->slots[i].val != val || m->slots[i].key != key) {
		if (!m->slots[i].val)
			return; /* not there */
		i = (i + 1) & m->mask;
	}
	m->slots[i].val = NULL;
	m->count--;
	for (size_t j = (i + 1) & m->mask; m->slots[j].val; j = (j + 1) & m->mask) {
		size_t h = home(m, m->slots[j].key);

		/* entry j may move to the hole at i unless its home lies cyclically in (i, j] */
		if (i <= j ? (h > i && h <= j) : (h > i || h <= j))
			continue;
		m->slots[i] = m->slots[j];
		m->slots[j].val = NULL;
		i = j;
	}
}
