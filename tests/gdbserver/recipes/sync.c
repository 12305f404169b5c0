// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Recipe 2: a gdb stub for a single-threaded VMM with one vCPU (Solo5 hvt style).
 *
 * The VMM waits for gdb before it runs the guest (a real-mode loop), then runs it in its only
 * thread; the server talks to gdb from inside kvmdbg_gdbserver_vcpu_pre_run() while the guest
 * is stopped.  For gdb's Ctrl-C, input on the connection sends this thread a signal, so that
 * KVM_RUN returns even when the guest runs without an exit.  Every line that is there for gdb
 * says so with a "gdb:" comment on it or on the block it starts.
 *
 *	recipe-sync [PORT]         then: gdb -ex 'target remote 127.0.0.1:PORT'
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <kvmdbg/gdbserver.h>

#define RAM_SIZE 0x10000

/* gdb: a signal for input on the connection; its handler does nothing */
static void on_input_signal(int sig)
{
	(void)sig;
}

/* gdb: after a detach the guest runs on; after a kill or a lost gdb the VMM ends */
static void on_session_end(void *user_data, int fd, int end)
{
	(void)user_data;
	close(fd);
	if (end != KVMDBG_GDBSERVER_END_DETACHED)
		exit(0);
}

int main(int argc, char **argv)
{
	/* a loop: inc %ax; inc %bx; jmp back (real mode) */
	static const uint8_t loop[] = { 0x40, 0x43, 0xeb, 0xfc };
	struct kvm_userspace_memory_region region = { .memory_size = RAM_SIZE };
	struct kvm_regs regs = { .rip = 0x1000, .rsp = 0x8000, .rflags = 2 };
	struct sigaction sa = { .sa_handler = on_input_signal }; /* gdb: no SA_RESTART */
	struct f_owner_ex owner = { .type = F_OWNER_TID, .pid = gettid() };
	struct kvmdbg_gdbserver *gdb;
	struct kvmdbg_vcpu *vcpu;
	struct kvmdbg_vm *dbg;
	struct kvm_sregs sregs;
	struct kvm_run *run;
	int kvm, vm, fd, listen_fd, conn, port = argc > 1 ? atoi(argv[1]) : 1234, ret;
	uint8_t *ram;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return 77;
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	region.userspace_addr = (uintptr_t)ram;
	if (ram == MAP_FAILED || ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return 1;
	ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000ul);
	memcpy(ram + 0x1000, loop, sizeof(loop));
	fd = ioctl(vm, KVM_CREATE_VCPU, 0ul);
	run = mmap(NULL, (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0), PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	if (fd < 0 || run == MAP_FAILED || ioctl(fd, KVM_GET_SREGS, &sregs) < 0)
		return 1;
	sregs.cs.base = sregs.cs.selector = 0;
	if (ioctl(fd, KVM_SET_SREGS, &sregs) < 0 || ioctl(fd, KVM_SET_REGS, &regs) < 0)
		return 1;

	/* gdb: libkvmdbg, what this host delivers, the server with the one vCPU */
	if (kvmdbg_vm_new(vm, &dbg) < 0 || kvmdbg_vm_add_memory(dbg, 0, RAM_SIZE, ram) < 0 ||
	    kvmdbg_vcpu_new(dbg, fd, run, &vcpu) < 0 || kvmdbg_gdbserver_new(dbg, &gdb) < 0 ||
	    kvmdbg_gdbserver_add_vcpu(gdb, vcpu, fd) < 0)
		return 1;
	kvmdbg_vm_probe(dbg, kvm);
	kvmdbg_gdbserver_set_end_fn(gdb, on_session_end, NULL);

	/* gdb: wait for gdb, then hand the connection over; input on it interrupts KVM_RUN */
	if (kvmdbg_gdbserver_listen_tcp(NULL, port, &listen_fd, &port) < 0)
		return 1;
	printf("listening on 127.0.0.1:%d\n", port);
	fflush(stdout);
	if (kvmdbg_gdbserver_accept(listen_fd, &conn) < 0 || kvmdbg_gdbserver_attach(gdb, conn) < 0)
		return 1;
	close(listen_fd);
	sigaction(SIGIO, &sa, NULL);
	fcntl(conn, F_SETOWN_EX, &owner);
	fcntl(conn, F_SETSIG, SIGIO);
	fcntl(conn, F_SETFL, fcntl(conn, F_GETFL) | O_ASYNC);

	for (;;) {
		ret = kvmdbg_gdbserver_vcpu_pre_run(gdb, 0); /* gdb: talks to gdb while stopped */
		if (ret < 0)
			break;
		ret = ioctl(fd, KVM_RUN, 0) < 0 ? -errno : 0;
		ret = kvmdbg_gdbserver_vcpu_handle_exit(gdb, 0, ret); /* gdb: and Ctrl-C here */
		if (ret != KVMDBG_EXIT_NOT_DEBUG)		      /* gdb */
			continue;
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == 0xf4) {
			kvmdbg_gdbserver_vcpu_report_exit(gdb, 0, 0); /* gdb */
			break;
		}
	}
	kvmdbg_gdbserver_free(gdb); /* gdb */
	kvmdbg_vcpu_free(vcpu);
	kvmdbg_vm_free(dbg);
	return 0;
}
