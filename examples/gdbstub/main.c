// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kvm-gdbstub: debug a KVM guest with gdb.
 *
 * A tiny VMM: it loads an ELF guest of the host's architecture into guest RAM, starts its
 * vCPUs stopped at the entry point, and serves gdb on a loopback TCP port (or a Unix socket,
 * or a serial line) with libkvmdbg-gdbserver:
 *
 *	kvm-gdbstub guest.elf &
 *	gdb guest.elf -ex 'target remote 127.0.0.1:1234'
 *
 * The VMM is what any VMM already has (RAM, an ELF loader, a thread per vCPU running KVM_RUN,
 * its exits); the gdb stub is the glue around kvmdbg_gdbserver_vcpu_pre_run() and
 * kvmdbg_gdbserver_vcpu_handle_exit() in vcpu_thread(), and serve() below.  See README.md.
 *
 * Exit status: the guest's own when it ends, 0 when gdb kills it or (with --once) leaves,
 * 1 on an error, 77 ("skipped") when there is no usable KVM.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
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

#include "vmm.h"

#define KICK_SIGNAL SIGUSR1
#define ELF_MAX_SIZE (64u << 20)

struct options {
	const char *elf_path;
	unsigned int nr_vcpus;
	int port;
	const char *unix_path;
	const char *serial_path;
	enum kvmdbg_gdbserver_break_mode breakpoints;
	enum kvmdbg_gdbserver_watch_mode watchpoints;
	bool once;
	bool verbose;
};

void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("kvm-gdbstub: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
}

static void log_fn(void *user_data, int level, const char *message)
{
	bool verbose = *(bool *)user_data;

	if (level < KVMDBG_GDBSERVER_LOG_DEBUG || verbose)
		fprintf(stderr, "kvm-gdbstub: %s\n", message);
}

enum outcome stopped(struct vcpu *v, int signal, const char *fmt, ...)
{
	char note[160];
	va_list ap;
	int n;

	n = snprintf(note, sizeof(note), "vCPU %u: ", v->index);
	va_start(ap, fmt);
	vsnprintf(note + n, sizeof(note) - (size_t)n, fmt, ap);
	va_end(ap);
	kvmdbg_gdbserver_vcpu_report_stop(v->vm->gdb, v->index, signal, note);
	return RUN_STOPPED;
}

void console_put(struct vm *vm, unsigned int index, uint8_t ch)
{
	pthread_mutex_lock(&vm->console_lock);
	if (ch != '\n' && ch != '\r')
		vm->console[vm->console_len++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	if (ch == '\n' || vm->console_len == sizeof(vm->console) - 1) {
		vm->console[vm->console_len] = '\0';
		printf("[guest vCPU %u] %s\n", index, vm->console);
		fflush(stdout);
		vm->console_len = 0;
	}
	pthread_mutex_unlock(&vm->console_lock);
}

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [options] GUEST.elf\n"
		"\n"
		"Run an ELF guest under KVM, stopped at its entry point, and serve gdb's\n"
		"remote protocol on 127.0.0.1.  Then, in another terminal:\n"
		"  gdb GUEST.elf -ex 'target remote 127.0.0.1:PORT'\n"
		"\n"
		"  -p, --port=N            TCP port (default 1234; 0 picks a free one)\n"
		"      --unix=PATH         a Unix socket instead (gdb: target remote PATH)\n"
		"      --serial=DEVICE     a serial line instead (a tty, made raw)\n"
		"  -c, --vcpus=N           number of vCPUs, 1 to %d (default 2)\n"
		"      --breakpoints=MODE  gdb's 'break': auto (default: software if this\n"
		"                          KVM delivers them, else hardware), sw, hw\n"
		"      --watchpoints=MODE  gdb's hardware watchpoints: auto (default: if this\n"
		"                          KVM delivers them), on, off\n"
		"      --once              exit when the first gdb session ends\n"
		"  -v, --verbose           log every packet on stderr\n"
		"  -h, --help              this text\n",
		prog, MAX_VCPUS);
}

static int parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max || *s == '-')
		return -EINVAL;
	*ret = v;
	return 0;
}

/* 0 to go on, or the exit status. */
static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_BREAK = 256, OPT_WATCH, OPT_ONCE, OPT_UNIX, OPT_SERIAL };
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "unix", required_argument, NULL, OPT_UNIX },
		{ "serial", required_argument, NULL, OPT_SERIAL },
		{ "vcpus", required_argument, NULL, 'c' },
		{ "breakpoints", required_argument, NULL, OPT_BREAK },
		{ "watchpoints", required_argument, NULL, OPT_WATCH },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const modes[] = { "auto", "sw", "hw", "auto", "on", "off" };
	unsigned long v;
	int opt;

	*o = (struct options){ .nr_vcpus = 2, .port = 1234 };
	while ((opt = getopt_long(argc, argv, "p:c:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (parse_uint(optarg, 65535, &v) < 0)
				goto bad;
			o->port = (int)v;
			break;
		case 'c':
			if (parse_uint(optarg, MAX_VCPUS, &v) < 0 || v == 0)
				goto bad;
			o->nr_vcpus = (unsigned int)v;
			break;
		case OPT_BREAK:
		case OPT_WATCH:
			for (v = 0; v < 3 && strcmp(optarg, modes[(opt == OPT_WATCH) * 3 + v]); v++)
				;
			if (v == 3)
				goto bad;
			if (opt == OPT_BREAK)
				o->breakpoints = (enum kvmdbg_gdbserver_break_mode)v;
			else
				o->watchpoints = (enum kvmdbg_gdbserver_watch_mode)v;
			break;
		case OPT_UNIX:
			o->unix_path = optarg;
			break;
		case OPT_SERIAL:
			o->serial_path = optarg;
			break;
		case OPT_ONCE:
			o->once = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return EXIT_SUCCESS;
		default:
			usage(stderr, argv[0]);
			return EXIT_FAILURE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr, argv[0]);
		return EXIT_FAILURE;
	}
	o->elf_path = argv[optind];
	return 0;
bad:
	fprintf(stderr, "%s: bad value '%s' for an option (try --help)\n", argv[0], optarg);
	return EXIT_FAILURE;
}

static int read_file(const char *path, uint8_t **ret_buf, size_t *ret_size)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t done = 0;
	int fd, ret = -EFBIG;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > ELF_MAX_SIZE)
		goto out;
	buf = malloc((size_t)st.st_size + 1);
	ret = -ENOMEM;
	if (!buf)
		goto out;
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		ret = n < 0 ? -errno : -EIO;
		if (n <= 0)
			goto out;
		done += (size_t)n;
	}
	*ret_buf = buf;
	*ret_size = done;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}

/* Copy the PT_LOAD segments of the ELF executable into guest RAM, each checked first. */
static int load_elf(struct vm *vm, const char *path, char *why, size_t size)
{
	Elf64_Ehdr eh;
	uint8_t *file = NULL;
	size_t file_size;
	unsigned int loads = 0;
	bool entry_ok = false;
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
	    eh.e_machine != arch_elf_machine || eh.e_type != ET_EXEC ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phoff > file_size ||
	    eh.e_phnum > (file_size - eh.e_phoff) / sizeof(Elf64_Phdr)) {
		snprintf(why, size, "%s is not an ELF executable of this architecture", path);
		goto out;
	}
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, file + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > file_size ||
		    ph.p_filesz > file_size - ph.p_offset ||
		    !arch_segment_fits(ph.p_vaddr, ph.p_memsz)) {
			snprintf(why, size, "%s: segment %u (0x%" PRIx64 ", 0x%" PRIx64
				 " bytes) is not in the file or not in guest RAM [0x%" PRIx64
				 ", 0x%" PRIx64 ")", path, i, (uint64_t)ph.p_vaddr,
				 (uint64_t)ph.p_memsz, arch_load_min,
				 arch_ram_base + arch_ram_size);
			goto out;
		}
		memcpy(vm->ram + (ph.p_vaddr - arch_ram_base), file + ph.p_offset, ph.p_filesz);
		memset(vm->ram + (ph.p_vaddr - arch_ram_base) + ph.p_filesz, 0,
		       ph.p_memsz - ph.p_filesz);
		entry_ok |= (ph.p_flags & PF_X) && eh.e_entry - ph.p_vaddr < ph.p_memsz;
		loads++;
	}
	if (!loads || !entry_ok) {
		snprintf(why, size, "%s: no loadable segment holds the entry point", path);
		goto out;
	}
	vm->entry = eh.e_entry;
	ret = 0;
out:
	free(file);
	return ret;
}

static void on_kick_signal(int sig)
{
	(void)sig;
}

static void kick_thread(void *data)
{
	pthread_kill(((struct vcpu *)data)->thread, KICK_SIGNAL);
}

/* The run loop of each vCPU: the VMM's own, with the two gdb server hooks around KVM_RUN. */
static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;
	char note[128];
	int ret;

	for (;;) {
		ret = kvmdbg_gdbserver_vcpu_pre_run(vm->gdb, v->index);
		if (ret == -ESHUTDOWN)
			break;
		if (ret < 0) {
			snprintf(note, sizeof(note), "vCPU %u: %s", v->index, strerror(-ret));
			kvmdbg_gdbserver_vcpu_report_stop(vm->gdb, v->index, GDB_SIGILL, note);
			continue;
		}
		ret = ioctl(v->fd, KVM_RUN, 0) < 0 ? -errno : 0;
		ret = kvmdbg_gdbserver_vcpu_handle_exit(vm->gdb, v->index, ret);
		if (ret < 0) {
			snprintf(note, sizeof(note), "vCPU %u: KVM_RUN: %s", v->index,
				 strerror(-ret));
			kvmdbg_gdbserver_vcpu_report_stop(vm->gdb, v->index, GDB_SIGILL, note);
			continue;
		}
		if (ret != KVMDBG_EXIT_NOT_DEBUG)
			continue;
		switch (arch_exit(v)) {
		case RUN_HALTED:
			kvmdbg_gdbserver_vcpu_halt(vm->gdb, v->index);
			return NULL;
		case RUN_EXITED:
			/* with gdb, the server ends the session; without, main() learns here */
			ret = kvmdbg_gdbserver_vcpu_report_exit(vm->gdb, v->index,
								vm->exit_status);
			if (ret == 0)
				eventfd_write(vm->done_fd, 1);
			break;
		default:
			break;
		}
	}
	return NULL;
}

static int add_vcpu(struct vm *vm, char *why, size_t size)
{
	struct vcpu *v = &vm->vcpus[vm->nr_vcpus];
	int mmap_size, ret;

	v->vm = vm;
	v->index = vm->nr_vcpus;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)v->index);
	mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (v->fd < 0 || mmap_size < (int)sizeof(struct kvm_run)) {
		snprintf(why, size, "cannot create vCPU %u: %s", v->index, strerror(errno));
		return -errno;
	}
	v->run_size = (size_t)mmap_size;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		snprintf(why, size, "mmap of kvm_run: %s", strerror(errno));
		return -errno;
	}
	vm->nr_vcpus++;
	ret = arch_vcpu_init(vm, v, why, size);
	if (ret < 0)
		return ret;
	ret = kvmdbg_vcpu_new(vm->dbg, v->fd, v->run, &v->dbg);
	if (ret == 0)
		ret = kvmdbg_gdbserver_add_vcpu(vm->gdb, v->dbg, v->fd);
	if (ret < 0)
		snprintf(why, size, "libkvmdbg: %s", strerror(-ret));
	return ret < 0 ? ret : 0;
}

static int vm_open(struct vm *vm, const struct options *o, char *why, size_t size)
{
	struct kvm_userspace_memory_region region = {
		.guest_phys_addr = arch_ram_base,
		.memory_size = arch_ram_size,
	};
	int ret;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0 || ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		snprintf(why, size, "no usable /dev/kvm: %s", strerror(errno));
		return EXIT_SKIP;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		snprintf(why, size, "KVM_CREATE_VM: %s", strerror(errno));
		return EXIT_SKIP;
	}
	vm->ram = mmap(NULL, arch_ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	region.userspace_addr = (uintptr_t)vm->ram;
	if (vm->ram == MAP_FAILED ||
	    ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		snprintf(why, size, "guest RAM: %s", strerror(errno));
		return -errno;
	}
	ret = load_elf(vm, o->elf_path, why, size);
	if (ret < 0)
		return ret;
	ret = kvmdbg_vm_new(vm->vm_fd, &vm->dbg);
	if (ret == 0)
		ret = kvmdbg_vm_add_memory(vm->dbg, arch_ram_base, arch_ram_size, vm->ram);
	if (ret == 0)
		ret = kvmdbg_gdbserver_new(vm->dbg, &vm->gdb);
	if (ret < 0) {
		snprintf(why, size, "libkvmdbg: %s", strerror(-ret));
		return ret;
	}
	kvmdbg_gdbserver_set_log_fn(vm->gdb, log_fn, (void *)&o->verbose);
	kvmdbg_gdbserver_set_break_mode(vm->gdb, o->breakpoints);
	kvmdbg_gdbserver_set_watch_mode(vm->gdb, o->watchpoints);
	vm->nr_vcpus_total = o->nr_vcpus;
	ret = arch_vm_init(vm, why, size);
	while (ret == 0 && vm->nr_vcpus < o->nr_vcpus)
		ret = add_vcpu(vm, why, size);
	if (ret < 0)
		return ret;
	arch_probe(vm);
	/* gdb finds the guest at its entry point */
	kvmdbg_gdbserver_stop(vm->gdb);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		ret = -pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (ret < 0) {
			snprintf(why, size, "pthread_create: %s", strerror(-ret));
			return ret;
		}
		v->started = true;
		kvmdbg_vcpu_set_kick(v->dbg, kick_thread, v);
	}
	return 0;
}

static void vm_close(struct vm *vm)
{
	kvmdbg_gdbserver_shutdown(vm->gdb);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (v->started) {
			/* a vCPU inside KVM_RUN leaves it */
			kvmdbg_vcpu_kick(v->dbg);
			pthread_join(v->thread, NULL);
		}
	}
	/* the server first: it takes gdb's points out */
	kvmdbg_gdbserver_free(vm->gdb);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		kvmdbg_vcpu_free(vm->vcpus[i].dbg);
		if (vm->vcpus[i].run)
			munmap(vm->vcpus[i].run, vm->vcpus[i].run_size);
		close(vm->vcpus[i].fd);
	}
	kvmdbg_vm_free(vm->dbg);
	if (vm->ram && vm->ram != MAP_FAILED)
		munmap(vm->ram, arch_ram_size);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
}

/*
 * Sessions, one after another, until the guest or gdb ends things; the exit status.  A serial
 * line has no connect: its first session starts at once, the next ones when gdb speaks again.
 */
static int serve(struct vm *vm, const struct options *o, int listen_fd, int serial_fd)
{
	struct pollfd pfd[2] = {
		{ .fd = listen_fd >= 0 ? listen_fd : serial_fd, .events = POLLIN },
		{ .fd = vm->done_fd, .events = POLLIN },
	};
	bool first = true;
	int fd = serial_fd, end;

	for (;;) {
		if (listen_fd >= 0 || !first) {
			if (poll(pfd, 2, -1) < 0 && errno != EINTR)
				return EXIT_FAILURE;
			if (pfd[1].revents & POLLIN) {
				say("the guest exited with status %d", vm->exit_status);
				return vm->exit_status;
			}
			if (!(pfd[0].revents & POLLIN))
				continue;
		}
		first = false;
		if (listen_fd >= 0 && kvmdbg_gdbserver_accept(listen_fd, &fd) < 0)
			continue;
		say("gdb connected");
		end = kvmdbg_gdbserver_serve(vm->gdb, fd);
		if (listen_fd >= 0)
			close(fd);
		switch (end) {
		case KVMDBG_GDBSERVER_END_EXITED:
			say("the guest exited with status %d", vm->exit_status);
			return vm->exit_status;
		case KVMDBG_GDBSERVER_END_KILLED:
			say("gdb killed the guest");
			return EXIT_SUCCESS;
		case KVMDBG_GDBSERVER_END_DETACHED:
			/* with --once too: the guest runs on to its end */
			say("gdb detached; the guest runs on");
			break;
		case KVMDBG_GDBSERVER_END_DISCONNECTED:
			say("gdb went away; the guest stays stopped");
			if (o->once)
				return EXIT_SUCCESS;
			break;
		default:
			fprintf(stderr, "kvm-gdbstub: serving gdb: %s\n", strerror(-end));
			return EXIT_FAILURE;
		}
	}
}

int main(int argc, char **argv)
{
	static struct vm vm = { .kvm_fd = -1, .vm_fd = -1, .done_fd = -1 };
	struct sigaction sa = { .sa_handler = on_kick_signal }; /* no SA_RESTART */
	struct options o;
	int status = EXIT_FAILURE, listen_fd = -1, serial_fd = -1, port = 0, ret;
	char why[512];

	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = parse_options(argc, argv, &o);
	if (ret || !o.elf_path)
		return ret;
	sigaction(KICK_SIGNAL, &sa, NULL);
	pthread_mutex_init(&vm.console_lock, NULL);
	vm.done_fd = eventfd(0, EFD_CLOEXEC);

	ret = vm_open(&vm, &o, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "kvm-gdbstub: %s%s\n", ret == EXIT_SKIP ? "skipped: " : "", why);
		status = ret == EXIT_SKIP ? EXIT_SKIP : EXIT_FAILURE;
		goto out;
	}
	if (o.serial_path) {
		serial_fd = open(o.serial_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		ret = serial_fd < 0 ? -errno : kvmdbg_gdbserver_setup_serial(serial_fd);
	} else if (o.unix_path) {
		ret = kvmdbg_gdbserver_listen_unix(o.unix_path, &listen_fd);
	} else {
		ret = kvmdbg_gdbserver_listen_tcp("127.0.0.1", o.port, &listen_fd, &port);
	}
	if (ret < 0) {
		fprintf(stderr, "kvm-gdbstub: %s: %s\n", o.serial_path ? o.serial_path : "listen",
			strerror(-ret));
		goto out;
	}
	if (o.serial_path)
		say("serving gdb on %s", o.serial_path);
	else if (o.unix_path)
		say("listening on %s", o.unix_path);
	else
		say("listening on 127.0.0.1:%d", port);
	status = serve(&vm, &o, listen_fd, serial_fd);
out:
	if (listen_fd >= 0)
		close(listen_fd);
	if (serial_fd >= 0)
		close(serial_fd);
	vm_close(&vm);
	if (vm.done_fd >= 0)
		close(vm.done_fd);
	return status;
}
