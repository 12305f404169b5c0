// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The synthetic rows: every size from 1 to the largest, the library and the two peers
 * interleaved in each repetition, then the worst-case key patterns at the largest size; and
 * their tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define NR_SIZES 7

static const long sizes[NR_SIZES] = { 1, 10, 100, 1000, 10000, 100000, 1000000 };

enum impl {
	LIB,
	LIST,
	HASH,
	NR_IMPL
};

struct at_size {
	long n;
	bool done[NR_IMPL];
	struct result med[NR_IMPL];
};

void result_clear(struct result *r)
{
	for (int m = 0; m < M_NR; m++)
		r->v[m] = NAN;
	r->estimated = 0;
	r->sample = 0;
}

void result_median(struct result *out, struct result *reps, int n)
{
	double v[64];

	result_clear(out);
	for (int m = 0; m < M_NR; m++) {
		for (int i = 0; i < n && i < 64; i++)
			v[i] = reps[i].v[m];
		out->v[m] = median(v, n < 64 ? n : 64);
	}
	if (n) {
		out->estimated = reps[0].estimated;
		out->sample = reps[0].sample;
	}
}

static bool want_peers(void)
{
	return row_on(ROW_HIT) || row_on(ROW_MISS) || row_on(ROW_INSERT) || row_on(ROW_REARM) ||
	       row_on(ROW_MARK) || row_on(ROW_MEMORY);
}

/* Every implementation at k, reps times, interleaved; medians into s. */
static void measure(const struct synth_env *env, struct keys *k, struct at_size *s, bool list,
		    bool hash)
{
	int reps = reps_for(k->n);
	struct result *r[NR_IMPL];
	int ok[NR_IMPL] = { 0 };

	for (int i = 0; i < NR_IMPL; i++) {
		r[i] = calloc((size_t)reps, sizeof(*r[i]));
		if (!r[i])
			abort();
	}
	for (int rep = 0; rep < reps; rep++) {
		if (ok[LIB] == rep && synth_lib(env, k, &r[LIB][rep]) == 0)
			ok[LIB]++;
		if (list && ok[LIST] == rep && peer_list(k, &r[LIST][rep]) == 0)
			ok[LIST]++;
		if (hash && ok[HASH] == rep && peer_hash(k, &r[HASH][rep]) == 0)
			ok[HASH]++;
	}
	for (int i = 0; i < NR_IMPL; i++) {
		s->done[i] = ok[i] == reps;
		if (s->done[i])
			result_median(&s->med[i], r[i], reps);
		else
			result_clear(&s->med[i]);
		free(r[i]);
	}
}

static double get(const struct at_size *s, enum impl i, enum metric m)
{
	return s->done[i] ? s->med[i].v[m] : NAN;
}

/* A peer's figure, "~" in front when it was estimated from a sample. */
static const char *peer_time(const struct at_size *s, enum impl i, enum metric m, unsigned int est)
{
	static char bufs[16][48];
	static unsigned int next;
	char *b = bufs[next++ % 16];
	double v = get(s, i, m);

	snprintf(b, 48, "%s%s", !isnan(v) && (s->med[i].estimated & est) ? "~" : "", fmt_time(v));
	return b;
}

static const char *ratio(double a, double b)
{
	return fmt_ratio(a / b);
}

static struct table *per_exit_table(const char *title, struct at_size *s, int ns, enum metric m,
				    enum metric alloc, enum metric ioctl, enum metric sigmask,
				    unsigned int est)
{
	struct table *t = table_new(title, 9, "points", "library", "list", "lib/list", "hash",
				    "lib/hash", "allocs/exit", "ioctls/exit", "sigmask/exit");

	for (int i = 0; i < ns; i++) {
		double lib = get(&s[i], LIB, m);

		table_row(t, fmt_pow10(s[i].n), fmt_time(lib), peer_time(&s[i], LIST, m, est),
			  ratio(lib, get(&s[i], LIST, m)), peer_time(&s[i], HASH, m, est),
			  ratio(lib, get(&s[i], HASH, m)), fmt_num(get(&s[i], LIB, alloc), 2),
			  fmt_num(get(&s[i], LIB, ioctl), 2), fmt_num(get(&s[i], LIB, sigmask), 2));
	}
	table_note(t, "allocs, ioctls and sigmask: the library's malloc/calloc/realloc, ioctl and "
		      "pthread_sigmask calls per exit (each pthread_sigmask is a system call)");
	return t;
}

static void tables(struct at_size *s, int ns, const struct synth_env *env)
{
	struct table *t;
	long big = 0;

	for (int i = 0; i < ns; i++)
		if (s[i].n > 10000)
			big = s[i].n;

	if (row_on(ROW_HIT) || row_on(ROW_ALLOC)) {
		per_exit_table("one-shot hit, points hit in random order (time per exit)", s, ns,
			       M_HIT, M_ALLOC_HIT, M_IOCTL_HIT, M_SIGMASK_HIT, EST_HIT);
	}
	if (row_on(ROW_MISS) || row_on(ROW_ALLOC)) {
		t = per_exit_table(
			"miss: #BP exit at a pc with no point, the guest's own int3 (time "
			"per exit)",
			s, ns, M_MISS, M_ALLOC_MISS, M_IOCTL_MISS, M_SIGMASK_MISS, EST_MISS);
		table_note(t,
			   "what the library does with an unknown #BP: look the pc up, translate "
			   "it (the callback), read the byte there; an int3 is the guest's own: "
			   "KVMDBG_EVENT_GUEST_BREAKPOINT, which a VMM hands back with "
			   "kvmdbg_vcpu_reinject (not timed)");
	}
	if (row_on(ROW_INSERT)) {
		t = table_new("insert n one-shot points, translate callback", 9, "points",
			      "library/point", "library total", "insert_many/point",
			      "insert_many total", "list/point", "lib/list", "hash/point",
			      "lib/hash");
		for (int i = 0; i < ns; i++) {
			double lib = get(&s[i], LIB, M_INSERT);
			double many = get(&s[i], LIB, M_INSERT_MANY);

			table_row(t, fmt_pow10(s[i].n), fmt_time(lib),
				  fmt_time(lib * (double)s[i].n), fmt_time(many),
				  fmt_time(many * (double)s[i].n),
				  peer_time(&s[i], LIST, M_INSERT, EST_INSERT),
				  ratio(lib, get(&s[i], LIST, M_INSERT)),
				  fmt_time(get(&s[i], HASH, M_INSERT)),
				  ratio(lib, get(&s[i], HASH, M_INSERT)));
		}
		table_note(t, "insert_many: the same points in one kvmdbg_vm_insert_many call, "
			      "into a fresh VM (the lock taken once per 4096 points, one "
			      "translation per page); the ratios compare the per-call inserts");
	}
	if (row_on(ROW_REARM)) {
		t = table_new("kvmdbg_vm_rearm after all n fired", 7, "points", "library total",
			      "library/point", "list total", "lib/list", "hash total", "lib/hash");
		for (int i = 0; i < ns; i++) {
			double lib = get(&s[i], LIB, M_REARM);

			table_row(t, fmt_pow10(s[i].n), fmt_time(lib),
				  fmt_time(lib / (double)s[i].n),
				  fmt_time(get(&s[i], LIST, M_REARM)),
				  ratio(lib, get(&s[i], LIST, M_REARM)),
				  fmt_time(get(&s[i], HASH, M_REARM)),
				  ratio(lib, get(&s[i], HASH, M_REARM)));
		}
	}
	if (row_on(ROW_MARK)) {
		t = table_new("kvmdbg_vm_mark_all_armed with 1% of n fired", 8, "points", "fired",
			      "library total", "library/fired", "list total", "lib/list",
			      "hash total", "lib/hash");
		for (int i = 0; i < ns; i++) {
			long f = s[i].n / 100 ? s[i].n / 100 : 1;
			double lib = get(&s[i], LIB, M_MARK);

			table_row(t, fmt_pow10(s[i].n), fmt_int(f), fmt_time(lib),
				  fmt_time(lib / (double)f), fmt_time(get(&s[i], LIST, M_MARK)),
				  ratio(lib, get(&s[i], LIST, M_MARK)),
				  fmt_time(get(&s[i], HASH, M_MARK)),
				  ratio(lib, get(&s[i], HASH, M_MARK)));
		}
	}
	if (row_on(ROW_MEMORY)) {
		t = table_new("heap bytes per point (mallinfo2 uordblks + hblkhd, across the "
			      "insert)",
			      4, "points", "library", "list", "hash");
		for (int i = 0; i < ns; i++)
			table_row(t, fmt_pow10(s[i].n), fmt_num(get(&s[i], LIB, M_BYTES), 1),
				  fmt_num(get(&s[i], LIST, M_BYTES), 1),
				  fmt_num(get(&s[i], HASH, M_BYTES), 1));
		table_note(t, "what the insert of n points allocates, over n: the empty VM "
			      "object's own tables (and the peers' empty stores) are not counted, "
			      "which flatters n = 1");
	}
	if (!ns)
		return;
	t = table_new("synthetic rows: how they were measured", 0);
	table_note(t, "VM and vCPU fds: %s; no KVM_RUN: a hand-written kvm_run #BP exit fed to "
		      "kvmdbg_vcpu_handle_exit",
		   env->stand_in ? "stand-ins answering the capability probe in the bench's ioctl "
				   "wrapper (no usable /dev/kvm)"
				 : "a real /dev/kvm VM and vCPU");
	table_note(t, "keys: one point per 16-byte block at a jittered offset, in kernel text "
		      "(0xffffffff81000000 up); misses in each block's other half, where guest "
		      "memory holds an int3 (the guest's own); hits in a random order, each point "
		      "once per round, kvmdbg_vm_rearm between rounds");
	table_note(t,
		   "exits back to back, each ended by an lfence (%.1f ns alone) so that one "
		   "exit's cache misses cannot overlap the next's, as a KVM_RUN between them "
		   "ensures; the caches are not flushed between exits as a guest run would",
		   serialise_ns);
	table_note(t,
		   "batches: each phase repeated until it did about %s exits (%s inserts) "
		   "per repetition; the timer pair's cost taken off each batch; medians over "
		   "the repetitions",
		   opts.quick ? "10^4" : "3*10^5", opts.quick ? "10^3" : "2*10^4");
	if (big) {
		char samples[128] = "";
		size_t len = 0;

		for (int i = 0; i < ns; i++)
			if (s[i].n > 10000 && s[i].med[LIST].sample)
				len += (size_t)snprintf(samples + len, sizeof(samples) - len,
							"%s%s: %ld", len ? ", " : "",
							fmt_pow10(s[i].n), s[i].med[LIST].sample);
		table_note(t,
			   "~: the list peer above 10^4 points is timed on a sample of "
			   "operations at that size (%s); insert: the per-insert cost at size "
			   "n, halved, as the list grows from 0 to n",
			   samples);
	}
	table_note(t, "peers: list = QEMU's kvm_sw_breakpoint list, linear per exit, rearm and "
		      "mark walk it; hash = inline {address, original byte, state} open "
		      "addressing, fired slots in an array; both translate on every guest-memory "
		      "touch and do not read guest memory on a miss");
}

static void patterns(const struct synth_env *env, long n)
{
	static const enum pattern_kind kinds[] = { PAT_BLOCKS, PAT_DENSE, PAT_STRIDE64,
						   PAT_STRIDE4097, PAT_PAGE };
	struct at_size s[5];
	char title[96];
	struct table *t;

	for (size_t i = 0; i < 5; i++) {
		struct keys k;

		memset(&s[i], 0, sizeof(s[i]));
		s[i].n = n;
		progress("synthetic: pattern %s, %s points\n", pattern_name(kinds[i]),
			 fmt_pow10(n));
		if (keys_make(&k, kinds[i], n) < 0) {
			progress("  no memory for the keys\n");
			continue;
		}
		measure(env, &k, &s[i], false, !opts.no_peers);
		keys_free(&k);
	}
	snprintf(title, sizeof(title), "key patterns at %s points: library vs hash peer",
		 fmt_pow10(n));
	t = table_new(title, 9, "pattern", "hit lib", "hit hash", "lib/hash", "miss lib",
		      "miss hash", "lib/hash", "insert lib/pt", "insert hash/pt");
	for (size_t i = 0; i < 5; i++) {
		table_row(t, pattern_name(kinds[i]), fmt_time(get(&s[i], LIB, M_HIT)),
			  fmt_time(get(&s[i], HASH, M_HIT)),
			  ratio(get(&s[i], LIB, M_HIT), get(&s[i], HASH, M_HIT)),
			  fmt_time(get(&s[i], LIB, M_MISS)), fmt_time(get(&s[i], HASH, M_MISS)),
			  ratio(get(&s[i], LIB, M_MISS), get(&s[i], HASH, M_MISS)),
			  fmt_time(get(&s[i], LIB, M_INSERT)),
			  fmt_time(get(&s[i], HASH, M_INSERT)));
	}
	table_note(t, "dense: consecutive addresses, misses right after them; strided and "
		      "page-aligned: misses half a stride past each point; hits in a random order");
}

void synth_rows(const struct synth_env *env)
{
	struct at_size s[NR_SIZES];
	int ns = 0;
	bool peers = want_peers() && !opts.no_peers;

	memset(s, 0, sizeof(s));
	if (row_on(ROW_HIT) || row_on(ROW_MISS) || row_on(ROW_INSERT) || row_on(ROW_REARM) ||
	    row_on(ROW_MARK) || row_on(ROW_MEMORY) || row_on(ROW_ALLOC)) {
		for (int i = 0; i < NR_SIZES && sizes[i] <= opts.max_points; i++) {
			struct keys k;

			if (sizes[i] < opts.min_points)
				continue;
			s[ns].n = sizes[i];
			progress("synthetic: %s points, %d repetitions\n", fmt_pow10(sizes[i]),
				 reps_for(sizes[i]));
			if (keys_make(&k, PAT_BLOCKS, sizes[i]) < 0) {
				progress("  no memory for the keys\n");
				break;
			}
			measure(env, &k, &s[ns], peers, peers);
			keys_free(&k);
			ns++;
		}
	}
	if (ns) {
		const struct at_size *first = &s[0], *last = &s[ns - 1];

		summary.max_n = last->n;
		summary.min_n = first->n;
		summary.bytes_lib = get(last, LIB, M_BYTES);
		summary.bytes_hash = get(last, HASH, M_BYTES);
		summary.hit_max = get(last, LIB, M_HIT);
		summary.hit_1 = get(first, LIB, M_HIT);
		summary.hit_hash_max = get(last, HASH, M_HIT);
		summary.miss_max = get(last, LIB, M_MISS);
		summary.miss_1 = get(first, LIB, M_MISS);
		summary.miss_hash_max = get(last, HASH, M_MISS);
		summary.insert_total_max = get(last, LIB, M_INSERT) * (double)last->n;
		summary.insert_many_total_max = get(last, LIB, M_INSERT_MANY) * (double)last->n;
		summary.rearm_max = get(last, LIB, M_REARM);
		summary.rearm_per_max = summary.rearm_max / (double)last->n;
		summary.mark_max = get(last, LIB, M_MARK);
		summary.alloc_per_exit = get(last, LIB, M_ALLOC_HIT) + get(last, LIB, M_ALLOC_MISS);
	}
	tables(s, ns, env);
	if (row_on(ROW_PATTERNS)) {
		long n = 1;

		for (int i = 0; i < NR_SIZES && sizes[i] <= opts.max_points; i++)
			n = sizes[i];
		patterns(env, n);
	}
}
