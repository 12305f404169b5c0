/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef KVMDBG_INTERNAL_H
#define KVMDBG_INTERNAL_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <kvmdbg/kvmdbg.h>

#include "arch/arch.h"
#include "list.h"
#include "walk/walk.h"

#define _public_ __attribute__((visibility("default")))

struct kvm_run;

/*
 * A hardware point (breakpoint or watchpoint), and what kvmdbg_vm_get_point() hands out as a
 * snapshot of any point.  Software breakpoints live in the compact store below.
 */
struct kvmdbg_point {
	struct kvmdbg_vm *vm;
	struct kvmdbg_vcpu *vcpu; /* owner, or NULL for VM-wide */
	enum kvmdbg_point_type type;
	unsigned int flags;
	uint64_t addr;
	uint64_t len;
	void *user_data;
	uint64_t hits;
	bool armed;	/* false: a one-shot that fired */
	bool pending;	/* snapshots of software breakpoints: not planted yet */
	bool has_space; /* fires only in address space `space` */
	uint64_t space;
	uint64_t foreign_hits; /* hits in other address spaces, stepped over unseen */
	uint64_t heals;	       /* snapshots of software breakpoints: planted again over new code */
	uint64_t id;
	/* the guest-physical address, where the architecture needs it */
	uint64_t phys;
	struct list hw_node;	/* in vm->hw */
	struct list fired_node; /* in vm->hw_fired while a one-shot that fired */
};

/*
 * Open-addressing map from a 64-bit key to a non-NULL pointer, keys held inline so that a
 * miss reads one cache line; same rules as the table above.  Several entries may share a key.
 */
struct map_entry {
	uint64_t key;
	void *val;
};

struct map {
	struct map_entry *slots;
	size_t mask;
	unsigned int shift;
	size_t count;
};

/*
 * A software breakpoint (sw.c), 20 bytes; everything else is found through its record index
 * ("idx" below: stable while the point lives, 0 is none).
 */
struct swbp {
	uint32_t addr_lo, addr_hi; /* 4-byte aligned: the records are packed */
	uint32_t gen;		   /* id = gen << 32 | idx */
	uint8_t orig[MAX_INSN];	   /* the bytes the instruction covers */
	/* state (enum sw_state, 6 bits) | hits (6 bits) << 6 | offset index (20 bits) << 12 */
	uint32_t meta;
};

enum sw_state {
	SW_LIVE = 1u << 0,	/* the record holds a point */
	SW_IN_MEMORY = 1u << 1, /* the breakpoint instruction is in guest memory */
	SW_ARMED = 1u << 2,	/* false: a one-shot that fired */
	SW_ONESHOT = 1u << 3,
	SW_ALT = 1u << 4,   /* the instruction is the architecture's alternative one */
	SW_EXTRA = 1u << 5, /* it has a struct sw_extra */
};

/* The most software breakpoints a VM holds: record indexes have 24 bits. */
#define SW_MAX_POINTS ((1u << 24) - 1)

/* What few software breakpoints have. */
struct sw_extra {
	struct kvmdbg_vcpu *vcpu; /* owner; NULL: VM-wide */
	void *user_data;
	uint64_t hits;	/* the count, once past what the record holds; else 0 */
	int64_t offset; /* own_offset: gpa - addr */
	/*
	 * An instruction that crosses a page boundary: its first split bytes are at the point's
	 * gpa, the rest at gpa2 (the next virtual page's physical address); split 0: all at gpa.
	 */
	uint64_t gpa2;
	uint8_t split;
	bool own_offset;
	/* a freed vCPU's breakpoint whose bytes could not be restored */
	bool orphan;
	bool overwritten; /* the guest replaced the instruction */
	/* armed, yet not in memory: writing it back after a step-over failed; retried */
	bool owed;
	bool has_space; /* fires only in address space `space` (kvmdbg_vm_insert_in_space()) */
	uint64_t space;
	uint64_t foreign_hits; /* hits in other address spaces, stepped over unseen */
	unsigned int flags;    /* KVMDBG_POINT_PENDING and _SELF_HEAL, as inserted */
	uint64_t heals;	       /* how often kvmdbg_vm_heal() planted it again */
};

struct sw_offset {
	int64_t offset; /* gpa - addr; on the free list: the next free index + 1 */
	uint32_t refs;
};

struct sw_store {
	struct swbp **chunks; /* of 4096 records; a record never moves */
	uint32_t nr_chunks;
	uint32_t next_idx;  /* records 1 .. next_idx - 1 have been used */
	uint32_t free_head; /* freed records, linked through addr_lo; 0: none */
	uint32_t *slots;    /* the table: idx << 8 | tag, 0 empty */
	size_t mask;	    /* slot count - 1; the count is a power of two */
	unsigned int shift; /* 64 - log2(slot count) */
	size_t count;	    /* points */
	struct map extras;  /* idx -> struct sw_extra */
	struct sw_offset *offsets;
	uint32_t nr_offsets, cap_offsets, free_offset, live_offsets;
	struct map offset_ids; /* offset -> its index + 1 */
	uint32_t *fired;       /* idx of the one-shots that fired; stale entries allowed */
	size_t nr_fired, cap_fired;
};

static inline struct swbp *sw_rec(const struct sw_store *s, uint32_t idx)
{
	return &s->chunks[idx >> 12][idx & 4095];
}

static inline bool sw_has(const struct sw_store *s, uint32_t idx, uint32_t state)
{
	return sw_rec(s, idx)->meta & state;
}

static inline void sw_set(struct sw_store *s, uint32_t idx, uint32_t state)
{
	sw_rec(s, idx)->meta |= state;
}

static inline void sw_clear(struct sw_store *s, uint32_t idx, uint32_t state)
{
	sw_rec(s, idx)->meta &= ~state;
}

struct region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;
};

struct kvmdbg_vm {
	int fd;
	const struct arch *arch;
	pthread_mutex_t lock;

	/* capabilities */
	int debug_supported; /* 1 yes, 0 no, -1 unknown until a vCPU is attached */
	uint32_t mask;	     /* accepted control bits */
	bool mask_from_cap;
	unsigned int slots[2];
	/* the software-breakpoint instruction; len 0: none (yet: ppc reads it from a vCPU) */
	uint8_t sw_insn[MAX_INSN];
	size_t sw_insn_len;
	/* the architecture's alternative instruction needs a VM capability (s390 USER_INSTR0) */
	enum {
		ALT_INSN_NO = 0,
		ALT_INSN_OFFERED,
		ALT_INSN_ENABLED
	} alt_insn;
	bool sw_ever; /* a software breakpoint was inserted once */

	/* bumped (under lock) whenever something every vCPU must re-pack changes */
	_Atomic uint64_t gen;

	struct list vcpus; /* attach order: the first serves the default translation */
	bool signal_guard; /* vCPU calls block signals while they hold the lock (lock.c) */
	unsigned int nr_vcpus;

	struct sw_store sw;
	/*
	 * The planted pieces of software breakpoints by guest-physical address, kept only while
	 * their virtual-to-physical offsets are many (see memory.c); phys_on says whether.
	 */
	struct map phys;
	bool phys_on;
	/* hardware points by id */
	struct map ids;
	struct list hw;		  /* every hardware point, in insertion order */
	struct list hw_fired;	  /* hardware one-shots that fired */
	unsigned int nr_vm_hw[2]; /* VM-wide hardware points per bank */
	long nr_points;
	uint32_t hw_serial;	  /* hardware point ids: serial << 32 | 1 << 31 */
	unsigned long nr_owed;	  /* software breakpoints with owed set */
	unsigned long nr_split;	  /* software breakpoints across two pages */
	unsigned long nr_pending; /* software breakpoints not planted yet */

	struct region *regions;
	size_t nr_regions;
	size_t last_region; /* where mem_host() found the last address: tried first */
	kvmdbg_read_fn read;
	kvmdbg_write_fn write;
	kvmdbg_translate_fn translate;
	void *mem_data;
	/* the vCPU that translates (set by the caller), else the one that stopped last */
	struct kvmdbg_vcpu *translate_vcpu;
	struct kvmdbg_vcpu *stopped_vcpu;
	/* the translation without a callback; DEFAULT (0): the architecture's (translate.c) */
	enum kvmdbg_translation translation;

	/*
	 * The software breakpoints vCPUs step over, and how many of them each: a place per
	 * vCPU, made at attach, so that a step-over never allocates.
	 */
	struct stepping {
		uint32_t idx;
		unsigned int count;
	} * stepping;
	unsigned int nr_stepping, cap_stepping;

	/* kvmdbg_vm_probe()'s answers per enum kvmdbg_feature; 0: not probed */
	uint8_t probed[16];
};

struct kvmdbg_event {
	struct kvmdbg_vcpu *vcpu;
	bool copy; /* made by kvmdbg_event_copy(): the caller's to free */
	enum kvmdbg_event_type type;
	uint64_t seqno;
	uint64_t pc;
	/* the point that fired, by value; point_id 0: none */
	uint64_t point_id;
	enum kvmdbg_point_type point_type;
	uint64_t point_addr;
	uint64_t point_len;
	unsigned int point_flags;
	void *user_data;
	uint64_t hits;
	int slot;
	int access;
	uint64_t data_addr;
	bool has_exception;
	uint32_t exception;
	bool has_status;
	uint64_t status;
};

/*
 * Stepping a vCPU over the point it stopped at (stepover.c): the breakpoint instruction taken
 * out of memory, or the hardware slot (or x86's DR7.GD trap) off, for one single-step; then
 * everything is put back.  The vCPU thread's own.
 */
enum step_over_state {
	STEP_OVER_NONE = 0,
	STEP_OVER_PENDING,  /* stopped at a point; the next pre-run starts the step over it */
	STEP_OVER_STEPPING, /* the step is under way: the next exit ends it */
};

enum step_over_kind {
	STEP_OVER_SW,	     /* a software breakpoint: its original bytes back in memory */
	STEP_OVER_SLOT,	     /* a hardware breakpoint, or a watchpoint (arm64): its slot off */
	STEP_OVER_DEBUG_REG, /* a trapped debug-register access (x86): the trap off */
};

struct step_over {
	enum step_over_state state;
	enum step_over_kind kind;
	enum kvmdbg_point_type type; /* SW, SLOT: the point's type and address */
	uint64_t addr;
	uint64_t id;	/* SW, stepping: the point whose steppers count includes this vCPU */
	int bank, slot; /* SLOT */
};

/*
 * What the kernel holds for a vCPU (apply.c): the state of the last KVM_SET_GUEST_DEBUG that
 * succeeded, in the kernel's bytes and in the library's terms, owners included.  A new vCPU
 * holds the all-zero state, debugging off, on every architecture.
 */
struct applied {
	uint32_t req;		    /* enum req, without the one-time inject bits */
	uint64_t slots[2];	    /* the slots enabled, per bank */
	uint64_t ids[2][MAX_SLOTS]; /* the point (id) in each of them */
	/* and what each watches or breaks on, for hardware that reports an address only */
	struct {
		uint64_t addr, len;
		uint8_t kind; /* enum slot_kind */
	} range[2][MAX_SLOTS];
	uint8_t bytes[MAX_GUEST_DEBUG];
	uint8_t aux[MAX_AUX]; /* the array the bytes point to (s390) */
};

struct kvmdbg_vcpu {
	struct kvmdbg_vm *vm;
	struct list node; /* in vm->vcpus, in attach order */
	int fd;
	struct kvm_run *run;

	/* protected by vm->lock */
	struct kvmdbg_point *slots[2][MAX_SLOTS];

	/* the vCPU thread's own from here on */
	bool single_step;
	bool trap_debug_regs;

	/* apply.c: what makes the next pre-run build the state anew */
	bool dirty;	   /* a setting of this vCPU changed */
	uint64_t seen_gen; /* vm->gen of the state last built */
	bool force_apply;  /* send the state even if unchanged (s390 watchpoint hit) */
	uint32_t inject;   /* REQ_INJECT_* for the next pre-run */
	struct applied applied;
	/*
	 * The array a struct kvm_guest_debug points to (s390): the kernel reads it during
	 * KVM_SET_GUEST_DEBUG, so it lives as long as the vCPU.
	 */
	uint8_t aux_io[MAX_AUX] __attribute__((aligned(8)));

	struct step_over step_over;

	/* exit.c */
	struct kvmdbg_event event;
	uint64_t seqno;		 /* of the last event */
	uint64_t reinject_seqno; /* the event kvmdbg_vcpu_reinject() may take; 0: none */
	/*
	 * x86: a stepping vCPU exited for an MMIO write, whose step KVM never reports: the next
	 * pre-run sets immediate_exit (ie_set), and the -EINTR it gives is that step.
	 */
	bool mmio_step_owed;
	bool ie_set;

	atomic_bool kick_pending;
	/* kick and kick_data, held around the callback; never held while anything else blocks */
	pthread_mutex_t kick_lock;
	kvmdbg_kick_fn kick;
	void *kick_data;
};

/*
 * Internal prototypes, by file.  _must_check_: ignoring the result loses an error (a
 * breakpoint left in guest memory, a kernel state not applied); a caller that means to
 * ignore one says so with a (void) cast and a comment.
 */
#define _must_check_ __attribute__((warn_unused_result))
#define _nonnull_(...) __attribute__((nonnull(__VA_ARGS__)))

/* lock.c: the VM lock as vCPU-thread calls take it, with every signal blocked */
void vcpu_lock(struct kvmdbg_vm *vm, sigset_t *old) _nonnull_(1, 2);
void vcpu_unlock(struct kvmdbg_vm *vm, const sigset_t *old) _nonnull_(1, 2);

/* map.c */
int map_init(struct map *m) _must_check_ _nonnull_(1);
void map_fini(struct map *m) _nonnull_(1);
/* The first entry's value with that key, NULL if none; *cursor continues (start at 0). */
void *map_next(const struct map *m, uint64_t key, size_t *cursor) _nonnull_(1, 3);
int map_add(struct map *m, uint64_t key, void *val) _must_check_ _nonnull_(1, 3);
void map_del(struct map *m, uint64_t key, const void *val) _nonnull_(1);

/* sw.c: the store; records by index (idx), 0 is none */
int sw_store_init(struct sw_store *s) _must_check_ _nonnull_(1);
/* Frees every record and extra: the points are gone, whatever guest memory holds. */
void sw_store_fini(struct sw_store *s) _nonnull_(1);
uint32_t sw_find(const struct sw_store *s, uint64_t addr) _nonnull_(1);
uint32_t sw_by_id(const struct sw_store *s, uint64_t id) _nonnull_(1);
uint64_t sw_id(const struct sw_store *s, uint32_t idx) _nonnull_(1);
uint64_t sw_addr(const struct sw_store *s, uint32_t idx) _nonnull_(1);
/* A new record at addr, in the table, live, no other state; -ENOSPC past SW_MAX_POINTS. */
int sw_alloc(struct sw_store *s, uint64_t addr, uint32_t *ret_idx) _must_check_ _nonnull_(1, 3);
/* Out of the table, its offset and extra dropped, the record free for reuse. */
void sw_release(struct sw_store *s, uint32_t idx) _nonnull_(1);
/* The live record after idx (0: the first), or 0. */
uint32_t sw_next(const struct sw_store *s, uint32_t idx) _nonnull_(1);
struct sw_extra *sw_extra(const struct sw_store *s, uint32_t idx) _nonnull_(1);
/* The extra, made if there is none; NULL when out of memory. */
struct sw_extra *sw_extra_get(struct sw_store *s, uint32_t idx) _nonnull_(1);
/* Drop the extra if nothing in it differs from having none. */
void sw_extra_trim(struct sw_store *s, uint32_t idx) _nonnull_(1);
/* Walk the extras: the next record with one and *ret_x, or 0; *cursor starts at 0. */
uint32_t sw_next_extra(const struct sw_store *s, size_t *cursor, struct sw_extra **ret_x)
	_nonnull_(1, 2, 3);
uint64_t sw_hits(const struct sw_store *s, uint32_t idx) _nonnull_(1);
void sw_hit(struct sw_store *s, uint32_t idx) _nonnull_(1);
/* The point's guest-physical address is gpa from now on. */
int sw_offset_set(struct sw_store *s, uint32_t idx, uint64_t gpa) _must_check_ _nonnull_(1);
void sw_offset_put(struct sw_store *s, uint32_t idx) _nonnull_(1);
uint64_t sw_gpa(const struct sw_store *s, uint32_t idx) _nonnull_(1);
/* Whether the point has a place in guest memory (else it is pending). */
bool sw_planted(const struct sw_store *s, uint32_t idx) _nonnull_(1);
/* A one-shot fired: remember it for the next reset. */
int sw_fired_add(struct sw_store *s, uint32_t idx) _must_check_ _nonnull_(1);
/*
 * Call fn once for each one-shot that fired; fn returns 0 once the point is armed again (no
 * longer fired), or an error that stops the walk and is returned (the rest stay fired).
 */
int sw_fired_each(struct sw_store *s, int (*fn)(void *data, uint32_t idx), void *data) _must_check_
	_nonnull_(1, 2);
/* The next one-shot that fired (and is still disarmed), or 0; *cursor starts at 0. */
uint32_t sw_fired_next(const struct sw_store *s, size_t *cursor) _nonnull_(1, 2);

/* memory.c; callers hold vm->lock */
/* The host address of [gpa, gpa + len) where one registered region holds it all, else NULL. */
uint8_t *mem_host(struct kvmdbg_vm *vm, uint64_t gpa, size_t len) _nonnull_(1);
int mem_read(struct kvmdbg_vm *vm, uint64_t gpa, void *buf, size_t len) _must_check_
	_nonnull_(1, 3);
int mem_write(struct kvmdbg_vm *vm, uint64_t gpa, const void *buf, size_t len) _must_check_
	_nonnull_(1, 3);

/*
 * translate.c: gva -> gpa through the translate callback, or the VM's default translation on a
 * vCPU (via; NULL: the VM's translating vCPU).  What to call is read with vm->lock held
 * (mem_translator()); the call is made without it (translator_run()): a callback may be slow,
 * and the default asks the vCPU (its registers, or KVM_TRANSLATE), which waits while it runs.
 * A walk takes vm->lock itself to read the page tables.  One translator serves one library
 * call: a walk reads the registers at its first translation and keeps them for the rest.
 * mem_translate() does it all for one address, taking the lock.
 */
struct translator {
	kvmdbg_translate_fn fn;
	void *data;
	struct kvmdbg_vm *vm;
	enum kvmdbg_translation how; /* where there is no callback; never DEFAULT */
	int fd;			     /* the translating vCPU's, or -1 */
	/* WALK: 1 until the registers are read, then what reading them gave */
	int regs_ret;
	union {
		struct walk_x86_regs x86;
		struct walk_arm64_regs arm64;
	} regs;
};
void mem_translator(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *via, struct translator *t)
	_nonnull_(1, 3);
int translator_run(struct translator *t, uint64_t gva, uint64_t *ret_gpa) _must_check_
	_nonnull_(1, 3);
int mem_translate(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *via, uint64_t gva,
		  uint64_t *ret_gpa) _must_check_ _nonnull_(1, 4);

/* memory.c, vm->lock held */
/* Whether a planted breakpoint's instruction has a byte in [gpa, gpa + len). */
bool sw_in_range(const struct kvmdbg_vm *vm, uint32_t idx, uint64_t gpa, uint64_t len) _nonnull_(1);
/* A software breakpoint's instruction bytes: the physical places of its pieces. */
int sw_read(struct kvmdbg_vm *vm, uint32_t idx, uint8_t *buf) _must_check_ _nonnull_(1, 3);
int sw_write(struct kvmdbg_vm *vm, uint32_t idx, const uint8_t *buf) _must_check_ _nonnull_(1, 3);
/* The physical index of planted pieces, where there is one (see memory.c). */
int phys_add(struct kvmdbg_vm *vm, uint32_t idx) _must_check_ _nonnull_(1);
void phys_del(struct kvmdbg_vm *vm, uint32_t idx) _nonnull_(1);
/*
 * Whether [gpa, gpa + len) overlaps a piece of a software breakpoint, leaving out first
 * pieces found through skip_offset (has_skip_offset).
 */
bool phys_overlaps(struct kvmdbg_vm *vm, uint64_t gpa, uint64_t len, bool has_skip_offset,
		   int64_t skip_offset) _nonnull_(1);

/* point.c: points of any kind; callers hold vm->lock */
/*
 * Insert: where the point needs translation (software breakpoints, s390 watchpoints), the
 * caller translates first, without the lock (point_translate()), then inserts with it.
 */
struct xlat {
	int ret;      /* 0, or the translation's error */
	uint64_t gpa; /* of addr */
	/* a software breakpoint near a page's end: the next page's translation, or its error */
	int ret2;
	uint64_t gpa2;
	bool has_gpa2;
};
bool point_needs_translation(const struct kvmdbg_vm *vm, enum kvmdbg_point_type type) _nonnull_(1);
void point_translate(const struct kvmdbg_vm *vm, struct translator *t, enum kvmdbg_point_type type,
		     uint64_t addr, struct xlat *x) _nonnull_(1, 2, 5);
/* The checks of an insert that need no translation: 0 or the error. */
int point_check(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type,
		uint64_t addr, uint64_t len, unsigned int flags) _must_check_ _nonnull_(1);
int point_insert(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type,
		 uint64_t addr, uint64_t len, unsigned int flags, void *user_data,
		 const uint64_t *space, const struct xlat *x, uint64_t *ret_id) _must_check_
	_nonnull_(1, 9);
int point_remove(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type,
		 uint64_t addr) _must_check_ _nonnull_(1);
int point_destroy_owned(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *owner) _must_check_ _nonnull_(1);
int point_bank(const struct kvmdbg_vm *vm, enum kvmdbg_point_type type) _nonnull_(1);
bool point_type_is_valid(int type);
enum slot_kind point_slot_kind(enum kvmdbg_point_type type);
/* 0 if the kernel accepts every control bit req needs, else -EOPNOTSUPP. */
int check_control(const struct kvmdbg_vm *vm, uint32_t req) _nonnull_(1);
/* Whether the architecture has a control bit of its own for req. */
bool arch_has_control(const struct arch *arch, uint32_t req) _nonnull_(1);

/* swbp.c: software breakpoints in guest memory; callers hold vm->lock */
/* A checked insert (point_check()): the record, its place, the instruction written. */
int sw_insert(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, uint64_t addr, unsigned int flags,
	      void *user_data, const uint64_t *space, const struct xlat *x,
	      uint64_t *ret_id) _must_check_ _nonnull_(1, 7);
/* 0, 1 (the guest had replaced the instruction), or the write error: the point stays */
int sw_destroy(struct kvmdbg_vm *vm, uint32_t idx) _must_check_ _nonnull_(1);
/* The longest breakpoint instruction the VM may write. */
size_t sw_longest_insn(const struct kvmdbg_vm *vm) _nonnull_(1);
const uint8_t *sw_insn(const struct kvmdbg_vm *vm, uint32_t idx) _nonnull_(1);
size_t sw_insn_len(const struct kvmdbg_vm *vm, uint32_t idx) _nonnull_(1);
struct kvmdbg_vcpu *sw_owner(const struct kvmdbg_vm *vm, uint32_t idx) _nonnull_(1);
unsigned int sw_steppers(const struct kvmdbg_vm *vm, uint32_t idx) _nonnull_(1);
void sw_steppers_add(struct kvmdbg_vm *vm, uint32_t idx, int delta) _nonnull_(1);
int sw_take_out(struct kvmdbg_vm *vm, uint32_t idx) _must_check_ _nonnull_(1);
int sw_put_in(struct kvmdbg_vm *vm, uint32_t idx, bool first) _must_check_ _nonnull_(1);
/* Write back every breakpoint whose write-back failed before: the first error, or 0. */
int sw_put_in_owed(struct kvmdbg_vm *vm) _must_check_ _nonnull_(1);
/* Mark "armed, yet not in memory" (-ENOMEM if it cannot be marked), or clear it. */
int sw_owe(struct kvmdbg_vm *vm, uint32_t idx) _must_check_ _nonnull_(1);
void sw_owe_not(struct kvmdbg_vm *vm, uint32_t idx) _nonnull_(1);
/* Count a hit; a one-shot disarms itself. */
void sw_fired(struct kvmdbg_vm *vm, uint32_t idx) _nonnull_(1);
/* Start fetching the guest byte a breakpoint at addr would be planted in, where that is known. */
void sw_prefetch_site(struct kvmdbg_vm *vm, uint64_t addr) _nonnull_(1);

/* hw.c: hardware points in debug slots; callers hold vm->lock */
int hw_insert(struct kvmdbg_vm *vm, struct kvmdbg_point *p, const struct xlat *x) _must_check_
	_nonnull_(1, 2, 3);
/* Out of its slots and the VM's list, and freed: this cannot fail. */
void hw_destroy(struct kvmdbg_point *p) _nonnull_(1);
struct kvmdbg_point *point_find_hw(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *owner,
				   enum kvmdbg_point_type type, uint64_t addr) _nonnull_(1);
void point_fired(struct kvmdbg_point *p) _nonnull_(1);
void point_unfire(struct kvmdbg_point *p) _nonnull_(1);
int point_assign_slots(struct kvmdbg_vcpu *vcpu) _must_check_ _nonnull_(1);

/* vm.c: insert and find for a VM (owner NULL) or one vCPU; vm->lock not held */
int vm_insert_point(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type,
		    uint64_t addr, uint64_t len, unsigned int flags, void *user_data,
		    const uint64_t *space, uint64_t *ret_id) _must_check_ _nonnull_(1);
int vm_find_point(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *owner, enum kvmdbg_point_type type,
		  uint64_t addr, uint64_t *ret_id) _must_check_ _nonnull_(1);

/* vcpu.c */
/* The vCPU's address-space id now (arch->space); -EOPNOTSUPP where the arch has none. */
int vcpu_read_space(struct kvmdbg_vcpu *vcpu, uint64_t *ret_space) _must_check_ _nonnull_(1, 2);
/* check_control() for a call of the vCPU's thread: whether the kernel accepts req */
bool vcpu_has_control(struct kvmdbg_vcpu *vcpu, uint32_t req) _nonnull_(1);

/* apply.c */
void vcpu_set_immediate_exit(struct kvmdbg_vcpu *vcpu, uint8_t value) _nonnull_(1);

/* stepover.c; vm->lock held */
/*
 * Step the vCPU over the point of this type at addr (in slot bank/slot, if a hardware one)
 * at the next pre-run.
 */
void step_over_plan(struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type, uint64_t addr, int bank,
		    int slot) _nonnull_(1);
/* Let a trapped debug-register access run with the trap off, at the next pre-run. */
void step_over_plan_debug_reg(struct kvmdbg_vcpu *vcpu) _nonnull_(1);
/* PENDING -> STEPPING, or NONE if the point is gone; an error leaves it PENDING. */
int step_over_start(struct kvmdbg_vcpu *vcpu) _must_check_ _nonnull_(1);
/*
 * STEPPING -> NONE: what the step took away is put back.  A breakpoint instruction that
 * cannot be written back stays owed (armed, not in memory; sw_put_in_owed() tries again):
 * its error is returned.
 */
int step_over_finish(struct kvmdbg_vcpu *vcpu) _must_check_ _nonnull_(1);
/* Undo a start whose pre-run then failed: PENDING again. */
void step_over_undo(struct kvmdbg_vcpu *vcpu) _nonnull_(1);
/* Whether the step under way keeps slot bank/slot, holding p, off. */
bool step_over_hides(const struct kvmdbg_vcpu *vcpu, int bank, int slot,
		     const struct kvmdbg_point *p) _nonnull_(1, 4);
/* The software breakpoint the vCPU is stepping over right now, or 0. */
uint32_t step_over_sw_point(const struct kvmdbg_vcpu *vcpu) _nonnull_(1);

static inline void vm_bump(struct kvmdbg_vm *vm)
{
	atomic_fetch_add_explicit(&vm->gen, 1, memory_order_release);
}

#endif /* KVMDBG_INTERNAL_H */
