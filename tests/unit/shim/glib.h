/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A stand-in for the part of GLib the unit tests use, for targets Debian 12 has no GLib for
 * (ppc64 big-endian, riscv64).  Built only with -Dglib_shim=true: the same test sources then
 * compile against this header and print TAP the way g_test does (one "ok N path" line per
 * case; a failed assertion prints "not ok", the assertion and "Bail out!", then aborts).
 *
 * Only what the tests call is here, with GLib's meaning: assertions compare as gint64,
 * guint64 or bytes exactly like GLib's; tests run in the order they were added; there are no
 * subprocess traps (a test that needs one cannot use the stand-in).
 */
#ifndef KVMDBG_TEST_GLIB_SHIM_H
#define KVMDBG_TEST_GLIB_SHIM_H

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int gboolean;
typedef int gint;
typedef unsigned int guint;
typedef int32_t gint32;
typedef uint32_t guint32;
typedef int64_t gint64;
typedef uint64_t guint64;
typedef uint8_t guint8;
typedef size_t gsize;
typedef char gchar;
typedef void *gpointer;
typedef const void *gconstpointer;

#define TRUE 1
#define FALSE 0

#define G_N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))
#define G_GINT64_MODIFIER "l"
#define G_GUINT64_FORMAT PRIu64
#define GPOINTER_TO_INT(p) ((gint)(intptr_t)(p))
#define GINT_TO_POINTER(i) ((gpointer)(intptr_t)(i))

#if defined(__GNUC__)
#define SHIM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define SHIM_NORETURN __attribute__((noreturn))
#define SHIM_UNUSED __attribute__((unused))
#else
#define SHIM_PRINTF(f, a)
#define SHIM_NORETURN
#define SHIM_UNUSED
#endif

/* ---- memory and strings ---- */

static inline SHIM_UNUSED void *shim_check(void *p)
{
	if (!p) {
		fputs("Bail out! out of memory\n", stdout);
		abort();
	}
	return p;
}

#define g_malloc(n) shim_check(malloc((n) ? (n) : 1))
#define g_malloc0(n) shim_check(calloc(1, (n) ? (n) : 1))
#define g_new(type, n) ((type *)shim_check(calloc((n) ? (size_t)(n) : 1, sizeof(type))))
#define g_new0(type, n) g_new(type, n)
#define g_free(p) free(p)

static inline SHIM_UNUSED void *g_memdup2(const void *mem, size_t len)
{
	void *p = g_malloc(len);

	memcpy(p, mem, len);
	return p;
}

#define G_USEC_PER_SEC 1000000

static inline SHIM_UNUSED int64_t g_get_monotonic_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static inline SHIM_UNUSED SHIM_PRINTF(1, 2) char *g_strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return shim_check(s);
}

typedef struct {
	char *str;
	size_t len;
} GString;

static inline SHIM_UNUSED GString *g_string_new(const char *init)
{
	GString *s = shim_check(calloc(1, sizeof(*s)));

	s->str = shim_check(strdup(init ? init : ""));
	s->len = strlen(s->str);
	return s;
}

static inline SHIM_UNUSED SHIM_PRINTF(2, 3) void g_string_append_printf(GString *s,
									 const char *fmt, ...)
{
	va_list ap;
	char *add;

	va_start(ap, fmt);
	if (vasprintf(&add, fmt, ap) < 0)
		add = NULL;
	va_end(ap);
	shim_check(add);
	s->str = shim_check(realloc(s->str, s->len + strlen(add) + 1));
	memcpy(s->str + s->len, add, strlen(add) + 1);
	s->len += strlen(add);
	free(add);
}

static inline SHIM_UNUSED char *g_string_free(GString *s, gboolean free_segment)
{
	char *str = s->str;

	free(s);
	if (free_segment) {
		free(str);
		return NULL;
	}
	return str;
}

/* ---- GArray ---- */

typedef struct {
	char *data;
	guint len;
	size_t elt;
	size_t alloc;
	gboolean clear;
} GArray;

static inline SHIM_UNUSED GArray *g_array_new(gboolean zero_terminated, gboolean clear,
					      guint elt)
{
	GArray *a = shim_check(calloc(1, sizeof(*a)));

	(void)zero_terminated;
	a->elt = elt;
	a->clear = clear;
	return a;
}

static inline SHIM_UNUSED void shim_array_reserve(GArray *a, size_t n)
{
	if (n <= a->alloc)
		return;
	a->alloc = n * 2 + 8;
	a->data = shim_check(realloc(a->data, a->alloc * a->elt));
}

static inline SHIM_UNUSED GArray *g_array_set_size(GArray *a, guint len)
{
	shim_array_reserve(a, len);
	if (len > a->len && a->clear)
		memset(a->data + a->len * a->elt, 0, (len - a->len) * a->elt);
	a->len = len;
	return a;
}

static inline SHIM_UNUSED GArray *g_array_append_vals(GArray *a, const void *v, guint n)
{
	shim_array_reserve(a, a->len + n);
	memcpy(a->data + a->len * a->elt, v, n * a->elt);
	a->len += n;
	return a;
}

#define g_array_append_val(a, v) g_array_append_vals((a), &(v), 1)
#define g_array_index(a, type, i) (((type *)(void *)(a)->data)[i])

/* ---- threads ---- */

typedef struct {
	pthread_mutex_t m;
} GMutex;

/* glibc's PTHREAD_MUTEX_INITIALIZER is all zero: a static GMutex needs no init, as in GLib */
static inline SHIM_UNUSED void g_mutex_lock(GMutex *m)
{
	pthread_mutex_lock(&m->m);
}

static inline SHIM_UNUSED void g_mutex_unlock(GMutex *m)
{
	pthread_mutex_unlock(&m->m);
}

typedef gpointer (*GThreadFunc)(gpointer data);

typedef struct {
	pthread_t t;
	GThreadFunc func;
	gpointer data;
	gpointer ret;
} GThread;

/* g_thread_self() in a thread of g_thread_new() is the GThread it returned */
static __thread GThread *shim_self;

static inline SHIM_UNUSED void *shim_thread_main(void *arg)
{
	GThread *t = arg;

	shim_self = t;
	t->ret = t->func(t->data);
	return NULL;
}

static inline SHIM_UNUSED GThread *g_thread_new(const char *name, GThreadFunc func,
						gpointer data)
{
	GThread *t = shim_check(calloc(1, sizeof(*t)));

	(void)name;
	t->func = func;
	t->data = data;
	if (pthread_create(&t->t, NULL, shim_thread_main, t)) {
		fputs("Bail out! pthread_create failed\n", stdout);
		abort();
	}
	return t;
}

static inline SHIM_UNUSED gpointer g_thread_join(GThread *t)
{
	gpointer ret;

	pthread_join(t->t, NULL);
	ret = t->ret;
	free(t);
	return ret;
}

static inline SHIM_UNUSED GThread *g_thread_self(void)
{
	static __thread GThread self;

	if (shim_self)
		return shim_self;
	self.t = pthread_self();
	return &self;
}

/* ---- GRand: a fixed-seed generator (its numbers differ from GLib's, the tests don't care) */

typedef struct {
	uint64_t s;
} GRand;

static inline SHIM_UNUSED GRand *g_rand_new_with_seed(guint32 seed)
{
	GRand *r = shim_check(calloc(1, sizeof(*r)));

	r->s = seed ? seed : 1;
	return r;
}

static inline SHIM_UNUSED gint32 g_rand_int_range(GRand *r, gint32 begin, gint32 end)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return begin + (gint32)(((r->s * 0x2545f4914f6cdd1dull) >> 32) %
				(uint64_t)(end - begin));
}

#define g_rand_free(r) free(r)

/* ---- the test harness ---- */

typedef void (*GTestFunc)(void);
typedef void (*GTestFixtureFunc)(gpointer fixture, gconstpointer data);

struct shim_test {
	const char *path;
	GTestFunc func;
	size_t fixture_size;
	gconstpointer data;
	GTestFixtureFunc setup, test, teardown;
};

struct shim_state {
	struct shim_test *tests;
	size_t nr, alloc;
	size_t current; /* 1-based number of the running test, 0 outside */
	const char *skip;
	char *skip_buf;
};

/* One instance per test program: every test source includes this header once. */
static struct shim_state shim;

static inline SHIM_UNUSED void g_test_init(int *argc, char ***argv, ...)
{
	/* --tap is the only option meson passes, and TAP is all this prints */
	(void)argc;
	(void)argv;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline SHIM_UNUSED void shim_add(const char *path, GTestFunc func, size_t size,
					gconstpointer data, GTestFixtureFunc setup,
					GTestFixtureFunc test, GTestFixtureFunc teardown)
{
	if (shim.nr == shim.alloc) {
		shim.alloc = shim.alloc * 2 + 16;
		shim.tests = shim_check(realloc(shim.tests, shim.alloc * sizeof(*shim.tests)));
	}
	shim.tests[shim.nr++] = (struct shim_test){
		/* copied, as GLib does: callers build paths in buffers they reuse */
		.path = shim_check(strdup(path)), .func = func, .fixture_size = size, .data = data,
		.setup = setup, .test = test, .teardown = teardown,
	};
}

#define g_test_add_func(path, func) shim_add((path), (func), 0, NULL, NULL, NULL, NULL)
#define g_test_add(path, Fixture, tdata, fsetup, ftest, fteardown)                           \
	do {                                                                                 \
		void (*s_)(Fixture *, gconstpointer) = (fsetup);                             \
		void (*t_)(Fixture *, gconstpointer) = (ftest);                              \
		void (*d_)(Fixture *, gconstpointer) = (fteardown);                          \
		shim_add((path), NULL, sizeof(Fixture), (tdata), (GTestFixtureFunc)(void *)s_, \
			 (GTestFixtureFunc)(void *)t_, (GTestFixtureFunc)(void *)d_);         \
	} while (0)

static inline SHIM_UNUSED SHIM_PRINTF(1, 2) void g_test_message(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s) {
		/* one TAP comment per line */
		for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n"))
			printf("# %s\n", line);
		free(s);
	}
}

static inline SHIM_UNUSED void g_test_skip(const char *msg)
{
	free(shim.skip_buf);
	shim.skip_buf = shim_check(strdup(msg ? msg : ""));
	shim.skip = shim.skip_buf;
}

static inline SHIM_UNUSED int g_test_run(void)
{
	printf("TAP version 13\n1..%zu\n", shim.nr);
	for (size_t i = 0; i < shim.nr; i++) {
		struct shim_test *t = &shim.tests[i];

		shim.current = i + 1;
		shim.skip = NULL;
		if (t->func) {
			t->func();
		} else {
			void *fixture = shim_check(calloc(1, t->fixture_size));

			if (t->setup)
				t->setup(fixture, t->data);
			t->test(fixture, t->data);
			if (t->teardown)
				t->teardown(fixture, t->data);
			free(fixture);
		}
		if (shim.skip)
			printf("ok %zu %s # SKIP %s\n", i + 1, t->path, shim.skip);
		else
			printf("ok %zu %s\n", i + 1, t->path);
	}
	shim.current = 0;
	free(shim.tests);
	free(shim.skip_buf);
	return 0;
}

static inline SHIM_UNUSED SHIM_NORETURN SHIM_PRINTF(3, 4) void
shim_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (shim.current)
		printf("not ok %zu %s\n", shim.current, shim.tests[shim.current - 1].path);
	printf("# ERROR:%s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\nBail out!\n");
	fflush(stdout);
	abort();
}

#define g_error(...) shim_fail(__FILE__, __LINE__, __VA_ARGS__)

#define g_assert_true(expr)                                                                  \
	do {                                                                                 \
		if (!(expr))                                                                 \
			shim_fail(__FILE__, __LINE__, "'%s' should be TRUE", #expr);         \
	} while (0)
#define g_assert_false(expr)                                                                 \
	do {                                                                                 \
		if (expr)                                                                    \
			shim_fail(__FILE__, __LINE__, "'%s' should be FALSE", #expr);        \
	} while (0)
#define g_assert_null(expr)                                                                  \
	do {                                                                                 \
		if ((expr) != NULL)                                                          \
			shim_fail(__FILE__, __LINE__, "'%s' should be NULL", #expr);         \
	} while (0)
#define g_assert_nonnull(expr)                                                               \
	do {                                                                                 \
		if ((expr) == NULL)                                                          \
			shim_fail(__FILE__, __LINE__, "'%s' should not be NULL", #expr);     \
	} while (0)
#define g_assert_cmpint(n1, cmp, n2)                                                         \
	do {                                                                                 \
		gint64 a_ = (gint64)(n1), b_ = (gint64)(n2);                                 \
		if (!(a_ cmp b_))                                                            \
			shim_fail(__FILE__, __LINE__,                                        \
				  "assertion failed (%s %s %s): (%" PRId64 " %s %" PRId64 ")", \
				  #n1, #cmp, #n2, a_, #cmp, b_);                             \
	} while (0)
#define g_assert_cmpuint(n1, cmp, n2)                                                        \
	do {                                                                                 \
		guint64 a_ = (guint64)(n1), b_ = (guint64)(n2);                              \
		if (!(a_ cmp b_))                                                            \
			shim_fail(__FILE__, __LINE__,                                        \
				  "assertion failed (%s %s %s): (%" PRIu64 " %s %" PRIu64 ")", \
				  #n1, #cmp, #n2, a_, #cmp, b_);                             \
	} while (0)
#define g_assert_cmphex(n1, cmp, n2)                                                         \
	do {                                                                                 \
		guint64 a_ = (guint64)(n1), b_ = (guint64)(n2);                              \
		if (!(a_ cmp b_))                                                            \
			shim_fail(__FILE__, __LINE__,                                        \
				  "assertion failed (%s %s %s): (0x%08" PRIx64 " %s 0x%08"     \
				  PRIx64 ")", #n1, #cmp, #n2, a_, #cmp, b_);                 \
	} while (0)
/* g_strcmp0(): NULL sorts before every string */
static inline SHIM_UNUSED int shim_strcmp0(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

#define g_assert_cmpstr(s1, cmp, s2)                                                         \
	do {                                                                                 \
		const char *a_ = (s1), *b_ = (s2);                                           \
		if (!(shim_strcmp0(a_, b_) cmp 0))                                           \
			shim_fail(__FILE__, __LINE__,                                        \
				  "assertion failed (%s %s %s): (\"%s\" %s \"%s\")", #s1,      \
				  #cmp, #s2, a_ ? a_ : "(null)", #cmp, b_ ? b_ : "(null)");  \
	} while (0)
#define g_assert_cmpmem(m1, l1, m2, l2)                                                      \
	do {                                                                                 \
		const void *a_ = (m1), *b_ = (m2);                                           \
		size_t la_ = (size_t)(l1), lb_ = (size_t)(l2);                               \
		if (la_ != lb_)                                                              \
			shim_fail(__FILE__, __LINE__,                                        \
				  "assertion failed (len(%s) == len(%s)): (%zu == %zu)", #m1, \
				  #m2, la_, lb_);                                            \
		if (la_ && memcmp(a_, b_, la_) != 0)                                         \
			shim_fail(__FILE__, __LINE__, "assertion failed (%s == %s)", #m1,   \
				  #m2);                                                      \
	} while (0)

#endif /* KVMDBG_TEST_GLIB_SHIM_H */
