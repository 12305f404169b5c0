// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The VM of kvm-gdbstub: guest RAM with the ELF image, identity page tables and a GDT,
 * every vCPU in 64-bit long mode at CPL0, and a thread per vCPU that runs it and parks
 * when it stops.
 *
 * All-stop, as gdb expects it: when one vCPU stops, the main thread kicks the others out
 * of KVM_RUN (kvmdbg_vcpu_kick()) and waits until every one has parked.  Exactly one stop
 * is reported to gdb; what the others stopped for is either forgotten so that it happens
 * again (a breakpoint: kvmdbg_vcpu_cancel_resume() makes the vCPU run into it once more),
 * or, when it cannot happen again (a watchpoint: the access is done), kept and reported
 * when gdb resumes that vCPU.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stub.h"

#define KICK_SIGNAL SIGUSR1
#define ELF_MAX_SIZE (64u << 20)

/* GDT selectors. */
#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_TSS 0x18
#define GDT_LIMIT (SEL_TSS + 16 - 1)

#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_OSFXSR (1ull << 9)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
/* Accessed and dirty from the start: page walks never write guest memory. */
#define PTE_TABLE (PTE_P | PTE_RW | PTE_A)
#define PTE_PAGE (PTE_P | PTE_RW | PTE_A | PTE_D)

static void put_u64(uint8_t *ram, uint64_t gpa, uint64_t v)
{
	memcpy(ram + gpa, &v, sizeof(v));
}

static void setup_tables(uint8_t *ram)
{
	/* null, 64-bit code, flat data, and a 16-byte busy TSS descriptor */
	put_u64(ram, GDT_ADDR + 0, 0);
	put_u64(ram, GDT_ADDR + SEL_CODE64, 0x00af9b000000ffffull);
	put_u64(ram, GDT_ADDR + SEL_DATA, 0x00cf93000000ffffull);
	put_u64(ram, GDT_ADDR + SEL_TSS,
		0x67 | (TSS_ADDR & 0xffffff) << 16 | 0x8bull << 40 |
			(TSS_ADDR >> 24 & 0xff) << 56);
	put_u64(ram, GDT_ADDR + SEL_TSS + 8, TSS_ADDR >> 32);

	/*
	 * Linear 0-2 MiB in 4 KiB pages, without the page at 0 (so that a NULL pointer
	 * faults) and without UNMAPPED_PAGE; 2-4 MiB as one 2 MiB page; nothing above.
	 */
	put_u64(ram, PML4_ADDR, PDPT_ADDR | PTE_TABLE);
	put_u64(ram, PDPT_ADDR, PD_ADDR | PTE_TABLE);
	put_u64(ram, PD_ADDR, PT_ADDR | PTE_TABLE);
	put_u64(ram, PD_ADDR + 8, 0x200000 | PTE_PAGE | PTE_PS);
	for (uint64_t page = 1; page < 512; page++)
		if (page << 12 != UNMAPPED_PAGE)
			put_u64(ram, PT_ADDR + 8 * page, page << 12 | PTE_PAGE);
}

static int read_file(const char *path, uint8_t **ret_buf, size_t *ret_size)
{
	struct stat st;
	uint8_t *buf;
	size_t done = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > ELF_MAX_SIZE) {
		ret = -EFBIG;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			free(buf);
			goto out;
		}
		done += (size_t)n;
	}
	*ret_buf = buf;
	*ret_size = done;
	ret = 0;
out:
	close(fd);
	return ret;
}

/* Whether [addr, addr + size) lies in the RAM an image may use, linearly reachable. */
static bool segment_fits(uint64_t addr, uint64_t size)
{
	if (addr < LOAD_MIN || addr > RAM_SIZE || size > RAM_SIZE - addr)
		return false;
	return addr + size <= UNMAPPED_PAGE || addr >= UNMAPPED_PAGE + 0x1000;
}

/*
 * Copy the PT_LOAD segments of an x86-64 ELF executable into guest RAM, at their
 * addresses (the guest runs where it is linked).  Everything in the file is checked
 * before it is used.
 */
static int load_elf(struct vm *vm, const char *path, char *why, size_t size)
{
	Elf64_Ehdr eh;
	uint8_t *file = NULL;
	size_t file_size;
	bool entry_ok = false;
	unsigned int loads = 0;
	int ret;

	ret = read_file(path, &file, &file_size);
	if (ret < 0) {
		snprintf(why, size, "cannot read %s: %s", path, strerror(-ret));
		return ret;
	}
	ret = -ENOEXEC;
	if (file_size >= sizeof(eh))
		memcpy(&eh, file, sizeof(eh));
	if (file_size < sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_machine != EM_X86_64 || eh.e_type != ET_EXEC) {
		snprintf(why, size, "%s is not an x86-64 ELF executable", path);
		goto out;
	}
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phoff > file_size ||
	    eh.e_phnum > (file_size - eh.e_phoff) / sizeof(Elf64_Phdr)) {
		snprintf(why, size, "%s: bad program header table", path);
		goto out;
	}
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, file + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > file_size ||
		    ph.p_filesz > file_size - ph.p_offset) {
			snprintf(why, size, "%s: segment %u lies outside the file", path,
				 i);
			goto out;
		}
		if (!segment_fits(ph.p_vaddr, ph.p_memsz)) {
			snprintf(why, size,
				 "%s: segment %u (0x%" PRIx64 ", 0x%" PRIx64 " bytes) is "
				 "not in guest RAM [0x%llx, 0x%llx) outside page 0x%llx",
				 path, i, (uint64_t)ph.p_vaddr, (uint64_t)ph.p_memsz,
				 LOAD_MIN, RAM_SIZE, UNMAPPED_PAGE);
			goto out;
		}
		memcpy(vm->ram + ph.p_vaddr, file + ph.p_offset, ph.p_filesz);
		memset(vm->ram + ph.p_vaddr + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
		if ((ph.p_flags & PF_X) && eh.e_entry >= ph.p_vaddr &&
		    eh.e_entry - ph.p_vaddr < ph.p_memsz)
			entry_ok = true;
		loads++;
	}
	if (!loads || !entry_ok) {
		snprintf(why, size, "%s: %s", path,
			 loads ? "the entry point is not in an executable segment"
			       : "no loadable segment");
		goto out;
	}
	vm->entry = eh.e_entry;
	ret = 0;
out:
	free(file);
	return ret;
}

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = selector,
		.type = type,
		.present = 1,
		.db = 1,
		.s = 1,
		.g = 1,
	};
}

/* 64-bit long mode at CPL0, at the ELF entry point, %rdi = index, %rsi = vCPU count. */
static int enter_long_mode(struct vm *vm, struct vcpu *v, unsigned int nr_vcpus)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	sregs.cs = flat_segment(SEL_CODE64, 0xb);
	sregs.cs.db = 0;
	sregs.cs.l = 1;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = flat_segment(SEL_DATA, 3);
	sregs.tr = (struct kvm_segment){
		.base = TSS_ADDR,
		.limit = 0x67,
		.selector = SEL_TSS,
		.type = 0xb,
		.present = 1,
	};
	sregs.ldt = (struct kvm_segment){ .unusable = 1 };
	sregs.gdt.base = GDT_ADDR;
	sregs.gdt.limit = GDT_LIMIT;
	/* no IDT: an exception is a triple fault, which gdb hears of as SIGSEGV */
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs.cr3 = PML4_ADDR;
	/* not CR4.PCIDE: some KVMs (PVM) refuse it in KVM_SET_SREGS */
	sregs.cr4 = CR4_PAE | CR4_OSFXSR;
	sregs.efer = EFER_LME | EFER_LMA;
	sregs.cr2 = 0;
	memset(sregs.interrupt_bitmap, 0, sizeof(sregs.interrupt_bitmap));
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;

	memset(&regs, 0, sizeof(regs));
	regs.rip = vm->entry;
	regs.rdi = v->index;
	regs.rsi = nr_vcpus;
	regs.rflags = 0x2;
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	return 0;
}

static int get_supported_cpuid(int kvm_fd, struct kvm_cpuid2 **ret)
{
	for (unsigned int n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

		if (!c)
			return -ENOMEM;
		c->nent = n;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			*ret = c;
			return 0;
		}
		free(c);
		if (errno != E2BIG)
			return -errno;
	}
	return -E2BIG;
}

static void kick_thread(void *data)
{
	struct vcpu *v = data;

	pthread_kill(v->thread, KICK_SIGNAL);
}

static void on_kick_signal(int sig)
{
	(void)sig;
}

static void notify_main(struct vm *vm)
{
	uint64_t one = 1;

	if (write(vm->notify_fd, &one, sizeof(one)) < 0) {
		/* cannot overflow in practice; the main thread polls again anyway */
	}
}

static void console_put(struct vm *vm, unsigned int index, uint8_t ch)
{
	pthread_mutex_lock(&vm->console_lock);
	if (ch != '\n' && ch != '\r')
		vm->console[vm->console_len++] =
			(ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	if (ch == '\n' || vm->console_len == sizeof(vm->console) - 1) {
		vm->console[vm->console_len] = '\0';
		printf("[guest vCPU %u] %s\n", index, vm->console);
		fflush(stdout);
		vm->console_len = 0;
	}
	pthread_mutex_unlock(&vm->console_lock);
}

static void stop_init(struct stop *stop, struct vcpu *v, int signal, int event)
{
	memset(stop, 0, sizeof(*stop));
	stop->kind = STOP_SIGNAL;
	stop->signal = signal;
	stop->vcpu = v->index;
	stop->event = event;
}

static void stop_note(struct stop *stop, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void stop_note(struct stop *stop, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(stop->note, sizeof(stop->note), fmt, ap);
	va_end(ap);
}

/* Every stop gdb hears of comes from a libkvmdbg event, or from an exit KVM reports. */
static void stop_from_event(struct vcpu *v, const struct kvmdbg_event *ev,
			    struct stop *stop)
{
	enum kvmdbg_event_type type = kvmdbg_event_get_type(ev);
	uint64_t data_addr = 0;

	stop_init(stop, v, GDB_SIGTRAP, (int)type);
	switch (type) {
	case KVMDBG_EVENT_STEP:
		break;
	case KVMDBG_EVENT_SW_BREAKPOINT:
		stop->reason = REASON_SWBREAK;
		break;
	case KVMDBG_EVENT_HW_BREAKPOINT:
		stop->reason = REASON_HWBREAK;
		break;
	case KVMDBG_EVENT_WATCHPOINT:
		kvmdbg_event_get_data_addr(ev, &data_addr);
		stop->data_addr = data_addr;
		/* the event carries its point's type and address, by value */
		stop->point_type = (enum kvmdbg_point_type)kvmdbg_event_get_point_type(ev);
		stop->point_addr = kvmdbg_event_get_point_addr(ev);
		switch (stop->point_type) {
		case KVMDBG_POINT_WATCH_WRITE:
			stop->reason = REASON_WATCH;
			break;
		case KVMDBG_POINT_WATCH_READ:
			stop->reason = REASON_RWATCH;
			break;
		default:
			stop->reason = REASON_AWATCH;
			break;
		}
		break;
	case KVMDBG_EVENT_INTERRUPTED:
		stop->signal = GDB_SIGINT;
		break;
	case KVMDBG_EVENT_GUEST_BREAKPOINT:
		stop_note(stop,
			  "vCPU %u: the guest's own breakpoint instruction at 0x%" PRIx64
			  " ('signal SIGTRAP' hands it to the guest)",
			  v->index, kvmdbg_event_get_pc(ev));
		break;
	case KVMDBG_EVENT_GUEST_DEBUG:
		stop_note(stop,
			  "vCPU %u: a debug exception of the guest's own at 0x%" PRIx64
			  " ('signal SIGTRAP' hands it to the guest)",
			  v->index, kvmdbg_event_get_pc(ev));
		break;
	default:
		stop_note(stop, "vCPU %u: a %s debug exit at 0x%" PRIx64, v->index,
			  kvmdbg_event_type_name(type), kvmdbg_event_get_pc(ev));
		break;
	}
}

/* What an exit of the guest's own (not a debug exit) means for the run loop. */
enum outcome {
	RUN_ON,	     /* handled: run again */
	RUN_STOPPED, /* *stop says why */
	RUN_HALTED,  /* hlt with interrupts off: the vCPU has nothing more to do */
};

static enum outcome io_exit(struct vcpu *v, struct stop *stop)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	size_t len = (size_t)run->io.size * run->io.count;

	if (run->io.direction == KVM_EXIT_IO_IN) {
		memset(data, 0xff, len); /* no devices: every port reads as all ones */
		return RUN_ON;
	}
	if (run->io.port == PORT_CONSOLE) {
		for (size_t i = 0; i < len; i++)
			console_put(v->vm, v->index, data[i]);
	} else if (run->io.port == PORT_EXIT) {
		stop_init(stop, v, 0, -1);
		stop->kind = STOP_EXITED;
		stop->status = data[0];
		return RUN_STOPPED;
	}
	return RUN_ON;
}

static enum outcome vmm_exit(struct vcpu *v, struct stop *stop)
{
	struct kvm_run *run = v->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return io_exit(v, stop);
	case KVM_EXIT_MMIO:
		if (!run->mmio.is_write)
			memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
		return RUN_ON;
	case KVM_EXIT_HLT:
		return RUN_HALTED;
	case KVM_EXIT_SHUTDOWN:
		stop_init(stop, v, GDB_SIGSEGV, -1);
		stop_note(stop,
			  "vCPU %u: a triple fault (KVM_EXIT_SHUTDOWN): the guest "
			  "took an exception it has no handler for",
			  v->index);
		return RUN_STOPPED;
	case KVM_EXIT_INTERNAL_ERROR:
		stop_init(stop, v, GDB_SIGILL, -1);
		stop_note(stop, "vCPU %u: KVM internal error, suberror %u%s", v->index,
			  run->internal.suberror,
			  run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
				  ? " (KVM could not emulate an instruction)"
				  : "");
		return RUN_STOPPED;
	case KVM_EXIT_FAIL_ENTRY:
		stop_init(stop, v, GDB_SIGILL, -1);
		stop_note(stop,
			  "vCPU %u: KVM could not enter the guest, reason 0x%" PRIx64,
			  v->index,
			  (uint64_t)run->fail_entry.hardware_entry_failure_reason);
		return RUN_STOPPED;
	default:
		stop_init(stop, v, GDB_SIGILL, -1);
		stop_note(stop, "vCPU %u: unexpected KVM exit reason %u", v->index,
			  run->exit_reason);
		return RUN_STOPPED;
	}
}

/*
 * The run loop, as kvmdbg.h describes it: run the vCPU until something stops it (a
 * libkvmdbg event, the guest's exit port, an exit the VMM cannot go on from).  Returns
 * true when the guest halted the vCPU instead.
 */
static bool run_until_stop(struct vcpu *v, struct stop *stop)
{
	for (;;) {
		const struct kvmdbg_event *ev = NULL;
		enum outcome outcome;
		int ret;

		ret = kvmdbg_vcpu_pre_run(v->dbg);
		if (ret < 0) {
			stop_init(stop, v, GDB_SIGILL, -1);
			stop_note(stop, "vCPU %u: kvmdbg_vcpu_pre_run: %s", v->index,
				  strerror(-ret));
			return false;
		}
		ret = ioctl(v->fd, KVM_RUN, 0) < 0 ? -errno : 0;
		ret = kvmdbg_vcpu_handle_exit(v->dbg, ret, &ev);
		if (ret == -EINTR || ret == KVMDBG_EXIT_RESUME)
			continue;
		if (ret < 0) {
			stop_init(stop, v, GDB_SIGILL, -1);
			stop_note(stop, "vCPU %u: KVM_RUN: %s", v->index, strerror(-ret));
			return false;
		}
		if (ret == KVMDBG_EXIT_EVENT) {
			/* a kick that came after an earlier stop: nothing to say now */
			if (kvmdbg_event_get_type(ev) == KVMDBG_EVENT_INTERRUPTED &&
			    !atomic_load(&v->stop_requested))
				continue;
			stop_from_event(v, ev, stop);
			v->last_event = ev;
			return false;
		}
		/* KVMDBG_EXIT_NOT_DEBUG: the VMM's own business */
		outcome = vmm_exit(v, stop);
		if (outcome != RUN_ON)
			return outcome == RUN_HALTED;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;

	pthread_mutex_lock(&vm->lock);
	for (;;) {
		struct stop stop;
		bool halted;

		while (!v->running && !vm->quit)
			pthread_cond_wait(&vm->cond, &vm->lock);
		if (vm->quit)
			break;
		pthread_mutex_unlock(&vm->lock);

		halted = run_until_stop(v, &stop);

		pthread_mutex_lock(&vm->lock);
		v->running = false;
		if (halted) {
			v->halted = true;
			if (vm->verbose)
				stub_log("vCPU %u halted", v->index);
		} else {
			v->stop = stop;
			v->has_stop = true;
			v->stop_seq = ++vm->seq;
		}
		pthread_cond_broadcast(&vm->cond);
		notify_main(vm);
	}
	pthread_mutex_unlock(&vm->lock);
	return NULL;
}

static int add_vcpu(struct vm *vm, unsigned int nr_vcpus, const struct kvm_cpuid2 *cpuid,
		    char *why, size_t size)
{
	struct vcpu *v = &vm->vcpus[vm->nr_vcpus];
	int mmap_size, ret;

	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->index = vm->nr_vcpus;
	atomic_init(&v->stop_requested, false);
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)v->index);
	if (v->fd < 0) {
		ret = -errno;
		snprintf(why, size, "KVM_CREATE_VCPU %u: %s", v->index, strerror(-ret));
		return ret;
	}
	mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size < (int)sizeof(struct kvm_run)) {
		ret = mmap_size < 0 ? -errno : -EPROTO;
		snprintf(why, size, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(-ret));
		goto fail;
	}
	v->run_size = (size_t)mmap_size;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		ret = -errno;
		snprintf(why, size, "mmap of kvm_run: %s", strerror(-ret));
		goto fail;
	}
	/* the guest's CPUID must have long mode, or KVM_SET_SREGS refuses EFER.LME */
	if (ioctl(v->fd, KVM_SET_CPUID2, cpuid) < 0) {
		ret = -errno;
		snprintf(why, size, "KVM_SET_CPUID2: %s", strerror(-ret));
		goto fail;
	}
	ret = enter_long_mode(vm, v, nr_vcpus);
	if (ret < 0) {
		snprintf(why, size, "cannot put vCPU %u in long mode: %s", v->index,
			 strerror(-ret));
		goto fail;
	}
	ret = kvmdbg_vcpu_new(vm->dbg, v->fd, v->run, &v->dbg);
	if (ret < 0) {
		snprintf(why, size, "kvmdbg_vcpu_new: %s", strerror(-ret));
		goto fail;
	}
	vm->nr_vcpus++;
	return 0;

fail:
	if (v->run)
		munmap(v->run, v->run_size);
	close(v->fd);
	memset(v, 0, sizeof(*v));
	return ret;
}

int vm_open(struct vm *vm, const struct options *opts, char *why, size_t size)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = RAM_SIZE,
	};
	struct kvm_cpuid2 *cpuid = NULL;
	struct sigaction sa;
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->vm_fd = vm->notify_fd = -1;
	vm->verbose = opts->verbose;
	pthread_mutex_init(&vm->lock, NULL);
	pthread_mutex_init(&vm->console_lock, NULL);
	pthread_cond_init(&vm->cond, NULL);

	/* the kick: a signal whose handler does nothing, without SA_RESTART */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kick_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(KICK_SIGNAL, &sa, NULL);

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		ret = -errno;
		snprintf(why, size, "cannot open /dev/kvm: %s", strerror(-ret));
		return EXIT_SKIP;
	}
	ret = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION) {
		snprintf(why, size, "/dev/kvm has API version %d, not %d", ret,
			 KVM_API_VERSION);
		return EXIT_SKIP;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		snprintf(why, size, "KVM_CREATE_VM: %s", strerror(errno));
		return EXIT_SKIP;
	}
	vm->ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		ret = -errno;
		snprintf(why, size, "cannot map guest RAM: %s", strerror(-ret));
		return ret;
	}
	region.userspace_addr = (uintptr_t)vm->ram;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		ret = -errno;
		snprintf(why, size, "KVM_SET_USER_MEMORY_REGION: %s", strerror(-ret));
		return ret;
	}
	setup_tables(vm->ram);
	ret = load_elf(vm, opts->elf_path, why, size);
	if (ret < 0)
		return ret;

	vm->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->notify_fd < 0) {
		ret = -errno;
		snprintf(why, size, "eventfd: %s", strerror(-ret));
		return ret;
	}

	/*
	 * libkvmdbg reaches guest RAM through the registered region; breakpoint addresses
	 * are translated with KVM_TRANSLATE on vCPU 0, which is parked whenever gdb
	 * inserts one.
	 */
	ret = kvmdbg_vm_new(vm->vm_fd, &vm->dbg);
	if (ret == 0)
		ret = kvmdbg_vm_add_memory(vm->dbg, 0, RAM_SIZE, vm->ram);
	if (ret < 0) {
		snprintf(why, size, "libkvmdbg: %s", strerror(-ret));
		return ret;
	}

	ret = get_supported_cpuid(vm->kvm_fd, &cpuid);
	if (ret < 0) {
		snprintf(why, size, "KVM_GET_SUPPORTED_CPUID: %s", strerror(-ret));
		return ret;
	}
	while (vm->nr_vcpus < opts->nr_vcpus) {
		ret = add_vcpu(vm, opts->nr_vcpus, cpuid, why, size);
		if (ret < 0)
			goto out;
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		ret = -pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (ret < 0) {
			snprintf(why, size, "pthread_create: %s", strerror(-ret));
			goto out;
		}
		v->thread_started = true;
		kvmdbg_vcpu_set_kick(v->dbg, kick_thread, v);
	}
	ret = 0;
out:
	free(cpuid);
	return ret;
}

/* Kick every running vCPU and wait until all have parked; vm->lock held. */
static void stop_all_locked(struct vm *vm)
{
	bool running;

	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (v->running) {
			atomic_store(&v->stop_requested, true);
			kvmdbg_vcpu_kick(v->dbg);
		}
	}
	do {
		running = false;
		for (unsigned int i = 0; i < vm->nr_vcpus; i++)
			running |= vm->vcpus[i].running;
		if (running)
			pthread_cond_wait(&vm->cond, &vm->lock);
	} while (running);
}

void vm_close(struct vm *vm)
{
	if (vm->nr_vcpus) {
		pthread_mutex_lock(&vm->lock);
		stop_all_locked(vm);
		vm->quit = true;
		pthread_cond_broadcast(&vm->cond);
		pthread_mutex_unlock(&vm->lock);
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (v->thread_started)
			pthread_join(v->thread, NULL);
		kvmdbg_vcpu_free(v->dbg);
		munmap(v->run, v->run_size);
		close(v->fd);
	}
	vm->nr_vcpus = 0;
	/* takes out every software breakpoint still in guest memory */
	kvmdbg_vm_free(vm->dbg);
	vm->dbg = NULL;
	if (vm->notify_fd >= 0)
		close(vm->notify_fd);
	if (vm->ram)
		munmap(vm->ram, RAM_SIZE);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->ram = NULL;
	vm->notify_fd = vm->vm_fd = vm->kvm_fd = -1;
	pthread_cond_destroy(&vm->cond);
	pthread_mutex_destroy(&vm->lock);
	pthread_mutex_destroy(&vm->console_lock);
}

/* Which stop gdb hears of: the guest's end, then events in time order, then Ctrl-C. */
static bool stop_before(const struct vcpu *a, const struct vcpu *b)
{
	int ra = a->stop.kind == STOP_EXITED ? 0 : a->stop.signal == GDB_SIGINT ? 2 : 1;
	int rb = b->stop.kind == STOP_EXITED ? 0 : b->stop.signal == GDB_SIGINT ? 2 : 1;

	if (ra != rb)
		return ra < rb;
	if (ra == 2)
		return a->index < b->index;
	return a->stop_seq < b->stop_seq;
}

/*
 * A stop that is not reported now: a breakpoint is forgotten and hit again when the vCPU
 * runs (if gdb still wants it), a step or a Ctrl-C is over; anything else cannot happen
 * twice and waits for the vCPU's next resume.
 */
static void defer_stop(struct vcpu *v)
{
	switch (v->stop.event) {
	case KVMDBG_EVENT_SW_BREAKPOINT:
	case KVMDBG_EVENT_HW_BREAKPOINT:
		kvmdbg_vcpu_cancel_resume(v->dbg);
		v->has_stop = false;
		break;
	case KVMDBG_EVENT_STEP:
	case KVMDBG_EVENT_INTERRUPTED:
		v->has_stop = false;
		break;
	default:
		if (v->vm->verbose)
			stub_log("vCPU %u: keeping its stop for its next resume",
				 v->index);
		break;
	}
}

/* What gdb hears when it runs a vCPU that has halted: a SIGTRAP there, and why. */
static void halted_stop(struct stop *ret, unsigned int index, const char *what)
{
	memset(ret, 0, sizeof(*ret));
	ret->kind = STOP_SIGNAL;
	ret->signal = GDB_SIGTRAP;
	ret->vcpu = index;
	ret->event = -1;
	snprintf(ret->note, sizeof(ret->note),
		 "vCPU %u has halted with interrupts off: it %s", index, what);
}

static void clear_round_locked(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i].in_round = false;
}

/*
 * Pick the stop to report among the vCPUs gdb resumed last (in_round) and end the round;
 * vm->lock held, every vCPU parked.
 */
static void select_stop_locked(struct vm *vm, struct stop *ret)
{
	struct vcpu *best = NULL;
	bool all_halted = true;
	int halted_resumed = -1;

	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		all_halted &= v->halted;
		if (!v->in_round)
			continue;
		if (v->halted && halted_resumed < 0)
			halted_resumed = (int)i;
		if (v->has_stop && (!best || stop_before(v, best)))
			best = v;
	}
	if (best) {
		*ret = best->stop;
		best->has_stop = false;
		for (unsigned int i = 0; i < vm->nr_vcpus; i++)
			if (vm->vcpus[i].in_round && vm->vcpus[i].has_stop)
				defer_stop(&vm->vcpus[i]);
		clear_round_locked(vm);
		return;
	}
	clear_round_locked(vm);
	memset(ret, 0, sizeof(*ret));
	if (all_halted) {
		ret->kind = STOP_EXITED;
		ret->status = 0;
		snprintf(ret->note, sizeof(ret->note),
			 "every vCPU has halted: the guest is over");
		return;
	}
	/* only halted vCPUs were resumed: they can never stop by themselves */
	halted_stop(ret, halted_resumed < 0 ? 0 : (unsigned int)halted_resumed,
		    "will not run again");
}

static bool stop_still_valid(struct vm *vm, const struct stop *stop)
{
	uint64_t id;

	if (stop->reason == REASON_WATCH || stop->reason == REASON_RWATCH ||
	    stop->reason == REASON_AWATCH)
		return kvmdbg_vm_find(vm->dbg, stop->point_type, stop->point_addr, &id) == 0;
	return true;
}

int vm_resume(struct vm *vm, const enum action *actions, const int *signals,
	      struct stop *ret)
{
	unsigned int nr_run = 0;
	int err;

	pthread_mutex_lock(&vm->lock);
	/* a stop kept from an earlier round comes first, as if it happened at once */
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (actions[i] == ACT_NONE || !v->has_stop)
			continue;
		v->has_stop = false;
		if (stop_still_valid(vm, &v->stop)) {
			*ret = v->stop;
			pthread_mutex_unlock(&vm->lock);
			return 1;
		}
	}
	clear_round_locked(vm);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (actions[i] == ACT_NONE)
			continue;
		v->in_round = true;
		if (v->halted) {
			if (actions[i] == ACT_STEP) {
				clear_round_locked(vm);
				halted_stop(ret, i, "cannot step");
				pthread_mutex_unlock(&vm->lock);
				return 1;
			}
			continue;
		}
		nr_run++;
	}
	if (!nr_run) {
		select_stop_locked(vm, ret);
		pthread_mutex_unlock(&vm->lock);
		return 1;
	}

	/* first everything that can fail, so that a failure starts nothing */
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (!v->in_round || v->halted)
			continue;
		err = kvmdbg_vcpu_set_single_step(v->dbg, actions[i] == ACT_STEP);
		if (err < 0)
			goto fail;
		/* gdb passes SIGTRAP on: a trap of the guest's own goes back to it */
		if (signals[i] == GDB_SIGTRAP && v->last_event) {
			enum kvmdbg_event_type type =
				kvmdbg_event_get_type(v->last_event);

			if (type == KVMDBG_EVENT_GUEST_BREAKPOINT ||
			    type == KVMDBG_EVENT_GUEST_DEBUG) {
				err = kvmdbg_vcpu_reinject(v->dbg, v->last_event);
				if (err < 0)
					goto fail;
			}
		}
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (!v->in_round || v->halted)
			continue;
		v->last_event = NULL;
		v->regs_valid = false;
		atomic_store(&v->stop_requested, false);
		v->running = true;
	}
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	return 0;

fail:
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].in_round && !vm->vcpus[i].halted)
			kvmdbg_vcpu_set_single_step(vm->vcpus[i].dbg, false);
	clear_round_locked(vm);
	pthread_mutex_unlock(&vm->lock);
	return err;
}

int vm_poll_stop(struct vm *vm, struct stop *ret)
{
	bool in_round = false, stopped = false, running = false;
	uint64_t count;

	if (read(vm->notify_fd, &count, sizeof(count)) < 0) {
		/* EAGAIN: a wake-up that was already consumed */
	}
	pthread_mutex_lock(&vm->lock);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		in_round |= v->in_round;
		stopped |= v->in_round && v->has_stop;
		running |= v->running;
	}
	if (!in_round || (!stopped && running)) {
		pthread_mutex_unlock(&vm->lock);
		return 0;
	}
	stop_all_locked(vm);
	select_stop_locked(vm, ret);
	pthread_mutex_unlock(&vm->lock);
	return 1;
}

void vm_interrupt(struct vm *vm, struct stop *ret)
{
	bool in_round = false;

	pthread_mutex_lock(&vm->lock);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		in_round |= vm->vcpus[i].in_round;
	stop_all_locked(vm);
	if (in_round) {
		select_stop_locked(vm, ret);
	} else {
		memset(ret, 0, sizeof(*ret));
		ret->kind = STOP_SIGNAL;
		ret->signal = GDB_SIGINT;
		ret->event = -1;
	}
	pthread_mutex_unlock(&vm->lock);
}

int vm_fetch_regs(struct vm *vm, unsigned int index)
{
	struct vcpu *v = &vm->vcpus[index];

	if (v->regs_valid)
		return 0;
	if (ioctl(v->fd, KVM_GET_REGS, &v->regs) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &v->sregs) < 0 ||
	    ioctl(v->fd, KVM_GET_FPU, &v->fpu) < 0)
		return -errno;
	v->regs_valid = true;
	return 0;
}

int vm_store_regs(struct vm *vm, unsigned int index, bool rip_changed)
{
	struct vcpu *v = &vm->vcpus[index];

	if (ioctl(v->fd, KVM_SET_REGS, &v->regs) < 0) {
		v->regs_valid = false;
		return -errno;
	}
	/* elsewhere now: no step over the breakpoint it stopped at, no kept stop */
	if (rip_changed) {
		kvmdbg_vcpu_cancel_resume(v->dbg);
		pthread_mutex_lock(&vm->lock);
		v->has_stop = false;
		pthread_mutex_unlock(&vm->lock);
	}
	return 0;
}

int vm_store_sregs(struct vm *vm, unsigned int index)
{
	struct vcpu *v = &vm->vcpus[index];

	int ret = ioctl(v->fd, KVM_SET_SREGS, &v->sregs) < 0 ? -errno : 0;

	/* KVM may adjust what it was given (EFER.LMA follows CR0.PG): read it again */
	v->regs_valid = false;
	return ret;
}

int vm_store_fpu(struct vm *vm, unsigned int index)
{
	struct vcpu *v = &vm->vcpus[index];

	if (ioctl(v->fd, KVM_SET_FPU, &v->fpu) < 0) {
		v->regs_valid = false;
		return -errno;
	}
	return 0;
}

/* The guest-physical address of @addr for vCPU @index, if RAM holds @len bytes there. */
static int translate(struct vm *vm, unsigned int index, uint64_t addr, size_t len,
		     uint64_t *ret_gpa)
{
	struct kvm_translation tr = { .linear_address = addr };

	if (ioctl(vm->vcpus[index].fd, KVM_TRANSLATE, &tr) < 0 || !tr.valid)
		return -EFAULT;
	if (tr.physical_address >= RAM_SIZE || len > RAM_SIZE - tr.physical_address)
		return -EFAULT;
	*ret_gpa = tr.physical_address;
	return 0;
}

/* Bytes from @addr to the end of its 4 KiB page, at most @len. */
static size_t page_chunk(uint64_t addr, size_t len)
{
	size_t left = 0x1000 - (size_t)(addr & 0xfff);

	return len < left ? len : left;
}

long vm_read_virt(struct vm *vm, unsigned int index, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		size_t n = page_chunk(addr + done, len - done);
		uint64_t gpa;

		if (translate(vm, index, addr + done, n, &gpa) < 0)
			break;
		memcpy((uint8_t *)buf + done, vm->ram + gpa, n);
		done += n;
	}
	return done || !len ? (long)done : -EFAULT;
}

int vm_write_virt(struct vm *vm, unsigned int index, uint64_t addr, const void *buf,
		  size_t len)
{
	uint64_t gpa;

	/* all or nothing: every page is checked before the first byte is written */
	for (size_t done = 0; done < len; done += page_chunk(addr + done, len - done))
		if (translate(vm, index, addr + done, page_chunk(addr + done, len - done),
			      &gpa))
			return -EFAULT;
	for (size_t done = 0, n; done < len; done += n) {
		n = page_chunk(addr + done, len - done);
		translate(vm, index, addr + done, n, &gpa);
		memcpy(vm->ram + gpa, (const uint8_t *)buf + done, n);
	}
	return 0;
}
