// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The arm64 guest of the gdbstub example: the same program as guest.c, for arm64, with
 * symbols, for gdb.
 *
 * kvm-gdbstub loads the PT_LOAD segments of this ELF into guest RAM (0x40000000, 4 MiB) and
 * starts every vCPU at _start at EL1 with SP_EL1 (EL1h), the MMU off, interrupts masked,
 * x0 = the vCPU's index and x1 = the number of vCPUs.  With the MMU off every data access is to
 * Device memory, where an unaligned access faults: the program is built with -mstrict-align.
 *
 * vCPU 0 does a little work that a debugger can follow (count(), add(), fill_registers(),
 * busy_wait()), waits for vCPU 1 to finish worker(), and writes its exit status to the exit
 * register.  vCPU 1 runs worker() and halts; any further vCPU halts at once.  The VMM's
 * registers are MMIO: a byte stored to MMIO_CONSOLE is printed, one stored to MMIO_EXIT ends
 * the guest with that status, and one stored to MMIO_HALT halts the vCPU for good.  Each is a
 * single strb, which KVM can decode (ESR_EL2.ISV).
 */
#include <stdint.h>

#define MMIO_CONSOLE 0x09000000ul
#define MMIO_EXIT 0x09000008ul
#define MMIO_HALT 0x09000010ul

#define MAX_VCPUS 8
#define STACK_SHIFT 14
#define STACK_SIZE (1 << STACK_SHIFT)
#define COUNT_TO 5
#define WORKER_TO 10
#define WAIT_LIMIT 2000000 /* iterations vCPU 0 waits for vCPU 1 before giving up */

#define STR_(x) #x
#define STR(x) STR_(x)

/* Variables a debugger looks at; volatile so that every write really happens. */
volatile int counter;	      /* count() sets it to 1, 2, ... COUNT_TO */
volatile int total;	      /* the sum add() builds: 15 at the end */
volatile int worker_done;     /* set by vCPU 1 */
volatile long worker_result;  /* 1 + 4 + 9 + ... + 100 = 385 */
volatile unsigned long spins; /* how far busy_wait() got */
/* How long busy_wait() spins: raise it in gdb to have time for a Ctrl-C. */
volatile unsigned long spin_loops = 1000;
/* 16 bytes: a watchpoint on it needs two watchpoint registers. */
volatile struct {
	long x;
	long y;
} position;
char message[32] = "hello from the guest";

uint8_t stacks[MAX_VCPUS][STACK_SIZE] __attribute__((aligned(16)));

void guest_main(unsigned long cpu, unsigned long nr_cpus);
void guest_halt(void) __attribute__((noreturn));
void fill_registers(void);

/*
 * The entry point: a stack for this vCPU, then guest_main(cpu, nr_cpus), then a halt.  The
 * CFI marks the outermost frame for gdb's backtraces.
 */
__asm__(".pushsection .text.entry, \"ax\"\n"
	".globl _start\n"
	".type _start, %function\n"
	"_start:\n"
	"	.cfi_startproc\n"
	"	.cfi_undefined x30\n"
	"	cmp x0, #" STR(MAX_VCPUS) "\n"
	"	b.hs 2f\n"
	"	adrp x2, stacks\n"
	"	add x2, x2, :lo12:stacks\n"
	"	add x3, x0, #1\n"
	"	lsl x3, x3, #" STR(STACK_SHIFT) "\n"
	"	add sp, x2, x3\n"
	"	mov x29, #0\n"
	"	mov x30, #0\n"
	"	bl guest_main\n"
	"2:	bl guest_halt\n"
	"	.cfi_endproc\n"
	".size _start, . - _start\n"
	".popsection\n");

/*
 * Load a known value into x9-x15 and the callee-saved x19-x28, stop at the global label
 * registers_filled (a place for a breakpoint), and give the callee-saved ones back.
 */
__asm__(".text\n"
	".globl fill_registers, registers_filled\n"
	".type fill_registers, %function\n"
	"fill_registers:\n"
	"	.cfi_startproc\n"
	"	stp x19, x20, [sp, #-80]!\n"
	"	.cfi_adjust_cfa_offset 80\n"
	"	stp x21, x22, [sp, #16]\n"
	"	stp x23, x24, [sp, #32]\n"
	"	stp x25, x26, [sp, #48]\n"
	"	stp x27, x28, [sp, #64]\n"
	"	ldr x9, =0x9999999999999999\n"
	"	ldr x10, =0xaaaaaaaaaaaaaaaa\n"
	"	ldr x11, =0xbbbbbbbbbbbbbbbb\n"
	"	ldr x12, =0xcccccccccccccccc\n"
	"	ldr x13, =0xdddddddddddddddd\n"
	"	ldr x14, =0xeeeeeeeeeeeeeeee\n"
	"	ldr x15, =0xffffffffffffffff\n"
	"	ldr x19, =0x1919191919191919\n"
	"	ldr x20, =0x2020202020202020\n"
	"	ldr x21, =0x2121212121212121\n"
	"	ldr x22, =0x2222222222222222\n"
	"	ldr x23, =0x2323232323232323\n"
	"	ldr x24, =0x2424242424242424\n"
	"	ldr x25, =0x2525252525252525\n"
	"	ldr x26, =0x2626262626262626\n"
	"	ldr x27, =0x2727272727272727\n"
	"	ldr x28, =0x2828282828282828\n"
	"registers_filled:\n"
	"	nop\n"
	"	ldp x27, x28, [sp, #64]\n"
	"	ldp x25, x26, [sp, #48]\n"
	"	ldp x23, x24, [sp, #32]\n"
	"	ldp x21, x22, [sp, #16]\n"
	"	ldp x19, x20, [sp], #80\n"
	"	.cfi_adjust_cfa_offset -80\n"
	"	ret\n"
	"	.cfi_endproc\n"
	".size fill_registers, . - fill_registers\n"
	".ltorg\n");

static void mmio_write8(unsigned long addr, uint8_t value)
{
	__asm__ volatile("strb %w0, [%1]" : : "r"(value), "r"(addr) : "memory");
}

static void put_string(const char *s)
{
	while (*s)
		mmio_write8(MMIO_CONSOLE, (uint8_t)*s++);
}

static void put_number(long n)
{
	char buf[24];
	int i = 0;

	if (n < 0) {
		mmio_write8(MMIO_CONSOLE, '-');
		n = -n;
	}
	do {
		buf[i++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (i)
		mmio_write8(MMIO_CONSOLE, (uint8_t)buf[--i]);
}

void guest_halt(void)
{
	for (;;)
		mmio_write8(MMIO_HALT, 0);
}

static __attribute__((noreturn)) void guest_exit(int status)
{
	mmio_write8(MMIO_EXIT, (uint8_t)status);
	guest_halt();
}

__attribute__((noinline)) int add(int a, int b)
{
	return a + b;
}

__attribute__((noinline)) void count(void)
{
	for (int i = 1; i <= COUNT_TO; i++) {
		counter = i;
		total = add(total, i);
	}
}

__attribute__((noinline)) void move_position(void)
{
	position.x = 3;
	position.y = 4;
}

__attribute__((noinline)) void busy_wait(void)
{
	for (unsigned long i = 0; i < spin_loops; i++)
		spins = i + 1;
}

__attribute__((noinline)) void worker(void)
{
	long sum = 0;

	for (long i = 1; i <= WORKER_TO; i++)
		sum += i * i;
	worker_result = sum;
	worker_done = 1;
}

void guest_main(unsigned long cpu, unsigned long nr_cpus)
{
	int ok;

	if (cpu == 1) {
		worker();
		return;
	}
	if (cpu != 0)
		return;

	put_string("guest: ");
	put_string(message);
	put_string(", ");
	put_number((long)nr_cpus);
	put_string(" vCPUs\n");

	count();
	move_position();
	fill_registers();
	busy_wait();

	if (nr_cpus > 1) {
		for (long n = 0; !worker_done && n < WAIT_LIMIT; n++)
			;
	}
	ok = counter == COUNT_TO && total == COUNT_TO * (COUNT_TO + 1) / 2 &&
	     position.x == 3 && position.y == 4 && (nr_cpus < 2 || worker_result == 385);

	put_string("guest: counter=");
	put_number(counter);
	put_string(" total=");
	put_number(total);
	put_string(" worker_result=");
	put_number(worker_result);
	put_string(ok ? " ok\n" : " WRONG\n");
	guest_exit(ok ? 0 : 1);
}
