// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fuzz target: the public API as a state machine.  The input is a VM configuration followed by
 * a sequence of API calls (the table ops[] below: one entry per call, the only place that
 * knows the API's signatures), run against the fake kernel edge (tests/unit/fake-kernel.c) of
 * any architecture and a guest RAM buffer the library reaches as a registered region or through
 * callbacks that can be made to fail.
 *
 * Next to the library the machine keeps a model: the points it inserted (scope, type, address,
 * the borrowed pointer), a shadow of guest RAM as the guest would see it without breakpoints,
 * and the bytes whose expected value the library cannot know (the guest wrote inside a live
 * breakpoint instruction: if it wrote the breakpoint instruction itself, the library cannot
 * tell).  After every call:
 *   - the return value is one the header documents for that call, and matches the model
 *     where the model knows (-ENOENT for a point that is not there, -EEXIST never for a new
 *     key, ...);
 *   - kvmdbg_vm_get_point_count() equals the model's count;
 *   - every KVM_SET_GUEST_DEBUG the fake saw has no control bit outside the VM's mask;
 *   - an event names its vCPU, a live point of a matching kind, a slot in range.
 * At the end every software breakpoint is removed one by one (1, "the guest overwrote it", is
 * accepted only where the guest did write there, or after kvmdbg_vm_mark_all_armed(), which
 * takes the caller's word), then kvmdbg_vm_remove_all(); guest RAM must then equal the shadow
 * byte for byte outside the bytes the guest wrote into breakpoints, and freeing the VM must
 * leak nothing (LeakSanitizer, valgrind).
 *
 * To port this to another API version, change ops[] and the few calls in setup() and
 * finish(); the input format stays.
 */
#include <errno.h>

#include <linux/kvm.h>

#include <kvmdbg/kvmdbg.h>

#include "arch/arch.h"
#include "fake-kernel.h"

#include "fuzz.h"

#define VM_FD 300
#define VCPU_FD 301
#define MEM_GPA 0x10000ull
#define MEM_SIZE 4096u
#define MAX_VCPUS 3
#define MAX_POINTS 512
#define MAX_OPS 256

/* Capability numbers (include/uapi/linux/kvm.h), as the tests write them out. */
#define CAP_SET_GUEST_DEBUG2 195
#define CAP_PPC_BOOKE_SREGS 62
#define CAP_HW_BPS 119
#define CAP_HW_WPS 120
#define CAP_S390_USER_INSTR0 130
#define CAP_PPC_GUEST_DEBUG_SSTEP 176
/* KVM_REG_PPC_DEBUG_INST; Book3S's 0x00dddd00 and a BookE ehpriv */
#define REG_PPC_DEBUG_INST 0x102000000000008bull

/* FUZZ_TRACE=1 in the environment: print each call and its result (to read a reproducer). */
static int trace = -1;

#define TRACE(...)                                    \
	do {                                          \
		if (trace)                            \
			fprintf(stderr, __VA_ARGS__); \
	} while (0)

struct mpoint {
	int scope; /* -1: VM-wide, else the vCPU index */
	enum kvmdbg_point_type type;
	uint64_t addr;
	uint64_t len;
	uint64_t id;
	bool claimed; /* kvmdbg_vm_mark_all_armed() was told it is in memory */
	/* a freed vCPU's breakpoint whose bytes could not be restored: VM-wide, never reported */
	bool orphan;
};

struct machine {
	const struct arch *arch;
	struct kvmdbg_vm *vm;
	struct kvmdbg_vcpu *vcpu[MAX_VCPUS];
	struct kvm_run *run[MAX_VCPUS];
	size_t run_size;
	const struct kvmdbg_event *event[MAX_VCPUS]; /* the last one, until that vCPU's next call */
	bool kick_set[MAX_VCPUS];
	unsigned int kicks[MAX_VCPUS]; /* calls of the kick callback */
	unsigned int nr_vcpus;
	bool callbacks; /* guest RAM through callbacks (else a registered region) */
	bool fail_writes;

	uint8_t ram[MEM_SIZE];
	uint8_t shadow[MEM_SIZE];
	bool taint[MEM_SIZE];

	struct mpoint pts[MAX_POINTS];
	unsigned int nr_pts;

	/*
	 * Bumped whenever a software breakpoint is inserted or goes: a snapshot holds the
	 * breakpoints of its generation only, and restoring it is the documented use of
	 * kvmdbg_vm_mark_all_armed() only while they are the same points.
	 */
	uint64_t sw_gen;
	bool snap_valid;
	uint64_t snap_sw_gen;
	uint8_t snap_ram[MEM_SIZE];
	uint8_t snap_shadow[MEM_SIZE];
	bool snap_taint[MEM_SIZE];
};

/* ------------------------------------------------------------------ guest memory */

static int mem_read(void *u, uint64_t gpa, void *buf, size_t len)
{
	struct machine *m = u;

	if (gpa < MEM_GPA || gpa - MEM_GPA > MEM_SIZE || len > MEM_SIZE - (gpa - MEM_GPA))
		return -EFAULT;
	memcpy(buf, m->ram + (gpa - MEM_GPA), len);
	return 0;
}

static int mem_write(void *u, uint64_t gpa, const void *buf, size_t len)
{
	struct machine *m = u;

	if (m->fail_writes || gpa < MEM_GPA || gpa - MEM_GPA > MEM_SIZE ||
	    len > MEM_SIZE - (gpa - MEM_GPA))
		return -EFAULT;
	memcpy(m->ram + (gpa - MEM_GPA), buf, len);
	return 0;
}

static int translate_identity(void *u, uint64_t gva, uint64_t *ret_gpa)
{
	(void)u;
	*ret_gpa = gva;
	return 0;
}

/* ------------------------------------------------------------------ the model */

static bool is_sw(const struct mpoint *mp)
{
	return mp->type == KVMDBG_POINT_SW_BREAK;
}

/* The RAM offsets a software breakpoint's instruction covers; false if outside RAM. */
static bool sw_range(const struct mpoint *mp, size_t *start, size_t *end)
{
	if (mp->addr < MEM_GPA || mp->addr - MEM_GPA >= MEM_SIZE)
		return false;
	*start = mp->addr - MEM_GPA;
	*end = *start + mp->len;
	if (*end > MEM_SIZE)
		*end = MEM_SIZE;
	return true;
}

static void taint_point(struct machine *m, const struct mpoint *mp)
{
	size_t s, e;

	if (is_sw(mp) && sw_range(mp, &s, &e))
		for (size_t i = s; i < e; i++)
			m->taint[i] = true;
}

static bool point_tainted(const struct machine *m, const struct mpoint *mp)
{
	size_t s, e;

	if (!sw_range(mp, &s, &e))
		return false;
	for (size_t i = s; i < e; i++)
		if (m->taint[i])
			return true;
	return false;
}

static void drop(struct machine *m, unsigned int i)
{
	if (is_sw(&m->pts[i]))
		m->sw_gen++;
	m->pts[i] = m->pts[--m->nr_pts];
}

/* The model entry a remove with this scope, type and address would find, or -1. */
static int find_key(const struct machine *m, int scope, enum kvmdbg_point_type type, uint64_t addr)
{
	for (unsigned int i = 0; i < m->nr_pts; i++) {
		const struct mpoint *mp = &m->pts[i];

		if (mp->scope == scope && mp->type == type && mp->addr == addr)
			return (int)i;
	}
	return -1;
}

static int find_id(const struct machine *m, uint64_t id)
{
	for (unsigned int i = 0; i < m->nr_pts; i++)
		if (m->pts[i].id == id)
			return (int)i;
	return -1;
}

/* A snapshot of a live point (the caller frees it). */
static struct kvmdbg_point *snapshot(struct machine *m, uint64_t id)
{
	struct kvmdbg_point *p = NULL;
	int ret = kvmdbg_vm_get_point(m->vm, id, &p);

	FUZZ_CHECK(ret == 0, "get_point(%llu): %d", (unsigned long long)id, ret);
	return p;
}

static bool is_one_of(int ret, const int *allowed, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ret == allowed[i])
			return true;
	return false;
}

#define CHECK_RET(what, ret, ...)                                                      \
	do {                                                                           \
		static const int allowed_[] = { __VA_ARGS__ };                         \
		FUZZ_CHECK(is_one_of((ret), allowed_, sizeof(allowed_) / sizeof(int)), \
			   "%s: %s returned %d", m->arch->name, (what), (ret));        \
	} while (0)

/* ------------------------------------------------------------------ input helpers */

/* An address: mostly in guest RAM or at a point the model knows, sometimes anywhere. */
/* The alignment of breakpoint addresses: the smallest power of two the backend accepts. */
static unsigned int insn_align(const struct arch *arch)
{
	unsigned int a = 1;

	while (a < MAX_INSN && arch->validate(KVMDBG_POINT_SW_BREAK, a, 0) < 0)
		a <<= 1;
	return a;
}

static uint64_t pick_addr(struct machine *m, struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);
	uint64_t a;

	switch (sel & 3) {
	case 0:
		a = MEM_GPA + fuzz_uint(in, 2) % MEM_SIZE;
		/* often aligned as instructions are */
		if (sel & 4)
			a &= ~(uint64_t)(insn_align(m->arch) - 1);
		return a;
	case 1:
		if (!m->nr_pts)
			return MEM_GPA;
		a = m->pts[fuzz_u8(in) % m->nr_pts].addr;
		/* or right next to it */
		return a + (uint64_t)((int)(sel >> 4) - 8) * !!(sel & 8);
	case 2:
		return MEM_GPA + MEM_SIZE - 1 - fuzz_u8(in) % 8;
	default:
		return fuzz_uint(in, 8);
	}
}

static enum kvmdbg_point_type pick_type(struct fuzz_in *in)
{
	uint8_t t = fuzz_u8(in);

	/* 1 in 32 an invalid type */
	return (enum kvmdbg_point_type)(t % 32 == 31 ? 5 + t % 3 : t % 5);
}

static uint64_t pick_len(struct fuzz_in *in)
{
	uint8_t l = fuzz_u8(in);

	return l & 0x80 ? fuzz_uint(in, 8) : l % 9;
}

static int pick_vcpu(struct machine *m, struct fuzz_in *in)
{
	return fuzz_u8(in) % m->nr_vcpus;
}

/* ------------------------------------------------------------------ checks after calls */

static void check_count(struct machine *m)
{
	long n = kvmdbg_vm_get_point_count(m->vm);

	FUZZ_CHECK(n == (long)m->nr_pts, "%s: library has %ld points, model %u", m->arch->name, n,
		   m->nr_pts);
}

/* Every KVM_SET_GUEST_DEBUG since the last look stayed within the VM's control mask. */
static void check_log(struct machine *m)
{
	uint32_t mask = 0;
	size_t n = fake_log_len();

	FUZZ_CHECK(kvmdbg_vm_get_control_mask(m->vm, &mask) == 0, "get_control_mask failed");
	for (size_t i = 0; i < n; i++) {
		struct fake_call c = fake_log_get(i);
		uint32_t control;

		if (c.kind != FAKE_SET_GUEST_DEBUG)
			continue;
		FUZZ_CHECK(c.size == m->arch->guest_debug_size, "%s: set_guest_debug of %zu bytes",
			   m->arch->name, c.size);
		control = get_u32(c.bytes, m->arch->big_endian);
		/*
		 * Where the kernel has not said whether guest debug works, the first vCPU makes
		 * a trial call with everything off.
		 */
		FUZZ_CHECK(!(control & ~mask), "%s: control %#x sent, mask %#x", m->arch->name,
			   control, mask);
	}
	fake_log_clear();
}

static void check_point(struct machine *m, const struct mpoint *mp)
{
	struct kvmdbg_point *p = snapshot(m, mp->id);

	FUZZ_CHECK(kvmdbg_point_get_id(p) == mp->id, "point id");
	FUZZ_CHECK(kvmdbg_point_get_type(p) == mp->type, "point type");
	FUZZ_CHECK(kvmdbg_point_get_addr(p) == mp->addr, "point address");
	FUZZ_CHECK(kvmdbg_point_get_vcpu(p) == (mp->scope < 0 ? NULL : m->vcpu[mp->scope]),
		   "point vCPU");
	FUZZ_CHECK(kvmdbg_point_get_len(p) == mp->len, "point length changed");
	kvmdbg_point_free(p);
}

static void check_event(struct machine *m, int v, const struct kvmdbg_event *ev)
{
	enum kvmdbg_event_type type = kvmdbg_event_get_type(ev);
	uint64_t id = kvmdbg_event_get_point_id(ev);
	uint64_t u64;
	uint32_t u32;
	int slot, i;

	FUZZ_CHECK(ev, "%s: an event return without an event", m->arch->name);
	FUZZ_CHECK(type >= KVMDBG_EVENT_UNKNOWN && type <= KVMDBG_EVENT_INTERRUPTED,
		   "event type %d", type);
	FUZZ_CHECK(kvmdbg_event_get_vcpu(ev) == m->vcpu[v], "event of another vCPU");
	FUZZ_CHECK(kvmdbg_event_type_name(type) != NULL, "event type name");
	(void)kvmdbg_event_get_pc(ev);
	(void)kvmdbg_event_get_raw_exception(ev, &u32);
	(void)kvmdbg_event_get_raw_status(ev, &u64);

	switch (type) {
	case KVMDBG_EVENT_SW_BREAKPOINT:
	case KVMDBG_EVENT_HW_BREAKPOINT:
	case KVMDBG_EVENT_WATCHPOINT:
		FUZZ_CHECK(id, "%s: a %s event without its point", m->arch->name,
			   kvmdbg_event_type_name(type));
		i = find_id(m, id);
		FUZZ_CHECK(i >= 0, "%s: a %s event names a point that is not live", m->arch->name,
			   kvmdbg_event_type_name(type));
		FUZZ_CHECK(!m->pts[i].orphan, "%s: an orphan reported", m->arch->name);
		check_point(m, &m->pts[i]);
		FUZZ_CHECK(kvmdbg_event_get_hit_count(ev) >= 1, "a hit point with no hits");
		FUZZ_CHECK(kvmdbg_event_get_point_addr(ev) == m->pts[i].addr &&
				   kvmdbg_event_get_point_type(ev) == (int)m->pts[i].type &&
				   kvmdbg_event_get_point_len(ev) == m->pts[i].len &&
				   kvmdbg_event_get_user_data(ev) == m,
			   "the event's copy of its point");
		if (type == KVMDBG_EVENT_SW_BREAKPOINT) {
			FUZZ_CHECK(is_sw(&m->pts[i]), "sw-breakpoint event of a %d point",
				   m->pts[i].type);
			FUZZ_CHECK(kvmdbg_event_get_pc(ev) == m->pts[i].addr,
				   "%s: sw-breakpoint event at %#llx for a point at %#llx",
				   m->arch->name, (unsigned long long)kvmdbg_event_get_pc(ev),
				   (unsigned long long)m->pts[i].addr);
			FUZZ_CHECK(kvmdbg_event_get_slot(ev) == -EINVAL, "slot of a sw event");
			break;
		}
		FUZZ_CHECK(type != KVMDBG_EVENT_HW_BREAKPOINT ||
				   m->pts[i].type == KVMDBG_POINT_HW_BREAK,
			   "hw-breakpoint event of a %d point", m->pts[i].type);
		FUZZ_CHECK(type != KVMDBG_EVENT_WATCHPOINT ||
				   (m->pts[i].type >= KVMDBG_POINT_WATCH_WRITE &&
				    m->pts[i].type <= KVMDBG_POINT_WATCH_ACCESS),
			   "watchpoint event of a %d point", m->pts[i].type);
		FUZZ_CHECK(m->pts[i].scope < 0 || m->pts[i].scope == v,
			   "%s: vCPU %d reports vCPU %d's point", m->arch->name, v,
			   m->pts[i].scope);
		slot = kvmdbg_event_get_slot(ev);
		FUZZ_CHECK(slot >= 0 && slot < kvmdbg_vm_get_hw_slots(
						       m->vm, type == KVMDBG_EVENT_WATCHPOINT),
			   "%s: slot %d", m->arch->name, slot);
		if (type == KVMDBG_EVENT_WATCHPOINT) {
			int access = kvmdbg_event_get_access(ev);

			FUZZ_CHECK(access >= KVMDBG_ACCESS_WRITE &&
					   access <= KVMDBG_ACCESS_READ_WRITE,
				   "access %d", access);
			FUZZ_CHECK(kvmdbg_event_get_data_addr(ev, &u64) == 0, "data address");
		} else {
			FUZZ_CHECK(kvmdbg_event_get_access(ev) == -EINVAL, "access of a bp");
		}
		break;
	default:
		FUZZ_CHECK(!id, "%s: a %s event with a point", m->arch->name,
			   kvmdbg_event_type_name(type));
		FUZZ_CHECK(kvmdbg_event_get_slot(ev) == -EINVAL, "slot of a %s event",
			   kvmdbg_event_type_name(type));
		FUZZ_CHECK(kvmdbg_event_get_data_addr(ev, &u64) == -EINVAL, "data address");
		break;
	}
}

/* ------------------------------------------------------------------ the calls */

/* The feature kvmdbg_vm_has_feature() must report for a point of this type to be inserted. */
static enum kvmdbg_feature feature_of(enum kvmdbg_point_type type)
{
	switch (type) {
	case KVMDBG_POINT_SW_BREAK:
		return KVMDBG_FEATURE_SW_BREAKPOINT;
	case KVMDBG_POINT_HW_BREAK:
		return KVMDBG_FEATURE_HW_BREAKPOINT;
	case KVMDBG_POINT_WATCH_WRITE:
		return KVMDBG_FEATURE_WATCH_WRITE;
	case KVMDBG_POINT_WATCH_READ:
		return KVMDBG_FEATURE_WATCH_READ;
	default:
		return KVMDBG_FEATURE_WATCH_ACCESS;
	}
}

static void insert_one(struct machine *m, int scope, enum kvmdbg_point_type type, uint64_t addr,
		       uint64_t len, unsigned int flags)
{
	struct kvmdbg_point *p = NULL;
	uint64_t id = 0;
	int ret;

	if (m->nr_pts == MAX_POINTS)
		return;
	if (scope < 0)
		ret = kvmdbg_vm_insert(m->vm, type, addr, len, flags, m, &id);
	else
		ret = kvmdbg_vcpu_insert(m->vcpu[scope], type, addr, len, flags, m, &id);
	TRACE("  scope %d type %d addr %#llx len %llu flags %#x: %d\n", scope, type,
	      (unsigned long long)addr, (unsigned long long)len, flags, ret);
	CHECK_RET("insert", ret, 0, -EINVAL, -EOPNOTSUPP, -EEXIST, -ENOSPC, -EFAULT);
	if (ret < 0) {
		FUZZ_CHECK(!id, "ret_id set on failure");
		return;
	}
	FUZZ_CHECK(id, "no id returned");
	FUZZ_CHECK(find_id(m, id) < 0, "an id given twice");
	p = snapshot(m, id);
	FUZZ_CHECK(type >= KVMDBG_POINT_SW_BREAK && type <= KVMDBG_POINT_WATCH_ACCESS,
		   "type %d accepted", type);
	FUZZ_CHECK(kvmdbg_vm_has_feature(m->vm, feature_of(type)) == 1,
		   "%s: a type %d point inserted, but has_feature(%d) says no", m->arch->name, type,
		   feature_of(type));
	FUZZ_CHECK(!(flags & ~(unsigned int)KVMDBG_POINT_ONESHOT), "flags %#x accepted", flags);
	for (unsigned int i = 0; i < m->nr_pts; i++) {
		const struct mpoint *o = &m->pts[i];
		uint64_t len_new = kvmdbg_point_get_len(p);

		/*
		 * The same key where some vCPU would carry both: -EEXIST; breakpoint instructions
		 * never overlap.
		 */
		if (type == KVMDBG_POINT_SW_BREAK)
			FUZZ_CHECK(!is_sw(o) || addr - o->addr >= o->len ||
					   (o->addr - addr >= len_new && o->addr != addr),
				   "%s: sw breakpoint %#llx+%llu over %#llx+%llu", m->arch->name,
				   (unsigned long long)addr, (unsigned long long)len_new,
				   (unsigned long long)o->addr, (unsigned long long)o->len);
		else
			FUZZ_CHECK(o->type != type || o->addr != addr ||
					   (o->scope >= 0 && scope >= 0 && o->scope != scope),
				   "%s: a second type %d point at %#llx", m->arch->name, type,
				   (unsigned long long)addr);
	}
	m->pts[m->nr_pts] = (struct mpoint){
		.scope = scope,
		.type = type,
		.addr = addr,
		.len = kvmdbg_point_get_len(p),
		.id = id,
	};
	FUZZ_CHECK(kvmdbg_point_get_flags(p) == flags, "flags");
	FUZZ_CHECK(kvmdbg_point_get_user_data(p) == m, "user data");
	FUZZ_CHECK(kvmdbg_point_is_armed(p), "a new point is not armed");
	FUZZ_CHECK(kvmdbg_point_get_hit_count(p) == 0, "a new point has hits");
	kvmdbg_point_free(p);
	check_point(m, &m->pts[m->nr_pts]);
	m->nr_pts++;
	if (type == KVMDBG_POINT_SW_BREAK)
		m->sw_gen++;
}

static void insert(struct machine *m, int scope, struct fuzz_in *in)
{
	enum kvmdbg_point_type type = pick_type(in);
	uint64_t addr = pick_addr(m, in);
	uint64_t len = pick_len(in);
	uint8_t f = fuzz_u8(in);
	/* 1 in 16 an unknown flag */
	unsigned int flags = (f & 1 ? KVMDBG_POINT_ONESHOT : 0) | (f % 16 == 15 ? 1u << 7 : 0);

	insert_one(m, scope, type, addr, len, flags);
}

static void op_vm_insert(struct machine *m, struct fuzz_in *in)
{
	insert(m, -1, in);
}

static void op_vcpu_insert(struct machine *m, struct fuzz_in *in)
{
	insert(m, pick_vcpu(m, in), in);
}

static void removed(struct machine *m, int i, int ret)
{
	const struct mpoint *mp = &m->pts[i];

	if (ret == 1)
		FUZZ_CHECK(is_sw(mp) && (point_tainted(m, mp) || mp->claimed),
			   "%s: remove of %#llx says the guest overwrote it; it did not",
			   m->arch->name, (unsigned long long)mp->addr);
	drop(m, (unsigned int)i);
}

static void remove_point(struct machine *m, int scope, struct fuzz_in *in)
{
	enum kvmdbg_point_type type = pick_type(in);
	uint64_t addr = pick_addr(m, in);
	int i = find_key(m, scope, type, addr);
	int ret;

	if (scope < 0)
		ret = kvmdbg_vm_remove(m->vm, type, addr);
	else
		ret = kvmdbg_vcpu_remove(m->vcpu[scope], type, addr);
	TRACE("  scope %d type %d addr %#llx: %d\n", scope, type, (unsigned long long)addr, ret);
	if (type > KVMDBG_POINT_WATCH_ACCESS) {
		FUZZ_CHECK(ret == -EINVAL, "remove of type %d: %d", type, ret);
		return;
	}
	if (i < 0) {
		FUZZ_CHECK(ret == -ENOENT, "%s: remove of an unknown point: %d", m->arch->name,
			   ret);
		return;
	}
	CHECK_RET("remove", ret, 0, 1, -EFAULT);
	if (ret == -EFAULT) {
		FUZZ_CHECK(m->fail_writes && is_sw(&m->pts[i]), "%s: remove: -EFAULT",
			   m->arch->name);
		return;
	}
	removed(m, i, ret);
}

static void op_vm_remove(struct machine *m, struct fuzz_in *in)
{
	remove_point(m, -1, in);
}

static void op_vcpu_remove(struct machine *m, struct fuzz_in *in)
{
	remove_point(m, pick_vcpu(m, in), in);
}

static void op_vm_find(struct machine *m, struct fuzz_in *in)
{
	enum kvmdbg_point_type type = pick_type(in);
	uint64_t addr = pick_addr(m, in);
	uint64_t id = 0;
	int ret = kvmdbg_vm_find(m->vm, type, addr, &id);
	int i = type <= KVMDBG_POINT_WATCH_ACCESS ? find_key(m, -1, type, addr) : -1;

	CHECK_RET("vm_find", ret, 0, -ENOENT, -EINVAL);
	FUZZ_CHECK((ret == -EINVAL) == (type > KVMDBG_POINT_WATCH_ACCESS), "vm_find: -EINVAL");
	FUZZ_CHECK((i >= 0) == (ret == 0), "%s: vm_find(%d, %#llx): %d, model %d", m->arch->name,
		   type, (unsigned long long)addr, ret, i);
	if (ret == 0) {
		FUZZ_CHECK(id == m->pts[i].id, "vm_find: another point");
		check_point(m, &m->pts[i]);
	}
}

static void op_single_step(struct machine *m, struct fuzz_in *in)
{
	int v = pick_vcpu(m, in);
	bool on = fuzz_u8(in) & 1;
	int ret = kvmdbg_vcpu_set_single_step(m->vcpu[v], on);

	CHECK_RET("set_single_step", ret, 0, -EOPNOTSUPP);
	FUZZ_CHECK(ret == 0 || on, "switching single-step off failed");
	if (ret == 0)
		FUZZ_CHECK(kvmdbg_vcpu_is_single_step(m->vcpu[v]) == on, "is_single_step");
}

static void op_trap_debug_regs(struct machine *m, struct fuzz_in *in)
{
	int v = pick_vcpu(m, in);
	bool on = fuzz_u8(in) & 1;
	int ret = kvmdbg_vcpu_set_trap_debug_regs(m->vcpu[v], on);

	CHECK_RET("set_trap_debug_regs", ret, 0, -EOPNOTSUPP);
	FUZZ_CHECK(ret == 0 || on, "switching the trap off failed");
}

static void op_pre_run(struct machine *m, struct fuzz_in *in)
{
	int v = pick_vcpu(m, in);
	int ret = kvmdbg_vcpu_pre_run(m->vcpu[v]);

	m->event[v] = NULL;
	TRACE("  vCPU %d: %d\n", v, ret);
	/* -EINVAL, -EBUSY: a set_guest_debug failure programmed by op_fail_set_guest_debug */
	CHECK_RET("pre_run", ret, 0, 1, -EFAULT, -EINVAL, -EBUSY);
	FUZZ_CHECK(ret != -EFAULT || m->fail_writes, "%s: pre_run: -EFAULT", m->arch->name);
}

/*
 * Where each backend's exit carries the address the machine may patch in: the pc (x86, s390
 * psw_addr, ppc) or the data address (arm64 far); riscv has none.  Offsets in struct kvm_run.
 */
static const struct {
	const char *name;
	unsigned int off;
} addr_field[] = {
	{ "x86_64", 40 },      { "s390x", 40 },		 { "ppc64-book3s", 32 },
	{ "ppc64-booke", 32 }, { "ppc64le-book3s", 32 }, { "aarch64", 40 },
};

static void op_handle_exit(struct machine *m, struct fuzz_in *in)
{
	int v = pick_vcpu(m, in);
	uint8_t sel = fuzz_u8(in);
	uint64_t addr = pick_addr(m, in);
	uint8_t *run = (uint8_t *)m->run[v];
	bool be = m->arch->big_endian;
	const struct kvmdbg_event *ev = NULL;
	int result = 0, ret;

	/* what KVM_RUN returned */
	if ((sel & 0x30) == 0x10)
		result = -EINTR;
	else if ((sel & 0x30) == 0x20 && (sel & 0x40))
		result = -EFAULT;

	/* the exit: reason, then 32 bytes from offset 32 (every arch's debug exit) */
	switch (sel & 3) {
	case 0:
		put_u32(run + RUN_EXIT_REASON, EXIT_REASON_DEBUG, be);
		break;
	case 1:
		put_u32(run + RUN_EXIT_REASON, EXIT_REASON_S390_SIEIC, be);
		break;
	case 2:
		put_u32(run + RUN_EXIT_REASON, (uint32_t)fuzz_uint(in, 4), be);
		break;
	default:
		break; /* the same exit as last time */
	}
	if ((sel & 3) != 3) {
		fuzz_bytes(in, run + 32, 32);
		run[RUN_FLAGS] = fuzz_u8(in) & 1;
	}
	/* the address, into the exit and wherever the fake kernel gives the pc from */
	if (sel & 4) {
		for (size_t i = 0; i < sizeof(addr_field) / sizeof(addr_field[0]); i++) {
			if (strcmp(addr_field[i].name, m->arch->name))
				continue;
			/* s390: an intercept leaves psw_addr past the 2- or 4-byte instruction */
			put_u64(run + addr_field[i].off,
				       addr + (sel & 8 ? (sel & 0x80 ? 4 : 2) : 0), be);
		}
	}
	if (m->arch->pc_reg)
		fake_set_one_reg(m->arch->pc_reg, addr, 0);
	fake_set_regs_pc(addr, 0);

	ret = kvmdbg_vcpu_handle_exit(m->vcpu[v], result, &ev);
	m->event[v] = NULL;
	TRACE("  vCPU %d, KVM_RUN %d, addr %#llx: %d %s\n", v, result, (unsigned long long)addr,
	      ret,
	      ret == KVMDBG_EXIT_EVENT ? kvmdbg_event_type_name(kvmdbg_event_get_type(ev)) : "");
	if (result < 0) {
		/* an -EINTR that was not a kick of ours is the VMM's: not a debug exit */
		FUZZ_CHECK(ret == result || ret == KVMDBG_EXIT_EVENT || ret == KVMDBG_EXIT_RESUME ||
				   (result == -EINTR && ret == KVMDBG_EXIT_NOT_DEBUG),
			   "%s: handle_exit(%d) returned %d", m->arch->name, result, ret);
		FUZZ_CHECK(ret != KVMDBG_EXIT_EVENT ||
				   kvmdbg_event_get_type(ev) == KVMDBG_EVENT_INTERRUPTED,
			   "an event for a failed KVM_RUN");
	} else {
		/* a step-over that ended here could not write its breakpoint back (documented) */
		CHECK_RET("handle_exit", ret, KVMDBG_EXIT_NOT_DEBUG, KVMDBG_EXIT_EVENT,
			  KVMDBG_EXIT_RESUME, -EFAULT);
		FUZZ_CHECK(ret != -EFAULT || m->fail_writes, "%s: handle_exit: -EFAULT",
			   m->arch->name);
	}
	if (ret == KVMDBG_EXIT_EVENT) {
		check_event(m, v, ev);
		m->event[v] = ev;
	}
}

static void op_rearm(struct machine *m, struct fuzz_in *in)
{
	int ret = kvmdbg_vm_rearm(m->vm);

	(void)in;
	FUZZ_CHECK(ret >= 0 || (ret == -EFAULT && m->fail_writes), "rearm: %d", ret);
}

static void claim_all(struct machine *m)
{
	for (unsigned int i = 0; i < m->nr_pts; i++)
		if (is_sw(&m->pts[i]))
			m->pts[i].claimed = true;
}

static void op_mark_all_armed(struct machine *m, struct fuzz_in *in)
{
	int ret = kvmdbg_vm_mark_all_armed(m->vm);

	(void)in;
	FUZZ_CHECK(ret >= 0 && ret <= (int)m->nr_pts, "mark_all_armed: %d", ret);
	claim_all(m);
}

static void op_remove_all(struct machine *m, struct fuzz_in *in)
{
	int ret = kvmdbg_vm_remove_all(m->vm);
	unsigned int before = m->nr_pts;

	(void)in;
	/* 0.2: the write error when some software breakpoint could not be removed */
	FUZZ_CHECK((ret >= 0 && ret <= (int)before) || (m->fail_writes && ret == -EFAULT),
		   "remove_all: %d of %u", ret, before);
	if (!m->fail_writes) {
		FUZZ_CHECK(ret == (int)before, "%s: remove_all removed %d of %u", m->arch->name,
			   ret, before);
		m->nr_pts = 0;
		m->sw_gen++;
		return;
	}
	/*
	 * A software breakpoint whose bytes could not be written back stays: find out which
	 * (VM-wide ones with vm_find; a vCPU's by removing it again, which fails the same way).
	 */
	for (unsigned int i = 0; i < m->nr_pts;) {
		struct mpoint *mp = &m->pts[i];
		int r;

		if (!is_sw(mp)) {
			drop(m, i);
			continue;
		}
		if (mp->scope < 0) {
			uint64_t id;

			if (kvmdbg_vm_find(m->vm, mp->type, mp->addr, &id) == -ENOENT) {
				drop(m, i);
				continue;
			}
			i++;
			continue;
		}
		r = kvmdbg_vcpu_remove(m->vcpu[mp->scope], mp->type, mp->addr);
		CHECK_RET("vcpu_remove after remove_all", r, -ENOENT, -EFAULT, 0, 1);
		if (r == -EFAULT) {
			i++;
			continue;
		}
		if (r >= 0)
			removed(m, (int)i, r);
		else
			drop(m, i);
	}
	/* an error says some stayed; a count, that none did */
	FUZZ_CHECK(ret < 0 ? m->nr_pts > 0 : before - m->nr_pts >= (unsigned int)ret,
		   "remove_all count");
}

/* The guest stores into its RAM (maybe over a breakpoint). */
static void op_guest_write(struct machine *m, struct fuzz_in *in)
{
	size_t off = fuzz_uint(in, 2) % MEM_SIZE;
	size_t len = 1 + fuzz_u8(in) % 8;
	uint8_t bytes[8];

	if (len > MEM_SIZE - off)
		len = MEM_SIZE - off;
	fuzz_bytes(in, bytes, len);
	TRACE("  %zu bytes at %#llx, first %02x\n", len, (unsigned long long)(MEM_GPA + off),
	      bytes[0]);
	memcpy(m->ram + off, bytes, len);
	memcpy(m->shadow + off, bytes, len);
	for (unsigned int i = 0; i < m->nr_pts; i++) {
		size_t s, e;

		if (is_sw(&m->pts[i]) && sw_range(&m->pts[i], &s, &e) && off < e && s < off + len)
			taint_point(m, &m->pts[i]);
	}
}

static void op_cancel_resume(struct machine *m, struct fuzz_in *in)
{
	FUZZ_CHECK(kvmdbg_vcpu_cancel_resume(m->vcpu[pick_vcpu(m, in)]) == 0, "cancel_resume");
}

static void op_reinject(struct machine *m, struct fuzz_in *in)
{
	int v = pick_vcpu(m, in);
	int w = pick_vcpu(m, in);
	const struct kvmdbg_event *ev = m->event[w];
	int ret;

	if (!ev)
		return;
	ret = kvmdbg_vcpu_reinject(m->vcpu[v], ev);
	if (v != w)
		FUZZ_CHECK(ret == -EINVAL, "reinject of another vCPU's event: %d", ret);
	else
		CHECK_RET("reinject", ret, 0, -EINVAL, -EOPNOTSUPP);
}

static void op_kick(struct machine *m, struct fuzz_in *in)
{
	int v = pick_vcpu(m, in);
	unsigned int before = m->kicks[v];

	FUZZ_CHECK(kvmdbg_vcpu_kick(m->vcpu[v]) == 0, "kick");
	FUZZ_CHECK(m->kicks[v] == before + m->kick_set[v], "the kick callback ran %u times",
		   m->kicks[v] - before);
}

/* A fuzzer's snapshot of guest RAM ... */
static void op_snapshot(struct machine *m, struct fuzz_in *in)
{
	(void)in;
	memcpy(m->snap_ram, m->ram, MEM_SIZE);
	memcpy(m->snap_shadow, m->shadow, MEM_SIZE);
	memcpy(m->snap_taint, m->taint, sizeof(m->taint));
	m->snap_sw_gen = m->sw_gen;
	m->snap_valid = true;
}

/*
 * ... and its reset: RAM back, then kvmdbg_vm_mark_all_armed(), as the header says, when the
 * snapshot was taken with the same software breakpoints inserted.  The reset puts the vCPUs'
 * registers back too: half of the time the machine tells the library so, with
 * kvmdbg_vcpu_cancel_resume() on each (their pc moved), half of the time it does only what the
 * header of kvmdbg_vm_mark_all_armed() asks for.
 */
static void op_restore(struct machine *m, struct fuzz_in *in)
{
	bool cancel = !(fuzz_u8(in) & 1);

	if (!m->snap_valid || m->snap_sw_gen != m->sw_gen) {
		TRACE("  not the snapshot's breakpoints: skipped\n");
		return;
	}
	TRACE("  restored%s\n", cancel ? ", step-overs cancelled" : "");
	for (unsigned int v = 0; cancel && v < m->nr_vcpus; v++)
		FUZZ_CHECK(kvmdbg_vcpu_cancel_resume(m->vcpu[v]) == 0, "cancel_resume");
	memcpy(m->ram, m->snap_ram, MEM_SIZE);
	memcpy(m->shadow, m->snap_shadow, MEM_SIZE);
	for (size_t i = 0; i < MEM_SIZE; i++)
		m->taint[i] |= m->snap_taint[i];
	op_mark_all_armed(m, in);
}

static void op_fail_set_guest_debug(struct machine *m, struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);

	(void)m;
	fake_fail_set_guest_debug(b & 1 ? -EINVAL : -EBUSY, b >> 1 & 3);
}

static void op_fail_writes(struct machine *m, struct fuzz_in *in)
{
	(void)in;
	/* only the callbacks can fail; a registered region is plain memory */
	if (m->callbacks)
		m->fail_writes = !m->fail_writes;
}

/* Detach a vCPU (its points go with it) and attach a new one in its place. */
static void op_vcpu_replace(struct machine *m, struct fuzz_in *in)
{
	int v = pick_vcpu(m, in);
	int ret;

	kvmdbg_vcpu_free(m->vcpu[v]);
	/*
	 * Its points go; a software breakpoint whose bytes cannot be written back stays in the
	 * VM as an orphan (no owner, stepped over unseen) until a removal restores them.
	 */
	for (unsigned int i = 0; i < m->nr_pts;) {
		struct mpoint *mp = &m->pts[i];
		struct kvmdbg_point *p;

		if (mp->scope != v) {
			i++;
			continue;
		}
		if (kvmdbg_vm_get_point(m->vm, mp->id, &p) == -ENOENT) {
			drop(m, i);
			continue;
		}
		FUZZ_CHECK(m->fail_writes && is_sw(mp), "%s: a point of a freed vCPU stayed",
			   m->arch->name);
		FUZZ_CHECK(kvmdbg_point_get_vcpu(p) == NULL, "an orphan with an owner");
		kvmdbg_point_free(p);
		mp->scope = -1;
		mp->orphan = true;
		i++;
	}
	m->vcpu[v] = NULL;
	m->event[v] = NULL;
	m->kick_set[v] = false;
	ret = kvmdbg_vcpu_new(m->vm, VCPU_FD + v, m->run[v], &m->vcpu[v]);
	FUZZ_CHECK(ret == 0, "%s: vcpu_new after vcpu_free: %d", m->arch->name, ret);
}

/* NULL where the API takes an object: -EINVAL, NULL or false, never a crash. */
static void op_null_args(struct machine *m, struct fuzz_in *in)
{
	const struct kvmdbg_event *ev;
	uint32_t u32;
	uint64_t u64;

	(void)in;
	FUZZ_CHECK(kvmdbg_vm_insert(NULL, 0, MEM_GPA, 0, 0, NULL, NULL) == -EINVAL, "insert");
	FUZZ_CHECK(kvmdbg_vm_remove(NULL, 0, MEM_GPA) == -EINVAL, "remove");
	FUZZ_CHECK(kvmdbg_vm_find(NULL, 0, MEM_GPA, &u64) == -EINVAL, "find");
	FUZZ_CHECK(kvmdbg_vm_get_point(NULL, 1, NULL) == -EINVAL, "get_point");
	FUZZ_CHECK(kvmdbg_event_copy(NULL, NULL) == -EINVAL, "event_copy");
	FUZZ_CHECK(kvmdbg_vm_remove_all(NULL) == -EINVAL, "remove_all");
	FUZZ_CHECK(kvmdbg_vm_rearm(NULL) == -EINVAL, "rearm");
	FUZZ_CHECK(kvmdbg_vm_mark_all_armed(NULL) == -EINVAL, "mark_all_armed");
	FUZZ_CHECK(kvmdbg_vm_get_point_count(NULL) == -EINVAL, "point count");
	FUZZ_CHECK(kvmdbg_vm_get_control_mask(m->vm, NULL) == -EINVAL, "control mask");
	FUZZ_CHECK(kvmdbg_vcpu_insert(NULL, 0, MEM_GPA, 0, 0, NULL, NULL) == -EINVAL, "insert");
	FUZZ_CHECK(kvmdbg_vcpu_remove(NULL, 0, MEM_GPA) == -EINVAL, "remove");
	FUZZ_CHECK(kvmdbg_vcpu_pre_run(NULL) == -EINVAL, "pre_run");
	FUZZ_CHECK(kvmdbg_vcpu_handle_exit(NULL, 0, &ev) == -EINVAL, "handle_exit");
	FUZZ_CHECK(kvmdbg_vcpu_handle_exit(m->vcpu[0], 0, NULL) == -EINVAL, "handle_exit");
	FUZZ_CHECK(kvmdbg_vcpu_handle_exit(m->vcpu[0], 1, &ev) == -EINVAL, "handle_exit");
	FUZZ_CHECK(kvmdbg_vcpu_reinject(m->vcpu[0], NULL) == -EINVAL, "reinject");
	FUZZ_CHECK(kvmdbg_vcpu_kick(NULL) == -EINVAL, "kick");
	FUZZ_CHECK(kvmdbg_event_get_slot(NULL) == -EINVAL, "slot");
	FUZZ_CHECK(kvmdbg_event_get_raw_exception(NULL, &u32) == -EINVAL, "exception");
	FUZZ_CHECK(kvmdbg_event_get_raw_status(NULL, &u64) == -EINVAL, "status");
	FUZZ_CHECK(kvmdbg_point_get_addr(NULL) == 0, "point addr");
	/* handle_exit(vcpu 0, 1, ...) failed before touching the vCPU's event */
}

/* A coverage fuzzer's setup: many software breakpoints, one after another. */
static void op_bulk_insert(struct machine *m, struct fuzz_in *in)
{
	unsigned int n = 1 + fuzz_u8(in) % 64;
	uint64_t addr = pick_addr(m, in);
	unsigned int align = insn_align(m->arch);
	uint64_t stride = (1 + fuzz_u8(in) % 8) * align;
	unsigned int flags = fuzz_u8(in) & 1 ? KVMDBG_POINT_ONESHOT : 0;

	for (unsigned int i = 0; i < n; i++)
		insert_one(m, -1, KVMDBG_POINT_SW_BREAK, addr + i * stride, 0, flags);
}

static void kick_cb(void *data)
{
	(*(unsigned int *)data)++;
}

static void op_set_kick(struct machine *m, struct fuzz_in *in)
{
	int v = pick_vcpu(m, in);
	bool on = fuzz_u8(in) & 1;

	FUZZ_CHECK(kvmdbg_vcpu_set_kick(m->vcpu[v], on ? kick_cb : NULL, &m->kicks[v]) == 0,
		   "set_kick");
	m->kick_set[v] = on;
}

/* The answers that do not change anything: in range, and consistent with each other. */
static void op_queries(struct machine *m, struct fuzz_in *in)
{
	int v = pick_vcpu(m, in);
	uint32_t mask;

	for (int f = 0; f <= KVMDBG_FEATURE_REINJECT + 1; f++) {
		int ret = kvmdbg_vm_has_feature(m->vm, (enum kvmdbg_feature)f);

		if (f < KVMDBG_FEATURE_GUEST_DEBUG || f > KVMDBG_FEATURE_REINJECT)
			FUZZ_CHECK(ret == -EINVAL, "has_feature(%d): %d", f, ret);
		else
			FUZZ_CHECK(ret == 0 || ret == 1, "has_feature(%d): %d", f, ret);
	}
	for (int w = 0; w < 2; w++) {
		int slots = kvmdbg_vm_get_hw_slots(m->vm, w);

		FUZZ_CHECK(slots >= 0 && slots <= 64, "get_hw_slots(%d): %d", w, slots);
	}
	FUZZ_CHECK(kvmdbg_vm_get_control_mask(m->vm, &mask) == 0, "get_control_mask");
	FUZZ_CHECK(kvmdbg_vcpu_get_vm(m->vcpu[v]) == m->vm, "vcpu_get_vm");
	FUZZ_CHECK(kvmdbg_version_string() != NULL, "version_string");
}

/*
 * The call table: one byte of input picks an entry, the entry reads its arguments from the
 * input.  Append new calls at the end so that the seed corpus keeps its meaning.
 */
static const struct op {
	const char *name;
	void (*run)(struct machine *m, struct fuzz_in *in);
} ops[] = {
	{ "vm-insert", op_vm_insert },
	{ "vm-remove", op_vm_remove },
	{ "vcpu-insert", op_vcpu_insert },
	{ "vcpu-remove", op_vcpu_remove },
	{ "single-step", op_single_step },
	{ "trap-debug-regs", op_trap_debug_regs },
	{ "pre-run", op_pre_run },
	{ "handle-exit", op_handle_exit },
	{ "rearm", op_rearm },
	{ "mark-all-armed", op_mark_all_armed },
	{ "remove-all", op_remove_all },
	{ "guest-write", op_guest_write },
	{ "cancel-resume", op_cancel_resume },
	{ "reinject", op_reinject },
	{ "kick", op_kick },
	{ "snapshot", op_snapshot },
	{ "restore", op_restore },
	{ "fail-set-guest-debug", op_fail_set_guest_debug },
	{ "fail-writes", op_fail_writes },
	{ "vcpu-replace", op_vcpu_replace },
	{ "vm-find", op_vm_find },
	{ "null-args", op_null_args },
	{ "bulk-insert", op_bulk_insert },
	{ "set-kick", op_set_kick },
	{ "queries", op_queries },
};

#define NR_OPS (sizeof(ops) / sizeof(ops[0]))

/* ------------------------------------------------------------------ setup and teardown */

static unsigned int nr_arches(void)
{
	unsigned int n = 0;

	while (arch_get(n))
		n++;
	return n;
}

/*
 * Configuration bytes: the fake kernel's architecture; its capabilities (b1: control mask
 * kind, s390 USER_INSTR0, ppc single-step and BookE, the ppc breakpoint instruction; b2, b3:
 * arm64 slot counts); guest memory (b4: callbacks or a region, translation); vCPU count.
 */
static void setup(struct machine *m, struct fuzz_in *in)
{
	uint8_t b0 = fuzz_u8(in), b1 = fuzz_u8(in), b2 = fuzz_u8(in), b3 = fuzz_u8(in);
	uint8_t b4 = fuzz_u8(in);
	uint32_t all = 0;
	int ret;

	m->arch = arch_get(b0 % nr_arches());
	fake_kernel_reset();
	for (uint32_t r = REQ_ENABLE; r <= REQ_BLOCK_IRQ; r <<= 1)
		all |= arch_control(m->arch, r | REQ_ENABLE);
	switch (b1 & 3) {
	case 0: /* a kernel with KVM_CAP_SET_GUEST_DEBUG2 reporting every bit */
		fake_set_arch(m->arch, (int)all);
		break;
	case 1: /* an older kernel: the architecture's legacy bits */
		fake_set_arch(m->arch, 0);
		break;
	case 2: /* a kernel reporting some of them */
		fake_set_arch(m->arch, (int)((all & (uint32_t)fuzz_uint(in, 4)) | 1));
		break;
	default: /* no KVM_CAP_SET_GUEST_DEBUG at all: the first vCPU makes a trial call */
		fake_set_arch(m->arch, 0);
		fake_set_cap(FAKE_CAP_SET_GUEST_DEBUG, 0);
		if (b1 & 0x80)
			fake_fail_set_guest_debug(-EINVAL, 1);
		break;
	}
	fake_set_cap(CAP_S390_USER_INSTR0, !!(b1 & 4));
	fake_set_cap(CAP_PPC_GUEST_DEBUG_SSTEP, !!(b1 & 8));
	fake_set_cap(CAP_PPC_BOOKE_SREGS, !!(b1 & 0x10));
	if (b1 & 0x20)
		fake_set_one_reg(REG_PPC_DEBUG_INST, b1 & 0x40 ? 0x7c00021cu : 0x00dddd00u, 0);
	fake_set_cap(CAP_HW_BPS, b2 % 17);
	fake_set_cap(CAP_HW_WPS, b3 % 17);

	for (size_t i = 0; i < MEM_SIZE; i++)
		m->ram[i] = (uint8_t)(i * 37 + 11);
	memcpy(m->shadow, m->ram, MEM_SIZE);

	ret = kvmdbg_vm_new(VM_FD, &m->vm);
	FUZZ_CHECK(ret == 0, "vm_new: %d", ret);
	/* the backend the VM chose (ppc: BookE by capability) */
	m->callbacks = b4 & 1;
	if (m->callbacks)
		ret = kvmdbg_vm_set_memory_ops(m->vm, mem_read, mem_write,
					       b4 & 2 ? NULL : translate_identity, m);
	else
		ret = kvmdbg_vm_set_memory_ops(m->vm, NULL, NULL,
					       b4 & 2 ? NULL : translate_identity, NULL);
	FUZZ_CHECK(ret == 0, "set_memory_ops: %d", ret);
	if (!m->callbacks) {
		ret = kvmdbg_vm_add_memory(m->vm, MEM_GPA, MEM_SIZE, m->ram);
		FUZZ_CHECK(ret == 0, "add_memory: %d", ret);
	}

	/* every kvm_run exactly as large as the backend's, or the host's if that is larger */
	m->run_size = m->arch->run_size > sizeof(struct kvm_run) ? m->arch->run_size
								 : sizeof(struct kvm_run);
	m->nr_vcpus = 1 + (b4 >> 2) % MAX_VCPUS;
	for (unsigned int v = 0; v < m->nr_vcpus; v++) {
		m->run[v] = calloc(1, m->run_size);
		FUZZ_CHECK(m->run[v], "out of memory");
		ret = kvmdbg_vcpu_new(m->vm, VCPU_FD + (int)v, m->run[v], &m->vcpu[v]);
		FUZZ_CHECK(ret == 0, "vcpu_new: %d", ret);
	}
	check_log(m);
}

static void finish(struct machine *m)
{
	int ret;

	m->fail_writes = false;
	fake_fail_set_guest_debug(-EINVAL, 0);
	for (unsigned int i = 0; i < m->nr_pts;) {
		struct mpoint *mp = &m->pts[i];

		if (!is_sw(mp)) {
			i++;
			continue;
		}
		if (mp->scope < 0)
			ret = kvmdbg_vm_remove(m->vm, mp->type, mp->addr);
		else
			ret = kvmdbg_vcpu_remove(m->vcpu[mp->scope], mp->type, mp->addr);
		CHECK_RET("final remove", ret, 0, 1);
		removed(m, (int)i, ret);
	}
	ret = kvmdbg_vm_remove_all(m->vm);
	FUZZ_CHECK(ret == (int)m->nr_pts, "final remove_all: %d of %u", ret, m->nr_pts);
	m->nr_pts = 0;
	check_count(m);
	for (size_t i = 0; i < MEM_SIZE; i++)
		FUZZ_CHECK(m->taint[i] || m->ram[i] == m->shadow[i],
			   "%s: guest RAM at %#llx is %02x after every point was removed, the "
			   "guest's byte is %02x",
			   m->arch->name, (unsigned long long)(MEM_GPA + i), m->ram[i],
			   m->shadow[i]);
	for (unsigned int v = 0; v < m->nr_vcpus; v++) {
		ret = kvmdbg_vcpu_pre_run(m->vcpu[v]);
		CHECK_RET("final pre_run", ret, 0, 1);
	}
	check_log(m);
	kvmdbg_vm_free(m->vm);
	for (size_t i = 0; i < MEM_SIZE; i++)
		FUZZ_CHECK(m->taint[i] || m->ram[i] == m->shadow[i], "vm_free wrote guest RAM");
	for (unsigned int v = 0; v < m->nr_vcpus; v++)
		free(m->run[v]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct machine *m = calloc(1, sizeof(*m));

	FUZZ_CHECK(m, "out of memory");
	if (trace < 0)
		trace = getenv("FUZZ_TRACE") != NULL;
	setup(m, &in);
	TRACE("arch %s, %u vCPUs, memory %s\n", m->arch->name, m->nr_vcpus,
	      m->callbacks ? "callbacks" : "region");
	for (unsigned int n = 0; n < MAX_OPS && !fuzz_empty(&in); n++) {
		const struct op *op = &ops[fuzz_u8(&in) % NR_OPS];

		TRACE("%s\n", op->name);
		op->run(m, &in);
		check_count(m);
		check_log(m);
	}
	finish(m);
	free(m);
	return 0;
}
