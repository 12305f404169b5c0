// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kvm-gdbstub: debug a KVM guest with gdb.
 *
 * A tiny VMM: it loads an x86-64 ELF into guest RAM, starts its vCPUs in 64-bit long
 * mode, stopped at the entry point, and waits for gdb on a loopback TCP port:
 *
 *	kvm-gdbstub guest.elf &
 *	gdb guest.elf -ex 'target remote 127.0.0.1:1234'
 *
 * Every breakpoint, watchpoint and single-step gdb asks for is a libkvmdbg object, and
 * every stop gdb hears of is a libkvmdbg event (or the guest's end).  See README.md.
 *
 * Exit status: the guest's own when it ends, 0 when gdb kills it or (with --once) leaves,
 * 1 on an error, 77 ("skipped") when there is no usable KVM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stub.h"

#define DEFAULT_PORT 1234
#define DEFAULT_VCPUS 2

void stub_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("kvm-gdbstub: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [options] GUEST.elf\n"
		"\n"
		"Run an x86-64 ELF guest under KVM, stopped at its entry point, and\n"
		"serve gdb's remote protocol on 127.0.0.1.  Then, in another terminal:\n"
		"  gdb GUEST.elf -ex 'target remote 127.0.0.1:PORT'\n"
		"\n"
		"  -p, --port=N            TCP port (default %d; 0 picks a free one)\n"
		"  -c, --vcpus=N           number of vCPUs, 1 to %d (default %d)\n"
		"      --breakpoints=MODE  how gdb's 'break' (Z0) is done:\n"
		"                          auto (default): int3 if this KVM reports it,\n"
		"                          else a debug register; sw: int3; hw: a debug\n"
		"                          register\n"
		"      --watchpoints=MODE  gdb's 'watch' and 'awatch' (Z2, Z4): auto\n"
		"                          (default) accepts them if this KVM delivers\n"
		"                          them; on; off\n"
		"      --once              exit when the first gdb session ends\n"
		"  -v, --verbose           log every packet on stderr\n"
		"  -h, --help              this text\n"
		"\n"
		"Exit status: the guest's when it ends; 0 when gdb kills it (or leaves,\n"
		"with --once); 1 on an error; 77 when there is no usable KVM.\n",
		prog, DEFAULT_PORT, MAX_VCPUS, DEFAULT_VCPUS);
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
static int parse_options(int argc, char **argv, struct options *opts)
{
	enum {
		OPT_BREAKPOINTS = 256,
		OPT_WATCHPOINTS,
		OPT_ONCE
	};
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "vcpus", required_argument, NULL, 'c' },
		{ "breakpoints", required_argument, NULL, OPT_BREAKPOINTS },
		{ "watchpoints", required_argument, NULL, OPT_WATCHPOINTS },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int opt;

	*opts = (struct options){
		.nr_vcpus = DEFAULT_VCPUS,
		.port = DEFAULT_PORT,
	};
	while ((opt = getopt_long(argc, argv, "p:c:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (parse_uint(optarg, 65535, &v) < 0)
				goto bad;
			opts->port = (int)v;
			break;
		case 'c':
			if (parse_uint(optarg, MAX_VCPUS, &v) < 0 || v == 0)
				goto bad;
			opts->nr_vcpus = (unsigned int)v;
			break;
		case OPT_BREAKPOINTS:
			if (!strcmp(optarg, "auto"))
				opts->breakpoints = BP_AUTO;
			else if (!strcmp(optarg, "sw"))
				opts->breakpoints = BP_SW;
			else if (!strcmp(optarg, "hw"))
				opts->breakpoints = BP_HW;
			else
				goto bad;
			break;
		case OPT_WATCHPOINTS:
			if (!strcmp(optarg, "auto"))
				opts->watchpoints = WP_AUTO;
			else if (!strcmp(optarg, "on"))
				opts->watchpoints = WP_ON;
			else if (!strcmp(optarg, "off"))
				opts->watchpoints = WP_OFF;
			else
				goto bad;
			break;
		case OPT_ONCE:
			opts->once = true;
			break;
		case 'v':
			opts->verbose = true;
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
	opts->elf_path = argv[optind];
	return 0;
bad:
	fprintf(stderr, "%s: bad value '%s' for an option (try --help)\n", argv[0],
		optarg);
	return EXIT_FAILURE;
}

static int listen_loopback(int port, int *ret_port)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(addr);
	int fd, one = 1, ret;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)&addr, &len) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	*ret_port = ntohs(addr.sin_port);
	return fd;
}

static int accept_gdb(int listen_fd)
{
	int fd, one = 1;

	do {
		fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -errno;
	/* one small packet after another: do not let TCP hold them back */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static const char *yes_no(bool v)
{
	return v ? "yes" : "no";
}

/* A line for the user on stdout. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("kvm-gdbstub: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
}

static void print_startup(const struct stub *stub, struct points *pts)
{
	const struct caps *c = &stub->caps;
	const struct options *o = &stub->opts;
	bool z0_sw = !strcmp(points_z0_mode(pts), "software");

	say("libkvmdbg %s, guest %s (entry 0x%llx), %u vCPU%s, %llu MiB of RAM",
	    kvmdbg_version_string(), o->elf_path, (unsigned long long)stub->vm.entry,
	    stub->vm.nr_vcpus, stub->vm.nr_vcpus == 1 ? "" : "s", RAM_SIZE >> 20);
	say("this KVM delivers: single-step %s, hardware breakpoints %s (%d debug "
	    "registers), int3 %s, write watchpoints %s, access watchpoints %s",
	    yes_no(c->step), yes_no(c->hw_break), c->hw_slots, yes_no(c->sw_break),
	    yes_no(c->watch_write), yes_no(c->watch_access));
	if (!c->sw_break)
		say("int3: %s", c->why_sw_break);
	if (z0_sw)
		say("gdb's 'break' (Z0) uses int3 in guest memory");
	else
		say("gdb's 'break' (Z0) uses a hardware breakpoint: a debug register, "
		    "shared with 'hbreak', 'watch' and 'awatch'; stops say 'hwbreak'");
	if (z0_sw && !c->sw_break)
		say("warning: --breakpoints=sw, but this KVM does not report int3: "
		    "a guest that reaches a breakpoint takes the exception itself, or "
		    "stops with a KVM internal error");
	if (o->watchpoints == WP_OFF)
		say("gdb's 'watch' and 'awatch' (Z2, Z4) are refused: --watchpoints=off");
	if (o->watchpoints == WP_AUTO && !c->watch_write)
		say("gdb's 'watch' (Z2) is refused: %s", c->why_watch_write);
	if (o->watchpoints == WP_AUTO && !c->watch_access)
		say("gdb's 'awatch' (Z4) is refused: %s", c->why_watch_access);
	if (o->watchpoints == WP_OFF || !c->watch_write || !c->watch_access)
		say("in gdb, 'set can-use-hw-watchpoints 0' gives software watchpoints "
		    "(gdb single-steps and compares)");
	if (!c->step)
		say("warning: single-step: %s", c->why_step);
	if (!c->hw_break)
		say("warning: hardware breakpoints: %s", c->why_hw_break);
}

/*
 * After a detach: the guest runs without a debugger until it ends, or until gdb connects
 * again (then it is stopped first).  Returns the new connection, or -1 with *ret_stop
 * holding why the guest stopped by itself.
 */
static int run_free(struct stub *stub, int listen_fd, struct stop *ret_stop)
{
	struct pollfd pfd[2] = {
		{ .fd = listen_fd, .events = POLLIN },
		{ .fd = stub->vm.notify_fd, .events = POLLIN },
	};

	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			stub_log("poll: %s", strerror(errno));
			vm_interrupt(&stub->vm, ret_stop);
			return -1;
		}
		if (pfd[1].revents & POLLIN && vm_poll_stop(&stub->vm, ret_stop) == 1)
			return -1;
		if (pfd[0].revents & POLLIN) {
			int fd = accept_gdb(listen_fd);

			if (fd < 0)
				continue;
			vm_interrupt(&stub->vm, ret_stop);
			stub->last_stop = *ret_stop;
			return fd;
		}
	}
}

/*
 * What to do when a session has ended: 1 to go on serving, 0 to exit with *status.
 * *free_running tells whether the guest runs without a debugger now.
 */
static int session_ended(struct stub *stub, enum session_end end, int guest_status,
			 bool *free_running, int *status)
{
	enum action all_continue[MAX_VCPUS];
	int no_signals[MAX_VCPUS] = { 0 };
	struct stop stop;
	int ret;

	*free_running = false;
	switch (end) {
	case SESSION_EXITED:
		*status = guest_status;
		say("the guest exited with status %d", guest_status);
		return 0;
	case SESSION_KILLED:
		*status = EXIT_SUCCESS;
		say("gdb killed the guest");
		return 0;
	case SESSION_DISCONNECTED:
		say("gdb went away; the guest stays stopped");
		*status = EXIT_SUCCESS;
		return stub->opts.once ? 0 : 1;
	case SESSION_DETACHED:
		break;
	}

	say("gdb detached; the guest runs on");
	for (unsigned int i = 0; i < MAX_VCPUS; i++)
		all_continue[i] = ACT_CONTINUE;
	ret = vm_resume(&stub->vm, all_continue, no_signals, &stop);
	if (ret < 0) {
		fprintf(stderr, "kvm-gdbstub: cannot resume: %s\n", strerror(-ret));
		*status = EXIT_FAILURE;
		return 0;
	}
	if (ret == 1 && stop.kind == STOP_EXITED) {
		*status = stop.status;
		say("the guest exited with status %d", stop.status);
		return 0;
	}
	if (ret == 1)
		stub->last_stop = stop;
	*free_running = ret == 0;
	*status = EXIT_SUCCESS;
	return *free_running || !stub->opts.once;
}

int main(int argc, char **argv)
{
	static struct stub stub;
	int status = EXIT_FAILURE, listen_fd = -1, port, ret;
	bool free_running = false;
	char why[512];

	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = parse_options(argc, argv, &stub.opts);
	if (ret || !stub.opts.elf_path)
		return ret;

	ret = probe_host(&stub.caps, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "kvm-gdbstub: skipped: %s\n", why);
		return ret == EXIT_SKIP ? EXIT_SKIP : EXIT_FAILURE;
	}
	ret = vm_open(&stub.vm, &stub.opts, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "kvm-gdbstub: %s%s\n",
			ret == EXIT_SKIP ? "skipped: " : "", why);
		status = ret == EXIT_SKIP ? EXIT_SKIP : EXIT_FAILURE;
		goto out;
	}
	stub.points = points_new(&stub.vm, &stub.caps, &stub.opts);
	if (!stub.points) {
		fprintf(stderr, "kvm-gdbstub: out of memory\n");
		goto out;
	}
	/* before gdb comes, the guest waits at its entry point, as after a breakpoint */
	stub.last_stop = (struct stop){
		.kind = STOP_SIGNAL,
		.signal = GDB_SIGTRAP,
		.event = -1,
	};

	print_startup(&stub, stub.points);
	listen_fd = listen_loopback(stub.opts.port, &port);
	if (listen_fd < 0) {
		fprintf(stderr, "kvm-gdbstub: cannot listen on 127.0.0.1:%d: %s\n",
			stub.opts.port, strerror(-listen_fd));
		goto out;
	}
	say("listening on 127.0.0.1:%d", port);
	say("connect with: gdb %s -ex 'target remote 127.0.0.1:%d'", stub.opts.elf_path,
	    port);

	for (;;) {
		enum session_end end;
		struct stop stop;
		int fd, guest_status = 0;

		if (free_running) {
			fd = run_free(&stub, listen_fd, &stop);
			free_running = false;
			if (fd < 0 && stop.kind == STOP_EXITED) {
				status = stop.status;
				say("the guest exited with status %d", status);
				break;
			}
			if (fd < 0) {
				stub.last_stop = stop;
				if (stop.note[0])
					stub_log("%s", stop.note);
				say("the guest stopped (signal %d); waiting for gdb",
				    stop.signal);
				continue;
			}
		} else {
			fd = accept_gdb(listen_fd);
			if (fd < 0) {
				fprintf(stderr, "kvm-gdbstub: accept: %s\n",
					strerror(-fd));
				break;
			}
		}
		say("gdb connected");
		end = session_serve(&stub, fd, &guest_status);
		close(fd);
		points_remove_all(stub.points);
		if (!session_ended(&stub, end, guest_status, &free_running, &status))
			break;
	}

out:
	if (listen_fd >= 0)
		close(listen_fd);
	points_free(stub.points);
	vm_close(&stub.vm);
	return status;
}
