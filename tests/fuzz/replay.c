// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The main() of a fuzz target outside libFuzzer: run LLVMFuzzerTestOneInput() once over every
 * file named on the command line, or in a directory named there (in name order), and print one
 * TAP line per file.  A failed check in the target aborts, which fails the test; so does a
 * sanitizer report in a sanitized build.  Suite fuzz-replay runs the seed corpora this way in
 * every build, with any compiler.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

struct names {
	char **v;
	size_t n, cap;
};

static void add_name(struct names *names, char *path)
{
	if (names->n == names->cap) {
		names->cap = names->cap ? 2 * names->cap : 64;
		names->v = realloc(names->v, names->cap * sizeof(*names->v));
		if (!names->v) {
			perror("realloc");
			exit(1);
		}
	}
	names->v[names->n++] = path;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect(struct names *names, const char *arg)
{
	struct stat st;
	DIR *dir;
	struct dirent *de;

	if (stat(arg, &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", arg, strerror(errno));
		exit(1);
	}
	if (!S_ISDIR(st.st_mode)) {
		add_name(names, strdup(arg));
		return;
	}
	dir = opendir(arg);
	if (!dir) {
		fprintf(stderr, "replay: %s: %s\n", arg, strerror(errno));
		exit(1);
	}
	while ((de = readdir(dir))) {
		char *path;

		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&path, "%s/%s", arg, de->d_name) < 0) {
			perror("asprintf");
			exit(1);
		}
		add_name(names, path);
	}
	closedir(dir);
}

static uint8_t *read_file(const char *path, size_t *ret_size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t size = 0, cap = 0, got;

	if (!f)
		return NULL;
	do {
		if (size == cap) {
			cap = cap ? 2 * cap : 4096;
			buf = realloc(buf, cap);
			if (!buf) {
				fclose(f);
				return NULL;
			}
		}
		got = fread(buf + size, 1, cap - size, f);
		size += got;
	} while (got);
	fclose(f);
	*ret_size = size;
	return buf;
}

int main(int argc, char **argv)
{
	struct names names = { 0 };
	int ret = 0;

	for (int i = 1; i < argc; i++)
		collect(&names, argv[i]);
	if (!names.n) {
		printf("1..0 # SKIP no corpus files\n");
		return 0;
	}
	qsort(names.v, names.n, sizeof(*names.v), cmp_names);
	printf("1..%zu\n", names.n);
	for (size_t i = 0; i < names.n; i++) {
		size_t size = 0;
		uint8_t *data = read_file(names.v[i], &size);

		if (!data) {
			printf("not ok %zu %s # cannot read: %s\n", i + 1, names.v[i],
			       strerror(errno));
			free(names.v[i]);
			ret = 1;
			continue;
		}
		/* a failure aborts in here: the line below is never printed for it */
		fflush(stdout);
		LLVMFuzzerTestOneInput(data, size);
		printf("ok %zu %s (%zu bytes)\n", i + 1, names.v[i], size);
		free(data);
		free(names.v[i]);
	}
	free(names.v);
	return ret;
}
