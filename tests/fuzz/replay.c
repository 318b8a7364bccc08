/*
 * Replays a fuzz corpus as an ordinary TAP test (SQLite's fuzzcheck idea):
 * each file is fed to LLVMFuzzerTestOneInput once; a crash, a sanitizer
 * report or an abort fails the suite.
 *
 *   replay DIR...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	size_t total = 0;

	for (int i = 1; i < argc; i++) {
		size_t n;
		char **names = tap_list_dir(argv[i], &n);

		if (names == NULL) {
			printf("Bail out! cannot open %s\n", argv[i]);
			return 1;
		}
		for (size_t k = 0; k < n; k++) {
			char path[4096];
			size_t len;
			uint8_t *buf;

			snprintf(path, sizeof(path), "%s/%s", argv[i],
			    names[k]);
			free(names[k]);
			/* a file the fuzzer removed meanwhile is skipped */
			buf = (uint8_t *)tap_slurp(path, &len);
			if (buf == NULL)
				continue;
			LLVMFuzzerTestOneInput(buf, len);
			total++;
			free(buf);
		}
		free(names);
	}
	ok(total > 0,
	    "replayed %zu corpus inputs without a crash or a "
	    "sanitizer report",
	    total);
	return tap_done();
}
