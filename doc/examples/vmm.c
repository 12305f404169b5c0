// SPDX-License-Identifier: LGPL-2.1-or-later
/* vmm: see vmm.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "vmm.h"

/* snippet: lib-attach */
/* Attach libkvmdbg to a VM whose fds and memory the VMM already has. */
static int attach(struct vmm *v)
{
	int ret;

	/* The VM object: it asks the kernel what it offers (KVM_CHECK_EXTENSION). */
	ret = kvmdbg_vm_new(v->vm_fd, &v->dbg);
	if (ret < 0)
		return ret;
	/* Guest RAM as this process maps it: software breakpoints are written there. */
	ret = kvmdbg_vm_add_memory(v->dbg, 0, v->ram_size, v->ram);
	if (ret < 0)
		goto fail;
	/* One vCPU object per vCPU fd and its kvm_run mapping. */
	ret = kvmdbg_vcpu_new(v->dbg, v->vcpu_fd, v->run, &v->dbg_vcpu);
	if (ret < 0)
		goto fail;
	return 0;

fail:
	kvmdbg_vm_free(v->dbg);
	v->dbg = NULL;
	return ret;
}
/* snippet end */

/*
 * The VMM's own exits: 0 when the guest is done, -EPROTO for anything else (these guests
 * cause no other exit; the caller can print tinyvm_exit_name()).
 */
static int handle_exit(struct vmm *v)
{
	return tinyvm_exit_is_out(&v->t, TINYVM_DONE_PORT) ? 0 : -EPROTO;
}

/* snippet: lib-run-loop */
int run_until_event(struct vmm *v, const struct kvmdbg_event **ret_ev)
{
	for (;;) {
		int ret;

		/* Right before KVM_RUN, after any register write: apply the debug state. */
		ret = kvmdbg_vcpu_pre_run(v->dbg_vcpu);
		if (ret < 0)
			return ret;
		ret = ioctl(v->vcpu_fd, KVM_RUN, 0) < 0 ? -errno : 0;
		/* Right after it, whatever it returned: decode the exit. */
		ret = kvmdbg_vcpu_handle_exit(v->dbg_vcpu, ret, ret_ev);
		if (ret < 0)
			return ret;		/* KVM_RUN itself failed */
		if (ret == KVMDBG_EXIT_EVENT)
			return 1;		/* *ret_ev tells what happened */
		if (ret == KVMDBG_EXIT_NOT_DEBUG) {
			ret = handle_exit(v);	/* I/O, MMIO, hlt, ...: as without libkvmdbg */
			if (ret <= 0)
				return ret;
		}
		/* KVMDBG_EXIT_RESUME: the library handled the exit (a step-over, say) */
	}
}
/* snippet end */

int vmm_open(struct vmm *v, const char *name, const void *code, size_t size)
{
	const char *why;
	int ret;

	memset(v, 0, sizeof(*v));
	ret = tinyvm_open(&v->t, code, size, &why);
	if (ret < 0) {
		printf("%s: skipped: %s: %s\n", name, why, strerror(-ret));
		return TINYVM_EXIT_SKIP;
	}
	v->vm_fd = v->t.vm_fd;
	v->vcpu_fd = v->t.vcpu_fd;
	v->run = v->t.run;
	v->ram = v->t.ram;
	v->ram_size = TINYVM_RAM_SIZE;
	ret = attach(v);
	if (ret < 0) {
		fprintf(stderr, "%s: cannot attach libkvmdbg: %s\n", name, strerror(-ret));
		tinyvm_close(&v->t);
		return ret;
	}
	if (kvmdbg_vm_has_feature(v->dbg, KVMDBG_FEATURE_GUEST_DEBUG) != 1) {
		printf("%s: skipped: the kernel has no KVM_SET_GUEST_DEBUG\n", name);
		vmm_close(v);
		return TINYVM_EXIT_SKIP;
	}
	return 0;
}

/* snippet: lib-detach */
void vmm_close(struct vmm *v)
{
	/* vCPU objects first; freeing the VM object takes its breakpoints out of guest RAM. */
	kvmdbg_vcpu_free(v->dbg_vcpu);
	kvmdbg_vm_free(v->dbg);
	v->dbg_vcpu = NULL;
	v->dbg = NULL;
	tinyvm_close(&v->t);	/* only now the fds and mappings go */
}
/* snippet end */
