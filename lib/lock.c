// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The VM lock as the vCPU-thread calls take it.  VMMs park vCPU threads with signals whose
 * handlers block until the VM is resumed (kvmtool's pause); a vCPU thread parked while it held
 * the VM lock would block every other thread's call into the VM, the one that resumes it
 * included.  So kvmdbg_vcpu_pre_run(), kvmdbg_vcpu_handle_exit() and the other calls a vCPU
 * thread makes hold the lock only with every signal blocked: a signal that arrives meanwhile
 * is delivered when the mask is put back, after the unlock.  (Synchronous faults cannot be
 * blocked, and the kernel delivers them regardless.)  The VM-level calls, made by a control
 * thread that no VMM parks that way, take the lock plainly: blocking signals costs two system
 * calls, which a bulk insert of 10^6 points would pay 10^6 times.  A VMM whose handlers never
 * wait turns the guard off (kvmdbg_vm_set_signal_guard()); then vCPU calls take it plainly too.
 */
#include <errno.h>
#include <signal.h>

#include "internal.h"

void vcpu_lock(struct kvmdbg_vm *vm, sigset_t *old)
{
	if (__atomic_load_n(&vm->signal_guard, __ATOMIC_RELAXED)) {
		sigset_t all;

		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, old);
	} else {
		/* nothing to put back: vcpu_unlock() leaves the mask alone */
		sigemptyset(old);
		sigaddset(old, SIGKILL);
	}
	pthread_mutex_lock(&vm->lock);
}

void vcpu_unlock(struct kvmdbg_vm *vm, const sigset_t *old)
{
	pthread_mutex_unlock(&vm->lock);
	/* SIGKILL can never be blocked: in old, it says that vcpu_lock() blocked nothing */
	if (!sigismember(old, SIGKILL))
		pthread_sigmask(SIG_SETMASK, old, NULL);
}

_public_ int kvmdbg_vm_set_signal_guard(struct kvmdbg_vm *vm, bool enable)
{
	if (!vm)
		return -EINVAL;
	__atomic_store_n(&vm->signal_guard, enable, __ATOMIC_RELAXED);
	return 0;
}
