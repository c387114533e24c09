/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the mdlaunch.conf loader. The input goes through a memfd and
 * config_load_global(), which reads the file and parses it with libconfig's
 * config_read_string(). Logging is muted; no crash, leak or hang allowed.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "spec.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5 leaks the string token its scanner is building when the
 * parse fails (strbuf_append, or the token's calloc in libconfig_yylex; see
 * the libconfig-leak-* inputs of the corpus): a bug of the library, a few
 * bytes per failed load of a broken file, which config_destroy() cannot
 * reach. Only allocations made inside libconfig are exempted.
 * LeakSanitizer reads this hook when the harness runs under ASan.
 */
const char *__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_close_ int fd = -EBADF;
	char path[64];
	int level;

	log_max_level = -1;
	fd = memfd_create("fuzz.conf", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	spec = spec_new();
	if (!spec)
		return 0;
	(void)config_load_global(path, spec, &level);
	return 0;
}
