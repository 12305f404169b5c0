// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Tables, printed at the end: as aligned text, and with --markdown also as Markdown ready for
 * the README.  Number formatting lives here too.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define MAX_COLS 10
#define MAX_TABLES 16

struct table {
	char *title;
	int ncols;
	char *head[MAX_COLS];
	char ***rows;
	int nrows;
	char **notes;
	int nnotes;
	bool left;
};

static struct table *tables[MAX_TABLES];
static int ntables;

static char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d)
		abort();
	return d;
}

struct table *table_new(const char *title, int ncols, ...)
{
	struct table *t = calloc(1, sizeof(*t));
	va_list ap;

	if (!t || ncols > MAX_COLS || ntables == MAX_TABLES)
		abort();
	t->title = xstrdup(title);
	t->ncols = ncols;
	va_start(ap, ncols);
	for (int i = 0; i < ncols; i++)
		t->head[i] = xstrdup(va_arg(ap, const char *));
	va_end(ap);
	tables[ntables++] = t;
	return t;
}

void table_left(struct table *t)
{
	t->left = true;
}

void table_row(struct table *t, ...)
{
	char **row = calloc((size_t)t->ncols, sizeof(*row));
	va_list ap;

	t->rows = realloc(t->rows, (size_t)(t->nrows + 1) * sizeof(*t->rows));
	if (!row || !t->rows)
		abort();
	va_start(ap, t);
	for (int i = 0; i < t->ncols; i++)
		row[i] = xstrdup(va_arg(ap, const char *));
	va_end(ap);
	t->rows[t->nrows++] = row;
}

void table_note(struct table *t, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	t->notes = realloc(t->notes, (size_t)(t->nnotes + 1) * sizeof(*t->notes));
	if (!t->notes)
		abort();
	t->notes[t->nnotes++] = s;
}

/* Display width of UTF-8 text: count everything but continuation bytes. */
static int width(const char *s)
{
	int w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void pad(int n)
{
	while (n-- > 0)
		putchar(' ');
}

static void print_text(const struct table *t)
{
	int w[MAX_COLS];

	for (int c = 0; c < t->ncols; c++) {
		w[c] = width(t->head[c]);
		for (int r = 0; r < t->nrows; r++)
			if (width(t->rows[r][c]) > w[c])
				w[c] = width(t->rows[r][c]);
	}
	printf("\n== %s ==\n", t->title);
	for (int c = 0; c < t->ncols; c++) {
		printf("%s%s", c ? "  " : "", t->head[c]);
		if (c + 1 < t->ncols)
			pad(w[c] - width(t->head[c]));
	}
	if (t->ncols)
		putchar('\n');
	for (int r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			const char *s = t->rows[r][c];

			/* first column left, figures right */
			if (c == 0 || t->left) {
				printf("%s%s", c ? "  " : "", s);
				if (c + 1 < t->ncols)
					pad(w[c] - width(s));
			} else {
				printf("  ");
				pad(w[c] - width(s));
				printf("%s", s);
			}
		}
		putchar('\n');
	}
	for (int i = 0; i < t->nnotes; i++)
		printf("  * %s\n", t->notes[i]);
}

static void md_cell(const char *s)
{
	/* a pipe would end the cell */
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", stdout);
		else
			putchar(*s);
	}
}

static void print_md(const struct table *t)
{
	printf("\n**%s**\n\n", t->title);
	if (!t->ncols)
		goto notes;
	putchar('|');
	for (int c = 0; c < t->ncols; c++) {
		putchar(' ');
		md_cell(t->head[c]);
		printf(" |");
	}
	printf("\n|");
	for (int c = 0; c < t->ncols; c++)
		printf("%s|", c && !t->left ? "---:" : "---");
	putchar('\n');
	for (int r = 0; r < t->nrows; r++) {
		putchar('|');
		for (int c = 0; c < t->ncols; c++) {
			putchar(' ');
			md_cell(t->rows[r][c]);
			printf(" |");
		}
		putchar('\n');
	}
	if (t->nnotes)
		putchar('\n');
notes:
	for (int i = 0; i < t->nnotes; i++) {
		printf("- ");
		md_cell(t->notes[i]);
		putchar('\n');
	}
}

void tables_print(const char *machine_text, const char *machine_md)
{
	fputs(machine_text, stdout);
	for (int i = 0; i < ntables; i++)
		print_text(tables[i]);
	if (!opts.markdown)
		return;
	printf("\n---- markdown ----\n\n%s", machine_md);
	for (int i = 0; i < ntables; i++)
		print_md(tables[i]);
}

/* ---- formatting ---------------------------------------------------------------------------- */

static char *slot(void)
{
	static char bufs[64][48];
	static unsigned int next;

	return bufs[next++ % 64];
}

const char *fmt_time(double ns)
{
	char *b = slot();

	if (isnan(ns))
		return "-";
	if (ns < 100)
		snprintf(b, 48, "%.1f ns", ns);
	else if (ns < 1e4)
		snprintf(b, 48, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(b, 48, "%.1f µs", ns / 1e3);
	else if (ns < 1e9)
		snprintf(b, 48, "%.1f ms", ns / 1e6);
	else
		snprintf(b, 48, "%.2f s", ns / 1e9);
	return b;
}

const char *fmt_ratio(double r)
{
	char *b = slot();

	if (isnan(r) || isinf(r))
		return "-";
	if (r < 10)
		snprintf(b, 48, "%.3f", r);
	else if (r < 1000)
		snprintf(b, 48, "%.1f", r);
	else
		snprintf(b, 48, "%.0f", r);
	return b;
}

const char *fmt_num(double v, int decimals)
{
	char *b = slot();

	if (isnan(v))
		return "-";
	snprintf(b, 48, "%.*f", decimals, v);
	return b;
}

const char *fmt_int(long v)
{
	char *b = slot();

	snprintf(b, 48, "%ld", v);
	return b;
}

const char *fmt_pow10(long n)
{
	char *b = slot();
	int e = 0;
	long m = n;

	while (m >= 10 && m % 10 == 0) {
		m /= 10;
		e++;
	}
	if (m == 1 && e >= 3)
		snprintf(b, 48, "10^%d", e);
	else
		snprintf(b, 48, "%ld", n);
	return b;
}
