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

#define _public_ __attribute__((visibility("default")))

struct kvm_run;

struct kvmdbg_point {
	struct kvmdbg_vm *vm;
	struct kvmdbg_vcpu *vcpu; /* owner, or NULL for VM-wide */
	enum kvmdbg_point_type type;
	unsigned int flags;
	uint64_t addr;
	uint64_t len;
	void *user_data;
	uint64_t hits;
	bool armed;          /* false: a one-shot that fired */
	/* a software breakpoint of a freed vCPU whose bytes could not be restored */
	bool orphan;

	/* software breakpoints */
	uint64_t gpa;
	/*
	 * An instruction that crosses a page boundary: its first split bytes are at gpa, the
	 * rest at gpa2 (the next virtual page's physical address); split 0: all at gpa.
	 */
	uint64_t gpa2;
	uint8_t split;
	uint8_t insn[MAX_INSN]; /* the breakpoint instruction written at gpa */
	uint8_t insn_len;
	bool in_memory;      /* the breakpoint instruction is in guest memory */
	bool overwritten;    /* the guest replaced the instruction */
	/* armed, yet not in memory: writing it back after a step-over failed; retried */
	bool put_in_owed;
	unsigned int steppers; /* vCPUs stepping over it with the original bytes back */
	uint64_t id;         /* unique in the VM: a point inserted again at the same address differs */
	uint8_t orig[MAX_INSN];
	bool on_fired;
	struct kvmdbg_point *fired_prev, *fired_next; /* list of fired one-shots */

	/* hardware points: the guest-physical address, where the architecture needs it */
	uint64_t phys;
	/* hardware points: list of all of them in the VM */
	struct kvmdbg_point *hw_prev, *hw_next;
};

/* Open-addressing hash table of software breakpoints, keyed by address. */
struct table {
	struct kvmdbg_point **buckets;
	size_t mask;  /* bucket count - 1; the count is a power of two */
	unsigned int shift; /* 64 - log2(bucket count) */
	size_t count;
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
	uint32_t mask;       /* accepted control bits */
	bool mask_from_cap;
	unsigned int slots[2];
	/* the software-breakpoint instruction; len 0: none (yet: ppc reads it from a vCPU) */
	uint8_t sw_insn[MAX_INSN];
	size_t sw_insn_len;
	/* the architecture's alternative instruction needs a VM capability (s390 USER_INSTR0) */
	enum { ALT_INSN_NO = 0, ALT_INSN_OFFERED, ALT_INSN_ENABLED } alt_insn;
	bool sw_ever;        /* a software breakpoint was inserted once */

	/* bumped (under lock) whenever something every vCPU must re-pack changes */
	_Atomic uint64_t gen;

	struct kvmdbg_vcpu *vcpus;
	unsigned int nr_vcpus;

	struct table sw;
	/* the planted pieces of software breakpoints by guest-physical address (map.c) */
	struct map phys;
	/* every point by its id */
	struct map ids;
	struct kvmdbg_point *fired;   /* fired one-shots, software and hardware */
	struct kvmdbg_point *hw_head; /* every hardware point */
	unsigned int nr_vm_hw[2];     /* VM-wide hardware points per bank */
	long nr_points;
	uint64_t next_id;
	unsigned long nr_owed; /* software breakpoints with put_in_owed */

	struct region *regions;
	size_t nr_regions;
	kvmdbg_read_fn read;
	kvmdbg_write_fn write;
	kvmdbg_translate_fn translate;
	void *mem_data;
	/* the vCPU that translates (set by the caller), else the one that stopped last */
	struct kvmdbg_vcpu *translate_vcpu;
	struct kvmdbg_vcpu *stopped_vcpu;

	/* kvmdbg_vm_probe()'s answers per enum kvmdbg_feature; 0: not probed */
	uint8_t probed[16];
};

struct kvmdbg_event {
	struct kvmdbg_vcpu *vcpu;
	bool copy;              /* made by kvmdbg_event_copy(): the caller's to free */
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

enum resume {
	RESUME_NONE = 0,
	RESUME_PENDING,  /* stopped at a breakpoint; the next pre-run steps over it */
	RESUME_STEPPING, /* the step over it is under way */
};

struct kvmdbg_vcpu {
	struct kvmdbg_vm *vm;
	struct kvmdbg_vcpu *next;
	int fd;
	struct kvm_run *run;

	/* protected by vm->lock */
	struct kvmdbg_point *slots[2][MAX_SLOTS];

	/* the vCPU thread's own */
	bool single_step;
	bool trap_debug_regs;
	bool dirty;
	bool force_apply;        /* send the state even if unchanged (s390 watchpoint hit) */
	uint64_t seen_gen;
	uint32_t inject;         /* REQ_INJECT_* for the next pre-run */
	enum resume resume;
	bool resume_debug_reg;   /* the step-over is of a trapped debug-register access */
	enum kvmdbg_point_type resume_type;
	uint64_t resume_addr;
	uint64_t resume_id;      /* the point a software step-over counts itself in (steppers) */
	int resume_bank, resume_slot;
	uint32_t applied_req;    /* enum req of the state the kernel has */
	uint64_t applied_slots[2]; /* the slots enabled in it, per bank */
	uint64_t applied_ids[2][MAX_SLOTS]; /* the point (id) in each of them */
	uint8_t applied[MAX_GUEST_DEBUG];
	/*
	 * The array a struct kvm_guest_debug points to (s390): the kernel reads aux_io during
	 * KVM_SET_GUEST_DEBUG; applied_aux is what it holds in the state the kernel has.
	 */
	uint8_t aux_io[MAX_AUX] __attribute__((aligned(8)));
	uint8_t applied_aux[MAX_AUX];
	struct kvmdbg_event event;
	uint64_t seqno;          /* of the last event */
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

/* lock.c: the VM lock as vCPU-thread calls take it, with every signal blocked */
void vcpu_lock(struct kvmdbg_vm *vm, sigset_t *old);
void vcpu_unlock(struct kvmdbg_vm *vm, const sigset_t *old);

/* map.c */
int map_init(struct map *m);
void map_fini(struct map *m);
/* The first entry's value with that key, NULL if none; *cursor continues (start at 0). */
void *map_next(const struct map *m, uint64_t key, size_t *cursor);
int map_add(struct map *m, uint64_t key, void *val);
void map_del(struct map *m, uint64_t key, const void *val);

/* table.c */
int table_init(struct table *t);
void table_fini(struct table *t);
struct kvmdbg_point *table_find(const struct table *t, uint64_t addr);
int table_add(struct table *t, struct kvmdbg_point *p);
void table_del(struct table *t, struct kvmdbg_point *p);

/* memory.c; callers hold vm->lock, except for mem_translate() */
int mem_read(struct kvmdbg_vm *vm, uint64_t gpa, void *buf, size_t len);
int mem_write(struct kvmdbg_vm *vm, uint64_t gpa, const void *buf, size_t len);
/*
 * gva -> gpa through the translate callback or the arch default on vcpu (NULL: the VM's
 * translating vCPU); call it without vm->lock: KVM_TRANSLATE may wait.  vcpu_thread: from
 * a vCPU-thread call (the lock is then taken with signals blocked, see lock.c).
 */
int mem_translate(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, uint64_t gva,
			 uint64_t *ret_gpa, bool vcpu_thread);
/* A software breakpoint's instruction bytes: the physical places of its pieces. */
int sw_read(struct kvmdbg_point *p, uint8_t *buf);
int sw_write(struct kvmdbg_point *p, const uint8_t *buf);
/* phys index of planted pieces (memory.c) */
int phys_add(struct kvmdbg_vm *vm, struct kvmdbg_point *p);
void phys_del(struct kvmdbg_vm *vm, struct kvmdbg_point *p);
/* Whether [gpa, gpa + len) overlaps a piece of a software breakpoint other than skip. */
bool phys_overlaps(struct kvmdbg_vm *vm, uint64_t gpa, uint64_t len,
			  const struct kvmdbg_point *skip);

/* point.c; callers hold vm->lock */
/*
 * Insert: where the point needs translation (software breakpoints, s390 watchpoints), the
 * caller translates first, without the lock (point_translate()), then inserts with it.
 */
struct xlat {
	int ret;        /* 0, or the translation's error */
	uint64_t gpa;   /* of addr */
	/* a software breakpoint near a page's end: the next page's translation, or its error */
	int ret2;
	uint64_t gpa2;
	bool has_gpa2;
};
void point_translate(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *via,
			    enum kvmdbg_point_type type, uint64_t addr, struct xlat *x);
/* The checks of an insert that need no translation: 0 or the error. */
int point_check(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu,
		       enum kvmdbg_point_type type, uint64_t addr, uint64_t len, unsigned int flags);
int point_insert(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu,
			enum kvmdbg_point_type type, uint64_t addr, uint64_t len,
			unsigned int flags, void *user_data, const struct xlat *x,
			uint64_t *ret_id);
/* vm.c: insert and find for a VM (owner NULL) or one vCPU; vm->lock not held */
int vm_insert_point(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type,
		  uint64_t addr, uint64_t len, unsigned int flags, void *user_data,
		  uint64_t *ret_id);
int vm_find_point(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *owner, enum kvmdbg_point_type type,
		uint64_t addr, uint64_t *ret_id);
/* Point by id, NULL if none. */
struct kvmdbg_point *point_by_id(struct kvmdbg_vm *vm, uint64_t id);
int point_remove(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu,
			enum kvmdbg_point_type type, uint64_t addr);
int point_destroy(struct kvmdbg_point *p);
struct kvmdbg_point *point_find_hw(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *owner,
					  enum kvmdbg_point_type type, uint64_t addr);
int point_destroy_owned(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *owner);
int sw_take_out(struct kvmdbg_point *p);
int sw_put_in(struct kvmdbg_point *p, bool first);
void sw_owed(struct kvmdbg_point *p, bool owed);
void point_fired(struct kvmdbg_point *p);
void point_unfire(struct kvmdbg_point *p);
int point_assign_slots(struct kvmdbg_vcpu *vcpu);
int point_bank(const struct kvmdbg_vm *vm, enum kvmdbg_point_type type);
bool point_type_is_valid(int type);
int check_control(const struct kvmdbg_vm *vm, uint32_t req);
bool arch_has_control(const struct arch *arch, uint32_t req);
enum slot_kind point_slot_kind(enum kvmdbg_point_type type);

static inline void vm_bump(struct kvmdbg_vm *vm)
{
	atomic_fetch_add_explicit(&vm->gen, 1, memory_order_release);
}

#endif /* KVMDBG_INTERNAL_H */
