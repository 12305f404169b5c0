/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvmdbg-bench: the library against the raw-ioctl floor on /dev/kvm, and against two peer
 * breakpoint stores on synthetic x86 #BP exits, at 1 to 10^6 points (issue 13).  Timings are
 * medians and ratios measured in one process; nothing here asserts on time.
 *
 * Files: main.c (options, machine, the run), count.c (ioctl, malloc and sigmask counters by
 * symbol interposition), guest.c (a raw real-mode guest), kvm.c (the /dev/kvm rows), keys.c
 * (key patterns, guest memory, translation), synth.c (the library on synthetic exits),
 * peers.c (the two peers), table.c (text and markdown tables).
 */
#ifndef KVMDBG_BENCH_H
#define KVMDBG_BENCH_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

/* ---- options ---------------------------------------------------------------------------- */

enum row {
	ROW_STEP,     /* single-step exit, library vs raw */
	ROW_HWBP,     /* hw-breakpoint hit + continue, library vs raw minimum */
	ROW_XLATE,    /* insert without a translate callback (KVM_TRANSLATE) */
	ROW_HIT,      /* one-shot hit, random order */
	ROW_MISS,     /* #BP exit at a pc with no point (the guest's own int3) */
	ROW_INSERT,   /* insert N one-shot points with a translate callback */
	ROW_REARM,    /* kvmdbg_vm_rearm after all N fired */
	ROW_MARK,     /* kvmdbg_vm_mark_all_armed with 1% fired */
	ROW_MEMORY,   /* bytes per point */
	ROW_ALLOC,    /* allocations (and system calls) per exit */
	ROW_PATTERNS, /* dense, strided and page-aligned keys at the largest size */
	ROW_NR,
};

struct opts {
	bool quick;
	bool markdown;
	long max_points;
	long min_points;   /* smallest size of the synthetic rows (for profiling one size) */
	bool no_peers;	   /* the library alone (for profiling it) */
	bool no_guard;	   /* kvmdbg_vm_set_signal_guard(vm, false) on every VM */
	int reps;	   /* 0: the default for the mode */
	unsigned int only; /* mask of 1 << enum row; all when no --only */
};

extern struct opts opts;

const char *row_name(enum row r);
static inline bool row_on(enum row r)
{
	return opts.only & (1u << r);
}

/* ---- counters (count.c) ----------------------------------------------------------------- */

/*
 * Every ioctl(), malloc()/calloc()/realloc() and pthread_sigmask() of the process, the
 * library's included: the bench defines these symbols, so the shared library's calls bind to
 * them (ELF interposition) and they forward to glibc.
 */
struct counts {
	uint64_t ioctl;
	uint64_t alloc;
	uint64_t sigmask;
	uint64_t ioctl_ns; /* time inside ioctl(), while count_time_ioctls() is on */
};

extern struct counts counts;

/* Time every ioctl() (two clock reads each) or not (the default). */
void count_time_ioctls(bool on);

/*
 * Whether the allocation counter works in this build (not in sanitizer builds); the first call
 * allocates, and main() makes it before any measurement.
 */
bool count_alloc_works(void);
/* Heap bytes in use: mallinfo2's uordblks + hblkhd. */
uint64_t heap_bytes(void);
/* (after - before) / n; NAN where a sanitizer's allocator hides the heap from mallinfo2. */
double heap_per(uint64_t before, uint64_t after, long n);

/*
 * Without /dev/kvm the synthetic rows still run: the library only asks a VM fd for its
 * capabilities there.  These make fd answer KVM_CHECK_EXTENSION as this project's host does
 * (and a vCPU fd accept KVM_SET_GUEST_DEBUG), inside the ioctl wrapper.
 */
void count_stand_in(int vm_fd, int vcpu_fd);

/* ---- time and statistics (main.c) --------------------------------------------------------- */

uint64_t now_ns(void);
/* Median cost of an empty now_ns() pair, measured at start; subtracted from batch timings. */
extern double timer_ns;
/* Median cost of serialise() with nothing outstanding: in every synthetic exit's figure. */
extern double serialise_ns;
/* Median of n values (sorted in place); NAN if n is 0 or any value is NAN. */
double median(double *v, int n);
/* Repetitions for a size (fewer at 10^6, where one repetition takes seconds). */
int reps_for(long n);
/* How many times to repeat an operation on n items so a repetition does about target. */
long rounds_for(long n, long target);
/* Progress on stderr (stdout carries only the tables). */
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A measurement failed (the library or a peer did not do the job): the exit status is 1. */
extern bool bench_failed;
/* progress() that also sets bench_failed. */
void failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- tables (table.c) ----------------------------------------------------------------------- */

struct table;

/* ncols headers follow; a table of 0 columns holds notes only. */
struct table *table_new(const char *title, int ncols, ...);
/* Text columns: left-aligned (figures are right-aligned by default). */
void table_left(struct table *t);
void table_row(struct table *t, ...); /* ncols strings; copied */
void table_note(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print every table made so far, as text, then (with --markdown) as markdown. */
void tables_print(const char *machine_text, const char *machine_md);

/* Formatting into a rotating set of static buffers (valid for a few dozen calls). */
const char *fmt_time(double ns); /* "52.1 ns", "7.25 µs", "319 ms", "1.02 s"; "-" for NAN */
const char *fmt_ratio(double r);
const char *fmt_num(double v, int decimals);
const char *fmt_int(long v);
const char *fmt_pow10(long n); /* "1", "10", "10^3" ... */

/* ---- /dev/kvm (guest.c, kvm.c) ------------------------------------------------------------- */

struct guest {
	int kvm_fd;
	int vm_fd;
	int vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
};

#define GUEST_MEM_SIZE 0x10000ul
#define GUEST_STEP_LOOP 0x1000u /* inc %ax; jmp . - 1 (the inc) */
#define GUEST_PROBE 0x2000u	/* nop; nop; hlt */

/* 0, or -errno with a static reason. */
int guest_open(struct guest *g, const char **ret_why);
void guest_close(struct guest *g);
/* Real mode, CS.base 0, at ip. */
int guest_enter(struct guest *g, uint16_t ip);
/* Raw KVM_RUN: 0 or -errno. */
int guest_run(struct guest *g);
int guest_set_debug(struct guest *g, uint32_t control, uint64_t dr0, uint64_t dr7);
/* A short description of the last exit, for skip reasons. */
const char *guest_exit_str(struct guest *g, char *buf, size_t size);
/* Bound every KVM_RUN that follows by a timer signal after seconds (0: off). */
void guest_watchdog(unsigned int seconds);

/* The /dev/kvm rows: step, hw bp, insert via KVM_TRANSLATE. */
void kvm_rows(void);

/* ---- synthetic rows (keys.c, synth.c, peers.c) --------------------------------------------- */

/*
 * A key pattern: where the points are (x86 linear addresses, what a #BP exit reports as pc),
 * where the misses are (pcs with the guest's own int3 and no point), and how they translate
 * into the guest memory the bench registers.
 */
enum pattern_kind {
	PAT_BLOCKS, /* one point per 16-byte block at a jittered offset: basic-block starts */
	PAT_DENSE,  /* consecutive addresses */
	PAT_STRIDE64,
	PAT_STRIDE4097,
	PAT_PAGE, /* page-aligned: stride 4096 */
	PAT_NR,
};

struct keys {
	enum pattern_kind kind;
	long n;
	uint64_t gva_base;
	uint64_t stride;
	bool compress; /* gpa = base + 2 * (offset / stride) + (offset % stride != 0) */
	uint64_t gpa_base;
	uint64_t span;	/* bytes of guest memory */
	uint8_t *mem;	/* host mapping of [gpa_base, gpa_base + span) */
	uint64_t *addr; /* n point addresses, in insertion order */
	uint64_t *hit;	/* the same, in a random order: the pcs of the hit exits */
	uint64_t *miss; /* n pcs of the guest's own int3, in a random order */
	uint32_t *perm; /* a second random permutation of [0, n) (the 1% that fire for mark) */
};

const char *pattern_name(enum pattern_kind kind);
int keys_make(struct keys *k, enum pattern_kind kind, long n);
void keys_free(struct keys *k);
/* The translate callback (kvmdbg_translate_fn) over a struct keys. */
int keys_translate(void *data, uint64_t gva, uint64_t *ret_gpa);
/* Host pointer of a point's or a miss's byte. */
uint8_t *keys_byte(const struct keys *k, uint64_t gva);
/* Whether guest memory is as keys_make() left it (no byte planted, every miss an int3). */
bool keys_memory_clean(const struct keys *k);
/* Whether every point's byte in guest memory is value (0xcc planted, 0x90 original). */
bool keys_points_are(const struct keys *k, uint8_t value);

/* Measurements of one implementation at one size and pattern; NAN where not measured. */
enum metric {
	M_INSERT,    /* ns per point */
	M_INSERT_MANY, /* ns per point, kvmdbg_vm_insert_many() (the library only) */
	M_HIT,	     /* ns per hit */
	M_MISS,	     /* ns per miss */
	M_REARM,     /* ns for the whole rearm after all n fired */
	M_MARK,	     /* ns for the whole mark with 1% fired */
	M_BYTES,     /* heap bytes per point */
	M_ALLOC_HIT, /* allocations per hit */
	M_ALLOC_MISS,
	M_IOCTL_HIT, /* ioctls per hit */
	M_IOCTL_MISS,
	M_SIGMASK_HIT, /* pthread_sigmask calls per hit */
	M_SIGMASK_MISS,
	M_NR,
};

/* Flags: which figures of a peer are extrapolated from a sample (the linked list at size). */
#define EST_INSERT (1u << 0)
#define EST_HIT (1u << 1)
#define EST_MISS (1u << 2)

struct result {
	double v[M_NR];
	unsigned int estimated; /* EST_* */
	long sample;		/* how many operations a sampled figure is based on */
};

void result_clear(struct result *r);
/* Per metric median over reps results. */
void result_median(struct result *out, struct result *reps, int n);

/* The VM and vCPU fds the library's objects attach to in the synthetic rows. */
struct synth_env {
	int vm_fd;
	int vcpu_fd;
	bool stand_in; /* no /dev/kvm: stand-in fds (see count_stand_in) */
	const char *why;
};

/* One synthetic exit may not overlap the next: see synth.c, exits(). */
static inline void serialise(void)
{
	__builtin_ia32_lfence();
}

/* The kvm_run buffer the synthetic exits are written into (synth.c). */
struct kvm_run *synth_run(void);
/* One repetition of the library at k; phases as the options select. 0 or -1 (printed). */
int synth_lib(const struct synth_env *env, struct keys *k, struct result *r);
/* The same job done by the peers. */
int peer_list(struct keys *k, struct result *r);
int peer_hash(struct keys *k, struct result *r);

/* The synthetic rows: every size, then the patterns. */
void synth_rows(const struct synth_env *env);

/* For the summary table: figures the rows found (NAN when not measured). */
struct summary {
	double step_ratio, step_ratio_resend, step_ioctls, step_ioctls_raw, step_own;
	double hw_ratio, hw_ioctls, hw_ioctls_raw, hw_own;
	double bytes_lib, bytes_hash;
	double hit_max, hit_1, hit_hash_max;
	double miss_max, miss_1, miss_hash_max;
	double insert_total_max, insert_many_total_max;
	double rearm_max, rearm_per_max;
	double mark_max;
	/* per point: page walk, KVM_TRANSLATE, insert_many with the walk (kvm.c) */
	double xlate_ns[3], xlate_ioctls[3];
	double alloc_per_exit;
	long max_n, min_n;
};

extern struct summary summary;

#endif /* KVMDBG_BENCH_H */
