// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The default address translation over the fake kernel edge: the page walkers of lib/walk with
 * the translating vCPU's registers (x86 from get_x86_paging, arm64 from ONE_REG), and x86's
 * KVM_TRANSLATE when the caller chooses it.  The page tables are written here, entry by entry
 * in the guest's byte order, into a guest RAM registered with the VM; every test checks what
 * the library asked the kernel (which vCPU, which registers, how often: once per call) and that
 * the tables are byte-identical afterwards (the walkers set no Accessed or Dirty bit; the
 * entries below are written with those bits clear).
 *
 * The walkers' own rules are golden-tested in test-walk-x86.c and test-walk-arm64.c; here the
 * regimes (x86 long mode and PAE, arm64 4K and 64K granules, MMU off) are exercised through
 * the library's calls: kvmdbg_vm_translate(), kvmdbg_vm_insert(), kvmdbg_vm_read_memory() and
 * the look at an unknown breakpoint instruction during kvmdbg_vcpu_handle_exit().
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "fixture.h"
#include "walk/walk.h"

/* Guest RAM: 4 MiB at R (a 2 MiB page fits in it), plus the fixture's RAM at FX_GPA. */
#define R 0x40000000ull
#define R_SIZE 0x400000u

/* x86 */
#define CR0_PE 0x1ull
#define CR0_ET 0x10ull
#define CR0_PG 0x80000000ull
#define CR4_PAE 0x20ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull
#define EFER_NXE 0x800ull
#define X_P 0x1ull
#define X_RW 0x2ull
#define X_US 0x4ull
#define X_A 0x20ull
#define X_PS 0x80ull
#define X_XD (1ull << 63)

/* arm64 */
#define SCTLR_M 0x1ull
#define T0SZ(n) ((uint64_t)(n))
#define T1SZ(n) ((uint64_t)(n) << 16)
#define EPD1 (1ull << 23)
#define TG0_4K (0ull << 14)
#define TG0_64K (1ull << 14)
#define TG1_4K (2ull << 30)
#define TG1_RESERVED (0ull << 30)
#define IPS_48 (5ull << 32)
#define MMFR0_PA48 5ull
#define A_TABLE 0x3ull
#define A_PAGE 0x3ull
#define A_ATTR (0x3ull << 8 | 0x1ull << 2) /* inner shareable, AttrIndx 1; AF clear */

struct tx {
	struct fx fx;
	uint8_t *ram;  /* R_SIZE bytes at R */
	uint8_t *copy; /* the RAM as the test wrote it */
};

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint8_t *ram(struct tx *t, uint64_t gpa)
{
	g_assert_cmpuint(gpa - R, <, R_SIZE);
	return t->ram + (gpa - R);
}

/* An 8-byte little-endian entry at gpa. */
static void entry(struct tx *t, uint64_t gpa, uint64_t v)
{
	put_le(ram(t, gpa), v, 8);
}

/* A VM of arch over the fake kernel with the RAM registered, no callback, nr vCPUs. */
static void tx_init(struct tx *t, const char *arch, unsigned int nr)
{
	memset(t, 0, sizeof(*t));
	fx_init_bare(&t->fx, arch, 0);
	t->ram = g_malloc0(R_SIZE);
	for (size_t i = 0; i < R_SIZE; i += 64)
		t->ram[i] = (uint8_t)(i >> 6);
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &t->fx.vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(t->fx.vm, R, R_SIZE, t->ram), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(t->fx.vm, FX_GPA, FX_SIZE, t->fx.mem), ==, 0);
	for (unsigned int i = 0; i < nr; i++)
		g_assert_cmpint(kvmdbg_vcpu_new(t->fx.vm, FX_VCPU_FD + (int)i, t->fx.run[i],
						&t->fx.vcpu[i]), ==, 0);
}

/* The tables are written: remember them. */
static void tx_snap(struct tx *t)
{
	g_free(t->copy);
	t->copy = g_memdup2(t->ram, R_SIZE);
	fake_log_clear();
}

/* The RAM is as tx_snap() left it, but for n bytes at each of the given gpas (0: none). */
static void tx_assert_unchanged(struct tx *t, uint64_t except, size_t n)
{
	uint8_t *want = g_memdup2(t->copy, R_SIZE);

	if (except)
		memcpy(want + (except - R), t->ram + (except - R), n);
	g_assert_cmpmem(t->ram, R_SIZE, want, R_SIZE);
	g_free(want);
}

static void tx_fini(struct tx *t)
{
	fx_fini(&t->fx);
	g_free(t->ram);
	g_free(t->copy);
}

static uint64_t translate_ok(struct tx *t, struct kvmdbg_vcpu *vcpu, uint64_t gva)
{
	uint64_t gpa = 0;

	g_assert_cmpint(kvmdbg_vm_translate(t->fx.vm, vcpu, gva, &gpa), ==, 0);
	return gpa;
}

static int translate_err(struct tx *t, struct kvmdbg_vcpu *vcpu, uint64_t gva)
{
	uint64_t gpa = 0x5a5a;
	int ret = kvmdbg_vm_translate(t->fx.vm, vcpu, gva, &gpa);

	g_assert_cmphex(gpa, ==, 0x5a5a);
	return ret;
}

/* Log entry i is a get_x86_paging of vCPU fd. */
static void assert_paging_read(size_t i, int fd)
{
	struct fake_call c = fake_log_get(i);

	g_assert_cmpint(c.kind, ==, FAKE_GET_X86_PAGING);
	g_assert_cmpint(c.fd, ==, fd);
	g_assert_cmpint(c.vm_fd, ==, FX_VM_FD);
}

/* ------------------------------------------------------------------------------------------ */
/* x86 long mode, 4 levels */

/*
 * Linux's layout under KPTI: the kernel's PML4 at KPGD and the user one in the next page
 * (PTI_USER_PGTABLE_BIT), which maps the user half only.
 *   KVA       -> R + 0x20000   (4 KiB; PML4[511] PDPT[510] PD[0] PT[0])
 *   KVA + 4K  -> R + 0x10000   (the pages in another order than their addresses)
 *   KVA + 8K  -> not present
 *   UVA       -> R + 0x40000   (PML4[0] PDPT[0] PD[2] PT[0]), user
 *   UVA + 4K  -> R + 0x38000
 *   BIG       -> R + 0x200000  (a 2 MiB page, PDPT[2] PD[0])
 */
#define KPGD (R + 0x8000)
#define UPGD (R + 0x9000)
#define KVA 0xffffffff80000000ull
#define UVA 0x400000ull
#define BIG 0x80000000ull

static const struct walk_x86_regs long_regs = {
	.cr0 = CR0_PE | CR0_ET | CR0_PG,
	.cr3 = KPGD,
	.cr4 = CR4_PAE,
	.efer = EFER_LME | EFER_LMA | EFER_NXE,
	.maxphyaddr = 40,
};

static void build_long(struct tx *t)
{
	const uint64_t dir = X_P | X_RW;
	const uint64_t udir = X_P | X_RW | X_US;

	/* the kernel half */
	entry(t, KPGD + 511 * 8, (R + 0x1000) | dir);
	entry(t, R + 0x1000 + 510 * 8, (R + 0x2000) | dir);
	entry(t, R + 0x2000, (R + 0x3000) | dir);
	entry(t, R + 0x3000, (R + 0x20000) | X_P | X_RW);
	entry(t, R + 0x3000 + 8, (R + 0x10000) | X_P | X_XD);
	/* the user half, in both PML4s */
	entry(t, KPGD, (R + 0x4000) | udir);
	entry(t, UPGD, (R + 0x4000) | udir);
	entry(t, R + 0x4000, (R + 0x5000) | udir);
	entry(t, R + 0x5000 + 2 * 8, (R + 0x6000) | udir);
	entry(t, R + 0x6000, (R + 0x40000) | udir);
	entry(t, R + 0x6000 + 8, (R + 0x38000) | udir);
	entry(t, R + 0x4000 + 2 * 8, (R + 0x7000) | dir);
	entry(t, R + 0x7000, (R + 0x200000) | X_P | X_RW | X_PS);
}

static void test_x86_long(void)
{
	struct walk_x86_regs regs = long_regs;
	uint8_t buf[0x1800], want[0x1800];
	struct tx t;
	uint64_t id;

	tx_init(&t, "x86_64", 1);
	build_long(&t);
	fake_set_x86_paging(-1, &regs, 0);
	tx_snap(&t);

	/* one register read per call, on the translating vCPU; then the tables */
	g_assert_cmphex(translate_ok(&t, NULL, KVA + 0x123), ==, R + 0x20123);
	assert_log_len(1);
	assert_paging_read(0, FX_VCPU_FD);
	g_assert_cmphex(translate_ok(&t, NULL, KVA + 0x1fff), ==, R + 0x10fff);
	g_assert_cmphex(translate_ok(&t, NULL, UVA + 0x10), ==, R + 0x40010);
	g_assert_cmphex(translate_ok(&t, NULL, BIG + 0x12345), ==, R + 0x212345);
	g_assert_cmpint(translate_err(&t, NULL, KVA + 0x2000), ==, -EFAULT);
	/* not canonical */
	g_assert_cmpint(translate_err(&t, NULL, 0x0000800000000000ull), ==, -EFAULT);
	assert_log_len(6);
	g_assert_cmpuint(fake_log_count(FAKE_GET_X86_PAGING), ==, 6);
	g_assert_cmpuint(fake_log_count(FAKE_TRANSLATE), ==, 0);
	tx_assert_unchanged(&t, 0, 0);

	/* a read across three pages, mapped apart: one register read for all of them */
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_read_memory(t.fx.vm, NULL, UVA + 0xc00, buf, sizeof(buf)), ==,
			-EFAULT); /* UVA + 8K is not mapped */
	assert_log_len(1);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_read_memory(t.fx.vm, NULL, KVA + 0x800, buf, 0x1000), ==, 0);
	assert_log_len(1);
	memcpy(want, ram(&t, R + 0x20800), 0x800);
	memcpy(want + 0x800, ram(&t, R + 0x10000), 0x800);
	g_assert_cmpmem(buf, 0x1000, want, 0x1000);

	/* a software breakpoint goes where the walk says, and comes out again */
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_insert(t.fx.vm, KVMDBG_POINT_SW_BREAK, KVA + 0x1010, 1, 0, NULL,
					 &id), ==, 0);
	g_assert_cmpuint(fake_log_count(FAKE_GET_X86_PAGING), ==, 1);
	g_assert_cmphex(*ram(&t, R + 0x10010), ==, 0xcc);
	tx_assert_unchanged(&t, R + 0x10010, 1);
	/* the guest's program still sees its own byte through the walk */
	g_assert_cmpint(kvmdbg_vm_read_memory(t.fx.vm, NULL, KVA + 0x1010, buf, 1), ==, 0);
	g_assert_cmphex(buf[0], ==, t.copy[0x10010]);
	g_assert_cmpint(kvmdbg_vm_remove(t.fx.vm, KVMDBG_POINT_SW_BREAK, KVA + 0x1010), ==, 0);
	tx_assert_unchanged(&t, 0, 0);

	/* an unmapped address: refused, nothing written */
	g_assert_cmpint(kvmdbg_vm_insert(t.fx.vm, KVMDBG_POINT_SW_BREAK, KVA + 0x2000, 1, 0, NULL,
					 NULL), ==, -EFAULT);
	/* hardware breakpoints need no translation: no register read */
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_insert(t.fx.vm, KVMDBG_POINT_HW_BREAK, KVA + 0x2000, 1, 0, NULL,
					 NULL), ==, 0);
	g_assert_cmpuint(fake_log_count(FAKE_GET_X86_PAGING), ==, 0);
	tx_assert_unchanged(&t, 0, 0);
	tx_fini(&t);
}

/*
 * KPTI: a vCPU that runs user code has the user PML4 loaded, in which the kernel half is not
 * mapped; a kernel address translates only through a vCPU in the kernel (or once the caller
 * names one).
 */
static void test_x86_kpti(void)
{
	struct walk_x86_regs user = long_regs, kernel = long_regs;
	struct tx t;

	tx_init(&t, "x86_64", 2);
	build_long(&t);
	user.cr3 = UPGD;
	fake_set_x86_paging(FX_VCPU_FD, &user, 0);
	fake_set_x86_paging(FX_VCPU_FD + 1, &kernel, 0);
	tx_snap(&t);

	/* the first attached vCPU translates by default: it is in user mode */
	g_assert_cmpint(translate_err(&t, NULL, KVA + 0x123), ==, -EFAULT);
	g_assert_cmpint(kvmdbg_vm_insert(t.fx.vm, KVMDBG_POINT_SW_BREAK, KVA + 0x123, 1, 0, NULL,
					 NULL), ==, -EFAULT);
	g_assert_cmphex(translate_ok(&t, NULL, UVA + 0x10), ==, R + 0x40010);
	/* through the vCPU in the kernel */
	g_assert_cmphex(translate_ok(&t, t.fx.vcpu[1], KVA + 0x123), ==, R + 0x20123);
	g_assert_cmpint(kvmdbg_vm_set_translate_vcpu(t.fx.vm, t.fx.vcpu[1]), ==, 0);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_insert(t.fx.vm, KVMDBG_POINT_SW_BREAK, KVA + 0x123, 1, 0, NULL,
					 NULL), ==, 0);
	assert_log_len(1);
	assert_paging_read(0, FX_VCPU_FD + 1);
	g_assert_cmphex(*ram(&t, R + 0x20123), ==, 0xcc);
	/* an explicit vCPU still wins */
	g_assert_cmpint(translate_err(&t, t.fx.vcpu[0], KVA + 0x123), ==, -EFAULT);
	tx_assert_unchanged(&t, R + 0x20123, 1);
	tx_fini(&t);
}

/* ------------------------------------------------------------------------------------------ */
/* x86 PAE */

/*
 * CR3 -> a PDPT in memory whose entry 3 gives PD A (0xc0001000 -> R + 0x60000); the PDPTRs the
 * CPU loaded at the last CR3 write give PD B (-> R + 0x70000).  The CPU, and KVM, use the
 * PDPTRs: the memory may have changed since.
 */
static void test_x86_pae(void)
{
	struct walk_x86_regs regs = {
		.cr0 = CR0_PE | CR0_ET | CR0_PG,
		.cr3 = R + 0x50000,
		.cr4 = CR4_PAE,
		.maxphyaddr = 36,
	};
	const uint64_t va = 0xc0001000;
	struct tx t;

	tx_init(&t, "x86_64", 1);
	entry(&t, R + 0x50000 + 3 * 8, (R + 0x51000) | X_P);
	entry(&t, R + 0x51000, (R + 0x52000) | X_P | X_RW);
	entry(&t, R + 0x52000 + 8, (R + 0x60000) | X_P | X_RW);
	entry(&t, R + 0x53000, (R + 0x54000) | X_P | X_RW);
	entry(&t, R + 0x54000 + 8, (R + 0x70000) | X_P | X_RW);
	tx_snap(&t);

	/* KVM_GET_SREGS (no PDPTRs): the PDPT at CR3 */
	fake_set_x86_paging(-1, &regs, 0);
	g_assert_cmphex(translate_ok(&t, NULL, va + 0x44), ==, R + 0x60044);
	/* KVM_GET_SREGS2 with the PDPTRs valid */
	regs.pdptrs_valid = true;
	regs.pdptrs[3] = (R + 0x53000) | X_P;
	fake_set_x86_paging(-1, &regs, 0);
	g_assert_cmphex(translate_ok(&t, NULL, va + 0x44), ==, R + 0x70044);
	g_assert_cmpint(translate_err(&t, NULL, 0x00001000), ==, -EFAULT);
	/* linear addresses have 32 bits outside long mode */
	g_assert_cmpint(translate_err(&t, NULL, 0x1c0001000ull), ==, -EFAULT);
	assert_log_len(4);
	tx_assert_unchanged(&t, 0, 0);
	tx_fini(&t);
}

/* Paging off (a vCPU after INIT, the fake's reset state): the identity below 4 GiB. */
static void test_x86_paging_off(void)
{
	struct tx t;

	tx_init(&t, "x86_64", 1);
	tx_snap(&t);
	g_assert_cmphex(translate_ok(&t, NULL, R + 0x1234), ==, R + 0x1234);
	g_assert_cmpint(kvmdbg_vm_insert(t.fx.vm, KVMDBG_POINT_SW_BREAK, R + 0x100, 1, 0, NULL,
					 NULL), ==, 0);
	g_assert_cmphex(*ram(&t, R + 0x100), ==, 0xcc);
	g_assert_cmpint(translate_err(&t, NULL, 0x100000000ull), ==, -EFAULT);
	tx_fini(&t);
}

/* ------------------------------------------------------------------------------------------ */
/* x86 errors */

static int read_fails(void *user_data, uint64_t gpa, void *buf, size_t len)
{
	(void)user_data;
	(void)gpa;
	(void)buf;
	(void)len;
	return -EIO;
}

static void test_x86_errors(void)
{
	struct walk_x86_regs regs = long_regs;
	struct tx t;

	tx_init(&t, "x86_64", 1);
	build_long(&t);
	tx_snap(&t);

	/* the register read fails: its error, once per call, nothing written */
	fake_set_x86_paging(-1, NULL, -EIO);
	g_assert_cmpint(translate_err(&t, NULL, KVA), ==, -EIO);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_insert(t.fx.vm, KVMDBG_POINT_SW_BREAK, KVA, 1, 0, NULL, NULL),
			==, -EIO);
	assert_log_len(1);
	g_assert_cmpint(kvmdbg_vm_get_point_count(t.fx.vm), ==, 0);

	/* registers KVM would refuse: long mode without CR4.PAE */
	regs.cr4 = 0;
	fake_set_x86_paging(-1, &regs, 0);
	g_assert_cmpint(translate_err(&t, NULL, KVA), ==, -EINVAL);
	/* CR3 bits above MAXPHYADDR */
	regs = long_regs;
	regs.cr3 = KPGD | 1ull << 45;
	fake_set_x86_paging(-1, &regs, 0);
	g_assert_cmpint(translate_err(&t, NULL, KVA), ==, -EINVAL);

	/* a table outside guest memory: -EFAULT; where a read callback fails, its error */
	regs = long_regs;
	regs.cr3 = 0x7000000;
	fake_set_x86_paging(-1, &regs, 0);
	g_assert_cmpint(translate_err(&t, NULL, KVA), ==, -EFAULT);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(t.fx.vm, read_fails, NULL, NULL, NULL), ==, 0);
	g_assert_cmpint(translate_err(&t, NULL, KVA), ==, -EIO);

	/* no vCPU attached: no page tables in use */
	kvmdbg_vcpu_free(t.fx.vcpu[0]);
	t.fx.vcpu[0] = NULL;
	fake_log_clear();
	g_assert_cmpint(translate_err(&t, NULL, KVA), ==, -EFAULT);
	assert_log_len(0);

	/* bad input */
	g_assert_cmpint(kvmdbg_vm_translate(NULL, NULL, KVA, &regs.cr3), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_translate(t.fx.vm, NULL, KVA, NULL), ==, -EINVAL);
	tx_assert_unchanged(&t, 0, 0);
	tx_fini(&t);
}

/* ------------------------------------------------------------------------------------------ */
/* Choosing the translation */

static int translate_plus_one(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	(void)user_data;
	*ret_gpa = gva + 1;
	return 0;
}

static void test_choose(void)
{
	struct walk_x86_regs regs = long_regs;
	enum kvmdbg_translation how = 99;
	struct fake_call c;
	struct tx t;

	tx_init(&t, "x86_64", 1);
	build_long(&t);
	fake_set_x86_paging(-1, &regs, 0);
	tx_snap(&t);

	g_assert_cmpint(kvmdbg_vm_get_default_translation(t.fx.vm, &how), ==, 0);
	g_assert_cmpint(how, ==, KVMDBG_TRANSLATION_WALK);

	/* KVM_TRANSLATE: the kernel's answer (the fake's: identity plus a delta), per address */
	g_assert_cmpint(kvmdbg_vm_set_default_translation(t.fx.vm, KVMDBG_TRANSLATION_KVM), ==, 0);
	g_assert_cmpint(kvmdbg_vm_get_default_translation(t.fx.vm, &how), ==, 0);
	g_assert_cmpint(how, ==, KVMDBG_TRANSLATION_KVM);
	fake_translate_set_delta(0x1000);
	fake_log_clear();
	g_assert_cmphex(translate_ok(&t, NULL, R + 0x10), ==, R + 0x1010);
	assert_log_len(1);
	c = fake_log_get(0);
	g_assert_cmpint(c.kind, ==, FAKE_TRANSLATE);
	g_assert_cmpint(c.fd, ==, FX_VCPU_FD);
	g_assert_cmphex(c.gva, ==, R + 0x10);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_insert(t.fx.vm, KVMDBG_POINT_SW_BREAK, R + 0x30000, 1, 0, NULL,
					 NULL), ==, 0);
	g_assert_cmpuint(fake_log_count(FAKE_TRANSLATE), ==, 1);
	g_assert_cmpuint(fake_log_count(FAKE_GET_X86_PAGING), ==, 0);
	g_assert_cmphex(*ram(&t, R + 0x31000), ==, 0xcc);

	/* none: every translation refused, physical access still works */
	g_assert_cmpint(kvmdbg_vm_set_default_translation(t.fx.vm, KVMDBG_TRANSLATION_NONE), ==, 0);
	fake_log_clear();
	g_assert_cmpint(translate_err(&t, NULL, KVA), ==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_insert(t.fx.vm, KVMDBG_POINT_SW_BREAK, KVA, 1, 0, NULL, NULL),
			==, -EOPNOTSUPP);
	assert_log_len(0);
	g_assert_cmpint(kvmdbg_vm_get_default_translation(t.fx.vm, &how), ==, 0);
	g_assert_cmpint(how, ==, KVMDBG_TRANSLATION_NONE);

	/* a callback wins over any default, and gets no register read */
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(t.fx.vm, NULL, NULL, translate_plus_one, NULL),
			==, 0);
	g_assert_cmphex(translate_ok(&t, NULL, KVA), ==, KVA + 1);
	g_assert_cmpint(kvmdbg_vm_set_default_translation(t.fx.vm, KVMDBG_TRANSLATION_WALK), ==, 0);
	g_assert_cmphex(translate_ok(&t, NULL, KVA), ==, KVA + 1);
	assert_log_len(0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(t.fx.vm, NULL, NULL, NULL, NULL), ==, 0);

	/* the walk again, by name and as the default */
	g_assert_cmphex(translate_ok(&t, NULL, KVA + 0x123), ==, R + 0x20123);
	g_assert_cmpint(kvmdbg_vm_set_default_translation(t.fx.vm, KVMDBG_TRANSLATION_KVM), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_default_translation(t.fx.vm, KVMDBG_TRANSLATION_DEFAULT), ==,
			0);
	fake_log_clear();
	g_assert_cmphex(translate_ok(&t, NULL, KVA + 0x123), ==, R + 0x20123);
	assert_log_len(1);
	assert_paging_read(0, FX_VCPU_FD);

	/* bad input */
	g_assert_cmpint(kvmdbg_vm_set_default_translation(NULL, KVMDBG_TRANSLATION_WALK), ==,
			-EINVAL);
	g_assert_cmpint(kvmdbg_vm_set_default_translation(t.fx.vm, (enum kvmdbg_translation)4),
			==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_set_default_translation(t.fx.vm, (enum kvmdbg_translation)-1),
			==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_get_default_translation(t.fx.vm, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_get_default_translation(NULL, &how), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_get_default_translation(t.fx.vm, &how), ==, 0);
	g_assert_cmpint(how, ==, KVMDBG_TRANSLATION_WALK);
	tx_fini(&t);
}

/* What each architecture offers: a walk on x86 and arm64, KVM_TRANSLATE on x86 only. */
static void test_choose_arches(void)
{
	static const struct {
		const char *arch;
		enum kvmdbg_translation def;
		int walk, kvm;
	} cases[] = {
		{ "x86_64", KVMDBG_TRANSLATION_WALK, 0, 0 },
		{ "aarch64", KVMDBG_TRANSLATION_WALK, 0, -EOPNOTSUPP },
		{ "s390x", KVMDBG_TRANSLATION_NONE, -EOPNOTSUPP, -EOPNOTSUPP },
		{ "ppc64le-book3s", KVMDBG_TRANSLATION_NONE, -EOPNOTSUPP, -EOPNOTSUPP },
		{ "ppc64-booke", KVMDBG_TRANSLATION_NONE, -EOPNOTSUPP, -EOPNOTSUPP },
		{ "riscv64", KVMDBG_TRANSLATION_NONE, -EOPNOTSUPP, -EOPNOTSUPP },
		{ "loongarch64", KVMDBG_TRANSLATION_NONE, -EOPNOTSUPP, -EOPNOTSUPP },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		enum kvmdbg_translation how;
		struct tx t;

		g_test_message("%s", cases[i].arch);
		tx_init(&t, cases[i].arch, 1);
		g_assert_cmpint(kvmdbg_vm_get_default_translation(t.fx.vm, &how), ==, 0);
		g_assert_cmpint(how, ==, cases[i].def);
		g_assert_cmpint(kvmdbg_vm_set_default_translation(t.fx.vm,
								  KVMDBG_TRANSLATION_WALK), ==,
				cases[i].walk);
		g_assert_cmpint(kvmdbg_vm_set_default_translation(t.fx.vm, KVMDBG_TRANSLATION_KVM),
				==, cases[i].kvm);
		/* refused: the choice stays */
		g_assert_cmpint(kvmdbg_vm_get_default_translation(t.fx.vm, &how), ==, 0);
		g_assert_cmpint(how, ==, cases[i].kvm ? cases[i].def : KVMDBG_TRANSLATION_KVM);
		g_assert_cmpint(kvmdbg_vm_set_default_translation(t.fx.vm,
								  KVMDBG_TRANSLATION_NONE), ==, 0);
		g_assert_cmpint(translate_err(&t, NULL, R), ==, -EOPNOTSUPP);
		tx_fini(&t);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* The look at an unknown breakpoint instruction, from the vCPU thread that stopped */

static void *sigmask_seen;

/* A read callback that records whether every signal was blocked while it ran. */
static int read_check_mask(void *user_data, uint64_t gpa, void *buf, size_t len)
{
	sigset_t cur;

	(void)user_data;
	(void)gpa;
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	sigmask_seen = GINT_TO_POINTER(sigismember(&cur, SIGUSR1) && sigismember(&cur, SIGINT) ?
				       1 : 2);
	memset(buf, 0, len);
	return -EFAULT;
}

static void test_x86_exit_walk(void)
{
	struct walk_x86_regs user = long_regs, kernel = long_regs;
	const struct kvmdbg_event *ev;
	struct fake_call c;
	struct tx t;

	tx_init(&t, "x86_64", 2);
	build_long(&t);
	user.cr3 = UPGD;
	fake_set_x86_paging(FX_VCPU_FD, &user, 0);
	fake_set_x86_paging(FX_VCPU_FD + 1, &kernel, 0);
	/* an int3 of the guest's own at KVA + 0x40, and one breakpoint of the library's */
	*ram(&t, R + 0x20040) = 0xcc;
	tx_snap(&t);
	g_assert_cmpint(kvmdbg_vm_insert(t.fx.vm, KVMDBG_POINT_SW_BREAK, UVA, 1, 0, NULL, NULL),
			==, 0);

	/* vCPU 1 (in the kernel) stops there: the walk uses its registers, not vCPU 0's */
	fx_x86_bp(t.fx.run[1], KVA + 0x40);
	fake_log_clear();
	g_assert_cmpint(fx_exit(&t.fx, 1, &ev), ==, KVMDBG_EXIT_EVENT);
	fx_assert_event(ev, KVMDBG_EVENT_GUEST_BREAKPOINT, KVA + 0x40);
	assert_log_len(1);
	c = fake_log_get(0);
	g_assert_cmpint(c.kind, ==, FAKE_GET_X86_PAGING);
	g_assert_cmpint(c.fd, ==, FX_VCPU_FD + 1);

	/*
	 * The walk reads the tables holding the VM lock as vCPU calls take it: with every signal
	 * blocked (lock.c).  A table outside the registered RAM goes to the read callback.
	 */
	kernel.cr3 = 0x7000000;
	fake_set_x86_paging(FX_VCPU_FD + 1, &kernel, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(t.fx.vm, read_check_mask, NULL, NULL, NULL), ==,
			0);
	sigmask_seen = NULL;
	fx_x86_bp(t.fx.run[1], KVA + 0x40);
	g_assert_cmpint(fx_exit(&t.fx, 1, &ev), ==, KVMDBG_EXIT_EVENT);
	fx_assert_event(ev, KVMDBG_EVENT_GUEST_BREAKPOINT, KVA + 0x40);
	g_assert_true(sigmask_seen == GINT_TO_POINTER(1));
	/* a control thread's call takes it plainly */
	sigmask_seen = NULL;
	g_assert_cmpint(translate_err(&t, t.fx.vcpu[1], KVA), ==, -EFAULT);
	g_assert_true(sigmask_seen == GINT_TO_POINTER(2));
	tx_assert_unchanged(&t, R + 0x40000, 1);
	tx_fini(&t);
}

/* ------------------------------------------------------------------------------------------ */
/* arm64 */

static void arm64_regs(uint64_t sctlr, uint64_t tcr, uint64_t ttbr0, uint64_t ttbr1,
		       uint64_t mmfr0)
{
	fake_set_one_reg(WALK_ARM64_REG_SCTLR_EL1, sctlr, 0);
	fake_set_one_reg(WALK_ARM64_REG_TCR_EL1, tcr, 0);
	fake_set_one_reg(WALK_ARM64_REG_TTBR0_EL1, ttbr0, 0);
	fake_set_one_reg(WALK_ARM64_REG_TTBR1_EL1, ttbr1, 0);
	fake_set_one_reg(WALK_ARM64_REG_ID_AA64MMFR0_EL1, mmfr0, 0);
}

/* BRK #0, little-endian */
static const uint8_t brk0[4] = { 0x00, 0x00, 0x20, 0xd4 };

/* Log entries [from, from + n) are ONE_REG reads of these ids, on vCPU fd. */
static void assert_one_regs(size_t from, int fd, const uint64_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct fake_call c = fake_log_get(from + i);

		g_assert_cmpint(c.kind, ==, FAKE_GET_ONE_REG);
		g_assert_cmpint(c.fd, ==, fd);
		g_assert_cmphex(c.reg, ==, ids[i]);
	}
}

static const uint64_t all_regs[] = {
	WALK_ARM64_REG_SCTLR_EL1, WALK_ARM64_REG_TCR_EL1, WALK_ARM64_REG_TTBR0_EL1,
	WALK_ARM64_REG_TTBR1_EL1, WALK_ARM64_REG_ID_AA64MMFR0_EL1,
};

/*
 * 4K granule, 39-bit VAs in both halves (T0SZ = T1SZ = 25: three levels from level 1):
 *   0x400000            -> R + 0x40000   (TTBR0: L1[0] L2[2] L3[0])
 *   0x401000            -> R + 0x31000
 *   0xffffff8000001000  -> R + 0x30000   (TTBR1: L1[0] L2[0] L3[1])
 */
static void test_arm64_4k(void)
{
	const uint64_t tcr = T0SZ(25) | TG0_4K | T1SZ(25) | TG1_4K | IPS_48;
	const uint64_t page = A_PAGE | A_ATTR;
	const uint64_t hi = 0xffffff8000001000ull;
	uint8_t buf[0x100], want[0x100];
	struct tx t;

	tx_init(&t, "aarch64", 1);
	entry(&t, R + 0x0000, (R + 0x1000) | A_TABLE);
	entry(&t, R + 0x1000 + 2 * 8, (R + 0x2000) | A_TABLE);
	entry(&t, R + 0x2000, (R + 0x40000) | page);
	entry(&t, R + 0x2000 + 8, (R + 0x31000) | page);
	entry(&t, R + 0x3000, (R + 0x4000) | A_TABLE);
	entry(&t, R + 0x4000, (R + 0x5000) | A_TABLE);
	entry(&t, R + 0x5000 + 8, (R + 0x30000) | page);
	arm64_regs(SCTLR_M, tcr, R + 0x0000, R + 0x3000, MMFR0_PA48);
	tx_snap(&t);

	/* five ONE_REG reads per call, in this order, on the translating vCPU */
	g_assert_cmphex(translate_ok(&t, NULL, 0x400123), ==, R + 0x40123);
	assert_log_len(5);
	assert_one_regs(0, FX_VCPU_FD, all_regs, 5);
	g_assert_cmphex(translate_ok(&t, NULL, hi + 0xabc), ==, R + 0x30abc);
	g_assert_cmpint(translate_err(&t, NULL, 0x402000), ==, -EFAULT);
	/* in neither half */
	g_assert_cmpint(translate_err(&t, NULL, 0x0000008000000000ull), ==, -EFAULT);
	tx_assert_unchanged(&t, 0, 0);

	/* two pages, one call: the registers are read once */
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_read_memory(t.fx.vm, NULL, 0x400f80, buf, sizeof(buf)), ==, 0);
	assert_log_len(5);
	memcpy(want, ram(&t, R + 0x40f80), 0x80);
	memcpy(want + 0x80, ram(&t, R + 0x31000), 0x80);
	g_assert_cmpmem(buf, sizeof(buf), want, sizeof(want));

	/* BRK #0 where the walk says */
	g_assert_cmpint(kvmdbg_vm_insert(t.fx.vm, KVMDBG_POINT_SW_BREAK, hi + 0x10, 4, 0, NULL,
					 NULL), ==, 0);
	g_assert_cmpmem(ram(&t, R + 0x30010), 4, brk0, 4);
	tx_assert_unchanged(&t, R + 0x30010, 4);
	tx_fini(&t);
}

/*
 * 64K granule, 39-bit VAs (T0SZ 25: level 2, an 8 KiB table, then level 3, a 64 KiB one),
 * TTBR1 off (EPD1): 0x20000 -> R + 0x30000, a 64 KiB page.
 */
static void test_arm64_64k(void)
{
	const uint64_t tcr = T0SZ(25) | TG0_64K | EPD1 | TG1_RESERVED | IPS_48;
	struct tx t;

	tx_init(&t, "aarch64", 1);
	entry(&t, R + 0x0000, (R + 0x10000) | A_TABLE);
	entry(&t, R + 0x10000 + 2 * 8, (R + 0x30000) | A_PAGE | A_ATTR);
	arm64_regs(SCTLR_M, tcr, R, 0, MMFR0_PA48);
	tx_snap(&t);

	g_assert_cmphex(translate_ok(&t, NULL, 0x20000), ==, R + 0x30000);
	g_assert_cmphex(translate_ok(&t, NULL, 0x2fffc), ==, R + 0x3fffc);
	g_assert_cmpint(translate_err(&t, NULL, 0x30000), ==, -EFAULT);
	/* TTBR1's half is off: a fault, whatever its (reserved) granule says */
	g_assert_cmpint(translate_err(&t, NULL, 0xffffff8000000000ull), ==, -EFAULT);
	assert_log_len(20);
	tx_assert_unchanged(&t, 0, 0);
	tx_fini(&t);
}

/* MMU off: two ONE_REG reads, the identity below the PA size. */
static void test_arm64_mmu_off(void)
{
	static const uint64_t ids[] = { WALK_ARM64_REG_SCTLR_EL1,
					WALK_ARM64_REG_ID_AA64MMFR0_EL1 };
	struct tx t;

	tx_init(&t, "aarch64", 1);
	/* a TCR the walk must not look at */
	arm64_regs(0, 0xdeadbeef, 0x5a5a, 0xa5a5, MMFR0_PA48);
	tx_snap(&t);
	g_assert_cmphex(translate_ok(&t, NULL, R + 0x1234), ==, R + 0x1234);
	assert_log_len(2);
	assert_one_regs(0, FX_VCPU_FD, ids, 2);
	g_assert_cmpint(translate_err(&t, NULL, 1ull << 48), ==, -EFAULT);
	g_assert_cmpint(kvmdbg_vm_insert(t.fx.vm, KVMDBG_POINT_SW_BREAK, R + 0x100, 4, 0, NULL,
					 NULL), ==, 0);
	g_assert_cmpmem(ram(&t, R + 0x100), 4, brk0, 4);
	tx_fini(&t);
}

static void test_arm64_errors(void)
{
	const uint64_t tcr = T0SZ(25) | TG0_4K | T1SZ(25) | TG1_4K | IPS_48;
	struct tx t;

	tx_init(&t, "aarch64", 1);
	tx_snap(&t);
	/* the fake kernel has no such register: its error, the reads stop there */
	fake_log_clear();
	g_assert_cmpint(translate_err(&t, NULL, 0x1000), ==, -ENOENT);
	assert_log_len(1);

	arm64_regs(SCTLR_M, tcr, R, R + 0x3000, MMFR0_PA48);
	fake_set_one_reg(WALK_ARM64_REG_TTBR1_EL1, 0, -EBUSY);
	fake_log_clear();
	g_assert_cmpint(translate_err(&t, NULL, 0x1000), ==, -EBUSY);
	assert_log_len(4);
	g_assert_cmpint(kvmdbg_vm_insert(t.fx.vm, KVMDBG_POINT_SW_BREAK, 0x1000, 4, 0, NULL, NULL),
			==, -EBUSY);

	/* a reserved granule encoding (TG0 = 0b11) */
	arm64_regs(SCTLR_M, tcr | 3ull << 14, R, R + 0x3000, MMFR0_PA48);
	g_assert_cmpint(translate_err(&t, NULL, 0x1000), ==, -EINVAL);
	/* an empty table: not mapped */
	arm64_regs(SCTLR_M, tcr, R, R + 0x3000, MMFR0_PA48);
	g_assert_cmpint(translate_err(&t, NULL, 0x1000), ==, -EFAULT);
	/* a table outside guest memory */
	arm64_regs(SCTLR_M, tcr, 0x7000000, R + 0x3000, MMFR0_PA48);
	g_assert_cmpint(translate_err(&t, NULL, 0x1000), ==, -EFAULT);
	g_assert_cmpint(kvmdbg_vm_get_point_count(t.fx.vm), ==, 0);
	tx_assert_unchanged(&t, 0, 0);
	tx_fini(&t);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kvmdbg/unit/translate/x86/long", test_x86_long);
	g_test_add_func("/kvmdbg/unit/translate/x86/kpti", test_x86_kpti);
	g_test_add_func("/kvmdbg/unit/translate/x86/pae", test_x86_pae);
	g_test_add_func("/kvmdbg/unit/translate/x86/paging-off", test_x86_paging_off);
	g_test_add_func("/kvmdbg/unit/translate/x86/errors", test_x86_errors);
	g_test_add_func("/kvmdbg/unit/translate/x86/exit", test_x86_exit_walk);
	g_test_add_func("/kvmdbg/unit/translate/choose", test_choose);
	g_test_add_func("/kvmdbg/unit/translate/choose-arches", test_choose_arches);
	g_test_add_func("/kvmdbg/unit/translate/arm64/4k", test_arm64_4k);
	g_test_add_func("/kvmdbg/unit/translate/arm64/64k", test_arm64_64k);
	g_test_add_func("/kvmdbg/unit/translate/arm64/mmu-off", test_arm64_mmu_off);
	g_test_add_func("/kvmdbg/unit/translate/arm64/errors", test_arm64_errors);
	return g_test_run();
}
