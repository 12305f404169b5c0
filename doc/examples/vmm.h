/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmm: the libkvmdbg side of the documentation's samples: a tinyvm with a VM object and a
 * vCPU object attached, and the run loop.  doc/guide.md shows the parts between the snippet
 * markers of vmm.c.
 */
#ifndef KVMDBG_DOC_VMM_H
#define KVMDBG_DOC_VMM_H

#include <stddef.h>
#include <stdint.h>

#include <kvmdbg/kvmdbg.h>

#include "tinyvm.h"

struct vmm {
	struct tinyvm t;
	/* the caller's own: copied from t for readability */
	int vm_fd;
	int vcpu_fd;
	struct kvm_run *run;
	uint8_t *ram;
	size_t ram_size;
	/* libkvmdbg's objects */
	struct kvmdbg_vm *dbg;
	struct kvmdbg_vcpu *dbg_vcpu;
};

/*
 * tinyvm_open() plus attach(): 0, TINYVM_EXIT_SKIP when there is no usable KVM (the reason is
 * printed), or -errno.
 */
int vmm_open(struct vmm *v, const char *name, const void *code, size_t size);
void vmm_close(struct vmm *v);

/* Run until a debug event (1, *ret_ev set), the guest's "done" (0), or an error (-errno). */
int run_until_event(struct vmm *v, const struct kvmdbg_event **ret_ev);

#endif /* KVMDBG_DOC_VMM_H */
