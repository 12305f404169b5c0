// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kvmdbg-bench: options, the machine, the order of the rows, and the summary table that
 * follows issue 13's.  See bench.h for the files and tools/run-bench.sh for the one command.
 *
 *   kvmdbg-bench [--quick] [--markdown] [--max-points N] [--reps N] [--only ROW[,ROW...]]
 *                [--min-points N] [--no-peers] [--no-signal-guard]
 *
 * Exit status: 0 when every row ran or was skipped with its reason, 1 when a measurement
 * failed (the library misbehaved: a wrong event, a wrong count, guest memory not restored),
 * 2 for bad usage.  Times never fail a run.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <kvmdbg/kvmdbg.h>

#include "bench.h"

#ifndef BENCH_BUILD
#define BENCH_BUILD "unknown build"
#endif

struct opts opts;
bool bench_failed;
struct summary summary;
double timer_ns;
double serialise_ns;

static const char *const row_names[ROW_NR] = {
	[ROW_STEP] = "step",   [ROW_HWBP] = "hwbp",	    [ROW_XLATE] = "translate",
	[ROW_HIT] = "hit",     [ROW_MISS] = "miss",	    [ROW_INSERT] = "insert",
	[ROW_REARM] = "rearm", [ROW_MARK] = "mark",	    [ROW_MEMORY] = "memory",
	[ROW_ALLOC] = "alloc", [ROW_PATTERNS] = "patterns",
};

const char *row_name(enum row r)
{
	return r < ROW_NR ? row_names[r] : "?";
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double median(double *v, int n)
{
	if (n <= 0)
		return NAN;
	for (int i = 0; i < n; i++)
		if (isnan(v[i]))
			return NAN;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int reps_for(long n)
{
	if (opts.reps)
		return opts.reps;
	if (opts.quick)
		return 3;
	return n >= 1000000 ? 3 : 5;
}

long rounds_for(long n, long target)
{
	long r = target / (n > 0 ? n : 1);

	return r < 1 ? 1 : r;
}

void progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void failure(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	bench_failed = true;
}

static void calibrate_timer(void)
{
	double v[1001];

	for (int i = 0; i < 1001; i++) {
		uint64_t t0 = now_ns();

		v[i] = (double)(now_ns() - t0);
	}
	timer_ns = median(v, 1001);
	for (int i = 0; i < 101; i++) {
		uint64_t t0 = now_ns();

		for (int j = 0; j < 1000; j++)
			serialise();
		v[i] = (double)(now_ns() - t0) / 1000;
	}
	serialise_ns = median(v, 101);
}

/* "L2 4096K, L3 491520K" from sysfs: what the working sets at 10^6 points meet. */
static void caches(char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = 0;
	for (int i = 0; i < 8; i++) {
		char path[96], level[16] = "", csize[32] = "", type[32] = "";
		const char *names[] = { "level", "size", "type" };
		char *vals[] = { level, csize, type };
		size_t lens[] = { sizeof(level), sizeof(csize), sizeof(type) };
		bool ok = true;

		for (int f = 0; f < 3 && ok; f++) {
			FILE *fp;

			snprintf(path, sizeof(path),
				 "/sys/devices/system/cpu/cpu0/cache/index%d/%s", i, names[f]);
			fp = fopen(path, "r");
			ok = fp && fgets(vals[f], (int)lens[f], fp);
			if (fp)
				fclose(fp);
			vals[f][strcspn(vals[f], "\n")] = 0;
		}
		if (!ok)
			break;
		if (!strcmp(type, "Instruction"))
			continue;
		len += (size_t)snprintf(buf + len, size > len ? size - len : 0, "%sL%s%s %s",
					len ? ", " : "", level, strcmp(type, "Data") ? "" : "d",
					csize);
	}
	if (!buf[0])
		snprintf(buf, size, "caches unknown");
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kvmdbg-bench [--quick] [--markdown] [--max-points N] [--reps N] "
		"[--only ROW[,ROW...]] [--min-points N] [--no-peers] [--no-signal-guard]\n"
		"  --quick         sizes up to 10^3, 3 repetitions, short loops (the smoke test)\n"
		"  --markdown      also print the tables as Markdown, for the README\n"
		"  --max-points N  largest size of the synthetic rows (1 to 10^6; default 10^6)\n"
		"  --reps N        repetitions per figure (default 5, 3 at 10^6 and with --quick)\n"
		"  --only ROWS     step hwbp translate hit miss insert rearm mark memory alloc "
		"patterns\n"
		"  --min-points N  smallest size of the synthetic rows (default 1; to profile one "
		"size)\n"
		"  --no-peers      the library alone, without the peers (to profile it)\n"
		"  --no-signal-guard\n"
		"                  the library's VMs with the signal guard off (a fuzzer's\n"
		"                  setting: no pthread_sigmask() around the VM lock)\n");
}

static int parse_only(const char *arg)
{
	char *copy = strdup(arg), *save = NULL;

	if (!copy)
		return -1;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int r;

		for (r = 0; r < ROW_NR; r++)
			if (!strcmp(tok, row_names[r]))
				break;
		if (r == ROW_NR) {
			fprintf(stderr, "kvmdbg-bench: unknown row '%s'\n", tok);
			free(copy);
			return -1;
		}
		opts.only |= 1u << r;
	}
	free(copy);
	return 0;
}

static int parse(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "markdown", no_argument, NULL, 'm' },
		{ "max-points", required_argument, NULL, 'n' },
		{ "reps", required_argument, NULL, 'r' },
		{ "only", required_argument, NULL, 'o' },
		{ "min-points", required_argument, NULL, 'p' },
		{ "no-peers", no_argument, NULL, 'P' },
		{ "no-signal-guard", no_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool max_given = false;
	int c;

	opts.max_points = 1000000;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'q':
			opts.quick = true;
			break;
		case 'm':
			opts.markdown = true;
			break;
		case 'n':
			opts.max_points = strtol(optarg, &end, 10);
			if (*end || opts.max_points < 1 || opts.max_points > 1000000) {
				fprintf(stderr, "kvmdbg-bench: --max-points wants 1 to 1000000\n");
				return -1;
			}
			max_given = true;
			break;
		case 'p':
			opts.min_points = strtol(optarg, &end, 10);
			if (*end || opts.min_points < 1 || opts.min_points > 1000000) {
				fprintf(stderr, "kvmdbg-bench: --min-points wants 1 to 1000000\n");
				return -1;
			}
			break;
		case 'P':
			opts.no_peers = true;
			break;
		case 'G':
			opts.no_guard = true;
			break;
		case 'r':
			opts.reps = (int)strtol(optarg, &end, 10);
			if (*end || opts.reps < 1 || opts.reps > 31) {
				fprintf(stderr, "kvmdbg-bench: --reps wants 1 to 31\n");
				return -1;
			}
			break;
		case 'o':
			if (parse_only(optarg) < 0)
				return -1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	if (opts.quick && !max_given)
		opts.max_points = 1000;
	if (!opts.only)
		opts.only = (1u << ROW_NR) - 1;
	return 0;
}

static void cpu_model(char *buf, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, size, "unknown CPU");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && colon) {
			colon += 2;
			colon[strcspn(colon, "\n")] = 0;
			snprintf(buf, size, "%s", colon);
			break;
		}
	}
	fclose(f);
}

/* The options that change what the figures mean, for the header. */
static const char *run_flags(void)
{
	if (opts.quick)
		return opts.no_guard ? ", --quick, signal guard off" : ", --quick";
	return opts.no_guard ? ", signal guard off" : "";
}

static void machine(char *text, size_t tsize, char *md, size_t msize, const double *load0)
{
	struct utsname u;
	char cpu[128], date[64], cache[128];
	double load1[3] = { NAN, NAN, NAN };
	time_t now = time(NULL);

	uname(&u);
	cpu_model(cpu, sizeof(cpu));
	caches(cache, sizeof(cache));
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	getloadavg(load1, 3);
	snprintf(text, tsize,
		 "kvmdbg-bench: libkvmdbg %s (%s), %s%s\n"
		 "machine: %s %s %s, %s, %ld CPUs online, %s\n"
		 "kernel: %s\n"
		 "load average: %.2f at the start, %.2f at the end; timer pair %.0f ns, lfence "
		 "%.1f ns; %s\n",
		 kvmdbg_version_string(), BENCH_BUILD, date, run_flags(),
		 u.sysname, u.release, u.machine, cpu, sysconf(_SC_NPROCESSORS_ONLN), cache,
		 u.version, load0[0], load1[0], timer_ns, serialise_ns,
		 count_alloc_works() ? "allocations counted"
				     : "allocations not counted (sanitizer build)");
	snprintf(md, msize,
		 "Measured %s with libkvmdbg %s (%s)%s on `%s %s %s`, %s, %ld CPUs online, %s "
		 "(kernel `%s`); load average %.2f at the start, %.2f at the end.\n",
		 date, kvmdbg_version_string(), BENCH_BUILD, run_flags(),
		 u.sysname, u.release, u.machine, cpu, sysconf(_SC_NPROCESSORS_ONLN), cache,
		 u.version, load0[0], load1[0]);
}

/* The VM and vCPU the synthetic rows attach to: real ones, or stand-ins without /dev/kvm. */
static void synth_env_open(struct synth_env *env, int *kvm_fd)
{
	env->vm_fd = env->vcpu_fd = -1;
	*kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (*kvm_fd >= 0) {
		env->vm_fd = ioctl(*kvm_fd, KVM_CREATE_VM, 0);
		if (env->vm_fd >= 0)
			env->vcpu_fd = ioctl(env->vm_fd, KVM_CREATE_VCPU, 0);
		if (env->vcpu_fd >= 0)
			return;
		env->why = "KVM_CREATE_VM or KVM_CREATE_VCPU failed";
	} else {
		env->why = errno == ENOENT ? "no /dev/kvm" : "/dev/kvm cannot be opened";
	}
	if (env->vm_fd >= 0)
		close(env->vm_fd);
	env->vm_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	env->vcpu_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	env->stand_in = true;
	count_stand_in(env->vm_fd, env->vcpu_fd);
}

static void summary_table(void)
{
	const struct summary *s = &summary;
	char b[11][200];
	const char *at = fmt_pow10(s->max_n);
	struct table *t;

	if (!opts.only)
		return;
	t = table_new("summary, as in issue 13", 3, "figure", "measured", "goal");
	table_left(t);
	snprintf(b[0], sizeof(b[0]),
		 "%s (vs SET_GUEST_DEBUG + KVM_RUN per step: %s); %s ioctls per step, raw %s; "
		 "%s per step outside ioctls",
		 fmt_ratio(s->step_ratio), fmt_ratio(s->step_ratio_resend),
		 fmt_num(s->step_ioctls, 2), fmt_num(s->step_ioctls_raw, 2), fmt_time(s->step_own));
	table_row(t, "single-step exit, library / raw KVM_RUN loop", b[0],
		  "≤ 1.01, 1 ioctl (or the measured minimum with the x86 step fix)");
	snprintf(b[1], sizeof(b[1]),
		 "%s; %s ioctls per cycle, minimum %s; %s per cycle outside ioctls",
		 fmt_ratio(s->hw_ratio), fmt_num(s->hw_ioctls, 2), fmt_num(s->hw_ioctls_raw, 2),
		 fmt_time(s->hw_own));
	table_row(t, "hw-breakpoint hit + continue, library / hand-written minimum", b[1],
		  "≤ 1.01, 4 ioctls");
	snprintf(b[2], sizeof(b[2]), "%s B at %s points (hash peer %s B)", fmt_num(s->bytes_lib, 1),
		 at, fmt_num(s->bytes_hash, 1));
	table_row(t, "memory per software breakpoint (mallinfo2)", b[2], "≤ 32 B");
	snprintf(b[3], sizeof(b[3]), "%s at %s (%s at %s); hash peer %s", fmt_time(s->hit_max), at,
		 fmt_time(s->hit_1), fmt_pow10(s->min_n), fmt_time(s->hit_hash_max));
	table_row(t, "one-shot hit, random order", b[3], "≤ the hash peer at 10^6");
	snprintf(b[4], sizeof(b[4]), "%s at %s = %s× the time at %s; hash peer %s",
		 fmt_time(s->miss_max), at, fmt_ratio(s->miss_max / s->miss_1), fmt_pow10(s->min_n),
		 fmt_time(s->miss_hash_max));
	table_row(t, "miss (pc with no point)", b[4], "≤ the hash peer");
	snprintf(b[5], sizeof(b[5]), "%s for %s points; in one kvmdbg_vm_insert_many: %s",
		 fmt_time(s->insert_total_max), at, fmt_time(s->insert_many_total_max));
	table_row(t, "insert n one-shot points, translate callback", b[5], "≤ 0.2 s at 10^6");
	snprintf(b[6], sizeof(b[6]), "%s for %s (%s per point)", fmt_time(s->rearm_max), at,
		 fmt_time(s->rearm_per_max));
	table_row(t, "kvmdbg_vm_rearm after all n fired", b[6], "≤ 30 ns per fired point");
	snprintf(b[7], sizeof(b[7]), "%s at %s", fmt_time(s->mark_max), at);
	table_row(t, "kvmdbg_vm_mark_all_armed, 1% of n fired", b[7], "≤ 1 ms at 10^6");
	snprintf(b[8], sizeof(b[8]),
		 "page walk %s and %s ioctls per insert, %s and %s in insert_many; "
		 "KVM_TRANSLATE %s and %s",
		 fmt_time(s->xlate_ns[0]), fmt_num(s->xlate_ioctls[0], 2), fmt_time(s->xlate_ns[2]),
		 fmt_num(s->xlate_ioctls[2], 3), fmt_time(s->xlate_ns[1]),
		 fmt_num(s->xlate_ioctls[1], 2));
	table_row(t, "insert without a translate callback", b[8],
		  "not an ioctl per insert, or said loudly in the guide");
	snprintf(b[9], sizeof(b[9]), "%s", fmt_num(s->alloc_per_exit, 2));
	table_row(t, "allocations per exit (hit + miss)", b[9], "0");
}

int main(int argc, char **argv)
{
	struct synth_env env = { 0 };
	char text[2048], md[2048];
	double load0[3] = { NAN, NAN, NAN };
	int kvm_fd;

	if (parse(argc, argv) < 0)
		return 2;
	getloadavg(load0, 3);
	count_alloc_works();
	calibrate_timer();
	summary = (struct summary){
		.step_ratio = NAN,
		.step_ratio_resend = NAN,
		.step_ioctls = NAN,
		.step_ioctls_raw = NAN,
		.step_own = NAN,
		.hw_ratio = NAN,
		.hw_own = NAN,
		.hw_ioctls = NAN,
		.hw_ioctls_raw = NAN,
		.bytes_lib = NAN,
		.bytes_hash = NAN,
		.hit_max = NAN,
		.hit_1 = NAN,
		.hit_hash_max = NAN,
		.miss_max = NAN,
		.miss_1 = NAN,
		.miss_hash_max = NAN,
		.insert_total_max = NAN,
		.insert_many_total_max = NAN,
		.rearm_max = NAN,
		.rearm_per_max = NAN,
		.mark_max = NAN,
		.xlate_ns = { NAN, NAN, NAN },
		.xlate_ioctls = { NAN, NAN, NAN },
		.alloc_per_exit = NAN,
	};

	kvm_rows();
	synth_env_open(&env, &kvm_fd);
	synth_rows(&env);
	summary_table();

	machine(text, sizeof(text), md, sizeof(md), load0);
	tables_print(text, md);
	close(env.vcpu_fd);
	close(env.vm_fd);
	if (kvm_fd >= 0)
		close(kvm_fd);
	return bench_failed ? 1 : 0;
}
