// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fuzz target: the public API as a state machine.  The input is a VM configuration followed by
 * a sequence of API calls (the table ops[] below: one entry per call, the only place that
 * knows the API's signatures), run against the fake kernel edge (tests/unit/fake-kernel.c) of
 * any architecture and a guest RAM buffer the library reaches as a registered region or through
 * callbacks that can be made to fail.
 *
 * Guest-virtual addresses translate as the machine says: the identity, except in NR_VPAGES
 * virtual pages from RAM's address, each of which the input maps as the identity (the first
 * is RAM; the others translate to memory that is not there), not at all (the translation
 * fails), or onto the RAM page (two virtual addresses for one physical byte).  The same map
 * answers the translate callback and, on x86 without one, the fake kernel's KVM_TRANSLATE
 * (the VM's default translation is set to it; elsewhere to none).
 * Each vCPU has address-space registers of its own (x86 CR3, arm64 TCR_EL1 and the TTBRs),
 * which the fake kernel reads out of the machine, and which can be made to fail.
 *
 * Next to the library the machine keeps a model: the points it inserted (scope, type, address,
 * flags, address space, the borrowed pointer, whether pending, and where each byte of a
 * software breakpoint's instruction lies in RAM), a shadow of guest RAM as the guest would see
 * it without breakpoints, and the bytes whose expected value the library cannot know (the
 * guest wrote inside a live breakpoint instruction: if it wrote the breakpoint instruction
 * itself, the library cannot tell).  After every call:
 *   - the return value is one the header documents for that call, and matches the model
 *     where the model knows (-ENOENT for a point that is not there, -EEXIST never for a new
 *     key, -EFAULT only where the translation or the memory fails, ...);
 *   - kvmdbg_vm_get_point_count() equals the model's count; an id is never handed out twice;
 *   - guest RAM equals the shadow outside the bytes of planted breakpoints and the bytes the
 *     guest wrote into breakpoints, and a call changed only the bytes of the points it
 *     inserted, planted, healed or removed (a pending point has none);
 *   - every KVM_SET_GUEST_DEBUG the fake saw has no control bit outside the VM's mask;
 *   - an event names its vCPU, a live planted point of a matching kind that this vCPU
 *     carries, in the address space the vCPU runs in, a slot in range; a hit in another
 *     address space is counted, not reported;
 *   - the thread's signal mask is as before, and a memory callback runs with every signal
 *     blocked exactly when a vCPU call made it with the signal guard on;
 *   - kvmdbg_vm_translate() answers as the machine translates; kvmdbg_vm_read_memory() and
 *     _read_phys() give the guest's bytes (planted breakpoints masked) or fail storing
 *     nothing; kvmdbg_vm_write_memory() and _write_phys() change what the guest sees, under
 *     breakpoints too, all or nothing except where a write callback fails on a later page.
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
#include <pthread.h>
#include <signal.h>

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
/* the virtual pages whose mapping the input chooses, from MEM_GPA; the first is RAM's */
#define NR_VPAGES 4
#define MAX_IDS 65536

/* Capability numbers (include/uapi/linux/kvm.h), as the tests write them out. */
#define CAP_SET_GUEST_DEBUG2 195
#define CAP_PPC_BOOKE_SREGS 62
#define CAP_HW_BPS 119
#define CAP_HW_WPS 120
#define CAP_S390_USER_INSTR0 130
#define CAP_PPC_GUEST_DEBUG_SSTEP 176
/* KVM_REG_PPC_DEBUG_INST; Book3S's 0x00dddd00 and a BookE ehpriv */
#define REG_PPC_DEBUG_INST 0x102000000000008bull
/* x86 CR3 as KVM_GET_SREGS gives it (offset 240 of struct kvm_sregs) */
#define SREG_CR3 FAKE_SREG(240)
/* arm64 ONE_REG ids of TCR_EL1, TTBR0_EL1, TTBR1_EL1 (KVM_REG_ARM64_SYSREG) */
#define REG_TCR_EL1 0x603000000013c102ull
#define REG_TTBR0_EL1 0x603000000013c100ull
#define REG_TTBR1_EL1 0x603000000013c101ull
/* TCR_EL1.A1 (the ASID is TTBR1_EL1's) and TCR_EL1.AS (16-bit ASIDs) */
#define TCR_A1 (1ull << 22)
#define TCR_AS (1ull << 36)
/* what a vCPU's address-space registers give when the machine makes them fail */
#define SPACE_REG_ERR (-EIO)

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
	unsigned int flags;
	bool claimed; /* kvmdbg_vm_mark_all_armed() was told it is in memory */
	/* a freed vCPU's breakpoint whose bytes could not be restored: VM-wide, never reported */
	bool orphan;
	/* a software breakpoint inserted with KVMDBG_POINT_PENDING that has no place yet */
	bool pending;
	/* planted: where each byte of its instruction lies in RAM, and the instruction */
	unsigned int off[MAX_INSN];
	uint8_t insn[MAX_INSN];
	/* kvmdbg_vm_insert_in_space(): the space it fires in, its hits in others so far */
	bool has_space;
	uint64_t space;
	uint64_t foreign;
};

/* How the machine maps one of its virtual pages. */
enum vmap {
	VMAP_IDENTITY = 0, /* gpa = gva: RAM for the first page, memory not there for the others */
	VMAP_NONE,	   /* the translation fails (-EFAULT) */
	VMAP_RAM,	   /* onto the RAM page */
	NR_VMAP
};

/* Which address-space registers the architecture has (kvmdbg_vcpu_get_space()). */
enum space_kind {
	SPACE_NONE,
	SPACE_X86,   /* CR3 */
	SPACE_ARM64, /* TCR_EL1, TTBR0_EL1, TTBR1_EL1 */
};

struct machine {
	const struct arch *arch;
	struct kvmdbg_vm *vm;
	struct kvmdbg_vcpu *vcpu[MAX_VCPUS];
	struct kvm_run *run[MAX_VCPUS];
	size_t run_size;
	const struct kvmdbg_event *event[MAX_VCPUS]; /* the last one, until that vCPU's next call */
	bool kick_set[MAX_VCPUS];
	uint64_t seqno[MAX_VCPUS];     /* events the vCPU object has reported */
	unsigned int kicks[MAX_VCPUS]; /* calls of the kick callback */
	unsigned int nr_vcpus;
	bool callbacks; /* guest RAM through callbacks (else a registered region) */
	bool fail_writes;
	bool writes_failed; /* fail_writes was on once: points may owe their instruction */
	bool translate_cb;  /* the machine's translate callback (else none, or KVM_TRANSLATE) */
	uint8_t vmap[NR_VPAGES];

	enum space_kind space_kind;
	uint64_t sregs[MAX_VCPUS][3]; /* x86: CR3; arm64: TCR_EL1, TTBR0_EL1, TTBR1_EL1 */
	int sregs_err[MAX_VCPUS];

	/* signals: the mask on entry; the guard; whether the call under way is a vCPU call */
	sigset_t sigmask;
	bool signal_guard;
	bool vcpu_call;

	/* every id the library handed out, live or not (open addressing, 0 is empty) */
	uint64_t ids[MAX_IDS];
	unsigned int nr_ids;

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

/*
 * The read and write callbacks run under the VM's lock: a vCPU call takes it with every
 * signal blocked while the guard is on, any other call takes it plainly.
 */
static void check_callback_signals(const struct machine *m)
{
	sigset_t now;
	bool blocked;

	FUZZ_CHECK(pthread_sigmask(SIG_BLOCK, NULL, &now) == 0, "pthread_sigmask");
	blocked = sigismember(&now, SIGUSR2) == 1;
	FUZZ_CHECK(blocked == (m->vcpu_call && m->signal_guard),
		   "%s: a memory callback of a %s call with the guard %s: signals %sblocked",
		   m->arch->name, m->vcpu_call ? "vCPU" : "VM", m->signal_guard ? "on" : "off",
		   blocked ? "" : "not ");
}

static int mem_read(void *u, uint64_t gpa, void *buf, size_t len)
{
	struct machine *m = u;

	check_callback_signals(m);
	if (gpa < MEM_GPA || gpa - MEM_GPA > MEM_SIZE || len > MEM_SIZE - (gpa - MEM_GPA))
		return -EFAULT;
	memcpy(buf, m->ram + (gpa - MEM_GPA), len);
	return 0;
}

static int mem_write(void *u, uint64_t gpa, const void *buf, size_t len)
{
	struct machine *m = u;

	check_callback_signals(m);
	if (m->fail_writes || gpa < MEM_GPA || gpa - MEM_GPA > MEM_SIZE ||
	    len > MEM_SIZE - (gpa - MEM_GPA))
		return -EFAULT;
	memcpy(m->ram + (gpa - MEM_GPA), buf, len);
	return 0;
}

/* The machine's translation: 0 and *ret_gpa, or -EFAULT where a page is not mapped. */
static int model_translate(const struct machine *m, uint64_t gva, uint64_t *ret_gpa)
{
	uint64_t vpage = (gva - MEM_GPA) / GUEST_PAGE;

	if (gva >= MEM_GPA && vpage < NR_VPAGES) {
		switch (m->vmap[vpage]) {
		case VMAP_NONE:
			return -EFAULT;
		case VMAP_RAM:
			*ret_gpa = MEM_GPA + (gva - MEM_GPA) % GUEST_PAGE;
			return 0;
		default:
			break;
		}
	}
	*ret_gpa = gva;
	return 0;
}

static int translate_cb(void *u, uint64_t gva, uint64_t *ret_gpa)
{
	return model_translate(u, gva, ret_gpa);
}

/* The fake kernel asks the machine: KVM_TRANSLATE (x86 without a callback), ONE_REG. */
static bool fake_translate(void *data, int fd, uint64_t gva, uint64_t *gpa, int *ret)
{
	(void)fd;
	*ret = model_translate(data, gva, gpa);
	return true;
}

static bool fake_get_one_reg(void *data, int fd, uint64_t id, uint64_t *value, int *ret)
{
	static const uint64_t arm64_ids[] = { REG_TCR_EL1, REG_TTBR0_EL1, REG_TTBR1_EL1 };
	struct machine *m = data;
	int v = fd - VCPU_FD, i = -1;

	if (v < 0 || v >= (int)m->nr_vcpus)
		return false;
	if (m->space_kind == SPACE_X86 && id == SREG_CR3)
		i = 0;
	for (int k = 0; m->space_kind == SPACE_ARM64 && k < 3; k++)
		if (id == arm64_ids[k])
			i = k;
	if (i < 0)
		return false;
	*value = m->sregs[v][i];
	*ret = m->sregs_err[v];
	return true;
}

static const struct fake_model_hooks fake_hooks = {
	.get_one_reg = fake_get_one_reg,
	.translate = fake_translate,
};

/* ------------------------------------------------------------------ the model */

FUZZ_NO_COVERAGE static bool is_sw(const struct mpoint *mp)
{
	return mp->type == KVMDBG_POINT_SW_BREAK;
}

/* How many bytes of RAM a point's instruction covers (mp->off[]): none unless planted. */
FUZZ_NO_COVERAGE static unsigned int nr_bytes(const struct mpoint *mp)
{
	return is_sw(mp) && !mp->pending ? (unsigned int)mp->len : 0;
}

FUZZ_NO_COVERAGE static void taint_point(struct machine *m, const struct mpoint *mp)
{
	for (unsigned int k = 0; k < nr_bytes(mp); k++)
		m->taint[mp->off[k]] = true;
}

FUZZ_NO_COVERAGE static bool point_tainted(const struct machine *m, const struct mpoint *mp)
{
	for (unsigned int k = 0; k < nr_bytes(mp); k++)
		if (m->taint[mp->off[k]])
			return true;
	return false;
}

FUZZ_NO_COVERAGE static bool point_covers(const struct mpoint *mp, size_t off)
{
	for (unsigned int k = 0; k < nr_bytes(mp); k++)
		if (mp->off[k] == off)
			return true;
	return false;
}

/*
 * Where an instruction of len bytes at addr lies in RAM as the machine translates it: true
 * and off[] if every byte is in RAM; false if a page does not translate or is not RAM.
 */
FUZZ_NO_COVERAGE static bool place(const struct machine *m, uint64_t addr, uint64_t len,
				   unsigned int *off)
{
	if (!m->translate_cb && !arch_has_quirk(m->arch, QUIRK_KVM_TRANSLATE))
		return false; /* no translation at all */
	for (uint64_t k = 0; k < len; k++) {
		uint64_t gpa;

		if (model_translate(m, addr + k, &gpa) < 0 || gpa - MEM_GPA >= MEM_SIZE)
			return false;
		off[k] = (unsigned int)(gpa - MEM_GPA);
	}
	return true;
}

/* Whether a breakpoint at addr may be planted now: in RAM, and the writes work. */
FUZZ_NO_COVERAGE static bool plantable(const struct machine *m, uint64_t addr, uint64_t len)
{
	unsigned int off[MAX_INSN];

	return place(m, addr, len, off) && !(m->callbacks && m->fail_writes);
}

/*
 * Whether a software breakpoint at addr (of up to MAX_INSN bytes) may share a byte with
 * another point's instruction, virtually or in RAM; i: the point itself, or -1.
 */
FUZZ_NO_COVERAGE static bool sw_neighbour(const struct machine *m, uint64_t addr, int i)
{
	unsigned int off[MAX_INSN];
	bool in_ram[MAX_INSN];

	for (unsigned int b = 0; b < MAX_INSN; b++)
		in_ram[b] = place(m, addr + b, 1, &off[b]);
	for (unsigned int j = 0; j < m->nr_pts; j++) {
		const struct mpoint *o = &m->pts[j];

		if ((int)j == i || !is_sw(o))
			continue;
		if (addr - o->addr < MAX_INSN || o->addr - addr < MAX_INSN)
			return true;
		for (unsigned int k = 0; k < nr_bytes(o); k++)
			for (unsigned int b = 0; b < MAX_INSN; b++)
				if (in_ram[b] && o->off[k] - off[b] + MAX_INSN < 2 * MAX_INSN)
					return true;
	}
	return false;
}

/*
 * The address space vCPU v runs in, as the header defines it: x86 CR3 bits 51:12; arm64 the
 * ASID (bits 63:48) of TTBR1_EL1 if TCR_EL1.A1, else of TTBR0_EL1, 8 bits unless TCR_EL1.AS.
 * 0, -EOPNOTSUPP without address spaces, or the registers' error.
 */
static int model_space(const struct machine *m, int v, uint64_t *ret_space)
{
	const uint64_t *r = m->sregs[v];
	uint64_t asid;

	switch (m->space_kind) {
	case SPACE_X86:
		*ret_space = r[0] & 0x000ffffffffff000ull;
		break;
	case SPACE_ARM64:
		asid = (r[0] & TCR_A1 ? r[2] : r[1]) >> 48;
		*ret_space = r[0] & TCR_AS ? asid : asid & 0xff;
		break;
	default:
		return -EOPNOTSUPP;
	}
	return m->sregs_err[v];
}

/* Note an id the library handed out: never one it gave before. */
FUZZ_NO_COVERAGE static void id_handed_out(struct machine *m, uint64_t id)
{
	size_t h = (size_t)(id * 0x9e3779b97f4a7c15ull >> 48) % MAX_IDS;

	FUZZ_CHECK(id, "%s: id 0 handed out", m->arch->name);
	if (m->nr_ids >= MAX_IDS / 2)
		return; /* full enough: the rest go unchecked */
	while (m->ids[h]) {
		FUZZ_CHECK(m->ids[h] != id, "%s: id %#llx handed out twice", m->arch->name,
			   (unsigned long long)id);
		h = (h + 1) % MAX_IDS;
	}
	m->ids[h] = id;
	m->nr_ids++;
}

/* Bytes of RAM that the call may have changed: those of the points first to end - 1. */
/* A word of a byte buffer, read in place (memcpy() is a call under ASan). */
typedef uint64_t __attribute__((may_alias, aligned(1))) word_t;

/* The first byte at or after b where RAM images x and y differ, or MEM_SIZE: a word at a time. */
FUZZ_NO_COVERAGE static size_t next_diff(const uint8_t *x, const uint8_t *y, size_t b)
{
	for (; b < MEM_SIZE; b++) {
		if (b % 8 == 0 && b + 8 <= MEM_SIZE &&
		    *(const word_t *)(x + b) == *(const word_t *)(y + b)) {
			b += 7;
			continue;
		}
		if (x[b] != y[b])
			break;
	}
	return b;
}

FUZZ_NO_COVERAGE static void check_ram_changed(const struct machine *m, const uint8_t *before,
					       unsigned int first, unsigned int end,
					       const char *what)
{
	for (size_t b = next_diff(m->ram, before, 0); b < MEM_SIZE;
	     b = next_diff(m->ram, before, b + 1)) {
		bool mine = false;

		for (unsigned int i = first; i < end && !mine; i++)
			mine = point_covers(&m->pts[i], b);
		FUZZ_CHECK(mine, "%s: %s changed guest RAM at %#llx from %02x to %02x",
			   m->arch->name, what, (unsigned long long)(MEM_GPA + b), before[b],
			   m->ram[b]);
	}
}

static void drop(struct machine *m, unsigned int i)
{
	if (is_sw(&m->pts[i]))
		m->sw_gen++;
	m->pts[i] = m->pts[--m->nr_pts];
}

/* The model entry a remove with this scope, type and address would find, or -1. */
FUZZ_NO_COVERAGE static int find_key(const struct machine *m, int scope,
				     enum kvmdbg_point_type type, uint64_t addr)
{
	for (unsigned int i = 0; i < m->nr_pts; i++) {
		const struct mpoint *mp = &m->pts[i];

		if (mp->scope == scope && mp->type == type && mp->addr == addr)
			return (int)i;
	}
	return -1;
}

FUZZ_NO_COVERAGE static int find_id(const struct machine *m, uint64_t id)
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

/*
 * Guest RAM is what the guest wrote (the shadow), except under planted breakpoints and where
 * the guest wrote into one; the signal mask is as it was.
 */
FUZZ_NO_COVERAGE static void check_ram_and_signals(struct machine *m)
{
	bool covered[MEM_SIZE];
	sigset_t now;

	memset(covered, 0, sizeof(covered));
	for (unsigned int i = 0; i < m->nr_pts; i++)
		for (unsigned int k = 0; k < nr_bytes(&m->pts[i]); k++)
			covered[m->pts[i].off[k]] = true;
	for (size_t b = next_diff(m->ram, m->shadow, 0); b < MEM_SIZE;
	     b = next_diff(m->ram, m->shadow, b + 1)) {
		FUZZ_CHECK(covered[b] || m->taint[b],
			   "%s: guest RAM at %#llx is %02x under no breakpoint, the guest's byte "
			   "is %02x",
			   m->arch->name, (unsigned long long)(MEM_GPA + b), m->ram[b],
			   m->shadow[b]);
	}
	FUZZ_CHECK(pthread_sigmask(SIG_BLOCK, NULL, &now) == 0, "pthread_sigmask");
	for (int sig = 1; sig < 65; sig++)
		FUZZ_CHECK(sigismember(&now, sig) == sigismember(&m->sigmask, sig),
			   "%s: signal %d %sblocked after a call", m->arch->name, sig,
			   sigismember(&now, sig) == 1 ? "" : "un");
}

static void check_point(struct machine *m, const struct mpoint *mp)
{
	struct kvmdbg_point *p = snapshot(m, mp->id);
	uint64_t space = 0;
	int ret;

	FUZZ_CHECK(kvmdbg_point_get_id(p) == mp->id, "point id");
	FUZZ_CHECK(kvmdbg_point_get_type(p) == mp->type, "point type");
	FUZZ_CHECK(kvmdbg_point_get_addr(p) == mp->addr, "point address");
	FUZZ_CHECK(kvmdbg_point_get_vcpu(p) == (mp->scope < 0 ? NULL : m->vcpu[mp->scope]),
		   "point vCPU");
	FUZZ_CHECK(kvmdbg_point_get_len(p) == mp->len, "point length changed");
	FUZZ_CHECK(kvmdbg_point_get_flags(p) == mp->flags, "%s: point flags %#x, inserted %#x",
		   m->arch->name, kvmdbg_point_get_flags(p), mp->flags);
	FUZZ_CHECK(kvmdbg_point_is_pending(p) == mp->pending, "%s: point %#llx %spending",
		   m->arch->name, (unsigned long long)mp->addr, mp->pending ? "not " : "");
	FUZZ_CHECK((mp->flags & KVMDBG_POINT_SELF_HEAL) || !kvmdbg_point_get_heal_count(p),
		   "a point healed without KVMDBG_POINT_SELF_HEAL");
	ret = kvmdbg_point_get_space(p, &space);
	FUZZ_CHECK(mp->has_space ? ret == 0 && space == mp->space : ret == -ENODATA,
		   "%s: point space: %d, %#llx", m->arch->name, ret, (unsigned long long)space);
	FUZZ_CHECK(kvmdbg_point_get_foreign_hits(p) == mp->foreign,
		   "%s: %llu foreign hits, the model saw %llu", m->arch->name,
		   (unsigned long long)kvmdbg_point_get_foreign_hits(p),
		   (unsigned long long)mp->foreign);
	kvmdbg_point_free(p);
}

/* A copy holds the event's values. */
static void check_event_copy(const struct kvmdbg_event *ev)
{
	struct kvmdbg_event *c = NULL;
	uint64_t a = 0, b = 0;

	FUZZ_CHECK(kvmdbg_event_copy(ev, &c) == 0 && c, "event_copy");
	FUZZ_CHECK(kvmdbg_event_get_type(c) == kvmdbg_event_get_type(ev) &&
			   kvmdbg_event_get_vcpu(c) == kvmdbg_event_get_vcpu(ev) &&
			   kvmdbg_event_get_pc(c) == kvmdbg_event_get_pc(ev) &&
			   kvmdbg_event_get_seqno(c) == kvmdbg_event_get_seqno(ev) &&
			   kvmdbg_event_get_point_id(c) == kvmdbg_event_get_point_id(ev) &&
			   kvmdbg_event_get_point_addr(c) == kvmdbg_event_get_point_addr(ev) &&
			   kvmdbg_event_get_slot(c) == kvmdbg_event_get_slot(ev) &&
			   kvmdbg_event_get_hit_count(c) == kvmdbg_event_get_hit_count(ev) &&
			   kvmdbg_event_get_user_data(c) == kvmdbg_event_get_user_data(ev) &&
			   kvmdbg_event_get_data_addr(c, &a) ==
				   kvmdbg_event_get_data_addr(ev, &b) &&
			   a == b,
		   "an event's copy differs");
	kvmdbg_event_free(c);
}

static void check_event(struct machine *m, int v, const struct kvmdbg_event *ev)
{
	enum kvmdbg_event_type type = kvmdbg_event_get_type(ev);
	uint64_t id = kvmdbg_event_get_point_id(ev);
	struct kvmdbg_point *p;
	uint64_t u64;
	uint32_t u32;
	int slot, i;

	FUZZ_CHECK(ev, "%s: an event return without an event", m->arch->name);
	FUZZ_CHECK(type >= KVMDBG_EVENT_UNKNOWN && type <= KVMDBG_EVENT_INTERRUPTED,
		   "event type %d", type);
	FUZZ_CHECK(kvmdbg_event_get_vcpu(ev) == m->vcpu[v], "event of another vCPU");
	FUZZ_CHECK(kvmdbg_event_type_name(type) != NULL, "event type name");
	FUZZ_CHECK(kvmdbg_event_get_seqno(ev) == ++m->seqno[v],
		   "%s: event seqno %llu, expected %llu", m->arch->name,
		   (unsigned long long)kvmdbg_event_get_seqno(ev), (unsigned long long)m->seqno[v]);
	check_event_copy(ev);
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
		FUZZ_CHECK(!m->pts[i].pending, "%s: a pending point reported", m->arch->name);
		FUZZ_CHECK(m->pts[i].scope < 0 || m->pts[i].scope == v,
			   "%s: vCPU %d reports vCPU %d's point", m->arch->name, v,
			   m->pts[i].scope);
		if (m->pts[i].has_space) {
			uint64_t space = 0;

			FUZZ_CHECK(model_space(m, v, &space) == 0 && space == m->pts[i].space,
				   "%s: a point of space %#llx reported in %#llx (registers: %d)",
				   m->arch->name, (unsigned long long)m->pts[i].space,
				   (unsigned long long)space, m->sregs_err[v]);
		}
		check_point(m, &m->pts[i]);
		p = snapshot(m, id);
		FUZZ_CHECK(kvmdbg_event_get_hit_count(ev) >= 1 &&
				   kvmdbg_event_get_hit_count(ev) == kvmdbg_point_get_hit_count(p),
			   "%s: the event says %llu hits, the point %llu", m->arch->name,
			   (unsigned long long)kvmdbg_event_get_hit_count(ev),
			   (unsigned long long)kvmdbg_point_get_hit_count(p));
		kvmdbg_point_free(p);
		FUZZ_CHECK(kvmdbg_event_get_point_addr(ev) == m->pts[i].addr &&
				   kvmdbg_event_get_point_type(ev) == (int)m->pts[i].type &&
				   kvmdbg_event_get_point_len(ev) == m->pts[i].len &&
				   kvmdbg_event_get_point_flags(ev) == m->pts[i].flags &&
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

/* The longest breakpoint instruction the architecture may write (ppc reads it: 4 bytes). */
static unsigned int longest_insn(const struct machine *m)
{
	unsigned int l = m->arch->sw_insn_len;

	if (m->arch->sw_insn_alt_len > l)
		l = m->arch->sw_insn_alt_len;
	return l ? l : MAX_INSN;
}

/*
 * The same key where some vCPU would carry both: -EEXIST; breakpoint instructions never
 * overlap, virtually or in RAM.  mp: a new point, not in m->pts yet.
 */
FUZZ_NO_COVERAGE static void check_no_conflict(const struct machine *m, const struct mpoint *mp)
{
	for (unsigned int i = 0; i < m->nr_pts; i++) {
		const struct mpoint *o = &m->pts[i];

		if (is_sw(mp)) {
			FUZZ_CHECK(!is_sw(o) || mp->addr - o->addr >= o->len ||
					   (o->addr - mp->addr >= mp->len && o->addr != mp->addr),
				   "%s: sw breakpoint %#llx+%llu over %#llx+%llu", m->arch->name,
				   (unsigned long long)mp->addr, (unsigned long long)mp->len,
				   (unsigned long long)o->addr, (unsigned long long)o->len);
			for (unsigned int k = 0; k < nr_bytes(mp); k++)
				FUZZ_CHECK(!point_covers(o, mp->off[k]),
					   "%s: sw breakpoints %#llx and %#llx share RAM at %#x",
					   m->arch->name, (unsigned long long)mp->addr,
					   (unsigned long long)o->addr, mp->off[k]);
		} else {
			FUZZ_CHECK(
				o->type != mp->type || o->addr != mp->addr ||
					(o->scope >= 0 && mp->scope >= 0 && o->scope != mp->scope),
				"%s: a second type %d point at %#llx", m->arch->name, mp->type,
				(unsigned long long)mp->addr);
		}
	}
}

/*
 * A point the library says it inserted (id): check it against the model, and add it.  A
 * software breakpoint is planted (its instruction now in RAM, where the translation puts it)
 * or pending (nowhere, and it could not have been planted).
 */
static void adopt(struct machine *m, int scope, enum kvmdbg_point_type type, uint64_t addr,
		  unsigned int flags, const uint64_t *space, uint64_t id)
{
	struct kvmdbg_point *p = snapshot(m, id);
	struct mpoint *mp = &m->pts[m->nr_pts];
	const unsigned int sw_only = KVMDBG_POINT_PENDING | KVMDBG_POINT_SELF_HEAL;

	FUZZ_CHECK(find_id(m, id) < 0, "an id given twice");
	id_handed_out(m, id);
	FUZZ_CHECK(type >= KVMDBG_POINT_SW_BREAK && type <= KVMDBG_POINT_WATCH_ACCESS,
		   "type %d accepted", type);
	FUZZ_CHECK(kvmdbg_vm_has_feature(m->vm, feature_of(type)) == 1,
		   "%s: a type %d point inserted, but has_feature(%d) says no", m->arch->name, type,
		   feature_of(type));
	FUZZ_CHECK(!(flags & ~(unsigned int)(KVMDBG_POINT_ONESHOT | sw_only)) &&
			   (type == KVMDBG_POINT_SW_BREAK || !(flags & sw_only)),
		   "flags %#x accepted for type %d", flags, type);
	FUZZ_CHECK(!space || m->space_kind != SPACE_NONE, "%s: a point scoped to a space",
		   m->arch->name);
	*mp = (struct mpoint){
		.scope = scope,
		.type = type,
		.addr = addr,
		.len = kvmdbg_point_get_len(p),
		.id = id,
		.flags = flags,
		.pending = kvmdbg_point_is_pending(p),
		.has_space = space,
		.space = space ? *space : 0,
	};
	FUZZ_CHECK(kvmdbg_point_get_user_data(p) == m, "user data");
	FUZZ_CHECK(kvmdbg_point_is_armed(p), "a new point is not armed");
	FUZZ_CHECK(kvmdbg_point_get_hit_count(p) == 0, "a new point has hits");
	FUZZ_CHECK(!kvmdbg_point_get_heal_count(p), "a new point was healed");
	kvmdbg_point_free(p);
	if (mp->pending) {
		FUZZ_CHECK(type == KVMDBG_POINT_SW_BREAK && (flags & KVMDBG_POINT_PENDING),
			   "%s: a type %d point with flags %#x pending", m->arch->name, type,
			   flags);
		FUZZ_CHECK(!plantable(m, addr, longest_insn(m)),
			   "%s: %#llx left pending, it can be planted", m->arch->name,
			   (unsigned long long)addr);
	} else if (is_sw(mp)) {
		FUZZ_CHECK(mp->len && mp->len <= MAX_INSN && place(m, addr, mp->len, mp->off) &&
				   !(m->callbacks && m->fail_writes),
			   "%s: a breakpoint planted at %#llx+%llu, where it cannot be",
			   m->arch->name, (unsigned long long)addr, (unsigned long long)mp->len);
		for (unsigned int k = 0; k < mp->len; k++)
			mp->insn[k] = m->ram[mp->off[k]];
	}
	check_no_conflict(m, mp);
	check_point(m, mp);
	m->nr_pts++;
	if (type == KVMDBG_POINT_SW_BREAK)
		m->sw_gen++;
}

/* Why an insert may have failed, as far as the model knows. */
static void check_insert_error(struct machine *m, int scope, enum kvmdbg_point_type type,
			       uint64_t addr, unsigned int flags, int ret)
{
	bool conflict = false;

	if (type != KVMDBG_POINT_SW_BREAK) {
		for (unsigned int i = 0; i < m->nr_pts; i++) {
			const struct mpoint *o = &m->pts[i];

			conflict |= o->type == type && o->addr == addr &&
				    (o->scope < 0 || scope < 0 || o->scope == scope);
		}
		FUZZ_CHECK(ret != -EEXIST || conflict, "%s: insert of type %d at %#llx: -EEXIST",
			   m->arch->name, type, (unsigned long long)addr);
		return;
	}
	FUZZ_CHECK(ret != -EEXIST || sw_neighbour(m, addr, -1),
		   "%s: sw breakpoint at %#llx: -EEXIST without a neighbour", m->arch->name,
		   (unsigned long long)addr);
	FUZZ_CHECK(ret != -EFAULT || !plantable(m, addr, longest_insn(m)),
		   "%s: sw breakpoint at %#llx: -EFAULT, it can be planted", m->arch->name,
		   (unsigned long long)addr);
	/* a pending point refused: it could later overlap a neighbour */
	FUZZ_CHECK(ret != -EFAULT || !(flags & KVMDBG_POINT_PENDING) || sw_neighbour(m, addr, -1),
		   "%s: pending sw breakpoint at %#llx: -EFAULT", m->arch->name,
		   (unsigned long long)addr);
}

/* Insert a point (space: kvmdbg_vm_insert_in_space() with it); 0 or the error. */
static int insert_one(struct machine *m, int scope, enum kvmdbg_point_type type, uint64_t addr,
		      uint64_t len, unsigned int flags, const uint64_t *space)
{
	uint8_t before[MEM_SIZE];
	unsigned int first = m->nr_pts;
	uint64_t id = 0;
	int ret;

	if (m->nr_pts == MAX_POINTS)
		return -ENOSPC;
	memcpy(before, m->ram, MEM_SIZE);
	if (space)
		ret = kvmdbg_vm_insert_in_space(m->vm, type, addr, len, flags, *space, m, &id);
	else if (scope < 0)
		ret = kvmdbg_vm_insert(m->vm, type, addr, len, flags, m, &id);
	else
		ret = kvmdbg_vcpu_insert(m->vcpu[scope], type, addr, len, flags, m, &id);
	TRACE("  scope %d type %d addr %#llx len %llu flags %#x%s: %d\n", scope, type,
	      (unsigned long long)addr, (unsigned long long)len, flags, space ? " in a space" : "",
	      ret);
	CHECK_RET("insert", ret, 0, -EINVAL, -EOPNOTSUPP, -EEXIST, -ENOSPC, -EFAULT);
	if (ret < 0) {
		FUZZ_CHECK(!id, "ret_id set on failure");
		check_insert_error(m, scope, type, addr, flags, ret);
	} else {
		FUZZ_CHECK(id, "no id returned");
		adopt(m, scope, type, addr, flags, space, id);
	}
	check_ram_changed(m, before, first, m->nr_pts, "insert");
	return ret;
}

/* Flags: mostly valid ones (the software-only ones on any type), 1 in 16 an unknown one. */
static unsigned int pick_flags(struct fuzz_in *in)
{
	uint8_t f = fuzz_u8(in);

	return (f & 1 ? KVMDBG_POINT_ONESHOT : 0) | (f & 0x10 ? KVMDBG_POINT_PENDING : 0) |
	       (f & 0x20 ? KVMDBG_POINT_SELF_HEAL : 0) | (f % 16 == 15 ? 1u << 7 : 0);
}

static void insert(struct machine *m, int scope, struct fuzz_in *in)
{
	enum kvmdbg_point_type type = pick_type(in);
	uint64_t addr = pick_addr(m, in);
	uint64_t len = pick_len(in);
	unsigned int flags = pick_flags(in);

	insert_one(m, scope, type, addr, len, flags, NULL);
}

static void op_vm_insert(struct machine *m, struct fuzz_in *in)
{
	insert(m, -1, in);
}

static void op_vcpu_insert(struct machine *m, struct fuzz_in *in)
{
	insert(m, pick_vcpu(m, in), in);
}

/*
 * Point i was removed (ret 0 or 1).  Guest RAM changed at its bytes only: the caller made the
 * copy before.
 */
static void removed(struct machine *m, int i, int ret, const uint8_t *before)
{
	const struct mpoint *mp = &m->pts[i];

	if (ret == 1)
		FUZZ_CHECK(is_sw(mp) && (point_tainted(m, mp) || mp->claimed),
			   "%s: remove of %#llx says the guest overwrote it; it did not",
			   m->arch->name, (unsigned long long)mp->addr);
	FUZZ_CHECK(!mp->pending || ret == 0, "%s: remove of pending %#llx: %d", m->arch->name,
		   (unsigned long long)mp->addr, ret);
	check_ram_changed(m, before, (unsigned int)i, (unsigned int)i + 1, "remove");
	drop(m, (unsigned int)i);
}

static void remove_point(struct machine *m, int scope, struct fuzz_in *in)
{
	enum kvmdbg_point_type type = pick_type(in);
	uint64_t addr = pick_addr(m, in);
	int i = find_key(m, scope, type, addr);
	uint8_t before[MEM_SIZE];
	int ret;

	memcpy(before, m->ram, MEM_SIZE);
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
		FUZZ_CHECK(m->fail_writes && is_sw(&m->pts[i]) && !m->pts[i].pending,
			   "%s: remove: -EFAULT", m->arch->name);
		check_ram_changed(m, before, 0, 0, "a failed remove");
		return;
	}
	removed(m, i, ret, before);
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

static void op_vcpu_find(struct machine *m, struct fuzz_in *in)
{
	int v = pick_vcpu(m, in);
	enum kvmdbg_point_type type = pick_type(in);
	uint64_t addr = pick_addr(m, in);
	uint64_t id = 0;
	int ret = kvmdbg_vcpu_find(m->vcpu[v], type, addr, &id);
	int i = type <= KVMDBG_POINT_WATCH_ACCESS ? find_key(m, v, type, addr) : -1;

	CHECK_RET("vcpu_find", ret, 0, -ENOENT, -EINVAL);
	FUZZ_CHECK((ret == -EINVAL) == (type > KVMDBG_POINT_WATCH_ACCESS), "vcpu_find: -EINVAL");
	FUZZ_CHECK((i >= 0) == (ret == 0), "%s: vcpu_find(%d, %d, %#llx): %d, model %d",
		   m->arch->name, v, type, (unsigned long long)addr, ret, i);
	if (ret == 0) {
		FUZZ_CHECK(id == m->pts[i].id, "vcpu_find: another point");
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
	int ret;

	m->vcpu_call = true;
	ret = kvmdbg_vcpu_pre_run(m->vcpu[v]);
	m->vcpu_call = false;
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

FUZZ_NO_COVERAGE static unsigned int scoped_points(const struct machine *m)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < m->nr_pts; i++)
		n += m->pts[i].has_space;
	return n;
}

/*
 * After an exit of vCPU v (handle_exit's ret): a scoped point hit in another address space
 * counts it, and the exit is resumed unseen.  At most one point is hit per exit.
 */
static void check_foreign_hits(struct machine *m, int v, int ret)
{
	unsigned int counted = 0;

	for (unsigned int i = 0; i < m->nr_pts; i++) {
		struct mpoint *mp = &m->pts[i];
		struct kvmdbg_point *p;
		uint64_t n, space = 0;

		if (!mp->has_space)
			continue;
		p = snapshot(m, mp->id);
		n = kvmdbg_point_get_foreign_hits(p);
		kvmdbg_point_free(p);
		if (n == mp->foreign)
			continue;
		FUZZ_CHECK(n == mp->foreign + 1, "%s: foreign hits from %llu to %llu in one exit",
			   m->arch->name, (unsigned long long)mp->foreign, (unsigned long long)n);
		FUZZ_CHECK(ret == KVMDBG_EXIT_RESUME || (ret == -EFAULT && m->fail_writes),
			   "%s: a foreign hit, and handle_exit returned %d", m->arch->name, ret);
		FUZZ_CHECK(!mp->pending, "%s: a pending point hit", m->arch->name);
		FUZZ_CHECK(model_space(m, v, &space) == 0 && space != mp->space,
			   "%s: a hit of a point of space %#llx counted foreign in %#llx (%d)",
			   m->arch->name, (unsigned long long)mp->space, (unsigned long long)space,
			   m->sregs_err[v]);
		mp->foreign = n;
		counted++;
	}
	FUZZ_CHECK(counted <= 1, "%s: %u foreign hits in one exit", m->arch->name, counted);
}

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

	m->vcpu_call = true;
	ret = kvmdbg_vcpu_handle_exit(m->vcpu[v], result, &ev);
	m->vcpu_call = false;
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
	} else if (ret == SPACE_REG_ERR) {
		/* a scoped point's hit reads the address-space registers */
		FUZZ_CHECK(m->sregs_err[v] && scoped_points(m),
			   "%s: handle_exit: the registers' error", m->arch->name);
	} else {
		/* a step-over that ended here could not write its breakpoint back (documented) */
		CHECK_RET("handle_exit", ret, KVMDBG_EXIT_NOT_DEBUG, KVMDBG_EXIT_EVENT,
			  KVMDBG_EXIT_RESUME, -EFAULT);
		FUZZ_CHECK(ret != -EFAULT || m->fail_writes, "%s: handle_exit: -EFAULT",
			   m->arch->name);
	}
	check_foreign_hits(m, v, ret);
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
		uint8_t ram[MEM_SIZE];
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
		memcpy(ram, m->ram, MEM_SIZE);
		r = kvmdbg_vcpu_remove(m->vcpu[mp->scope], mp->type, mp->addr);
		CHECK_RET("vcpu_remove after remove_all", r, -ENOENT, -EFAULT, 0, 1);
		if (r == -EFAULT) {
			i++;
			continue;
		}
		if (r >= 0)
			removed(m, (int)i, r, ram);
		else
			drop(m, i);
	}
	/* an error says some stayed; a count, that none did */
	FUZZ_CHECK(ret < 0 ? m->nr_pts > 0 : before - m->nr_pts >= (unsigned int)ret,
		   "remove_all count");
}

/* The guest wrote [off, off + len) of RAM: the points there may have been overwritten. */
FUZZ_NO_COVERAGE static void taint_written(struct machine *m, size_t off, size_t len)
{
	for (unsigned int i = 0; i < m->nr_pts; i++)
		for (size_t b = off; b < off + len; b++)
			if (point_covers(&m->pts[i], b))
				taint_point(m, &m->pts[i]);
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
	taint_written(m, off, len);
}

static void cancel_resume(struct machine *m, int v)
{
	int ret;

	m->vcpu_call = true;
	ret = kvmdbg_vcpu_cancel_resume(m->vcpu[v]);
	m->vcpu_call = false;
	FUZZ_CHECK(ret == 0, "%s: cancel_resume: %d", m->arch->name, ret);
}

static void op_cancel_resume(struct machine *m, struct fuzz_in *in)
{
	cancel_resume(m, pick_vcpu(m, in));
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

FUZZ_NO_COVERAGE static void merge_taint(struct machine *m)
{
	for (size_t i = 0; i < MEM_SIZE; i++)
		m->taint[i] |= m->snap_taint[i];
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
		cancel_resume(m, (int)v);
	memcpy(m->ram, m->snap_ram, MEM_SIZE);
	memcpy(m->shadow, m->snap_shadow, MEM_SIZE);
	merge_taint(m);
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
	m->writes_failed |= m->fail_writes;
}

/* Detach a vCPU (its points go with it) and attach a new one in its place. */
static void op_vcpu_replace(struct machine *m, struct fuzz_in *in)
{
	int v = pick_vcpu(m, in);
	int ret;

	m->vcpu_call = true;
	kvmdbg_vcpu_free(m->vcpu[v]);
	m->vcpu_call = false;
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
	m->seqno[v] = 0;
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
	FUZZ_CHECK(kvmdbg_vm_insert_in_space(NULL, 0, MEM_GPA, 0, 0, 0, NULL, NULL) == -EINVAL,
		   "insert_in_space");
	FUZZ_CHECK(kvmdbg_vm_insert_many(NULL, 0, &u64, 1, 0, NULL, NULL, NULL) == -EINVAL,
		   "insert_many");
	FUZZ_CHECK(kvmdbg_vm_insert_many(m->vm, 0, NULL, 1, 0, NULL, NULL, NULL) == -EINVAL,
		   "insert_many");
	FUZZ_CHECK(kvmdbg_vm_plant_pending(NULL) == -EINVAL, "plant_pending");
	FUZZ_CHECK(kvmdbg_vm_heal(NULL, 0, 0) == -EINVAL, "heal");
	FUZZ_CHECK(kvmdbg_vm_set_signal_guard(NULL, true) == -EINVAL, "set_signal_guard");
	FUZZ_CHECK(kvmdbg_vcpu_get_space(NULL, &u64) == -EINVAL, "get_space");
	FUZZ_CHECK(kvmdbg_point_get_space(NULL, &u64) == -EINVAL, "point space");
	FUZZ_CHECK(!kvmdbg_point_is_pending(NULL), "point pending");
	FUZZ_CHECK(!kvmdbg_point_get_heal_count(NULL), "heal count");
	FUZZ_CHECK(!kvmdbg_point_get_foreign_hits(NULL), "foreign hits");
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
		insert_one(m, -1, KVMDBG_POINT_SW_BREAK, addr + i * stride, 0, flags, NULL);
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

/* An address in the machine's virtual pages, often near a page's end; or as pick_addr(). */
static uint64_t pick_vaddr(struct machine *m, struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);
	uint64_t a;

	if (sel & 1)
		return pick_addr(m, in);
	a = MEM_GPA + fuzz_uint(in, 2) % (NR_VPAGES * GUEST_PAGE);
	/* an instruction that may cross into the next page */
	if (sel & 2)
		a = (a | (GUEST_PAGE - 1)) - (sel >> 4) % MAX_INSN;
	if (sel & 4)
		a &= ~(uint64_t)(insn_align(m->arch) - 1);
	return a;
}

/* The guest maps, unmaps or aliases one of the machine's virtual pages. */
static void op_map_page(struct machine *m, struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	unsigned int vpage = b % NR_VPAGES;

	m->vmap[vpage] = (uint8_t)((b >> 2) % NR_VMAP);
	TRACE("  page %#llx: %s\n", (unsigned long long)(MEM_GPA + vpage * GUEST_PAGE),
	      m->vmap[vpage] == VMAP_NONE  ? "unmapped"
	      : m->vmap[vpage] == VMAP_RAM ? "RAM"
					   : "identity");
}

/*
 * A vCPU switches address space: its registers take values from a small pool, so that spaces
 * meet (the same page-table root under another PCID, one ASID in 8 and 16 bits), or their
 * reads fail.
 */
static void op_set_space(struct machine *m, struct fuzz_in *in)
{
	static const uint64_t roots[] = { 0x10000, 0x11000, 0x7ffff000, 0xffffffffff000 };
	static const uint64_t asids[] = { 0x0001, 0x0101, 0x00aa, 0x1234 };
	int v = pick_vcpu(m, in);
	uint8_t b = fuzz_u8(in), low = fuzz_u8(in);
	uint64_t *r = m->sregs[v];

	m->sregs_err[v] = b % 8 == 7 ? SPACE_REG_ERR : 0;
	/* x86: a root, PCID bits, the no-flush and LAM bits */
	r[0] = roots[b & 3] | (uint64_t)low << 4 | (uint64_t)(b >> 5) << 61;
	if (m->space_kind == SPACE_ARM64) {
		r[0] = (b & 1 ? TCR_A1 : 0) | (b & 2 ? TCR_AS : 0) | (uint64_t)low << 8;
		r[1] = asids[b >> 2 & 3] << 48 | 0x40001000;
		r[2] = asids[b >> 4 & 3] << 48 | 0x40002000;
	}
	TRACE("  vCPU %d: %#llx %#llx %#llx, error %d\n", v, (unsigned long long)r[0],
	      (unsigned long long)r[1], (unsigned long long)r[2], m->sregs_err[v]);
}

static void op_get_space(struct machine *m, struct fuzz_in *in)
{
	int v = pick_vcpu(m, in);
	uint64_t space = 0x5a5a, expected = 0;
	int want = model_space(m, v, &expected);
	int ret = kvmdbg_vcpu_get_space(m->vcpu[v], &space);

	TRACE("  vCPU %d: %d %#llx\n", v, ret, (unsigned long long)space);
	FUZZ_CHECK(ret == want, "%s: get_space: %d, the model %d", m->arch->name, ret, want);
	FUZZ_CHECK(ret < 0 ? space == 0x5a5a : space == expected,
		   "%s: get_space: %#llx, the model %#llx", m->arch->name,
		   (unsigned long long)space, (unsigned long long)expected);
	FUZZ_CHECK(kvmdbg_vcpu_get_space(m->vcpu[v], NULL) == -EINVAL, "get_space(NULL)");
}

/* An address-space id: a vCPU's, one of the pool's, or anything. */
static uint64_t pick_space(struct machine *m, struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);
	uint64_t space = 0;

	switch (sel & 3) {
	case 0:
	case 1:
		if (model_space(m, (sel >> 2) % m->nr_vcpus, &space) == 0)
			return space;
		return 0x10000;
	case 2:
		return m->space_kind == SPACE_ARM64 ? (sel >> 2) % 4 ? 0x34 : 0x1234 : 0x11000;
	default:
		return fuzz_uint(in, 8);
	}
}

static void op_insert_in_space(struct machine *m, struct fuzz_in *in)
{
	enum kvmdbg_point_type type = pick_type(in);
	uint64_t addr = pick_vaddr(m, in);
	uint64_t len = pick_len(in);
	unsigned int flags = pick_flags(in);
	uint64_t space = pick_space(m, in);
	int ret = insert_one(m, -1, type, addr, len, flags, &space);

	FUZZ_CHECK(m->space_kind != SPACE_NONE || ret == -EOPNOTSUPP || ret == -EINVAL ||
			   ret == -ENOSPC,
		   "%s: insert_in_space without address spaces: %d", m->arch->name, ret);
}

/* A coverage fuzzer's bulk insert: all or nothing. */
static void op_insert_many(struct machine *m, struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);
	size_t n = fuzz_u8(in) % 65, failed = SIZE_MAX;
	enum kvmdbg_point_type type = sel % 16 == 15 ? pick_type(in) : KVMDBG_POINT_SW_BREAK;
	unsigned int flags = pick_flags(in);
	uint64_t addrs[64], ids[64] = { 0 };
	uint8_t before[MEM_SIZE];
	unsigned int first = m->nr_pts;
	int ret;

	if (n > MAX_POINTS - m->nr_pts)
		n = MAX_POINTS - m->nr_pts;
	if (sel & 1) {
		/* sorted, a stride apart, or backwards */
		uint64_t addr = pick_vaddr(m, in);
		uint64_t stride = (1 + fuzz_u8(in) % 8) * insn_align(m->arch);

		for (size_t i = 0; i < n; i++)
			addrs[i] = sel & 2 ? addr - i * stride : addr + i * stride;
	} else {
		for (size_t i = 0; i < n; i++)
			addrs[i] = pick_vaddr(m, in);
	}
	/* one address twice */
	if (n > 1 && sel & 4)
		addrs[fuzz_u8(in) % n] = addrs[fuzz_u8(in) % n];
	memcpy(before, m->ram, MEM_SIZE);
	ret = kvmdbg_vm_insert_many(m->vm, type, sel & 8 && n ? NULL : addrs, n, flags, m,
				    sel & 0x10 ? NULL : ids, &failed);
	TRACE("  %zu, type %d flags %#x, from %#llx: %d, failed %zu\n", n, type, flags,
	      (unsigned long long)(n ? addrs[0] : 0), ret, failed);
	if (ret == 0) {
		FUZZ_CHECK(failed == SIZE_MAX, "ret_failed set on success");
		FUZZ_CHECK(type == KVMDBG_POINT_SW_BREAK && (n == 0 || !(sel & 8)), "insert_many");
		for (size_t i = 0; i < n; i++) {
			uint64_t id = ids[i];

			if (sel & 0x10)
				FUZZ_CHECK(kvmdbg_vm_find(m->vm, type, addrs[i], &id) == 0,
					   "%s: insert_many: %#llx not found", m->arch->name,
					   (unsigned long long)addrs[i]);
			adopt(m, -1, type, addrs[i], flags, NULL, id);
		}
		check_ram_changed(m, before, first, m->nr_pts, "insert_many");
		return;
	}
	CHECK_RET("insert_many", ret, -EINVAL, -EOPNOTSUPP, -EEXIST, -ENOSPC, -EFAULT);
	/* nothing of it stays, and nothing was written */
	check_ram_changed(m, before, 0, 0, "a failed insert_many");
	if (sel & 8 || type != KVMDBG_POINT_SW_BREAK) {
		bool einval = (sel & 8 && n) || type < KVMDBG_POINT_SW_BREAK ||
			      type > KVMDBG_POINT_WATCH_ACCESS;

		FUZZ_CHECK(failed == SIZE_MAX && ret == (einval ? -EINVAL : -EOPNOTSUPP),
			   "%s: insert_many of bad arguments: %d, failed %zu", m->arch->name, ret,
			   failed);
		return;
	}
	FUZZ_CHECK(failed < n, "%s: insert_many: failed %zu of %zu", m->arch->name, failed, n);
	for (size_t i = 0; i < n; i++) {
		/* the ids of the points it took out again are spent */
		if (i < failed && ids[i])
			id_handed_out(m, ids[i]);
		FUZZ_CHECK(!ids[i] || (i < failed && find_id(m, ids[i]) < 0),
			   "%s: insert_many failed at %zu, and id %zu is %#llx", m->arch->name,
			   failed, i, (unsigned long long)ids[i]);
	}
	if (!(sel & 0x20))
		return;
	/*
	 * The caller inserts them one by one instead: those before the one that failed go in,
	 * and that one fails the same way.  Or an earlier one fails on the state (a neighbour,
	 * a translation) where the batch failed on an invalid address it checks first.
	 */
	for (size_t i = 0; i < n; i++) {
		int r = insert_one(m, -1, type, addrs[i], 0, flags, NULL);

		if (r == 0)
			continue;
		FUZZ_CHECK(i == failed ? r == ret
				       : i < failed && (ret == -EINVAL || ret == -EOPNOTSUPP),
			   "%s: insert_many failed at %zu with %d, one by one at %zu with %d",
			   m->arch->name, failed, ret, i, r);
		return;
	}
	FUZZ_CHECK(false, "%s: insert_many failed at %zu with %d, one by one all went in",
		   m->arch->name, failed, ret);
}

/* No two breakpoint instructions share a byte of RAM. */
FUZZ_NO_COVERAGE static void check_no_shared_bytes(const struct machine *m)
{
	for (unsigned int i = 0; i < m->nr_pts; i++)
		for (unsigned int j = i + 1; j < m->nr_pts; j++)
			for (unsigned int k = 0; k < nr_bytes(&m->pts[i]); k++)
				FUZZ_CHECK(!point_covers(&m->pts[j], m->pts[i].off[k]),
					   "%s: %#llx and %#llx share RAM at %#x", m->arch->name,
					   (unsigned long long)m->pts[i].addr,
					   (unsigned long long)m->pts[j].addr, m->pts[i].off[k]);
}

/* Plant what can be planted of the pending points: exactly those, and only their bytes. */
static void op_plant_pending(struct machine *m, struct fuzz_in *in)
{
	uint8_t before[MEM_SIZE];
	int ret, planted = 0;

	(void)in;
	memcpy(before, m->ram, MEM_SIZE);
	ret = kvmdbg_vm_plant_pending(m->vm);
	TRACE("  %d\n", ret);
	for (unsigned int i = 0; i < m->nr_pts; i++) {
		struct mpoint *mp = &m->pts[i];
		struct kvmdbg_point *p;

		if (!mp->pending)
			continue;
		p = snapshot(m, mp->id);
		if (kvmdbg_point_is_pending(p)) {
			kvmdbg_point_free(p);
			continue;
		}
		mp->pending = false;
		mp->len = kvmdbg_point_get_len(p);
		kvmdbg_point_free(p);
		FUZZ_CHECK(mp->len && mp->len <= MAX_INSN && place(m, mp->addr, mp->len, mp->off) &&
				   !(m->callbacks && m->fail_writes),
			   "%s: pending %#llx planted where it cannot be", m->arch->name,
			   (unsigned long long)mp->addr);
		for (unsigned int k = 0; k < mp->len; k++)
			mp->insn[k] = m->ram[mp->off[k]];
		planted++;
		/* a snapshot from before does not hold it */
		m->sw_gen++;
	}
	check_no_shared_bytes(m);
	check_ram_changed(m, before, 0, m->nr_pts, "plant_pending");
	if (ret >= 0)
		FUZZ_CHECK(ret == planted, "%s: plant_pending says %d, %d were planted",
			   m->arch->name, ret, planted);
	else
		FUZZ_CHECK(!planted && ret != -EFAULT && (ret == -EEXIST || ret == -ENOMEM),
			   "%s: plant_pending: %d, %d planted", m->arch->name, ret, planted);
	/* what can be planted was: only a neighbour keeps a point pending */
	for (unsigned int i = 0; i < m->nr_pts; i++) {
		const struct mpoint *mp = &m->pts[i];

		FUZZ_CHECK(!mp->pending || !plantable(m, mp->addr, longest_insn(m)) ||
				   sw_neighbour(m, mp->addr, (int)i),
			   "%s: pending %#llx could be planted and was not", m->arch->name,
			   (unsigned long long)mp->addr);
	}
}

/* Whether the instruction of a planted point has a byte in [gpa, gpa + len); len 0: all. */
FUZZ_NO_COVERAGE static bool point_in_range(const struct mpoint *mp, uint64_t gpa, uint64_t len)
{
	for (unsigned int k = 0; k < nr_bytes(mp); k++)
		if (!len || MEM_GPA + mp->off[k] - gpa < len)
			return true;
	return false;
}

/* The bytes of the points healed changed, and no other. */
FUZZ_NO_COVERAGE static void check_ram_healed(const struct machine *m, const uint8_t *before,
					      const bool *was_healed)
{
	for (size_t b = next_diff(m->ram, before, 0); b < MEM_SIZE;
	     b = next_diff(m->ram, before, b + 1)) {
		bool ok = false;

		for (unsigned int i = 0; i < m->nr_pts && !ok; i++)
			ok = was_healed[i] && point_covers(&m->pts[i], b);
		FUZZ_CHECK(ok, "%s: heal changed guest RAM at %#llx", m->arch->name,
			   (unsigned long long)(MEM_GPA + b));
	}
}

/*
 * The guest wrote code; the VMM heals the self-healing points in a range.  Exactly those whose
 * bytes changed are planted again (where no step over them is under way: the VMM may cancel
 * every vCPU's first), and no other byte changes.
 */
static void op_heal(struct machine *m, struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);
	bool strict = sel & 0x80;
	uint64_t gpa = MEM_GPA, len = 0, heals[MAX_POINTS];
	bool armed[MAX_POINTS], was_healed[MAX_POINTS] = { false };
	uint8_t before[MEM_SIZE];
	int ret, healed = 0;

	switch (sel & 7) {
	case 0:
	case 1:
		break; /* every point */
	case 2:
	case 3:
		/* around a point */
		if (m->nr_pts) {
			const struct mpoint *mp = &m->pts[fuzz_u8(in) % m->nr_pts];

			gpa = MEM_GPA + (nr_bytes(mp) ? mp->off[0] : 0) + fuzz_u8(in) % 8 - 4;
		}
		len = 1 + fuzz_u8(in) % 8;
		break;
	case 4:
		gpa = MEM_GPA + fuzz_uint(in, 2) % MEM_SIZE;
		len = 1 + fuzz_uint(in, 2) % MEM_SIZE;
		break;
	case 5:
		/* up to the very end of the address space */
		gpa = MEM_GPA - fuzz_u8(in);
		len = -gpa;
		break;
	case 6:
		/* a range that wraps */
		gpa = ~0ull - fuzz_u8(in);
		len = ~0ull - gpa + 2 + fuzz_u8(in);
		break;
	default:
		gpa = fuzz_uint(in, 8);
		len = fuzz_uint(in, 8);
		break;
	}
	if (strict)
		for (unsigned int v = 0; v < m->nr_vcpus; v++)
			cancel_resume(m, (int)v);
	for (unsigned int i = 0; i < m->nr_pts; i++) {
		struct kvmdbg_point *p;

		if (!is_sw(&m->pts[i]))
			continue;
		p = snapshot(m, m->pts[i].id);
		heals[i] = kvmdbg_point_get_heal_count(p);
		armed[i] = kvmdbg_point_is_armed(p);
		kvmdbg_point_free(p);
	}
	memcpy(before, m->ram, MEM_SIZE);
	ret = kvmdbg_vm_heal(m->vm, gpa, len);
	TRACE("  %#llx+%#llx%s: %d\n", (unsigned long long)gpa, (unsigned long long)len,
	      strict ? ", every vCPU stopped" : "", ret);
	if (len && gpa + (len - 1) < gpa) {
		FUZZ_CHECK(ret == -EINVAL, "%s: heal of a range that wraps: %d", m->arch->name,
			   ret);
		check_ram_changed(m, before, 0, 0, "a refused heal");
		return;
	}
	FUZZ_CHECK(ret >= 0 || (ret == -EFAULT && m->fail_writes), "%s: heal: %d", m->arch->name,
		   ret);
	for (unsigned int i = 0; i < m->nr_pts; i++) {
		struct mpoint *mp = &m->pts[i];
		struct kvmdbg_point *p;
		bool changed = false;
		uint64_t n;

		if (!is_sw(mp))
			continue;
		p = snapshot(m, mp->id);
		n = kvmdbg_point_get_heal_count(p);
		kvmdbg_point_free(p);
		for (unsigned int k = 0; k < nr_bytes(mp); k++)
			changed |= before[mp->off[k]] != mp->insn[k];
		if (n == heals[i]) {
			/*
			 * With every vCPU stopped, no write ever failed, and the point armed, its
			 * instruction is in memory: if the guest replaced it, it is healed.
			 */
			FUZZ_CHECK(!strict || m->writes_failed || !armed[i] || !changed ||
					   !(mp->flags & KVMDBG_POINT_SELF_HEAL) ||
					   !point_in_range(mp, gpa, len),
				   "%s: self-healing %#llx overwritten in range, not healed",
				   m->arch->name, (unsigned long long)mp->addr);
			continue;
		}
		FUZZ_CHECK(n == heals[i] + 1, "%s: healed %llu times at once", m->arch->name,
			   (unsigned long long)(n - heals[i]));
		FUZZ_CHECK((mp->flags & KVMDBG_POINT_SELF_HEAL) && point_in_range(mp, gpa, len),
			   "%s: %#llx healed (flags %#x), range %#llx+%#llx", m->arch->name,
			   (unsigned long long)mp->addr, mp->flags, (unsigned long long)gpa,
			   (unsigned long long)len);
		FUZZ_CHECK(changed, "%s: %#llx healed, its instruction was there", m->arch->name,
			   (unsigned long long)mp->addr);
		for (unsigned int k = 0; k < nr_bytes(mp); k++)
			FUZZ_CHECK(m->ram[mp->off[k]] == mp->insn[k],
				   "%s: %#llx healed, not the instruction at %#x", m->arch->name,
				   (unsigned long long)mp->addr, mp->off[k]);
		was_healed[i] = true;
		healed++;
	}
	check_ram_healed(m, before, was_healed);
	FUZZ_CHECK(ret < 0 ? !healed : ret == healed, "%s: heal says %d, %d were healed",
		   m->arch->name, ret, healed);
}

/* The signal guard goes on or off: no kernel call, nothing else changes. */
static void op_signal_guard(struct machine *m, struct fuzz_in *in)
{
	bool on = fuzz_u8(in) & 1;

	FUZZ_CHECK(kvmdbg_vm_set_signal_guard(m->vm, on) == 0, "set_signal_guard");
	FUZZ_CHECK(fake_log_len() == 0, "%s: set_signal_guard called the kernel", m->arch->name);
	m->signal_guard = on;
}

/* ------------------------------------------------------------------ memory access */

/* Whether the VM translates at all: a callback, or x86's KVM_TRANSLATE (see set_translation()). */
static bool can_translate(const struct machine *m)
{
	return m->translate_cb || arch_has_quirk(m->arch, QUIRK_KVM_TRANSLATE);
}

/* The vCPU argument of a translating call: one of the machine's, or NULL for the default. */
static struct kvmdbg_vcpu *pick_via(struct machine *m, struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);

	return sel & 0x80 ? NULL : m->vcpu[sel % m->nr_vcpus];
}

/* A length for a memory access: 0 to 64 bytes, 1 in 8 up to 6000 (across pages). */
static size_t pick_mem_len(struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);

	return sel & 0x80 ? 64 + fuzz_uint(in, 2) % 6000 : sel % 65;
}

/*
 * Where a range lies in RAM as the library cuts it (a virtual one in one chunk per guest
 * page, each translated on its own; a physical one whole): off[c] and n[c] for chunk c,
 * off[c] = -1 where the page does not translate (ret[c] = -EFAULT) or is not all RAM
 * (ret[c] = 0).  Returns the number of chunks.
 */
#define MAX_CHUNKS 4
FUZZ_NO_COVERAGE static unsigned int model_chunks(const struct machine *m, uint64_t addr,
						  size_t len, bool phys, long *off, size_t *n,
						  int *ret)
{
	unsigned int c = 0;

	for (size_t done = 0; done < len && c < MAX_CHUNKS; c++) {
		uint64_t a = addr + done, gpa = a;
		size_t k = (size_t)(GUEST_PAGE - a % GUEST_PAGE);

		if (phys || k > len - done)
			k = len - done;
		n[c] = k;
		ret[c] = phys ? 0 : model_translate(m, a, &gpa);
		off[c] = ret[c] == 0 && gpa >= MEM_GPA && gpa - MEM_GPA < MEM_SIZE &&
					 k <= MEM_SIZE - (gpa - MEM_GPA)
				 ? (long)(gpa - MEM_GPA)
				 : -1;
		done += k;
	}
	return c;
}

/* The value the model knows for a byte of RAM as the guest's program sees it, or -1. */
FUZZ_NO_COVERAGE static int guest_byte(const struct machine *m, size_t off)
{
	return m->taint[off] ? -1 : m->shadow[off];
}

/* The vCPU whose translation the VM uses by default: the model's is the same for all. */
static void op_set_translate_vcpu(struct machine *m, struct fuzz_in *in)
{
	int ret = kvmdbg_vm_set_translate_vcpu(m->vm, pick_via(m, in));

	FUZZ_CHECK(ret == 0, "%s: set_translate_vcpu: %d", m->arch->name, ret);
}

/* A translation as the library does it for its own calls, against the model's. */
static void op_translate(struct machine *m, struct fuzz_in *in)
{
	struct kvmdbg_vcpu *via = pick_via(m, in);
	uint64_t gva = pick_addr(m, in), gpa = 0, want = 0;
	int ret, exp;

	ret = kvmdbg_vm_translate(m->vm, via, gva, &gpa);
	TRACE("  %#llx via %s: %d, %#llx\n", (unsigned long long)gva, via ? "a vCPU" : "default",
	      ret, (unsigned long long)gpa);
	exp = can_translate(m) ? model_translate(m, gva, &want) : -EOPNOTSUPP;
	FUZZ_CHECK(ret == exp && (ret < 0 || gpa == want),
		   "%s: translate %#llx: %d, %#llx; the model says %d, %#llx", m->arch->name,
		   (unsigned long long)gva, ret, (unsigned long long)gpa, exp,
		   (unsigned long long)want);
}

/*
 * kvmdbg_vm_read_memory() or _read_phys(): all or nothing, the guest's bytes with every
 * planted breakpoint masked by its original bytes.
 */
static void op_read(struct machine *m, struct fuzz_in *in)
{
	bool phys = fuzz_u8(in) & 1;
	struct kvmdbg_vcpu *via = phys ? NULL : pick_via(m, in);
	uint64_t addr = pick_addr(m, in);
	size_t len = pick_mem_len(in), n[MAX_CHUNKS];
	long off[MAX_CHUNKS];
	int cret[MAX_CHUNKS], exp = 0, ret;
	unsigned int nr;
	uint8_t *buf;

	buf = malloc(len ? len : 1);
	FUZZ_CHECK(buf, "out of memory");
	memset(buf, 0x5a, len);
	if (phys)
		ret = kvmdbg_vm_read_phys(m->vm, addr, buf, len);
	else
		ret = kvmdbg_vm_read_memory(m->vm, via, addr, buf, len);
	TRACE("  %s %zu bytes at %#llx: %d\n", phys ? "phys" : "virt", len,
	      (unsigned long long)addr, ret);

	if (len && addr + (len - 1) < addr)
		exp = -EINVAL;
	else if (len && !phys && !can_translate(m))
		exp = -EOPNOTSUPP;
	nr = exp || !len ? 0 : model_chunks(m, addr, len, phys, off, n, cret);
	for (unsigned int c = 0; c < nr && !exp; c++)
		if (cret[c] < 0 || off[c] < 0)
			exp = -EFAULT;
	FUZZ_CHECK(ret == exp, "%s: read %zu bytes at %#llx (%s): %d, the model says %d",
		   m->arch->name, len, (unsigned long long)addr, phys ? "phys" : "virt", ret, exp);
	for (size_t b = 0, c = 0, k = 0; ret == 0 && c < nr; b++) {
		int want = guest_byte(m, (size_t)off[c] + k);

		FUZZ_CHECK(want < 0 || buf[b] == want,
			   "%s: read at %#llx, byte %zu: %02x, the guest's is %02x", m->arch->name,
			   (unsigned long long)addr, b, buf[b], want);
		if (++k == n[c]) {
			c++;
			k = 0;
		}
	}
	for (size_t b = 0; ret < 0 && b < len; b++)
		FUZZ_CHECK(buf[b] == 0x5a, "%s: a failed read stored bytes", m->arch->name);
	free(buf);
}

/*
 * kvmdbg_vm_write_memory() or _write_phys(): the guest's program sees the new bytes, planted
 * breakpoints included (they become the bytes a removal restores).  Every page is translated
 * and checked before anything is written; a write callback that fails (the machine's fail on
 * every write, and outside RAM) leaves the pages before it written.
 */
static void op_write(struct machine *m, struct fuzz_in *in)
{
	bool phys = fuzz_u8(in) & 1;
	struct kvmdbg_vcpu *via = phys ? NULL : pick_via(m, in);
	uint64_t addr = pick_addr(m, in);
	size_t len = pick_mem_len(in) % 48, n[MAX_CHUNKS];
	uint8_t bytes[48], before[MEM_SIZE];
	long off[MAX_CHUNKS];
	int cret[MAX_CHUNKS], exp = 0, ret;
	unsigned int nr, written = 0;

	fuzz_bytes(in, bytes, len);
	memcpy(before, m->ram, MEM_SIZE);
	if (phys)
		ret = kvmdbg_vm_write_phys(m->vm, addr, bytes, len);
	else
		ret = kvmdbg_vm_write_memory(m->vm, via, addr, bytes, len);
	TRACE("  %s %zu bytes at %#llx, first %02x: %d\n", phys ? "phys" : "virt", len,
	      (unsigned long long)addr, len ? bytes[0] : 0, ret);

	if (len && addr + (len - 1) < addr)
		exp = -EINVAL;
	else if (len && !phys && !can_translate(m))
		exp = -EOPNOTSUPP;
	nr = exp || !len ? 0 : model_chunks(m, addr, len, phys, off, n, cret);
	for (unsigned int c = 0; c < nr && !exp; c++)
		if (cret[c] < 0 || (off[c] < 0 && !m->callbacks))
			exp = -EFAULT;
	/* callbacks: page by page, until one fails */
	for (; !exp && written < nr; written++)
		if (off[written] < 0 || (m->callbacks && m->fail_writes))
			exp = -EFAULT;
	FUZZ_CHECK(ret == exp, "%s: write %zu bytes at %#llx (%s): %d, the model says %d",
		   m->arch->name, len, (unsigned long long)addr, phys ? "phys" : "virt", ret, exp);
	if (exp == -EFAULT && written)
		written--; /* the page whose write failed */
	/* what landed is what the guest sees now; RAM changed there only */
	for (unsigned int c = 0, b = 0; c < written; b += (unsigned int)n[c], c++)
		memcpy(m->shadow + off[c], bytes + b, n[c]);
	for (size_t b = next_diff(m->ram, before, 0); b < MEM_SIZE;
	     b = next_diff(m->ram, before, b + 1)) {
		bool mine = false;

		for (unsigned int c = 0; c < written && !mine; c++)
			mine = b - (size_t)off[c] < n[c];
		FUZZ_CHECK(mine, "%s: write changed guest RAM at %#llx outside what it wrote",
			   m->arch->name, (unsigned long long)(MEM_GPA + b));
	}
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
	{ "map-page", op_map_page },
	{ "set-space", op_set_space },
	{ "get-space", op_get_space },
	{ "insert-in-space", op_insert_in_space },
	{ "insert-many", op_insert_many },
	{ "plant-pending", op_plant_pending },
	{ "heal", op_heal },
	{ "signal-guard", op_signal_guard },
	{ "translate", op_translate },
	{ "read", op_read },
	{ "write", op_write },
	{ "vcpu-find", op_vcpu_find },
	{ "set-translate-vcpu", op_set_translate_vcpu },
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

FUZZ_NO_COVERAGE static void init_ram(struct machine *m)
{
	for (size_t i = 0; i < MEM_SIZE; i++)
		m->ram[i] = (uint8_t)(i * 37 + 11);
	memcpy(m->shadow, m->ram, MEM_SIZE);
}

/*
 * Without a translate callback the machine translates as its model says: on x86 through the
 * fake kernel's KVM_TRANSLATE, elsewhere not at all.  The architecture's default, a walk of
 * the guest's page tables on x86 and arm64, would read tables this machine does not keep.
 */
static void set_translation(struct machine *m)
{
	bool x86 = arch_has_quirk(m->arch, QUIRK_KVM_TRANSLATE);
	enum kvmdbg_translation how = KVMDBG_TRANSLATION_DEFAULT;
	int ret;

	ret = kvmdbg_vm_set_default_translation(m->vm, KVMDBG_TRANSLATION_KVM);
	FUZZ_CHECK(ret == (x86 ? 0 : -EOPNOTSUPP), "%s: set_default_translation(KVM): %d",
		   m->arch->name, ret);
	if (!x86) {
		ret = kvmdbg_vm_set_default_translation(m->vm, KVMDBG_TRANSLATION_NONE);
		FUZZ_CHECK(ret == 0, "%s: set_default_translation(NONE): %d", m->arch->name, ret);
	}
	ret = kvmdbg_vm_get_default_translation(m->vm, &how);
	FUZZ_CHECK(ret == 0 && how == (x86 ? KVMDBG_TRANSLATION_KVM : KVMDBG_TRANSLATION_NONE),
		   "%s: get_default_translation: %d, %d", m->arch->name, ret, how);
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
	/* KVM_TRANSLATE and the address-space registers come from the machine */
	fake_set_model(&fake_hooks, m);
	if (!strcmp(m->arch->name, "x86_64"))
		m->space_kind = SPACE_X86;
	else if (!strcmp(m->arch->name, "aarch64"))
		m->space_kind = SPACE_ARM64;
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

	init_ram(m);

	ret = kvmdbg_vm_new(VM_FD, &m->vm);
	FUZZ_CHECK(ret == 0, "vm_new: %d", ret);
	/* the backend the VM chose (ppc: BookE by capability) */
	m->callbacks = b4 & 1;
	m->translate_cb = !(b4 & 2);
	m->signal_guard = true;
	if (m->callbacks)
		ret = kvmdbg_vm_set_memory_ops(m->vm, mem_read, mem_write,
					       m->translate_cb ? translate_cb : NULL, m);
	else
		ret = kvmdbg_vm_set_memory_ops(m->vm, NULL, NULL,
					       m->translate_cb ? translate_cb : NULL, m);
	FUZZ_CHECK(ret == 0, "set_memory_ops: %d", ret);
	set_translation(m);
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
		uint8_t before[MEM_SIZE];

		if (!is_sw(mp)) {
			i++;
			continue;
		}
		memcpy(before, m->ram, MEM_SIZE);
		if (mp->scope < 0)
			ret = kvmdbg_vm_remove(m->vm, mp->type, mp->addr);
		else
			ret = kvmdbg_vcpu_remove(m->vcpu[mp->scope], mp->type, mp->addr);
		CHECK_RET("final remove", ret, 0, 1);
		removed(m, (int)i, ret, before);
	}
	ret = kvmdbg_vm_remove_all(m->vm);
	FUZZ_CHECK(ret == (int)m->nr_pts, "final remove_all: %d of %u", ret, m->nr_pts);
	m->nr_pts = 0;
	check_count(m);
	/* no point left: RAM is the shadow outside what the guest wrote into breakpoints */
	check_ram_and_signals(m);
	for (unsigned int v = 0; v < m->nr_vcpus; v++) {
		m->vcpu_call = true;
		ret = kvmdbg_vcpu_pre_run(m->vcpu[v]);
		m->vcpu_call = false;
		CHECK_RET("final pre_run", ret, 0, 1);
	}
	check_log(m);
	kvmdbg_vm_free(m->vm);
	/* and freeing the VM wrote nothing */
	check_ram_and_signals(m);
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
	FUZZ_CHECK(pthread_sigmask(SIG_BLOCK, NULL, &m->sigmask) == 0, "pthread_sigmask");
	/* the signal the memory callbacks look at to tell whether signals are blocked */
	FUZZ_CHECK(sigismember(&m->sigmask, SIGUSR2) == 0, "SIGUSR2 blocked on entry");
	setup(m, &in);
	TRACE("arch %s, %u vCPUs, memory %s\n", m->arch->name, m->nr_vcpus,
	      m->callbacks ? "callbacks" : "region");
	for (unsigned int n = 0; n < MAX_OPS && !fuzz_empty(&in); n++) {
		const struct op *op = &ops[fuzz_u8(&in) % NR_OPS];

		TRACE("%s\n", op->name);
		op->run(m, &in);
		check_count(m);
		check_log(m);
		check_ram_and_signals(m);
	}
	finish(m);
	free(m);
	return 0;
}
