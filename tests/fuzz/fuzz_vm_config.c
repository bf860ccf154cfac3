// SPDX-License-Identifier: MIT
/*
 * The grub.cfg module-line parser (kernel/vm_config.c) and parse_size on
 * any text: a refusal names what is wrong; an accepted VM has a name, its
 * memory settings in range and in order (min <= startup <= max; a static
 * VM all three equal), and a terminated command line.
 */
#include "fuzz.h"
#include "vm_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	struct vm_config cfg;
	uint64_t v;
	char err[160];
	int rc;

	if (!line)
		abort();
	memcpy(line, data, size);
	line[size] = '\0';
	memset(err, 'x', sizeof(err));
	rc = vm_config_parse(line, (unsigned int)(size % 20), &cfg, err, sizeof(err));
	fuzz_check_err(err, sizeof(err), rc);
	if (rc == 0) {
		FUZZ_CHECK(memchr(cfg.name, '\0', sizeof(cfg.name)) && cfg.name[0], "no name");
		FUZZ_CHECK(memchr(cfg.cmdline, '\0', sizeof(cfg.cmdline)), "command line not terminated");
		FUZZ_CHECK(cfg.min_bytes <= cfg.mem_bytes && cfg.mem_bytes <= cfg.max_bytes,
			   "min %lu startup %lu max %lu", (unsigned long)cfg.min_bytes,
			   (unsigned long)cfg.mem_bytes, (unsigned long)cfg.max_bytes);
		FUZZ_CHECK(cfg.mem_bytes >= VM_MEM_MIN && cfg.max_bytes <= VM_MEM_MAX &&
			   cfg.mem_bytes % VM_MEM_ALIGN == 0, "startup %lu out of range",
			   (unsigned long)cfg.mem_bytes);
		FUZZ_CHECK(cfg.buffer <= VM_BUFFER_MAX && cfg.weight >= VM_WEIGHT_MIN &&
			   cfg.weight <= VM_WEIGHT_MAX, "buffer %u weight %u", cfg.buffer, cfg.weight);
		FUZZ_CHECK(cfg.dynamic || (cfg.min_bytes == cfg.mem_bytes && cfg.max_bytes == cfg.mem_bytes),
			   "a static VM whose memory can move");
	}
	/* parse_size reads exactly size bytes: from the exact-size copy, ASan checks it */
	{
		char *exact = fuzz_dup(data, size);

		if (parse_size(exact, size, &v) == 0 && size == 0)
			FUZZ_CHECK(0, "an empty size accepted");
		free(exact);
	}
	free(line);
	return 0;
}
