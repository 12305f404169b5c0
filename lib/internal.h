/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef KVMDBG_INTERNAL_H
#define KVMDBG_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <kvmdbg/kvmdbg.h>

#include "arch/arch.h"

#define KVMDBG_EXPORT __attribute__((visibility("default")))

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

	/* software breakpoints */
	uint64_t gpa;
	uint8_t insn[KVMDBG_MAX_INSN]; /* the breakpoint instruction written at gpa */
	uint8_t insn_len;
	bool in_memory;      /* the breakpoint instruction is in guest memory */
	bool overwritten;    /* the guest replaced the instruction */
	unsigned int steppers; /* vCPUs stepping over it with the original bytes back */
	uint64_t id;         /* unique in the VM: a point inserted again at the same address differs */
	uint8_t orig[KVMDBG_MAX_INSN];
	bool on_fired;
	struct kvmdbg_point *fired_prev, *fired_next; /* list of fired one-shots */

	/* hardware points: the guest-physical address, where the architecture needs it */
	uint64_t phys;
	/* hardware points: list of all of them in the VM */
	struct kvmdbg_point *hw_prev, *hw_next;
};

/* Open-addressing hash table of software breakpoints, keyed by address. */
struct kvmdbg_table {
	struct kvmdbg_point **buckets;
	size_t mask;  /* bucket count - 1; the count is a power of two */
	unsigned int shift; /* 64 - log2(bucket count) */
	size_t count;
};

struct kvmdbg_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;
};

struct kvmdbg_vm {
	int fd;
	const struct kvmdbg_arch *arch;
	pthread_mutex_t lock;

	/* capabilities */
	int debug_supported; /* 1 yes, 0 no, -1 unknown until a vCPU is attached */
	uint32_t mask;       /* accepted control bits */
	bool mask_from_cap;
	unsigned int slots[2];
	/* the software-breakpoint instruction; len 0: none (yet: ppc reads it from a vCPU) */
	uint8_t sw_insn[KVMDBG_MAX_INSN];
	size_t sw_insn_len;
	/* the architecture's alternative instruction needs a VM capability (s390 USER_INSTR0) */
	enum { ALT_INSN_NO = 0, ALT_INSN_OFFERED, ALT_INSN_ENABLED } alt_insn;
	bool sw_ever;        /* a software breakpoint was inserted once */

	/* bumped (under lock) whenever something every vCPU must re-pack changes */
	_Atomic uint64_t gen;

	struct kvmdbg_vcpu *vcpus;
	unsigned int nr_vcpus;

	struct kvmdbg_table sw;
	struct kvmdbg_point *fired;   /* fired one-shots, software and hardware */
	struct kvmdbg_point *hw_head; /* every hardware point */
	unsigned int nr_vm_hw[2];     /* VM-wide hardware points per bank */
	long nr_points;
	uint64_t next_id;

	struct kvmdbg_region *regions;
	size_t nr_regions;
	kvmdbg_read_fn read;
	kvmdbg_write_fn write;
	kvmdbg_translate_fn translate;
	void *mem_data;
};

struct kvmdbg_event {
	struct kvmdbg_vcpu *vcpu;
	enum kvmdbg_event_type type;
	uint64_t pc;
	struct kvmdbg_point *point;
	int slot;
	int access;
	uint64_t data_addr;
	bool has_exception;
	uint32_t exception;
	bool has_status;
	uint64_t status;
};

enum kvmdbg_resume {
	KVMDBG_RESUME_NONE = 0,
	KVMDBG_RESUME_PENDING,  /* stopped at a breakpoint; the next pre-run steps over it */
	KVMDBG_RESUME_STEPPING, /* the step over it is under way */
};

struct kvmdbg_vcpu {
	struct kvmdbg_vm *vm;
	struct kvmdbg_vcpu *next;
	int fd;
	struct kvm_run *run;

	/* protected by vm->lock */
	struct kvmdbg_point *slots[2][KVMDBG_MAX_SLOTS];

	/* the vCPU thread's own */
	bool single_step;
	bool trap_debug_regs;
	bool dirty;
	bool force_apply;        /* send the state even if unchanged (s390 watchpoint hit) */
	uint64_t seen_gen;
	uint32_t inject;         /* KVMDBG_REQ_INJECT_* for the next pre-run */
	enum kvmdbg_resume resume;
	bool resume_debug_reg;   /* the step-over is of a trapped debug-register access */
	enum kvmdbg_point_type resume_type;
	uint64_t resume_addr;
	uint64_t resume_id;      /* the point a software step-over counts itself in (steppers) */
	int resume_bank, resume_slot;
	uint32_t applied_req;    /* enum kvmdbg_req of the state the kernel has */
	uint64_t applied_slots[2]; /* the slots enabled in it, per bank */
	uint64_t applied_ids[2][KVMDBG_MAX_SLOTS]; /* the point (id) in each of them */
	uint8_t applied[KVMDBG_MAX_GUEST_DEBUG];
	/*
	 * The array a struct kvm_guest_debug points to (s390): the kernel reads aux_io during
	 * KVM_SET_GUEST_DEBUG; applied_aux is what it holds in the state the kernel has.
	 */
	uint8_t aux_io[KVMDBG_MAX_AUX] __attribute__((aligned(8)));
	uint8_t applied_aux[KVMDBG_MAX_AUX];
	struct kvmdbg_event event;

	atomic_bool kick_pending;
	atomic_bool kick_used; /* from then on immediate_exit is the library's */
	/* kick and kick_data; never held while anything blocks, so a kick never waits */
	pthread_mutex_t kick_lock;
	kvmdbg_kick_fn kick;
	void *kick_data;
};

/* table.c */
int kvmdbg_table_init(struct kvmdbg_table *t);
void kvmdbg_table_fini(struct kvmdbg_table *t);
struct kvmdbg_point *kvmdbg_table_find(const struct kvmdbg_table *t, uint64_t addr);
int kvmdbg_table_add(struct kvmdbg_table *t, struct kvmdbg_point *p);
void kvmdbg_table_del(struct kvmdbg_table *t, struct kvmdbg_point *p);

/* memory.c; callers hold vm->lock */
int kvmdbg_mem_read(struct kvmdbg_vm *vm, uint64_t gpa, void *buf, size_t len);
int kvmdbg_mem_write(struct kvmdbg_vm *vm, uint64_t gpa, const void *buf, size_t len);
int kvmdbg_mem_translate(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, uint64_t gva,
			 uint64_t *ret_gpa);

/* point.c; callers hold vm->lock */
int kvmdbg_point_insert(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu,
			enum kvmdbg_point_type type, uint64_t addr, uint64_t len,
			unsigned int flags, void *user_data, struct kvmdbg_point **ret_point);
int kvmdbg_point_remove(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu,
			enum kvmdbg_point_type type, uint64_t addr);
int kvmdbg_point_destroy(struct kvmdbg_point *p);
struct kvmdbg_point *kvmdbg_point_find_hw(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *owner,
					  enum kvmdbg_point_type type, uint64_t addr);
void kvmdbg_point_destroy_owned(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *owner);
int kvmdbg_sw_take_out(struct kvmdbg_point *p);
int kvmdbg_sw_put_in(struct kvmdbg_point *p, bool first);
void kvmdbg_point_fired(struct kvmdbg_point *p);
void kvmdbg_point_unfire(struct kvmdbg_point *p);
int kvmdbg_point_assign_slots(struct kvmdbg_vcpu *vcpu);
int kvmdbg_point_bank(const struct kvmdbg_vm *vm, enum kvmdbg_point_type type);
bool kvmdbg_point_type_is_valid(int type);
int kvmdbg_check_control(const struct kvmdbg_vm *vm, uint32_t req);
bool kvmdbg_arch_has_control(const struct kvmdbg_arch *arch, uint32_t req);
enum kvmdbg_slot_kind kvmdbg_point_slot_kind(enum kvmdbg_point_type type);

static inline void kvmdbg_vm_bump(struct kvmdbg_vm *vm)
{
	atomic_fetch_add_explicit(&vm->gen, 1, memory_order_release);
}

#endif /* KVMDBG_INTERNAL_H */
