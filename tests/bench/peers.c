// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Two peers doing the library's job on the same synthetic exits, the same keys and the same
 * guest memory: find the point for the exit's pc, put its original byte back into guest
 * memory and mark it fired (a one-shot hit); tell a pc with no point (the guest's own int3);
 * re-plant what fired (rearm); record that a snapshot restore put it back (mark).
 *
 * - list: QEMU's store (accel/kvm: struct kvm_sw_breakpoint { pc, saved_insn, use_count,
 *   QTAILQ_ENTRY }, kvm_find_sw_breakpoint() walking the list, kvm_insert_breakpoint()
 *   looking the pc up first and inserting at the head).  It has no fired set: rearm and mark
 *   walk the list.
 * - hash: the snapchange/wtf shape: open addressing with the key inline, {address, original
 *   byte, state} in 16 bytes, linear probing at most half full, the library's own Fibonacci
 *   hash (so that the layout, not the hash, is what differs), and an array of fired slots so
 *   that rearm and mark cost what fired.  It supports no removal (the bench needs none).
 *
 * Both translate a point's address with the same callback as the library (through a function
 * pointer, as the library calls it) whenever they touch guest memory, hit and rearm included:
 * they keep no guest-physical address, as snapchange translates on each hit.  A miss costs
 * them a lookup and nothing else: a fired point stays in their store, so a pc not in it is the
 * guest's; the library also reads guest memory there (to tell a point removed since the exit).
 *
 * The list cannot do 10^5 or 10^6 points in a run's time (a hit walks half the list): above
 * LIST_FULL points its insert, hit and miss are timed on a sample at that size and marked
 * estimated, and the points are planted without the duplicate walk.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kvmdbg/kvmdbg.h>

#include "bench.h"

#define BP_VECTOR 3
#define INT3 0xcc
#define NOP 0x90
#define LIST_FULL 10000
/* node visits a list phase may cost per repetition */
#define LIST_WORK 100000000.0

enum state {
	EMPTY = 0,
	ARMED = 1,
	FIRED = 2,
};

enum {
	EXIT_EVENT = 1,
	EXIT_RESUME = 2
};

/* Guest memory as the peers reach it: translate, then the one region. */
struct mem {
	kvmdbg_translate_fn translate;
	struct keys *k;
};

static uint8_t *mem_at(const struct mem *m, uint64_t gva)
{
	uint64_t gpa;

	if (m->translate(m->k, gva, &gpa) < 0 || gpa - m->k->gpa_base >= m->k->span)
		return NULL;
	return m->k->mem + (gpa - m->k->gpa_base);
}

/* ---- the QEMU-style list ------------------------------------------------------------------ */

struct lnode {
	uint64_t pc;
	uint64_t saved_insn;
	int use_count;
	uint8_t state;
	struct lnode *next;
	struct lnode **prev; /* QTAILQ keeps the address of the previous next pointer */
};

struct list {
	struct mem m;
	struct lnode *head;
};

static struct lnode *list_find(const struct list *l, uint64_t pc)
{
	for (struct lnode *n = l->head; n; n = n->next)
		if (n->pc == pc)
			return n;
	return NULL;
}

static int list_insert(struct list *l, uint64_t pc, bool lookup)
{
	struct lnode *n = lookup ? list_find(l, pc) : NULL;
	uint8_t *host;

	if (n) {
		n->use_count++;
		return 0;
	}
	host = mem_at(&l->m, pc);
	if (!host)
		return -EFAULT;
	n = malloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->pc = pc;
	n->use_count = 1;
	n->saved_insn = *host;
	*host = INT3;
	n->state = ARMED;
	n->next = l->head;
	if (l->head)
		l->head->prev = &n->next;
	n->prev = &l->head;
	l->head = n;
	return 0;
}

static __attribute__((noinline)) int list_exit(struct list *l, const struct kvm_run *run)
{
	struct lnode *n;

	if (run->exit_reason != KVM_EXIT_DEBUG || run->debug.arch.exception != BP_VECTOR)
		return 0;
	n = list_find(l, run->debug.arch.pc);
	if (!n)
		return EXIT_EVENT; /* the guest's own */
	if (n->state != ARMED)
		return EXIT_RESUME;
	*mem_at(&l->m, n->pc) = (uint8_t)n->saved_insn;
	n->state = FIRED;
	return EXIT_EVENT;
}

static long list_rearm(struct list *l)
{
	long count = 0;

	for (struct lnode *n = l->head; n; n = n->next) {
		if (n->state != FIRED)
			continue;
		*mem_at(&l->m, n->pc) = INT3;
		n->state = ARMED;
		count++;
	}
	return count;
}

static long list_mark(struct list *l)
{
	long count = 0;

	for (struct lnode *n = l->head; n; n = n->next) {
		if (n->state == FIRED) {
			n->state = ARMED;
			count++;
		}
	}
	return count;
}

/* Untimed, for the sampled sizes: fire every point (sel NULL) or those whose index is set. */
static void list_fire(struct list *l, const uint8_t *sel)
{
	const struct keys *k = l->m.k;

	for (struct lnode *n = l->head; n; n = n->next) {
		if (n->state != ARMED)
			continue;
		if (sel && !sel[(n->pc - k->gva_base) / k->stride])
			continue;
		*mem_at(&l->m, n->pc) = (uint8_t)n->saved_insn;
		n->state = FIRED;
	}
}

/* Remove the newest count points (the sample inserted last). */
static void list_pop(struct list *l, long count)
{
	while (count-- && l->head) {
		struct lnode *n = l->head;

		if (n->state == ARMED)
			*mem_at(&l->m, n->pc) = (uint8_t)n->saved_insn;
		l->head = n->next;
		if (l->head)
			l->head->prev = &l->head;
		free(n);
	}
}

static void list_free(struct list *l)
{
	list_pop(l, -1);
}

/* ---- the inline open-addressing hash ------------------------------------------------------- */

struct hentry {
	uint64_t addr;
	uint8_t orig;
	uint8_t state;
};

struct hash {
	struct mem m;
	struct hentry *slots;
	size_t mask;
	unsigned int shift;
	size_t count;
	uint32_t *fired;
	size_t nr_fired, fired_cap;
};

static size_t hash_home(const struct hash *h, uint64_t addr)
{
	return (size_t)((addr * 0x9e3779b97f4a7c15ull) >> h->shift);
}

static int hash_init(struct hash *h)
{
	h->slots = calloc(64, sizeof(*h->slots));
	if (!h->slots)
		return -ENOMEM;
	h->mask = 63;
	h->shift = 58;
	return 0;
}

static struct hentry *hash_find(const struct hash *h, uint64_t addr)
{
	for (size_t i = hash_home(h, addr);; i = (i + 1) & h->mask) {
		struct hentry *e = &h->slots[i];

		if (e->state == EMPTY)
			return NULL;
		if (e->addr == addr)
			return e;
	}
}

static struct hentry *hash_place(struct hash *h, uint64_t addr)
{
	size_t i = hash_home(h, addr);

	while (h->slots[i].state != EMPTY)
		i = (i + 1) & h->mask;
	return &h->slots[i];
}

static int hash_grow(struct hash *h)
{
	struct hash old = *h;
	size_t n = (h->mask + 1) * 2;

	h->slots = calloc(n, sizeof(*h->slots));
	if (!h->slots) {
		*h = old;
		return -ENOMEM;
	}
	h->mask = n - 1;
	h->shift--;
	for (size_t i = 0; i <= old.mask; i++)
		if (old.slots[i].state != EMPTY)
			*hash_place(h, old.slots[i].addr) = old.slots[i];
	free(old.slots);
	return 0;
}

static int hash_insert(struct hash *h, uint64_t addr)
{
	struct hentry *e;
	uint8_t *host;

	if (hash_find(h, addr))
		return -EEXIST;
	host = mem_at(&h->m, addr);
	if (!host)
		return -EFAULT;
	if ((h->count + 1) * 2 > h->mask + 1 && hash_grow(h) < 0)
		return -ENOMEM;
	if (h->count + 1 > h->fired_cap) {
		size_t cap = h->fired_cap ? 2 * h->fired_cap : 64;
		uint32_t *f = realloc(h->fired, cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		h->fired = f;
		h->fired_cap = cap;
	}
	e = hash_place(h, addr);
	e->addr = addr;
	e->orig = *host;
	e->state = ARMED;
	*host = INT3;
	h->count++;
	return 0;
}

static __attribute__((noinline)) int hash_exit(struct hash *h, const struct kvm_run *run)
{
	struct hentry *e;

	if (run->exit_reason != KVM_EXIT_DEBUG || run->debug.arch.exception != BP_VECTOR)
		return 0;
	e = hash_find(h, run->debug.arch.pc);
	if (!e)
		return EXIT_EVENT; /* the guest's own */
	if (e->state != ARMED)
		return EXIT_RESUME;
	*mem_at(&h->m, e->addr) = e->orig;
	e->state = FIRED;
	h->fired[h->nr_fired++] = (uint32_t)(e - h->slots);
	return EXIT_EVENT;
}

static long hash_rearm(struct hash *h)
{
	long count = (long)h->nr_fired;

	for (size_t i = 0; i < h->nr_fired; i++) {
		struct hentry *e = &h->slots[h->fired[i]];

		*mem_at(&h->m, e->addr) = INT3;
		e->state = ARMED;
	}
	h->nr_fired = 0;
	return count;
}

static long hash_mark(struct hash *h)
{
	long count = (long)h->nr_fired;

	for (size_t i = 0; i < h->nr_fired; i++)
		h->slots[h->fired[i]].state = ARMED;
	h->nr_fired = 0;
	return count;
}

static void hash_free(struct hash *h)
{
	for (size_t i = 0; h->slots && i <= h->mask; i++)
		if (h->slots[i].state == ARMED)
			*mem_at(&h->m, h->slots[i].addr) = h->slots[i].orig;
	free(h->slots);
	free(h->fired);
	memset(h, 0, sizeof(*h));
}

/* ---- one driver for both --------------------------------------------------------------------- */

struct peer {
	const char *name;
	bool is_list;
	struct list list;
	struct hash hash;
};

static int peer_open(struct peer *p, struct keys *k)
{
	struct mem m = { .translate = keys_translate, .k = k };

	if (p->is_list) {
		memset(&p->list, 0, sizeof(p->list));
		p->list.m = m;
		return 0;
	}
	memset(&p->hash, 0, sizeof(p->hash));
	p->hash.m = m;
	return hash_init(&p->hash);
}

static void peer_close(struct peer *p)
{
	if (p->is_list)
		list_free(&p->list);
	else
		hash_free(&p->hash);
}

static int peer_insert(struct peer *p, uint64_t addr, bool lookup)
{
	return p->is_list ? list_insert(&p->list, addr, lookup) : hash_insert(&p->hash, addr);
}

static long peer_exits(struct peer *p, const uint64_t *pcs, long n, int want)
{
	struct kvm_run *run = synth_run();
	long bad = 0;

	for (long i = 0; i < n; i++) {
		/* written per exit, as for the library: the kernel writes all three */
		run->exit_reason = KVM_EXIT_DEBUG;
		run->debug.arch.exception = BP_VECTOR;
		run->debug.arch.pc = pcs[i];
		bad += (p->is_list ? list_exit(&p->list, run) : hash_exit(&p->hash, run)) != want;
		serialise(); /* as the library's exits: see synth.c, exits() */
	}
	return bad;
}

static long peer_rearm(struct peer *p)
{
	return p->is_list ? list_rearm(&p->list) : hash_rearm(&p->hash);
}

static long peer_mark(struct peer *p)
{
	return p->is_list ? list_mark(&p->list) : hash_mark(&p->hash);
}

static int peer_fail(const struct peer *p, const char *what)
{
	progress("  %s peer: %s\n", p->name, what);
	bench_failed = true;
	return -1;
}

static double batch_ns(uint64_t t0, uint64_t t1)
{
	double d = (double)(t1 - t0) - timer_ns;

	return d > 0 ? d : 0;
}

static bool sampled(const struct peer *p, const struct keys *k)
{
	return p->is_list && k->n > LIST_FULL;
}

/* Rounds of a phase over n items; the list's rounds are bounded by the walks they cost. */
static long peer_rounds(const struct peer *p, long n, long target)
{
	long rounds = rounds_for(n, target);

	if (p->is_list) {
		double cap = LIST_WORK / ((double)n * (double)n);

		if (cap < 1)
			cap = 1;
		if ((double)rounds > cap)
			rounds = (long)cap;
	}
	return rounds;
}

/* How many operations a sampled list phase times at size n. */
static long sample_size(long n)
{
	long s = (long)(LIST_WORK / (double)n);

	if (s < 50)
		s = 50;
	return s < n ? s : n;
}

static int phase_insert(struct peer *p, struct keys *k, struct result *r)
{
	long rounds = peer_rounds(p, k->n, opts.quick ? 1000 : 20000);
	double total = 0;

	if (sampled(p, k)) {
		long s = sample_size(k->n);
		uint64_t h0, h1, t0;

		if (peer_open(p, k) < 0)
			return peer_fail(p, "no memory");
		h0 = heap_bytes();
		for (long i = 0; i < k->n; i++)
			if (peer_insert(p, k->addr[i], false) < 0)
				return peer_fail(p, "insert failed");
		h1 = heap_bytes();
		r->v[M_BYTES] = heap_per(h0, h1, k->n);
		/* s more at the misses' addresses, each looking the pc up first, at size n */
		t0 = now_ns();
		for (long i = 0; i < s; i++)
			if (peer_insert(p, k->miss[i], true) < 0)
				return peer_fail(p, "insert failed");
		/* the list grows from 0 to n: on average half the walk of size n */
		r->v[M_INSERT] = batch_ns(t0, now_ns()) / (double)s / 2;
		list_pop(&p->list, s);
		r->estimated |= EST_INSERT;
		r->sample = s;
		return 0;
	}
	for (long round = 0; round < rounds; round++) {
		uint64_t h0, h1, t0, t1;

		if (peer_open(p, k) < 0)
			return peer_fail(p, "no memory");
		h0 = heap_bytes();
		t0 = now_ns();
		for (long i = 0; i < k->n; i++)
			if (peer_insert(p, k->addr[i], true) < 0)
				return peer_fail(p, "insert failed");
		t1 = now_ns();
		h1 = heap_bytes();
		total += batch_ns(t0, t1);
		r->v[M_BYTES] = heap_per(h0, h1, k->n);
		if (round + 1 < rounds)
			peer_close(p);
	}
	r->v[M_INSERT] = total / (double)(rounds * k->n);
	return 0;
}

static int phase_hit(struct peer *p, struct keys *k, struct result *r)
{
	struct counts acc = { 0 };

	if (sampled(p, k)) {
		long s = sample_size(k->n);
		uint64_t t0, t1;

		t0 = now_ns();
		if (peer_exits(p, k->hit, s, EXIT_EVENT))
			return peer_fail(p, "a hit that was no event");
		t1 = now_ns();
		r->v[M_HIT] = batch_ns(t0, t1) / (double)s;
		r->estimated |= EST_HIT;
		/* rearm after all fired: fire the rest without timing it */
		list_fire(&p->list, NULL);
		t0 = now_ns();
		if (peer_rearm(p) != k->n)
			return peer_fail(p, "rearm count");
		r->v[M_REARM] = batch_ns(t0, now_ns());
		return 0;
	}

	long rounds = peer_rounds(p, k->n, opts.quick ? 10000 : 300000);
	double hits = 0, rearms = 0;
	long bad;

	/* warm-up, checking that the peer does the library's job in guest memory */
	if (!keys_points_are(k, INT3))
		return peer_fail(p, "a point's int3 not in guest memory after the insert");
	bad = peer_exits(p, k->hit, k->n, EXIT_EVENT);
	if (bad || !keys_points_are(k, NOP))
		return peer_fail(p, "hits that did not restore the original bytes");
	if (peer_rearm(p) != k->n || !keys_points_are(k, INT3))
		return peer_fail(p, "a rearm that did not plant every int3");
	for (long round = 0; round < rounds; round++) {
		struct counts c0 = counts;
		uint64_t t0, t1, t2;

		t0 = now_ns();
		bad += peer_exits(p, k->hit, k->n, EXIT_EVENT);
		t1 = now_ns();
		acc.alloc += counts.alloc - c0.alloc;
		if (peer_rearm(p) != k->n)
			return peer_fail(p, "rearm count");
		t2 = now_ns();
		hits += batch_ns(t0, t1);
		rearms += batch_ns(t1, t2);
	}
	if (bad)
		return peer_fail(p, "a hit that was no event");
	r->v[M_HIT] = hits / (double)(rounds * k->n);
	r->v[M_REARM] = rearms / (double)rounds;
	r->v[M_ALLOC_HIT] = count_alloc_works() ? (double)acc.alloc / (double)(rounds * k->n) : NAN;
	return 0;
}

static int phase_miss(struct peer *p, struct keys *k, struct result *r)
{
	long n = sampled(p, k) ? sample_size(k->n) : k->n;
	long rounds = sampled(p, k) ? 1 : peer_rounds(p, k->n, opts.quick ? 10000 : 300000);
	double total = 0;
	long bad = peer_exits(p, k->miss, n, EXIT_EVENT); /* warm-up */

	for (long round = 0; round < rounds; round++) {
		uint64_t t0 = now_ns();

		bad += peer_exits(p, k->miss, n, EXIT_EVENT);
		total += batch_ns(t0, now_ns());
	}
	if (bad)
		return peer_fail(p, "a miss that was no event");
	r->v[M_MISS] = total / (double)(rounds * n);
	if (sampled(p, k))
		r->estimated |= EST_MISS;
	return 0;
}

static int phase_mark(struct peer *p, struct keys *k, struct result *r)
{
	long f = k->n / 100 ? k->n / 100 : 1;
	long rounds = sampled(p, k) ? 1 : peer_rounds(p, f, opts.quick ? 1000 : 20000);
	uint64_t *pcs = malloc((size_t)f * sizeof(*pcs));
	uint8_t *sel = NULL;
	double total = 0;
	int ret = -1;

	if (!pcs)
		return peer_fail(p, "no memory");
	for (long i = 0; i < f; i++)
		pcs[i] = k->addr[k->perm[i]];
	if (sampled(p, k)) {
		sel = calloc((size_t)k->n, 1);
		if (!sel)
			goto out;
		for (long i = 0; i < f; i++)
			sel[k->perm[i]] = 1;
	}
	for (long round = 0; round < rounds; round++) {
		uint64_t t0;
		long marked;

		if (sel)
			list_fire(&p->list, sel);
		else if (peer_exits(p, pcs, f, EXIT_EVENT))
			goto out;
		for (long i = 0; i < f; i++)
			*keys_byte(k, pcs[i]) = INT3;
		t0 = now_ns();
		marked = peer_mark(p);
		total += batch_ns(t0, now_ns());
		if (marked != f) {
			peer_fail(p, "mark count");
			goto out;
		}
	}
	r->v[M_MARK] = total / (double)rounds;
	ret = 0;
out:
	free(sel);
	free(pcs);
	return ret;
}

static int peer_run(struct peer *p, struct keys *k, struct result *r)
{
	int ret;

	result_clear(r);
	ret = phase_insert(p, k, r);
	if (ret < 0) {
		peer_close(p);
		return ret;
	}
	if (row_on(ROW_HIT) || row_on(ROW_REARM) || row_on(ROW_ALLOC) || row_on(ROW_PATTERNS))
		ret = phase_hit(p, k, r);
	if (ret == 0 && (row_on(ROW_MISS) || row_on(ROW_PATTERNS)))
		ret = phase_miss(p, k, r);
	if (ret == 0 && row_on(ROW_MARK) && k->kind == PAT_BLOCKS)
		ret = phase_mark(p, k, r);
	peer_close(p);
	if (ret == 0 && !keys_memory_clean(k))
		return peer_fail(p, "guest memory not as before after freeing");
	return ret;
}

int peer_list(struct keys *k, struct result *r)
{
	struct peer p = { .name = "list", .is_list = true };

	return peer_run(&p, k, r);
}

int peer_hash(struct keys *k, struct result *r)
{
	struct peer p = { .name = "hash", .is_list = false };

	return peer_run(&p, k, r);
}
