// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The guest of the gdbstub example: a freestanding x86-64 program with symbols, for gdb.
 *
 * kvm-gdbstub loads the PT_LOAD segments of this ELF and starts every vCPU at _start in
 * 64-bit long mode at CPL0, with the first 4 MiB of linear addresses mapped to the same
 * physical addresses (except the pages at 0 and at UNMAPPED_PAGE), interrupts off, %rdi =
 * the vCPU's index and %rsi = the number of vCPUs.
 *
 * vCPU 0 does a little work that a debugger can follow (count(), add(), fill_registers(),
 * busy_wait()), waits for vCPU 1 to finish worker(), and tells the VMM its exit status on
 * PORT_EXIT.  vCPU 1 runs worker() and halts; any further vCPU halts at once.  Every loop
 * is bounded: the program ends by itself in a few milliseconds, even though a KVM that
 * emulates each instruction runs it at a few million instructions per second.
 *
 * Build: see meson.build (gcc -ffreestanding -nostdlib -static with guest.ld).
 */
#include <stdint.h>

#define PORT_CONSOLE 0xe9 /* a byte written here is printed by the VMM */
#define PORT_EXIT 0xf4	  /* a byte written here ends the guest with that status */

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
/* 16 bytes: a watchpoint on it needs two debug registers. */
volatile struct {
	long x;
	long y;
} position;
char message[32] = "hello from the guest";

uint8_t stacks[MAX_VCPUS][STACK_SIZE] __attribute__((aligned(16)));

void guest_main(unsigned int cpu, unsigned int nr_cpus);
void fill_registers(void);

/*
 * The entry point: a stack for this vCPU, then guest_main(cpu, nr_cpus).  The CFI marks
 * the outermost frame for gdb's backtraces.
 */
__asm__(".pushsection .text.entry, \"ax\"\n"
	".globl _start\n"
	".type _start, @function\n"
	"_start:\n"
	"	.cfi_startproc\n"
	"	.cfi_undefined rip\n"
	"	cmp $" STR(
		MAX_VCPUS) ", %rdi\n"
			   "	jae 2f\n"
			   "	lea stacks(%rip), %rsp\n"
			   "	mov %rdi, %rax\n"
			   "	inc %rax\n"
			   "	shl $" STR(
				   STACK_SHIFT) ", %rax\n" /* (cpu + 1) * STACK_SIZE */
						"	add %rax, %rsp\n"
						"	xor %ebp, %ebp\n"
						"	call guest_main\n"
						"2:	cli\n"
						"	hlt\n"
						"	jmp 2b\n"
						"	.cfi_endproc\n"
						".size _start, . - _start\n"
						".popsection\n");

/*
 * Load a known value into every general register but %rsp and %rbp, stop at the global
 * label registers_filled (a place for a breakpoint), and give the callee-saved ones back.
 */
__asm__(".text\n"
	".globl fill_registers, registers_filled\n"
	".type fill_registers, @function\n"
	"fill_registers:\n"
	"	.cfi_startproc\n"
	"	push %rbx\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	push %r12\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	push %r13\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	push %r14\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	push %r15\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	movabs $0x1111111111111111, %rax\n"
	"	movabs $0x2222222222222222, %rbx\n"
	"	movabs $0x3333333333333333, %rcx\n"
	"	movabs $0x4444444444444444, %rdx\n"
	"	movabs $0x5555555555555555, %rsi\n"
	"	movabs $0x6666666666666666, %rdi\n"
	"	movabs $0x8888888888888888, %r8\n"
	"	movabs $0x9999999999999999, %r9\n"
	"	movabs $0xaaaaaaaaaaaaaaaa, %r10\n"
	"	movabs $0xbbbbbbbbbbbbbbbb, %r11\n"
	"	movabs $0xcccccccccccccccc, %r12\n"
	"	movabs $0xdddddddddddddddd, %r13\n"
	"	movabs $0xeeeeeeeeeeeeeeee, %r14\n"
	"	movabs $0xffffffffffffffff, %r15\n"
	"registers_filled:\n"
	"	nop\n"
	"	pop %r15\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	pop %r14\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	pop %r13\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	pop %r12\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	pop %rbx\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	ret\n"
	"	.cfi_endproc\n"
	".size fill_registers, . - fill_registers\n");

static void outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static void put_string(const char *s)
{
	while (*s)
		outb(PORT_CONSOLE, (uint8_t)*s++);
}

static void put_number(long n)
{
	char buf[24];
	int i = 0;

	if (n < 0) {
		outb(PORT_CONSOLE, '-');
		n = -n;
	}
	do {
		buf[i++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (i)
		outb(PORT_CONSOLE, (uint8_t)buf[--i]);
}

static __attribute__((noreturn)) void guest_exit(int status)
{
	outb(PORT_EXIT, (uint8_t)status);
	for (;;)
		__asm__ volatile("cli; hlt");
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

void guest_main(unsigned int cpu, unsigned int nr_cpus)
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
	put_number(nr_cpus);
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
