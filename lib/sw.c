// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The software breakpoints of a VM, stored compactly.  A coverage fuzzer plants one on every
 * basic block of a kernel, a million or more: each costs about 30 bytes here, and a hit or a
 * miss touches one or two cache lines.
 *
 *   records  struct swbp, 20 bytes, in chunks of 4096 that never move: the address, the
 *            original bytes, the generation of the record (part of the id) and one word of
 *            state, hit count and the index of the point's virtual-to-physical offset.  A
 *            record keeps its index for the point's life; freed records are reused with
 *            their generation bumped, so ids are not reused.
 *   table    4 bytes a slot: a record index and an 8-bit tag of the address's hash; open
 *            addressing with linear probing, at most 3/4 full, deletion by backward shift.
 *            A miss compares tags within a cache line and reads a record only on a tag match.
 *   offsets  gpa = address + offset.  Distinct offsets are few (one for an identity mapping
 *            or a kernel's linear map), so a point holds a 20-bit index into a shared table.
 *   extras   what few points have (an owning vCPU, user data, a step-over under way, a
 *            write-back owed, an instruction across two pages, more than 127 hits) lives in
 *            a map from record index to a struct sw_extra.
 *   fired    the record indexes of the one-shots that fired since the last reset: a reset
 *            costs what fired, not what exists.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

_Static_assert(sizeof(struct swbp) == 20, "a software breakpoint record is 20 bytes");

#define CHUNK_SHIFT 12
#define CHUNK (1u << CHUNK_SHIFT)
#define TABLE_MIN_SHIFT 58 /* 64 slots */
#define SLOT_TAG(s) ((s)&0xffu)
#define SLOT_IDX(s) ((s) >> 8)

#define META_STATE_MASK 0x3fu
#define META_HITS_SHIFT 6
#define META_HITS_MAX 63u
#define META_OFF_SHIFT 12
#define OFF_EXTRA 0xfffffu /* the offset is in the extra */
#define OFF_NONE 0xffffeu  /* no offset (yet) */
#define OFF_MAX 0xffffdu   /* the shared table's last index */

uint64_t sw_addr(const struct sw_store *s, uint32_t idx)
{
	const struct swbp *b = sw_rec(s, idx);

	return (uint64_t)b->addr_hi << 32 | b->addr_lo;
}

/*
 * Fibonacci hashing: the top bits of the product depend on every bit of the address.  The
 * slot comes from the top bits, the tag from the 8 bits below them.
 */
static inline uint64_t hash(uint64_t addr)
{
	return addr * 0x9e3779b97f4a7c15ull;
}

static inline size_t home(const struct sw_store *s, uint64_t h)
{
	return (size_t)(h >> s->shift);
}

static inline uint32_t tag(const struct sw_store *s, uint64_t h)
{
	return (uint32_t)(h >> (s->shift - 8)) & 0xffu;
}

int sw_store_init(struct sw_store *s)
{
	memset(s, 0, sizeof(*s));
	s->slots = calloc((size_t)1 << (64 - TABLE_MIN_SHIFT), sizeof(*s->slots));
	if (!s->slots)
		return -ENOMEM;
	s->shift = TABLE_MIN_SHIFT;
	s->mask = ((size_t)1 << (64 - TABLE_MIN_SHIFT)) - 1;
	/* index 0 is no record: a slot of 0 is empty */
	s->next_idx = 1;
	if (map_init(&s->extras) < 0) {
		free(s->slots);
		return -ENOMEM;
	}
	if (map_init(&s->offset_ids) < 0) {
		map_fini(&s->extras);
		free(s->slots);
		return -ENOMEM;
	}
	return 0;
}

void sw_store_fini(struct sw_store *s)
{
	for (size_t i = 0; s->extras.slots && i <= s->extras.mask; i++)
		free(s->extras.slots[i].val);
	map_fini(&s->extras);
	map_fini(&s->offset_ids);
	for (uint32_t c = 0; c < s->nr_chunks; c++)
		free(s->chunks[c]);
	free(s->chunks);
	free(s->slots);
	free(s->offsets);
	free(s->fired);
	memset(s, 0, sizeof(*s));
}

uint32_t sw_find(const struct sw_store *s, uint64_t addr)
{
	uint64_t h = hash(addr);
	uint32_t t = tag(s, h);

	for (size_t i = home(s, h);; i = (i + 1) & s->mask) {
		uint32_t slot = s->slots[i];
		const struct swbp *b;

		if (!slot)
			return 0;
		if (SLOT_TAG(slot) != t)
			continue;
		b = sw_rec(s, SLOT_IDX(slot));
		if (b->addr_lo == (uint32_t)addr && b->addr_hi == (uint32_t)(addr >> 32))
			return SLOT_IDX(slot);
	}
}

static void place(struct sw_store *s, uint64_t addr, uint32_t idx)
{
	uint64_t h = hash(addr);
	size_t i = home(s, h);

	while (s->slots[i])
		i = (i + 1) & s->mask;
	s->slots[i] = idx << 8 | tag(s, h);
}

/* Double the table: the caller has checked that it is 3/4 full. */
static int grow_table(struct sw_store *s)
{
	size_t old_n = s->mask + 1;
	uint32_t *old = s->slots;

	s->slots = calloc(old_n * 2, sizeof(*s->slots));
	if (!s->slots) {
		s->slots = old;
		return -ENOMEM;
	}
	s->mask = old_n * 2 - 1;
	s->shift--;
	for (size_t i = 0; i < old_n; i++)
		if (old[i])
			place(s, sw_addr(s, SLOT_IDX(old[i])), SLOT_IDX(old[i]));
	free(old);
	return 0;
}

/* A record to use: a freed one, else the next new one (a new chunk when needed). */
static int take_record(struct sw_store *s, uint32_t *ret_idx)
{
	uint32_t idx = s->free_head;

	if (idx) {
		s->free_head = sw_rec(s, idx)->addr_lo;
		*ret_idx = idx;
		return 0;
	}
	if (s->next_idx > SW_MAX_POINTS)
		return -ENOSPC;
	idx = s->next_idx;
	if (idx >> CHUNK_SHIFT == s->nr_chunks) {
		struct swbp **chunks = realloc(s->chunks, (s->nr_chunks + 1) * sizeof(*chunks));
		struct swbp *chunk;

		if (!chunks)
			return -ENOMEM;
		s->chunks = chunks;
		chunk = calloc(CHUNK, sizeof(*chunk));
		if (!chunk)
			return -ENOMEM;
		s->chunks[s->nr_chunks++] = chunk;
	}
	s->next_idx++;
	*ret_idx = idx;
	return 0;
}

int sw_alloc(struct sw_store *s, uint64_t addr, uint32_t *ret_idx)
{
	struct swbp *b;
	uint32_t idx;
	int ret;

	if ((s->count + 1) * 4 > (s->mask + 1) * 3) {
		ret = grow_table(s);
		if (ret < 0)
			return ret;
	}
	ret = take_record(s, &idx);
	if (ret < 0)
		return ret;
	b = sw_rec(s, idx);
	/* the generation survives reuse: the id of a new point differs from the last one's */
	b->gen++;
	b->addr_lo = (uint32_t)addr;
	b->addr_hi = (uint32_t)(addr >> 32);
	memset(b->orig, 0, sizeof(b->orig));
	b->meta = OFF_NONE << META_OFF_SHIFT | SW_LIVE;
	place(s, addr, idx);
	s->count++;
	*ret_idx = idx;
	return 0;
}

void sw_release(struct sw_store *s, uint32_t idx)
{
	uint64_t addr = sw_addr(s, idx);
	struct swbp *b = sw_rec(s, idx);
	size_t i = home(s, hash(addr));

	sw_offset_put(s, idx);
	if (b->meta & SW_EXTRA) {
		struct sw_extra *x = sw_extra(s, idx);

		map_del(&s->extras, idx, x);
		free(x);
	}
	while (SLOT_IDX(s->slots[i]) != idx)
		i = (i + 1) & s->mask;
	s->slots[i] = 0;
	s->count--;
	/* shift back every entry of the cluster that would no longer be reachable */
	for (size_t j = (i + 1) & s->mask; s->slots[j]; j = (j + 1) & s->mask) {
		size_t h = home(s, hash(sw_addr(s, SLOT_IDX(s->slots[j]))));

		/* entry j may move to the hole at i unless its home lies cyclically in (i, j] */
		if (i <= j ? (h > i && h <= j) : (h > i || h <= j))
			continue;
		s->slots[i] = s->slots[j];
		s->slots[j] = 0;
		i = j;
	}
	/* freed: out of the table, on the free list (in addr_lo), its generation kept */
	b->meta = 0;
	b->addr_lo = s->free_head;
	b->addr_hi = 0;
	s->free_head = idx;
}

uint64_t sw_id(const struct sw_store *s, uint32_t idx)
{
	return (uint64_t)sw_rec(s, idx)->gen << 32 | idx;
}

uint32_t sw_by_id(const struct sw_store *s, uint64_t id)
{
	uint32_t idx = (uint32_t)id;

	/* the ids of hardware points have bit 31 set: never a record index */
	if (!idx || idx >= s->next_idx)
		return 0;
	if (sw_rec(s, idx)->gen != (uint32_t)(id >> 32) || !sw_has(s, idx, SW_LIVE))
		return 0;
	return idx;
}

uint32_t sw_next(const struct sw_store *s, uint32_t idx)
{
	while (++idx < s->next_idx)
		if (sw_has(s, idx, SW_LIVE))
			return idx;
	return 0;
}

struct sw_extra *sw_extra(const struct sw_store *s, uint32_t idx)
{
	size_t cursor = 0;

	if (!sw_has(s, idx, SW_EXTRA))
		return NULL;
	return map_next(&s->extras, idx, &cursor);
}

struct sw_extra *sw_extra_get(struct sw_store *s, uint32_t idx)
{
	struct sw_extra *x = sw_extra(s, idx);

	if (x)
		return x;
	x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	if (map_add(&s->extras, idx, x) < 0) {
		free(x);
		return NULL;
	}
	sw_set(s, idx, SW_EXTRA);
	return x;
}

void sw_extra_trim(struct sw_store *s, uint32_t idx)
{
	struct sw_extra *x = sw_extra(s, idx);

	if (!x || x->vcpu || x->user_data || x->orphan || x->overwritten || x->owed || x->split ||
	    x->own_offset || x->hits || x->flags || x->heals || x->has_space)
		return;
	map_del(&s->extras, idx, x);
	free(x);
	sw_clear(s, idx, SW_EXTRA);
}

uint32_t sw_next_extra(const struct sw_store *s, size_t *cursor, struct sw_extra **ret_x)
{
	while (*cursor <= s->extras.mask) {
		const struct map_entry *e = &s->extras.slots[(*cursor)++];

		if (e->val) {
			*ret_x = e->val;
			return (uint32_t)e->key;
		}
	}
	return 0;
}

uint64_t sw_hits(const struct sw_store *s, uint32_t idx)
{
	const struct sw_extra *x = sw_extra(s, idx);

	if (x && x->hits)
		return x->hits;
	return (sw_rec(s, idx)->meta >> META_HITS_SHIFT) & META_HITS_MAX;
}

void sw_hit(struct sw_store *s, uint32_t idx)
{
	struct swbp *b = sw_rec(s, idx);
	struct sw_extra *x;

	if (((b->meta >> META_HITS_SHIFT) & META_HITS_MAX) < META_HITS_MAX) {
		b->meta += 1u << META_HITS_SHIFT;
		return;
	}
	/* past what the record holds: the count goes on in the extra */
	x = sw_extra(s, idx);
	if (!x || !x->hits) {
		x = sw_extra_get(s, idx);
		if (!x)
			return; /* out of memory: the count stays where it is */
		x->hits = META_HITS_MAX;
	}
	x->hits++;
}

/* The index of an offset in the shared table, taken with one reference. */
static int offset_ref(struct sw_store *s, int64_t offset, uint32_t *ret)
{
	size_t cursor = 0;
	void *val = map_next(&s->offset_ids, (uint64_t)offset, &cursor);
	uint32_t i;

	if (val) {
		i = (uint32_t)((uintptr_t)val - 1);
		s->offsets[i].refs++;
		*ret = i;
		return 0;
	}
	if (s->free_offset) {
		i = s->free_offset - 1;
	} else {
		if (s->nr_offsets > OFF_MAX)
			return -ENOSPC;
		if (s->nr_offsets == s->cap_offsets) {
			uint32_t cap = s->cap_offsets ? s->cap_offsets * 2 : 4;
			struct sw_offset *o = realloc(s->offsets, cap * sizeof(*o));

			if (!o)
				return -ENOMEM;
			s->offsets = o;
			s->cap_offsets = cap;
		}
		i = s->nr_offsets;
	}
	if (map_add(&s->offset_ids, (uint64_t)offset, (void *)(uintptr_t)(i + 1)) < 0)
		return -ENOMEM;
	if (s->free_offset)
		s->free_offset = (uint32_t)s->offsets[i].offset;
	else
		s->nr_offsets++;
	s->offsets[i].offset = offset;
	s->offsets[i].refs = 1;
	s->live_offsets++;
	*ret = i;
	return 0;
}

static void offset_unref(struct sw_store *s, uint32_t i)
{
	struct sw_offset *o = &s->offsets[i];

	if (--o->refs)
		return;
	map_del(&s->offset_ids, (uint64_t)o->offset, (void *)(uintptr_t)(i + 1));
	/* freed: the free list runs through the offsets */
	o->offset = s->free_offset;
	s->free_offset = i + 1;
	s->live_offsets--;
}

static void set_off(struct swbp *b, uint32_t i)
{
	b->meta = (b->meta & ((1u << META_OFF_SHIFT) - 1)) | i << META_OFF_SHIFT;
}

int sw_offset_set(struct sw_store *s, uint32_t idx, uint64_t gpa)
{
	int64_t offset = (int64_t)(gpa - sw_addr(s, idx));
	uint32_t i;
	int ret;

	sw_offset_put(s, idx);
	ret = offset_ref(s, offset, &i);
	if (ret == -ENOSPC) {
		/* the shared table is full: this point keeps its offset to itself */
		struct sw_extra *x = sw_extra_get(s, idx);

		if (!x)
			return -ENOMEM;
		x->own_offset = true;
		x->offset = offset;
		i = OFF_EXTRA;
	} else if (ret < 0) {
		return ret;
	}
	set_off(sw_rec(s, idx), i);
	return 0;
}

void sw_offset_put(struct sw_store *s, uint32_t idx)
{
	struct swbp *b = sw_rec(s, idx);
	uint32_t i = b->meta >> META_OFF_SHIFT;

	if (i == OFF_NONE)
		return;
	if (i == OFF_EXTRA)
		sw_extra(s, idx)->own_offset = false;
	else
		offset_unref(s, i);
	set_off(b, OFF_NONE);
}

bool sw_planted(const struct sw_store *s, uint32_t idx)
{
	return sw_rec(s, idx)->meta >> META_OFF_SHIFT != OFF_NONE;
}

uint64_t sw_gpa(const struct sw_store *s, uint32_t idx)
{
	uint32_t i = sw_rec(s, idx)->meta >> META_OFF_SHIFT;

	if (i == OFF_EXTRA)
		return sw_addr(s, idx) + (uint64_t)sw_extra(s, idx)->offset;
	return sw_addr(s, idx) + (uint64_t)s->offsets[i].offset;
}

static int cmp_idx(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Drop the entries of points removed since they fired, and the second entry of a record
 * reused by a point that fired too; sorted, so that a reset walks the records in order.
 */
static void fired_compact(struct sw_store *s)
{
	size_t n = 0, cursor = 0;
	uint32_t idx;

	while ((idx = sw_fired_next(s, &cursor)))
		s->fired[n++] = idx;
	if (n)
		qsort(s->fired, n, sizeof(*s->fired), cmp_idx);
	s->nr_fired = 0;
	for (size_t i = 0; i < n; i++)
		if (!s->nr_fired || s->fired[s->nr_fired - 1] != s->fired[i])
			s->fired[s->nr_fired++] = s->fired[i];
}

/* A record that is a one-shot that fired: live, one-shot, disarmed. */
static inline bool fired(const struct sw_store *s, uint32_t idx)
{
	return (sw_rec(s, idx)->meta & (SW_LIVE | SW_ONESHOT | SW_ARMED)) == (SW_LIVE | SW_ONESHOT);
}

int sw_fired_each(struct sw_store *s, int (*fn)(void *data, uint32_t idx), void *data)
{
	int ret = 0;

	if (s->nr_fired * 32 >= s->count) {
		/*
		 * Much fired: every record, in order.  Sequential reads cost less than a cache
		 * miss for each fired one, and the records are in insertion order, which for a
		 * fuzzer's bulk insert is address order: guest memory is written in order too.
		 */
		for (uint32_t idx = 1; idx < s->next_idx && ret == 0; idx++)
			if (fired(s, idx))
				ret = fn(data, idx);
	} else {
		/* little fired: the list, each record fetched ahead of its turn */
		for (size_t i = 0; i < s->nr_fired && ret == 0; i++) {
			if (i + 8 < s->nr_fired)
				__builtin_prefetch(sw_rec(s, s->fired[i + 8]), 1);
			if (fired(s, s->fired[i]))
				ret = fn(data, s->fired[i]);
		}
	}
	/* on an error the list stays: the entries done are skipped next time, being armed */
	if (ret == 0)
		s->nr_fired = 0;
	return ret;
}

int sw_fired_add(struct sw_store *s, uint32_t idx)
{
	if (s->nr_fired == s->cap_fired) {
		fired_compact(s);
		/* grow unless compacting freed a quarter */
		if (s->nr_fired * 4 >= s->cap_fired * 3) {
			size_t cap = s->cap_fired ? s->cap_fired * 2 : 64;
			uint32_t *f = realloc(s->fired, cap * sizeof(*f));

			if (!f)
				return -ENOMEM;
			s->fired = f;
			s->cap_fired = cap;
		}
	}
	s->fired[s->nr_fired++] = idx;
	return 0;
}

uint32_t sw_fired_next(const struct sw_store *s, size_t *cursor)
{
	while (*cursor < s->nr_fired) {
		uint32_t idx = s->fired[(*cursor)++];

		/*
		 * Entries of points removed since are stale, and their records may hold other
		 * points: only a live one-shot that is disarmed is one that fired.
		 */
		if (fired(s, idx))
			return idx;
	}
	return 0;
}
