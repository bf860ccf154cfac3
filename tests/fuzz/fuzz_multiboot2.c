// SPDX-License-Identifier: MIT
/*
 * The multiboot2 boot information parser (kernel/multiboot2.c) on any tags.
 * The boot loader's own total_size is the buffer's size (the memory it
 * describes exists); everything after it is the input. Whatever the tags,
 * the counts stay within their arrays, every module range is ordered, and
 * each string the hypervisor will read (its command line, each module's)
 * ends inside the boot information.
 */
#include "fuzz.h"
#include "multiboot2.h"

static void check_string(const struct boot_info *bi, const char *s, const char *what)
{
	uint64_t a = (uint64_t)(uintptr_t)s;

	if (s == bi->cmdline && s[0] == '\0' && (a < bi->mbi_start || a >= bi->mbi_end))
		return;		/* the parser's own "" when there is no command-line tag */
	FUZZ_CHECK(a >= bi->mbi_start && a < bi->mbi_end, "%s outside the boot information", what);
	FUZZ_CHECK(memchr(s, '\0', bi->mbi_end - a) != NULL,
		   "%s has no NUL before the end of the boot information", what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_info bi;
	uint8_t *mbi;
	uint32_t total;
	char err[128];
	int rc;

	if (size < 8 || size > (1u << 20))
		return 0;
	mbi = fuzz_dup(data, size);
	total = (uint32_t)size;
	memcpy(mbi, &total, 4);
	memset(err, 'x', sizeof(err));
	rc = mb2_parse(mbi, &bi, err, sizeof(err));
	fuzz_check_err(err, sizeof(err), rc);
	if (rc == 0) {
		FUZZ_CHECK(bi.nr_mmap >= 1 && bi.nr_mmap <= BOOT_MAX_MMAP, "%u mmap entries", bi.nr_mmap);
		FUZZ_CHECK(bi.nr_modules <= BOOT_MAX_MODULES, "%u modules", bi.nr_modules);
		check_string(&bi, bi.cmdline, "the command line");
		for (unsigned int i = 0; i < bi.nr_modules; i++) {
			const struct boot_module *m = &bi.modules[i];

			FUZZ_CHECK(m->end >= m->start, "module %u ends before it starts", i);
			FUZZ_CHECK(memchr(m->refused, '\0', sizeof(m->refused)) != NULL,
				   "module %u's reason not terminated", i);
			check_string(&bi, m->cmdline, "a module's command line");
		}
	}
	free(mbi);
	return 0;
}
