/*
 * Replays a fuzz corpus as an ordinary TAP test (SQLite's fuzzcheck idea):
 * each file is fed to LLVMFuzzerTestOneInput once; a crash, a sanitizer
 * report or an abort fails the suite.
 *
 *   replay DIR...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	size_t total = 0;

	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		struct dirent *e;
		char **names = NULL;
		size_t n = 0, cap = 0;

		if (d == NULL) {
			printf("Bail out! cannot open %s\n", argv[i]);
			return 1;
		}
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				names = realloc(names, cap * sizeof(*names));
			}
			names[n++] = strdup(e->d_name);
		}
		closedir(d);
		qsort(names, n, sizeof(*names), by_name);
		for (size_t k = 0; k < n; k++) {
			char path[4096];
			FILE *fp;
			uint8_t *buf;
			long len;

			snprintf(path, sizeof(path), "%s/%s", argv[i],
			    names[k]);
			fp = fopen(path, "rb");
			free(names[k]);
			if (fp == NULL)
				continue;
			fseek(fp, 0, SEEK_END);
			len = ftell(fp);
			fseek(fp, 0, SEEK_SET);
			buf = malloc((size_t)len + 1);
			if (buf &&
			    fread(buf, 1, (size_t)len, fp) == (size_t)len) {
				LLVMFuzzerTestOneInput(buf, (size_t)len);
				total++;
			}
			free(buf);
			fclose(fp);
		}
		free(names);
	}
	ok(total > 0,
	    "replayed %zu corpus inputs without a crash or a "
	    "sanitizer report",
	    total);
	return tap_done();
}
