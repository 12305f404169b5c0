// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The VM object: attaching, over the fake kernel edge (fixture.h).
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

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kvmdbg/unit/vm/regress/new-refuses-other-fds",
			test_new_refuses_other_fds);
	return g_test_run();
}
