/* SPDX-License-Identifier: MIT */
/*
 * Corpus replay without libFuzzer: feeds every file of the directory given
 * as argv[1] to LLVMFuzzerTestOneInput() and prints TAP, so that `make check`
 * runs each fuzz target over its corpus (and every committed crash) with gcc.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_strv_free_ char **names = NULL;
	struct dirent *de;
	size_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS-DIRECTORY\n", argv[0]);
		return 2;
	}
	d = opendir(argv[1]);
	if (!d) {
		fprintf(stderr, "cannot open '%s': %s\n", argv[1], strerror(errno));
		return 1;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && strv_extend(&names, de->d_name) < 0)
			return 1;
	n = strv_length(names);
	if (n > 0)
		qsort(names, n, sizeof(char *), name_cmp);
	printf("1..%zu\n", n);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *path = strdup_printf("%s/%s", argv[1], names[i]);
		_cleanup_fclose_ FILE *f = NULL;
		_cleanup_free_ char *buf = NULL;
		size_t len = 0, cap = 0, got;

		if (!path)
			return 1;
		f = fopen(path, "re");
		if (!f) {
			printf("not ok %zu - %s # cannot open: %s\n", i + 1, names[i],
			       strerror(errno));
			continue;
		}
		/* Read by length: crash inputs may contain NUL bytes. */
		do {
			char *nb;

			if (cap - len < 4096) {
				cap = cap ? cap * 2 : 8192;
				nb = realloc(buf, cap);
				if (!nb)
					return 1;
				buf = nb;
			}
			got = fread(buf + len, 1, cap - len, f);
			len += got;
		} while (got > 0);
		LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
		printf("ok %zu - %s\n", i + 1, names[i]);
		fflush(stdout);
	}
	return 0;
}
