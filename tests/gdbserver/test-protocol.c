// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The protocol, packet family by packet family, with the guest stopped: exact replies to
 * well-formed packets, exact errors for malformed, oversized and out-of-range ones, and, after
 * thousands of hostile packets, the guest's memory and registers as they were.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-vmm.h"

struct fx {
	struct fvm *f;
	struct gdb g;
	uint8_t *ram_before;
};

static void fx_setup(struct fx *x, gconstpointer data)
{
	static const uint64_t pcs[] = { FV_LOOP0, FV_LOOP1 };

	(void)data;
	x->f = fvm_new(2, pcs);
	gdb_init(&x->g, fvm_serve(x->f));
	x->ram_before = g_memdup2(model_ram(x->f->m), FV_RAM_SIZE);
}

static void fx_teardown(struct fx *x, gconstpointer data)
{
	(void)data;
	gdb_fini(&x->g);
	fvm_free(x->f);
	g_free(x->ram_before);
}

static char *hex_of(const char *text)
{
	GString *s = g_string_new(NULL);

	for (const char *p = text; *p; p++)
		g_string_append_printf(s, "%02x", (unsigned char)*p);
	return g_string_free(s, FALSE);
}

/* The 'g' packet gdb must see for a fresh vCPU of the fixture (target.xml's order). */
static char *expected_g(unsigned int index, uint64_t rip)
{
	GString *s = g_string_new(NULL);

	for (int r = 0; r < 16; r++)
		g_string_append(s, le64(r == 6 ? 0x1000 + index : r == 7 ? 0x2000 + index : 0));
	g_string_append(s, le64(rip));
	g_string_append(s, "02000000");		/* eflags */
	g_string_append(s, "08000000" "10000000"); /* cs, ss */
	g_string_append(s, "00000000" "00000000" "00000000" "00000000"); /* ds es fs gs */
	for (int i = 0; i < 8; i++)
		g_string_append(s, "00000000000000000000"); /* st0-7 */
	/* fctrl fstat; ftag: every register empty; fiseg fioff foseg fooff fop */
	g_string_append(s, "00000000" "00000000" "ffff0000" "00000000" "00000000" "00000000"
			   "00000000" "00000000");
	for (int i = 0; i < 16; i++)
		g_string_append(s, "00000000000000000000000000000000"); /* xmm0-15 */
	g_string_append(s, "00000000");		   /* mxcsr */
	g_string_append(s, le64(0));		   /* fs_base */
	g_string_append(s, le64(0));		   /* gs_base */
	g_string_append(s, le64(0x80010033));	   /* cr0 */
	g_string_append(s, le64(0));		   /* cr2 */
	g_string_append(s, le64(0x2000));	   /* cr3 */
	g_string_append(s, le64(0));		   /* cr4 */
	g_string_append(s, le64(0));		   /* cr8 */
	g_string_append(s, le64(0x500));	   /* efer */
	return g_string_free(s, FALSE);
}

static void test_initial_stop(struct fx *x, gconstpointer data)
{
	g_autofree char *rbp = g_strdup(le64(0x1000)), *rsp = g_strdup(le64(0x2000));
	g_autofree char *rip = g_strdup(le64(FV_LOOP0)), *want = NULL;

	(void)data;
	want = g_strdup_printf("T05thread:1;06:%s;07:%s;10:%s;", rbp, rsp, rip);
	assert_reply(&x->g, "?", want);
	/* the guest did not run: gdb found it where the VMM put it */
	g_assert_cmphex(fvm_pc(x->f, 0), ==, FV_LOOP0);
	g_assert_cmphex(fvm_pc(x->f, 1), ==, FV_LOOP1);
	g_assert_cmpuint(atomic_load(&x->f->pauses), ==, 1);
	g_assert_cmpuint(atomic_load(&x->f->resumes), ==, 0);
}

static void test_queries(struct fx *x, gconstpointer data)
{
	g_autofree char *v0 = hex_of("vCPU 0"), *v1 = hex_of("vCPU 1");

	(void)data;
	assert_reply(&x->g, "qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+",
		     "PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+");
	assert_reply(&x->g, "qSupported", "PacketSize=4000;qXfer:features:read+;"
					  "QStartNoAckMode+;swbreak+;hwbreak+");
	assert_reply(&x->g, "vCont?", "vCont;c;C;s;S;t");
	assert_reply(&x->g, "qC", "QC1");
	assert_reply(&x->g, "qAttached", "1");
	assert_reply(&x->g, "qAttached:1", "1");
	assert_reply(&x->g, "qfThreadInfo", "m1,2");
	assert_reply(&x->g, "qsThreadInfo", "l");
	assert_reply(&x->g, "qsThreadInfo", "l");
	assert_reply(&x->g, "qThreadExtraInfo,1", v0);
	assert_reply(&x->g, "qThreadExtraInfo,p1.2", v1);
	assert_reply(&x->g, "qSymbol::", "OK");
	assert_reply(&x->g, "T1", "OK");
	assert_reply(&x->g, "Tp1.2", "OK");
	assert_reply(&x->g, "T3", "E03");
	assert_reply(&x->g, "T0", "E03");
	assert_reply(&x->g, "Hg2", "OK");
	assert_reply(&x->g, "qC", "QC2");
	assert_reply(&x->g, "Hg0", "OK"); /* any: stays */
	assert_reply(&x->g, "qC", "QC2");
	assert_reply(&x->g, "Hgp1.1", "OK");
	assert_reply(&x->g, "qC", "QC1");
	assert_reply(&x->g, "Hc-1", "OK");
	assert_reply(&x->g, "Hc2", "OK");
	assert_reply(&x->g, "Hc0", "OK");
}

static void test_target_xml(struct fx *x, gconstpointer data)
{
	GString *xml = g_string_new(NULL);
	size_t offset = 0;

	(void)data;
	for (int n = 0; n < 200; n++) {
		g_autofree char *pkt = g_strdup_printf("qXfer:features:read:target.xml:%zx,100",
						       offset);
		g_autofree char *r = gdb_cmd(&x->g, pkt);
		size_t before = xml->len;

		g_assert_true(r[0] == 'm' || r[0] == 'l');
		for (const char *p = r + 1; *p; p++) {
			if (*p == '}') {
				p++;
				g_string_append_c(xml, (char)(*p ^ 0x20));
			} else {
				g_string_append_c(xml, *p);
			}
		}
		g_assert_cmpuint(xml->len - before, <=, 0x100);
		offset = xml->len;
		if (r[0] == 'l')
			break;
	}
	g_assert_true(g_str_has_prefix(xml->str, "<?xml version=\"1.0\"?>\n"));
	g_assert_true(g_str_has_suffix(xml->str, "</target>\n"));
	g_assert_nonnull(strstr(xml->str, "<architecture>i386:x86-64</architecture>"));
	g_assert_nonnull(strstr(xml->str, "<feature name=\"org.gnu.gdb.i386.core\">"));
	g_assert_nonnull(strstr(xml->str, "<feature name=\"org.gnu.gdb.i386.segments\">"));
	g_assert_nonnull(strstr(xml->str, "<reg name=\"cr0\" bitsize=\"64\" type=\"x86_cr0\""));
	g_assert_nonnull(strstr(xml->str, "<field name=\"PG\" start=\"31\" end=\"31\"/>"));
	{
		/* 65 registers, in the 'g' order */
		unsigned int regs = 0;

		for (const char *p = xml->str; (p = strstr(p, "<reg ")); p++)
			regs++;
		g_assert_cmpuint(regs, ==, 65);
	}
	{
		g_autofree char *past = g_strdup_printf("qXfer:features:read:target.xml:%zx,100",
							xml->len);

		assert_reply(&x->g, past, "l");
	}
	assert_reply(&x->g, "qXfer:features:read:target.xml:0,0", "m");
	assert_reply(&x->g, "qXfer:features:read:foo.xml:0,100", "E00");
	assert_reply(&x->g, "qXfer:features:read:target.xml:zz", "E00");
	assert_reply(&x->g, "qXfer:features:read:target.xml:0", "E00");
	assert_reply(&x->g, "qXfer:features:read:", "E00");
	g_string_free(xml, TRUE);
}

static void test_empty_replies(struct fx *x, gconstpointer data)
{
	static const char *const pkts[] = {
		"qFooBar", "vFooBar", "j", "!", "b", "i", "Qxyz", "vMustReplyEmpty", "qTStatus",
		"qOffsets", "Z9,101000,1", "z5,101000,1", "Hx1", "Z3,108000,4",
		"QNonStop:1", "vAttach;1", "vRun;", "qGetTLSAddr:1,0,0", "QPassSignals:e",
		"qTfV", "H", "Hg", "vCon", "vContX", "qXfer:libraries:read::0,100",
		"qXfer:auxv:read::0,100", "bc", "bs", "A", "R00", "r", "t", "QThreadEvents:1",
		"QStartNoAckModeX", "vKillX", "qL1200000000000000000", "qP0000001f0000000000007fff",
	};

	(void)data;
	for (size_t i = 0; i < G_N_ELEMENTS(pkts); i++) {
		g_test_message("%s", pkts[i]);
		assert_reply(&x->g, pkts[i], "");
	}
}

static void test_malformed(struct fx *x, gconstpointer data)
{
	static const char *const pkts[] = {
		"m", "m101000", "m,4", "mzz,4", "m101000,", "m101000,4x", "m11111111111111111,1",
		"m101000,-1", "M101000,2:0", "M101000,2:zzzz", "M101000,1:0000", "M101000,1",
		"M101000:00", "X101000,2:a", "X101000:", "X101000,1:}", "Mzz,1:00", "M,1:00",
		"Z0", "Z0,101000", "Z0,101000,2", "Z0,101000,0", "Z1,101000,0", "Z1,101000,4",
		"Z2,108000,0", "Z2,108000,21", "Z4,108000,0", "Z2,ffffffffffffffff,2",
		"z0,zz,1", "Z0,101000,1;X1,0", "Zz,101000,1", "Z0,,1", "Z", "z", "Z1,1,1,1",
		"p", "pzz", "p41", "p1000", "p-1", "P10=", "P10=00", "P10=zzzzzzzzzzzzzzzz",
		"P12=09000000", "P41=00", "P=00", "Pzz=00", "P10", "G00", "G", "g00", "gzz",
		"Hg99", "Hgzz", "Hg-1", "Hg3", "Hgp1", "Hc3", "vCont", "vCont;", "vCont;x",
		"vCont;c:99", "vCont;c:3", "vCont;Czz", "vCont;C", "vCont;t", "vCont;t:1",
		"vCont;c:1;", "vCont;c:", "vCont;c1", "vCont;S", "vCont;Szz:1", "vCont;C100",
		"c1zzz", "Czz", "C100", "S05;zz", "S05:1", "s1g", "qRcmd,zz", "qRcmd,1",
		"qRcmd,00", "qThreadExtraInfo,99", "qThreadExtraInfo,0", "qThreadExtraInfo,-1",
		"qThreadExtraInfo,", "qThreadExtraInfo,p1",
	};

	(void)data;
	for (size_t i = 0; i < G_N_ELEMENTS(pkts); i++) {
		g_test_message("%s", pkts[i]);
		assert_reply(&x->g, pkts[i], "E22");
	}
	/* a monitor command longer than 256 characters */
	{
		GString *s = g_string_new("qRcmd,");

		for (int i = 0; i < 257; i++)
			g_string_append(s, "61");
		assert_reply(&x->g, s->str, "E22");
		g_string_free(s, TRUE);
	}
	/* nothing ran, nothing changed */
	g_assert_cmphex(fvm_pc(x->f, 0), ==, FV_LOOP0);
	g_assert_cmphex(fvm_pc(x->f, 1), ==, FV_LOOP1);
	g_assert_cmpmem(model_ram(x->f->m), FV_RAM_SIZE, x->ram_before, FV_RAM_SIZE);
}

static void test_memory(struct fx *x, gconstpointer data)
{
	const uint8_t *ram = model_ram(x->f->m);
	g_autofree char *big = NULL, *code = NULL, *data0 = NULL, *end0 = NULL;
	g_autofree char *restore0 = NULL, *restore_end = NULL;

	(void)data;
	data0 = gdb_cmd(&x->g, "m108000,4");
	end0 = gdb_cmd(&x->g, "m10fffe,2");
	g_assert_cmpuint(strlen(data0), ==, 8);
	g_assert_cmpuint(strlen(end0), ==, 4);
	restore0 = g_strconcat("M108000,4:", data0, NULL);
	restore_end = g_strconcat("M10fffe,2:", end0, NULL);
	/* the code of the loop: nop 0x90, store 0x89 ..., as the model encodes them */
	code = gdb_cmd(&x->g, "m101000,1");
	g_assert_cmpstr(code, ==, "90");
	assert_reply(&x->g, "M108000,4:11223344", "OK");
	g_assert_cmpmem(ram + 0x8000, 4, "\x11\x22\x33\x44", 4);
	assert_reply(&x->g, "m108000,4", "11223344");
	assert_reply(&x->g, "m108002,2", "3344");
	assert_reply(&x->g, "X108000,0:", "OK");
	assert_reply(&x->g, "M108000,0:", "OK");
	{
		/* escaped bytes: '}' 0x7d, '#' 0x23, '$' 0x24, '*' 0x2a */
		static const char x_pkt[] = "X108000,4:}]}\x03}\x04}\x0a";

		assert_reply(&x->g, x_pkt, "OK");
		assert_reply(&x->g, "m108000,4", "7d23242a");
	}
	{
		/* binary data with a NUL in it */
		static const char x_pkt[] = "X108000,2:\0\x01";

		g_autofree char *r = gdb_cmd_len(&x->g, x_pkt, sizeof(x_pkt) - 1);

		g_assert_cmpstr(r, ==, "OK");
		assert_reply(&x->g, "m108000,2", "0001");
	}
	/* the end of guest RAM: a read stops there, a write is all or nothing */
	assert_reply(&x->g, "M10fffe,2:abcd", "OK");
	assert_reply(&x->g, "m10fffe,4", "abcd");
	assert_reply(&x->g, "M10fffe,4:11223344", "E14");
	assert_reply(&x->g, "m10fffe,2", "abcd");
	assert_reply(&x->g, "X10fffe,3:abc", "E14");
	assert_reply(&x->g, "m110000,1", "E14");
	assert_reply(&x->g, "m0,4", "E14");
	assert_reply(&x->g, "mfffff,4", "E14");
	assert_reply(&x->g, "m8000000000000000,1", "E14");
	assert_reply(&x->g, "mffffffffffffffff,2", "E14");
	assert_reply(&x->g, "mfffffffffffffff0,10", "E14");
	assert_reply(&x->g, "Mffffffffffffffff,2:0000", "E14");
	assert_reply(&x->g, "M0,1:00", "E14");
	assert_reply(&x->g, "X110000,1:\x01", "E14");
	/* lengths past what a packet holds */
	assert_reply(&x->g, "m101000,2001", "E22");
	assert_reply(&x->g, "m101000,ffffffff", "E22");
	assert_reply(&x->g, "M101000,ffffffff:00", "E22");
	assert_reply(&x->g, "X101000,ffffffffffffffff:", "E22");
	assert_reply(&x->g, "m0,ffffffffffffffff", "E22");
	big = gdb_cmd(&x->g, "m100000,2000");
	g_assert_cmpuint(strlen(big), ==, 0x4000);
	/* zero bytes, read */
	assert_reply(&x->g, "m101000,0", "");
	assert_reply(&x->g, restore0, "OK");
	assert_reply(&x->g, restore_end, "OK");
	g_assert_cmpmem(ram, FV_RAM_SIZE, x->ram_before, FV_RAM_SIZE);
}

static void test_registers(struct fx *x, gconstpointer data)
{
	g_autofree char *g0 = expected_g(0, FV_LOOP0), *g1 = expected_g(1, FV_LOOP1);
	g_autofree char *g_again = NULL, *changed = NULL;
	struct fcpu *c0 = &x->f->cpu[0];

	(void)data;
	assert_reply(&x->g, "g", g0);
	g_assert_cmpuint(strlen(g0), ==, 2 * 600);
	assert_reply(&x->g, "Hg2", "OK");
	assert_reply(&x->g, "g", g1);
	assert_reply(&x->g, "Hg1", "OK");
	assert_reply(&x->g, "p10", le64(FV_LOOP0));
	assert_reply(&x->g, "p6", le64(0x1000));
	assert_reply(&x->g, "p11", "02000000");
	assert_reply(&x->g, "p12", "08000000");
	assert_reply(&x->g, "p3b", le64(0x80010033));
	assert_reply(&x->g, "p40", le64(0x500));
	/* writing what is there writes nothing */
	g_again = g_strconcat("G", g0, NULL);
	assert_reply(&x->g, g_again, "OK");
	g_assert_cmpuint(atomic_load(&c0->set_regs) + atomic_load(&c0->set_sregs) +
				 atomic_load(&c0->set_fpu),
			 ==, 0);
	assert_reply(&x->g, "P12=08000000", "OK");
	g_assert_cmpuint(atomic_load(&c0->set_sregs), ==, 0);
	/* a segment selector cannot change: nothing of the G is written */
	changed = g_strdup(g_again);
	memcpy(changed + 1, le64(0x1234), 16); /* rax */
	memcpy(changed + 1 + 2 * (17 * 8 + 4), "09000000", 8); /* cs */
	assert_reply(&x->g, changed, "E22");
	assert_reply(&x->g, "p0", le64(0));
	g_assert_cmpuint(atomic_load(&c0->set_regs), ==, 0);
	/* a G that changes rax: one KVM_SET_REGS */
	memcpy(changed + 1 + 2 * (17 * 8 + 4), "08000000", 8);
	assert_reply(&x->g, changed, "OK");
	assert_reply(&x->g, "p0", le64(0x1234));
	g_assert_cmpuint(atomic_load(&c0->set_regs), ==, 1);
	g_assert_cmphex(c0->regs.rax, ==, 0x1234);
	/* P of each kind: a general register, cr3, an xmm register, the x87 tag word */
	assert_reply(&x->g, "P3=efbeadde00000000", "OK");
	assert_reply(&x->g, "p3", "efbeadde00000000");
	assert_reply(&x->g, "P3d=0030000000000000", "OK");
	g_assert_cmphex(c0->sregs.cr3, ==, 0x3000);
	assert_reply(&x->g, "P28=000102030405060708090a0b0c0d0e0f", "OK");
	assert_reply(&x->g, "p28", "000102030405060708090a0b0c0d0e0f");
	assert_reply(&x->g, "P22=f0ff0000", "OK"); /* ftag: two registers in use */
	g_assert_cmphex(c0->fpu.ftwx, ==, 0x03);
	/* eflags keeps bit 1 */
	assert_reply(&x->g, "P11=00020000", "OK");
	assert_reply(&x->g, "p11", "02020000");
	/* rip: the vCPU is elsewhere now */
	assert_reply(&x->g, "P10=0510100000000000", "OK");
	g_assert_cmphex(fvm_pc(x->f, 0), ==, FV_L0_NOP2);
	assert_reply(&x->g, "p10", le64(FV_L0_NOP2));
	/* the other vCPU is untouched */
	assert_reply(&x->g, "Hg2", "OK");
	assert_reply(&x->g, "g", g1);
}

static void test_framing(struct fx *x, gconstpointer data)
{
	g_autofree char *stop = gdb_cmd(&x->g, "?");
	char *r;

	(void)data;
	gdb_send_raw(&x->g, "$?#00", 5);
	g_assert_cmpint(gdb_read_byte(&x->g, 5000), ==, '-');
	g_assert_true(gdb_quiet(&x->g, 200));
	gdb_send_raw(&x->g, "$?#zz", 5);
	g_assert_cmpint(gdb_read_byte(&x->g, 5000), ==, '-');
	gdb_send_raw(&x->g, "$?#3g", 5);
	g_assert_cmpint(gdb_read_byte(&x->g, 5000), ==, '-');
	assert_reply(&x->g, "?", stop);
	/* '-' from gdb: the last packet again */
	gdb_send_raw(&x->g, "-", 1);
	r = gdb_read_packet(&x->g, 5000);
	g_assert_cmpstr(r, ==, stop);
	g_free(r);
	/* a packet longer than PacketSize: acked, refused with E90 (EMSGSIZE) */
	{
		char *longpkt = g_malloc(20001);

		memset(longpkt, 'm', 20000);
		gdb_send_packet(&x->g, longpkt, 20000);
		g_free(longpkt);
		g_assert_cmpint(gdb_read_byte(&x->g, 5000), ==, '+');
		r = gdb_read_packet(&x->g, 5000);
		g_assert_cmpstr(r, ==, "E90");
		g_free(r);
	}
	/* exactly PacketSize bytes are fine */
	{
		char *pkt = g_malloc(0x4000);

		memset(pkt, 'q', 0x4000);
		r = gdb_cmd_len(&x->g, pkt, 0x4000);
		g_assert_cmpstr(r, ==, "");
		g_free(r);
		g_free(pkt);
	}
	/* a '$' inside a packet starts a new one */
	gdb_send_raw(&x->g, "$m101000,4$?#3f", 15);
	g_assert_cmpint(gdb_read_byte(&x->g, 5000), ==, '+');
	r = gdb_read_packet(&x->g, 5000);
	g_assert_cmpstr(r, ==, stop);
	g_free(r);
	/* Ctrl-C while stopped: nothing to interrupt */
	gdb_send_raw(&x->g, "\x03", 1);
	g_assert_true(gdb_quiet(&x->g, 200));
	/* junk between packets */
	{
		GRand *rand = g_rand_new_with_seed(7);
		GString *junk = g_string_new(NULL);

		for (int i = 0; i < 20000; i++) {
			char b = (char)g_rand_int_range(rand, 0, 256);

			/* a '$' would start a packet, a '-' ask for the last one again */
			if (b != '$' && b != '-')
				g_string_append_c(junk, b);
		}
		gdb_send_raw(&x->g, junk->str, junk->len);
		g_string_free(junk, TRUE);
		g_rand_free(rand);
	}
	assert_reply(&x->g, "?", stop);
	/* acknowledgements off */
	assert_reply(&x->g, "QStartNoAckMode", "OK");
	x->g.noack = true;
	assert_reply(&x->g, "?", stop);
	gdb_send_raw(&x->g, "$?#00", 5);
	g_assert_true(gdb_quiet(&x->g, 200));
	gdb_send_raw(&x->g, "-", 1);
	g_assert_true(gdb_quiet(&x->g, 200));
	assert_reply(&x->g, "m101000,1", "90");
	g_assert_cmpmem(model_ram(x->f->m), FV_RAM_SIZE, x->ram_before, FV_RAM_SIZE);
}

/*
 * Regression: on a serial line (vm tier, kvm-gdbstub --serial) the stub cannot see gdb's
 * 'disconnect', and the session stays in the no-ack mode the first gdb asked for.  A second
 * gdb starts with acknowledgements on: it sends '+' and qSupported, and waited for a '+' that
 * never came ("Remote replied unexpectedly to 'vMustReplyEmpty': timeout").  qSupported opens
 * every gdb session, so it turns acknowledgements back on.
 */
static void test_noack_new_gdb(struct fx *x, gconstpointer data)
{
	g_autofree char *stop = gdb_cmd(&x->g, "?");
	char *r;

	(void)data;
	assert_reply(&x->g, "QStartNoAckMode", "OK");
	x->g.noack = true;
	assert_reply(&x->g, "?", stop);
	/* the first gdb goes without a word; a second one connects on the same line */
	x->g.noack = false;
	gdb_send_raw(&x->g, "+", 1);
	assert_reply(&x->g, "qSupported:multiprocess+;swbreak+;hwbreak+",
		     "PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+");
	/* acknowledged both ways from here on: a bad checksum is refused with '-' */
	assert_reply(&x->g, "vMustReplyEmpty", "");
	gdb_send_raw(&x->g, "$?#00", 5);
	g_assert_cmpint(gdb_read_byte(&x->g, 5000), ==, '-');
	assert_reply(&x->g, "?", stop);
	/* and it may ask for no-ack mode again */
	assert_reply(&x->g, "QStartNoAckMode", "OK");
	x->g.noack = true;
	gdb_send_raw(&x->g, "$?#00", 5);
	g_assert_true(gdb_quiet(&x->g, 200));
	r = gdb_cmd(&x->g, "?");
	g_assert_cmpstr(r, ==, stop);
	g_free(r);
}

/* Thousands of random packets that neither run, write nor end the guest: all answered. */
static void test_random(struct fx *x, gconstpointer data)
{
	static const char first[] = "mgpqHTZz?QvOxyabde";
	GRand *rand = g_rand_new_with_seed(11);
	g_autofree char *g0 = gdb_cmd(&x->g, "g"), *g1 = NULL, *after0 = NULL, *after1 = NULL;
	unsigned int answered = 0;

	(void)data;
	assert_reply(&x->g, "Hg2", "OK");
	g1 = gdb_cmd(&x->g, "g");
	for (int n = 0; n < 3000; n++) {
		GString *pkt = g_string_new(NULL);
		char *r;

		g_string_append_c(pkt, first[g_rand_int_range(rand, 0, sizeof(first) - 1)]);
		if (n % 3 == 0) {
			int count = g_rand_int_range(rand, 1, 4);

			for (int i = 0; i < count; i++) {
				static const int bits[] = { 4, 16, 64, 68 };
				int b = bits[g_rand_int_range(rand, 0, 4)];

				g_string_append_printf(pkt, "%s", i ? "," : "");
				for (int d = 0; d < b / 4; d++)
					g_string_append_c(pkt, "0123456789abcdef"[g_rand_int_range(
								       rand, 0, 16)]);
			}
		} else {
			int len = g_rand_int_range(rand, 0, 40);

			for (int i = 0; i < len; i++) {
				char c = (char)g_rand_int_range(rand, 32, 127);

				if (!strchr("$#}*", c))
					g_string_append_c(pkt, c);
			}
		}
		/* the packets that run or kill the guest, or turn acks off */
		if (g_str_has_prefix(pkt->str, "vCont") || g_str_has_prefix(pkt->str, "vKill") ||
		    g_str_has_prefix(pkt->str, "QStartNoAck")) {
			g_string_free(pkt, TRUE);
			continue;
		}
		r = gdb_cmd_len(&x->g, pkt->str, pkt->len);
		g_assert_nonnull(r);
		g_free(r);
		g_string_free(pkt, TRUE);
		answered++;
	}
	for (int n = 0; n < 1000; n++) {
		uint8_t payload[64];
		size_t len = 0;
		int want = g_rand_int_range(rand, 1, 64);
		char *r;

		for (int i = 0; i < want; i++) {
			uint8_t b = (uint8_t)g_rand_int_range(rand, 0, 256);

			if (b != '$' && b != '#')
				payload[len++] = b;
		}
		if (!len || strchr("csCSDkGPMXvQ", payload[0]))
			continue;
		r = gdb_cmd_len(&x->g, payload, len);
		g_assert_nonnull(r);
		g_free(r);
		answered++;
	}
	g_test_message("%u random packets answered", answered);
	g_assert_cmpuint(answered, >, 3000);
	/* points the random Z packets inserted went with z or stay gdb's: take them out */
	gdb_fini(&x->g);
	g_assert_cmpint(fvm_serve_end(x->f), ==, KVMDBG_GDBSERVER_END_DISCONNECTED);
	gdb_init(&x->g, fvm_serve(x->f));
	g_assert_cmpint(kvmdbg_vm_get_point_count(x->f->vm), ==, 0);
	assert_reply(&x->g, "Hg1", "OK");
	after0 = gdb_cmd(&x->g, "g");
	g_assert_cmpstr(after0, ==, g0);
	assert_reply(&x->g, "Hg2", "OK");
	after1 = gdb_cmd(&x->g, "g");
	g_assert_cmpstr(after1, ==, g1);
	g_assert_cmpmem(model_ram(x->f->m), FV_RAM_SIZE, x->ram_before, FV_RAM_SIZE);
	g_assert_cmphex(fvm_pc(x->f, 0), ==, FV_LOOP0);
	g_assert_cmphex(fvm_pc(x->f, 1), ==, FV_LOOP1);
	g_rand_free(rand);
}

static void test_points(struct fx *x, gconstpointer data)
{
	const uint8_t *ram = model_ram(x->f->m);
	g_autofree char *out = NULL;

	(void)data;
	/* with no probe, the kernel's word is taken: Z0 is a software breakpoint */
	g_assert_cmpint(kvmdbg_gdbserver_get_break_type(x->f->srv), ==, KVMDBG_POINT_SW_BREAK);
	assert_reply(&x->g, "Z0,101005,1", "OK");
	g_assert_cmphex(ram[0x1005], ==, 0xcc);
	/* gdb sees the byte under it, and a write over it keeps the breakpoint */
	assert_reply(&x->g, "m101005,2", "9090");
	assert_reply(&x->g, "M101005,1:91", "OK");
	g_assert_cmphex(ram[0x1005], ==, 0xcc);
	assert_reply(&x->g, "m101005,1", "91");
	assert_reply(&x->g, "Z0,101005,1", "OK"); /* again: fine */
	g_assert_cmpint(kvmdbg_vm_get_point_count(x->f->vm), ==, 1);
	assert_reply(&x->g, "z0,101005,1", "OK");
	g_assert_cmphex(ram[0x1005], ==, 0x91);
	assert_reply(&x->g, "z0,101005,1", "OK"); /* not there: fine */
	assert_reply(&x->g, "M101005,1:90", "OK");
	/* hardware breakpoints: four slots */
	assert_reply(&x->g, "Z1,101000,1", "OK");
	assert_reply(&x->g, "Z1,101000,1", "OK");
	assert_reply(&x->g, "Z1,101001,1", "OK");
	assert_reply(&x->g, "Z1,101005,1", "OK");
	assert_reply(&x->g, "Z1,101006,1", "OK");
	assert_reply(&x->g, "Z1,101007,1", "E28");
	g_assert_cmpint(kvmdbg_vm_get_point_count(x->f->vm), ==, 4);
	assert_reply(&x->g, "z1,101001,1", "OK");
	/* watchpoints take slots too, a piece each */
	assert_reply(&x->g, "Z2,108000,4", "OK");
	assert_reply(&x->g, "Z4,108000,2", "E28");
	assert_reply(&x->g, "z2,108000,4", "OK");
	assert_reply(&x->g, "Z4,108001,2", "E28"); /* two pieces, one slot: nothing inserted */
	g_assert_cmpint(kvmdbg_vm_get_point_count(x->f->vm), ==, 3);
	assert_reply(&x->g, "Z4,108000,2", "OK");
	g_assert_cmpint(kvmdbg_vm_get_point_count(x->f->vm), ==, 4);
	assert_reply(&x->g, "z4,108000,2", "OK");
	assert_reply(&x->g, "Z2,108000,20", "E28"); /* 32 bytes, four pieces */
	assert_reply(&x->g, "Z2,108000,21", "E22"); /* 33: more than four pieces */
	/* x86 cannot watch reads only: "not supported", gdb asks for Z4 then */
	assert_reply(&x->g, "Z3,108000,4", "");
	assert_reply(&x->g, "z1,101000,1", "OK");
	assert_reply(&x->g, "z1,101005,1", "OK");
	assert_reply(&x->g, "z1,101006,1", "OK");
	g_assert_cmpint(kvmdbg_vm_get_point_count(x->f->vm), ==, 0);
	/* what the monitor says about them */
	assert_reply(&x->g, "Z0,101005,1", "OK");
	assert_reply(&x->g, "Z2,108000,8", "OK");
	assert_reply(&x->g, "qRcmd,706f696e7473", "OK"); /* points */
	out = gdb_take_output(&x->g);
	g_assert_cmpstr(out, ==,
			"  break at 0x101005, 1 byte, inserted (software breakpoint)\n"
			"  watch at 0x108000, 8 bytes, inserted (watchpoint)\n");
	/* gdb leaves: its points go */
	gdb_fini(&x->g);
	g_assert_cmpint(fvm_serve_end(x->f), ==, KVMDBG_GDBSERVER_END_DISCONNECTED);
	g_assert_cmpint(kvmdbg_vm_get_point_count(x->f->vm), ==, 0);
	g_assert_cmpmem(ram, FV_RAM_SIZE, x->ram_before, FV_RAM_SIZE);
	gdb_init(&x->g, fvm_serve(x->f));
}

static void test_point_modes(struct fx *x, gconstpointer data)
{
	(void)data;
	/* the modes are set before serving; a new fixture's server has not started yet */
	gdb_fini(&x->g);
	g_assert_cmpint(fvm_serve_end(x->f), ==, KVMDBG_GDBSERVER_END_DISCONNECTED);
	g_assert_cmpint(kvmdbg_gdbserver_set_break_mode(x->f->srv, KVMDBG_GDBSERVER_BREAK_HARDWARE),
			==, 0);
	g_assert_cmpint(kvmdbg_gdbserver_set_watch_mode(x->f->srv, KVMDBG_GDBSERVER_WATCH_OFF), ==,
			0);
	g_assert_cmpint(kvmdbg_gdbserver_get_break_type(x->f->srv), ==, KVMDBG_POINT_HW_BREAK);
	gdb_init(&x->g, fvm_serve(x->f));
	/* Z0 takes a slot now, and shares it with a Z1 at the same address */
	assert_reply(&x->g, "Z0,101005,1", "OK");
	g_assert_cmphex(model_ram(x->f->m)[0x1005], ==, 0x90);
	assert_reply(&x->g, "Z1,101005,1", "OK");
	g_assert_cmpint(kvmdbg_vm_get_point_count(x->f->vm), ==, 1);
	assert_reply(&x->g, "z0,101005,1", "OK");
	g_assert_cmpint(kvmdbg_vm_get_point_count(x->f->vm), ==, 1);
	assert_reply(&x->g, "z1,101005,1", "OK");
	g_assert_cmpint(kvmdbg_vm_get_point_count(x->f->vm), ==, 0);
	assert_reply(&x->g, "Z2,108000,4", "E19");
	assert_reply(&x->g, "Z4,108000,4", "E19");
	assert_reply(&x->g, "Z3,108000,4", "E19");
	g_assert_nonnull(strstr(x->f->log->str,
				"Z2 at 0x108000 refused: the VMM turned hardware watchpoints off"));
	g_assert_cmpint(kvmdbg_gdbserver_set_break_mode(x->f->srv, 3), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_set_watch_mode(x->f->srv, -1), ==, -EINVAL);
}

static int vmm_monitor(void *data, const char *command, char *out, size_t size)
{
	(void)data;
	if (!strcmp(command, "help"))
		return snprintf(out, size, "  reset     the VMM's own\n") > 0;
	if (!strcmp(command, "reset"))
		return snprintf(out, size, "reset: not today\n") > 0;
	if (!strcmp(command, "fail"))
		return -EPERM;
	return 0;
}

static void test_monitor(struct fx *x, gconstpointer data)
{
	g_autofree char *info = NULL, *help = NULL, *vmm = NULL, *unknown = NULL, *vcpus = NULL;
	g_autofree char *hex = NULL, *pkt = NULL;

	(void)data;
	assert_reply(&x->g, "qRcmd,696e666f", "OK"); /* info */
	info = gdb_take_output(&x->g);
	g_test_message("%s", info);
	g_assert_nonnull(strstr(info, "libkvmdbg 0.2.0, 2 vCPUs\n"));
	g_assert_nonnull(
		strstr(info, "  single-step: accepted by the kernel (delivery not probed)"));
	g_assert_nonnull(strstr(info, "  hardware breakpoints: accepted by the kernel (delivery "
				      "not probed), 4 slots\n"));
	g_assert_nonnull(strstr(info, "  read watchpoints: not offered by this kernel\n"));
	g_assert_nonnull(strstr(info, "gdb 'break' (Z0): software breakpoints\n"));
	g_assert_nonnull(strstr(info, "gdb 'rwatch' (Z3): refused, x86 cannot watch reads only\n"));
	g_assert_nonnull(strstr(info, "gdb 'awatch' (Z4): accepted\n"));
	g_assert_nonnull(strstr(info, "gdb holds no breakpoints or watchpoints\n"));
	g_assert_true(g_str_has_suffix(info, "vCPU 0 (thread 1): stopped\n"
					     "vCPU 1 (thread 2): stopped\n"));
	assert_reply(&x->g, "qRcmd,7663707573", "OK"); /* vcpus */
	vcpus = gdb_take_output(&x->g);
	g_assert_cmpstr(vcpus, ==, "vCPU 0 (thread 1): stopped\nvCPU 1 (thread 2): stopped\n");
	assert_reply(&x->g, "qRcmd,68656c70", "OK"); /* help */
	help = gdb_take_output(&x->g);
	g_assert_true(g_str_has_prefix(help, "monitor commands:\n  info "));
	hex = hex_of("frobnicate");
	pkt = g_strconcat("qRcmd,", hex, NULL);
	assert_reply(&x->g, pkt, "OK");
	unknown = gdb_take_output(&x->g);
	g_assert_true(g_str_has_prefix(unknown, "unknown monitor command 'frobnicate'\n"));
	/* the VMM's own commands */
	gdb_fini(&x->g);
	fvm_serve_end(x->f);
	kvmdbg_gdbserver_set_monitor_fn(x->f->srv, vmm_monitor, NULL);
	gdb_init(&x->g, fvm_serve(x->f));
	assert_reply(&x->g, "qRcmd,7265736574", "OK"); /* reset */
	vmm = gdb_take_output(&x->g);
	g_assert_cmpstr(vmm, ==, "reset: not today\n");
	assert_reply(&x->g, "qRcmd,6661696c", "E01"); /* fail: EPERM */
	assert_reply(&x->g, "qRcmd,68656c70", "OK");
	g_free(help);
	help = gdb_take_output(&x->g);
	g_assert_true(g_str_has_suffix(help, "  help      this text\n  reset     the VMM's own\n"));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn)                                                                        \
	g_test_add("/gdbserver/protocol/" path, struct fx, NULL, fx_setup, fn, fx_teardown)
	ADD("initial-stop", test_initial_stop);
	ADD("queries", test_queries);
	ADD("target-xml", test_target_xml);
	ADD("empty-replies", test_empty_replies);
	ADD("malformed", test_malformed);
	ADD("memory", test_memory);
	ADD("registers", test_registers);
	ADD("framing", test_framing);
	ADD("noack-new-gdb", test_noack_new_gdb);
	ADD("random", test_random);
	ADD("points", test_points);
	ADD("point-modes", test_point_modes);
	ADD("monitor", test_monitor);
	return g_test_run();
}
