// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Recipe 1: a gdb stub for a VMM with a thread per vCPU (kvmtool style).
 *
 * The VMM is the smallest that runs: two vCPUs in real mode, each in a loop of its own,
 * 64 KiB of RAM, port 0xf4 ends the guest.  Every line that is there for gdb says so with a
 * "gdb:" comment on it or on the block it starts; the rest is what the VMM had before.
 *
 *	recipe-threads [PORT]      then: gdb -ex 'target remote 127.0.0.1:PORT'
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <kvmdbg/gdbserver.h>

#define NR_VCPUS 2
#define RAM_SIZE 0x10000
#define KICK_SIGNAL SIGUSR1 /* gdb: makes KVM_RUN return, its handler does nothing */

struct vcpu {
	unsigned int index;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	struct kvmdbg_vcpu *dbg; /* gdb */
};

static struct kvmdbg_gdbserver *gdb; /* gdb */

/* gdb: the kick libkvmdbg calls to get a vCPU thread out of KVM_RUN */
static void on_kick_signal(int sig)
{
	(void)sig;
}

static void kick(void *data)
{
	pthread_kill(((struct vcpu *)data)->thread, KICK_SIGNAL);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	int ret;

	for (;;) {
		ret = kvmdbg_gdbserver_vcpu_pre_run(gdb, v->index); /* gdb: parks while stopped */
		if (ret < 0)
			break;
		ret = ioctl(v->fd, KVM_RUN, 0) < 0 ? -errno : 0;
		ret = kvmdbg_gdbserver_vcpu_handle_exit(gdb, v->index, ret); /* gdb */
		if (ret != KVMDBG_EXIT_NOT_DEBUG)			     /* gdb */
			continue;
		switch (v->run->exit_reason) {
		case KVM_EXIT_IO:
			if (v->run->io.port == 0xf4 && /* gdb: tell it, if it is there */
			    kvmdbg_gdbserver_vcpu_report_exit(gdb, v->index, 0) == 0)
				exit(0);
			break;
		case KVM_EXIT_INTR:
			break;
		default:
			/* gdb: an exit the VMM cannot go on from is a stop for gdb (SIGILL) */
			kvmdbg_gdbserver_vcpu_report_stop(gdb, v->index, 4, "unexpected exit");
			break;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	/* two loops: inc %ax; inc %bx; jmp back (real mode) */
	static const uint8_t loop[] = { 0x40, 0x43, 0xeb, 0xfc };
	struct kvm_userspace_memory_region region = { .memory_size = RAM_SIZE };
	struct sigaction sa = { .sa_handler = on_kick_signal }; /* gdb: no SA_RESTART */
	struct vcpu vcpus[NR_VCPUS];
	struct kvmdbg_vm *dbg;
	int kvm, vm, port = argc > 1 ? atoi(argv[1]) : 1234, listen_fd, fd, end;
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
	memcpy(ram + 0x1100, loop, sizeof(loop));

	/* gdb: libkvmdbg over the VM, what this host delivers, the server */
	if (kvmdbg_vm_new(vm, &dbg) < 0 || kvmdbg_vm_add_memory(dbg, 0, RAM_SIZE, ram) < 0 ||
	    kvmdbg_gdbserver_new(dbg, &gdb) < 0)
		return 1;
	kvmdbg_vm_probe(dbg, kvm);

	for (unsigned int i = 0; i < NR_VCPUS; i++) {
		struct vcpu *v = &vcpus[i];
		struct kvm_regs regs = { .rip = 0x1000 + 0x100 * i, .rsp = 0x8000, .rflags = 2 };
		struct kvm_sregs sregs;

		v->index = i;
		v->fd = ioctl(vm, KVM_CREATE_VCPU, (unsigned long)i);
		v->run = mmap(NULL, (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0),
			      PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
		if (v->fd < 0 || v->run == MAP_FAILED || ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
			return 1;
		sregs.cs.base = sregs.cs.selector = 0;
		if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0 ||
		    ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
			return 1;
		/* gdb: each vCPU is a libkvmdbg vCPU, and gdb's thread i + 1 */
		if (kvmdbg_vcpu_new(dbg, v->fd, v->run, &v->dbg) < 0 ||
		    kvmdbg_gdbserver_add_vcpu(gdb, v->dbg, v->fd) < 0)
			return 1;
	}
	sigaction(KICK_SIGNAL, &sa, NULL);
	kvmdbg_gdbserver_stop(gdb); /* gdb: gdb finds the guest at its first instruction */
	for (unsigned int i = 0; i < NR_VCPUS; i++) {
		pthread_create(&vcpus[i].thread, NULL, vcpu_thread, &vcpus[i]);
		kvmdbg_vcpu_set_kick(vcpus[i].dbg, kick, &vcpus[i]); /* gdb */
	}

	/* gdb: one session after another, in this thread, until gdb kills the guest */
	if (kvmdbg_gdbserver_listen_tcp(NULL, port, &listen_fd, &port) < 0)
		return 1;
	printf("listening on 127.0.0.1:%d\n", port);
	fflush(stdout);
	while (kvmdbg_gdbserver_accept(listen_fd, &fd) == 0) {
		end = kvmdbg_gdbserver_serve(gdb, fd);
		close(fd);
		if (end != KVMDBG_GDBSERVER_END_DETACHED &&
		    end != KVMDBG_GDBSERVER_END_DISCONNECTED)
			break;
	}
	/* gdb: the vCPU threads leave their loops; then everything goes */
	kvmdbg_gdbserver_shutdown(gdb);
	for (unsigned int i = 0; i < NR_VCPUS; i++) {
		kvmdbg_vcpu_kick(vcpus[i].dbg);
		pthread_join(vcpus[i].thread, NULL);
	}
	kvmdbg_gdbserver_free(gdb);
	for (unsigned int i = 0; i < NR_VCPUS; i++)
		kvmdbg_vcpu_free(vcpus[i].dbg);
	kvmdbg_vm_free(dbg);
	return 0;
}
