// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The VM object: attaching, capabilities and the delivery probe, over the fake kernel edge
 * (fixture.h).
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "fixture.h"
#include "kernel.h"

/* Regression: kvmdbg_vm_new() took any fd, and its first ioctl went to whatever it was. */
static void test_new_refuses_other_fds(void)
{
	struct kvmdbg_vm *vm = (struct kvmdbg_vm *)(void *)&vm;
	struct fx f;

	fx_init_bare(&f, "x86_64", 0x1f0003);
	fake_set_not_vm_fd(42);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_new(42, &vm), ==, -EINVAL);
	g_assert_true(vm == (struct kvmdbg_vm *)(void *)&vm);
	assert_log_len(0);
	g_assert_cmpint(kvmdbg_vm_new(-1, &vm), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_new(43, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_new(43, &vm), ==, 0);
	kvmdbg_vm_free(vm);
	fx_fini(&f);
}

/* ------------------------------------------------------------------------------------------ */
/* The delivery probe */

/* What the fake host delivers: a bit per enum kvmdbg_feature. */
struct host {
	unsigned int delivers;
	unsigned int runs;
	int fail;        /* the trial run fails with this, or 0 */
	int eintr_first; /* so many runs give -EINTR first */
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/*
 * A host that delivers what host->delivers says and, for the rest, does what this project's
 * PVM development host does: the guest runs on to its "out" (or wedges on the int3).  The
 * exits are what KVM writes for each guest kvmdbg_vm_probe() builds.
 */
static int fake_host(void *data, const uint8_t *mem, uint16_t ip, const void *debug,
		     size_t size, struct trial_exit *ret)
{
	struct host *h = data;
	const uint8_t *dbg = debug;
	uint32_t control = le32(dbg);
	uint64_t dr0 = le64(dbg + 8), dr7 = le64(dbg + 64);
	enum kvmdbg_feature f;

	g_assert_cmpuint(size, ==, 72);
	h->runs++;
	if (h->fail)
		return h->fail;
	if (h->eintr_first) {
		h->eintr_first--;
		ret->run_err = -EINTR;
		return 0;
	}
	/* which guest is it? */
	if (control & 0x2)
		f = KVMDBG_FEATURE_SINGLE_STEP;
	else if (control & 0x10000)
		f = KVMDBG_FEATURE_SW_BREAKPOINT;
	else if ((dr7 >> 16 & 3) == 0)
		f = KVMDBG_FEATURE_HW_BREAKPOINT;
	else if ((dr7 >> 16 & 3) == 1)
		f = KVMDBG_FEATURE_WATCH_WRITE;
	else
		f = KVMDBG_FEATURE_WATCH_ACCESS;
	g_assert_cmpuint(ip, ==, 0x1000);
	/* every vector of the guest's IVT points at its handler */
	g_assert_cmpuint(mem[4 * 3] | mem[4 * 3 + 1] << 8, ==, 0x2000);
	if (!(h->delivers & 1u << f)) {
		if (f == KVMDBG_FEATURE_SW_BREAKPOINT) {
			ret->reason = 17; /* KVM_EXIT_INTERNAL_ERROR, as PVM does in long mode */
			return 0;
		}
		ret->reason = 2; /* KVM_EXIT_IO */
		ret->port = 0x10;
		return 0;
	}
	ret->reason = 4;
	switch (f) {
	case KVMDBG_FEATURE_SINGLE_STEP:
		g_assert_cmphex(mem[0x1000], ==, 0x90);
		ret->exception = 1;
		ret->pc = 0x1001;
		ret->dr6 = 0xffff4ff0;
		break;
	case KVMDBG_FEATURE_SW_BREAKPOINT:
		g_assert_cmphex(mem[0x1001], ==, 0xcc);
		ret->exception = 3;
		ret->pc = 0x1001;
		break;
	case KVMDBG_FEATURE_HW_BREAKPOINT:
		g_assert_cmphex(dr0, ==, 0x1001);
		ret->exception = 1;
		ret->pc = 0x1001;
		ret->dr6 = 0xffff0ff1;
		break;
	default:
		g_assert_cmphex(dr0, ==, 0x800);
		ret->exception = 1;
		ret->pc = 0x1003;
		ret->dr6 = 0xffff0ff1;
		break;
	}
	return 0;
}

static const enum kvmdbg_feature probed[] = {
	KVMDBG_FEATURE_SINGLE_STEP,     KVMDBG_FEATURE_SW_BREAKPOINT,
	KVMDBG_FEATURE_HW_BREAKPOINT,   KVMDBG_FEATURE_WATCH_WRITE,
	KVMDBG_FEATURE_WATCH_ACCESS,
};

/* This project's development host: steps and execute breakpoints, nothing else. */
static void test_probe_pvm_like(void)
{
	struct host h = {
		.delivers = 1u << KVMDBG_FEATURE_SINGLE_STEP | 1u << KVMDBG_FEATURE_HW_BREAKPOINT,
	};
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	fake_set_trial(fake_host, &h);
	for (size_t i = 0; i < G_N_ELEMENTS(probed); i++)
		g_assert_cmpint(kvmdbg_vm_get_support(f.vm, probed[i]), ==,
				KVMDBG_SUPPORT_ACCEPTED);
	g_assert_cmpint(kvmdbg_vm_probe(f.vm, 3), ==, 0);
	g_assert_cmpuint(h.runs, ==, 5);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_SINGLE_STEP), ==,
			KVMDBG_SUPPORT_DELIVERED);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_SW_BREAKPOINT), ==,
			KVMDBG_SUPPORT_NOT_DELIVERED);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_HW_BREAKPOINT), ==,
			KVMDBG_SUPPORT_DELIVERED);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_WATCH_WRITE), ==,
			KVMDBG_SUPPORT_NOT_DELIVERED);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_WATCH_ACCESS), ==,
			KVMDBG_SUPPORT_NOT_DELIVERED);
	/* what it does not probe, and what the kernel refuses */
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_STEP_BLOCK_IRQ), ==,
			KVMDBG_SUPPORT_ACCEPTED);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_WATCH_READ), ==,
			KVMDBG_SUPPORT_NONE);
	/* accepted stays accepted: has_feature says what the kernel takes */
	g_assert_cmpint(kvmdbg_vm_has_feature(f.vm, KVMDBG_FEATURE_SW_BREAKPOINT), ==, 1);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, (enum kvmdbg_feature)99), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_get_support(NULL, KVMDBG_FEATURE_SINGLE_STEP), ==, -EINVAL);
	fx_fini(&f);
}

/* A host that delivers everything; signals interrupt some runs; nothing touches the VM. */
static void test_probe_everything(void)
{
	struct host h = { .delivers = ~0u, .eintr_first = 2 };
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	fake_set_trial(fake_host, &h);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_probe(f.vm, 3), ==, 0);
	assert_log_len(0);
	g_assert_cmpuint(h.runs, ==, 7);
	for (size_t i = 0; i < G_N_ELEMENTS(probed); i++)
		g_assert_cmpint(kvmdbg_vm_get_support(f.vm, probed[i]), ==,
				KVMDBG_SUPPORT_DELIVERED);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);
	fx_fini(&f);
}

/* What the kernel refuses is not probed; errors and other arches. */
static void test_probe_errors(void)
{
	struct host h = { .delivers = ~0u };
	struct fx f;

	/* no DEBUG2 bit for USE_SW_BP: that guest is not run */
	fx_init(&f, "x86_64", 0x3, 1); /* ENABLE | SINGLESTEP only */
	fake_set_trial(fake_host, &h);
	g_assert_cmpint(kvmdbg_vm_probe(f.vm, 3), ==, 0);
	g_assert_cmpuint(h.runs, ==, 1);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_SW_BREAKPOINT), ==,
			KVMDBG_SUPPORT_NONE);
	g_assert_cmpint(kvmdbg_vm_probe(NULL, 3), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_probe(f.vm, -1), ==, -EINVAL);
	fx_fini(&f);

	/* a host that cannot build the VM: the error, and the answers stay "accepted" */
	fx_init(&f, "x86_64", 0x1f0003, 1);
	h = (struct host){ .fail = -EMFILE };
	fake_set_trial(fake_host, &h);
	g_assert_cmpint(kvmdbg_vm_probe(f.vm, 3), ==, -EMFILE);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_SINGLE_STEP), ==,
			KVMDBG_SUPPORT_ACCEPTED);
	fx_fini(&f);

	fx_init(&f, "aarch64", 0x30003, 1);
	g_assert_cmpint(kvmdbg_vm_probe(f.vm, 3), ==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_SW_BREAKPOINT), ==,
			KVMDBG_SUPPORT_ACCEPTED);
	fx_fini(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kvmdbg/unit/vm/regress/new-refuses-other-fds",
			test_new_refuses_other_fds);
	g_test_add_func("/kvmdbg/unit/vm/probe/pvm-like", test_probe_pvm_like);
	g_test_add_func("/kvmdbg/unit/vm/probe/everything", test_probe_everything);
	g_test_add_func("/kvmdbg/unit/vm/probe/errors", test_probe_errors);
	return g_test_run();
}
