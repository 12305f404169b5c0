/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small map from 64-bit keys to pointers for the model tier (model.c, client.c), so that
 * those files need no more of GLib than tests/unit/shim/glib.h offers (the cross tier builds
 * them against the shim on ppc64 and riscv64).  Open addressing, linear probing, at most half
 * full; deletion re-inserts the rest of the cluster.
 */
#ifndef KVMDBG_TEST_U64MAP_H
#define KVMDBG_TEST_U64MAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

struct u64map {
	uint64_t *keys;
	void **vals;
	bool *used;
	size_t cap; /* a power of two */
	size_t count;
};

static inline size_t u64map_home(const struct u64map *m, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 17) & (m->cap - 1);
}

static inline void u64map_init(struct u64map *m, size_t cap)
{
	m->cap = 16;
	while (m->cap < 2 * cap)
		m->cap *= 2;
	m->keys = calloc(m->cap, sizeof(*m->keys));
	m->vals = calloc(m->cap, sizeof(*m->vals));
	m->used = calloc(m->cap, sizeof(*m->used));
	m->count = 0;
	if (!m->keys || !m->vals || !m->used)
		abort();
}

static inline void u64map_fini(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	m->keys = NULL;
	m->vals = NULL;
	m->used = NULL;
	m->cap = m->count = 0;
}

static inline void *u64map_get(const struct u64map *m, uint64_t key)
{
	for (size_t i = u64map_home(m, key); m->used[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return m->vals[i];
	return NULL;
}

static inline void u64map_put(struct u64map *m, uint64_t key, void *val);

static inline void u64map_grow(struct u64map *m)
{
	struct u64map old = *m;

	u64map_init(m, old.cap);
	for (size_t i = 0; i < old.cap; i++)
		if (old.used[i])
			u64map_put(m, old.keys[i], old.vals[i]);
	u64map_fini(&old);
}

/* Insert or replace. */
static inline void u64map_put(struct u64map *m, uint64_t key, void *val)
{
	size_t i;

	if (2 * (m->count + 1) > m->cap)
		u64map_grow(m);
	for (i = u64map_home(m, key); m->used[i]; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return;
		}
	}
	m->used[i] = true;
	m->keys[i] = key;
	m->vals[i] = val;
	m->count++;
}

/* Remove; returns the value that was there, or NULL. */
static inline void *u64map_del(struct u64map *m, uint64_t key)
{
	size_t i;
	void *val;

	for (i = u64map_home(m, key); m->used[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			break;
	if (!m->used[i])
		return NULL;
	val = m->vals[i];
	m->used[i] = false;
	m->count--;
	for (size_t j = (i + 1) & (m->cap - 1); m->used[j]; j = (j + 1) & (m->cap - 1)) {
		uint64_t k = m->keys[j];
		void *v = m->vals[j];

		m->used[j] = false;
		m->count--;
		u64map_put(m, k, v);
	}
	return val;
}

#endif /* KVMDBG_TEST_U64MAP_H */
