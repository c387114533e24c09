/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the .container loader and config_validate(). iniparser only
 * loads from a path, so the input is written to a memfd and loaded through
 * /proc/self/fd/N. Logging is muted; it must never crash, leak or hang.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "spec.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(spec_freep) struct container_spec *spec = NULL;
	_cleanup_close_ int fd = -EBADF;
	char path[64];
	int r;

	log_max_level = -1;
	fd = memfd_create("fuzz.container", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	spec = spec_new();
	if (!spec)
		return 0;
	/*
	 * A memfd is mode 0777: as root the trust check would refuse every
	 * input before the parser sees it. The check has its own unit tests.
	 */
	spec->strict_permissions = false;
	r = config_load_container(path, spec);
	/* iniparser and our scan read the file differently: a bug to find. */
	if (r == -EPROTO)
		abort();
	if (r == 0)
		(void)config_validate(spec, true);
	return 0;
}
