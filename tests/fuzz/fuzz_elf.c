// SPDX-License-Identifier: MIT
/*
 * The ELF loader (kernel/elf.c) on any bytes as a guest image: a refusal
 * says why; an accepted image's segments lie inside the file, do not
 * overlap, have memsz >= filesz, and the entry is inside an executable
 * one; placement in RAM is checked the same way.
 */
#include "elf.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *img_bytes = fuzz_dup(data, size);
	struct elf_image img;
	char err[128];
	int rc;

	memset(err, 'x', sizeof(err));
	rc = elf_parse(img_bytes, size, &img, err, sizeof(err));
	fuzz_check_err(err, sizeof(err), rc);
	if (rc == 0) {
		int exec = 0;

		FUZZ_CHECK(img.nr_segments >= 1 && img.nr_segments <= ELF_MAX_SEGMENTS,
			   "%u segments", img.nr_segments);
		for (unsigned int i = 0; i < img.nr_segments; i++) {
			const struct elf_segment *s = &img.seg[i];

			FUZZ_CHECK(s->offset <= size && s->filesz <= size - s->offset,
				   "segment %u file bytes [%#lx, +%#lx) outside %zu", i,
				   (unsigned long)s->offset, (unsigned long)s->filesz, size);
			FUZZ_CHECK(s->memsz >= s->filesz && s->memsz > 0, "segment %u sizes", i);
			FUZZ_CHECK(s->paddr + s->memsz > s->paddr, "segment %u wraps", i);
			FUZZ_CHECK(s->paddr >= img.lowest && s->paddr + s->memsz <= img.highest,
				   "segment %u outside [lowest, highest)", i);
			for (unsigned int j = 0; j < i; j++)
				FUZZ_CHECK(s->paddr >= img.seg[j].paddr + img.seg[j].memsz ||
					   img.seg[j].paddr >= s->paddr + s->memsz,
					   "segments %u and %u overlap", j, i);
			if ((s->flags & PF_X) && img.entry >= s->paddr &&
			    img.entry < s->paddr + s->memsz)
				exec = 1;
		}
		FUZZ_CHECK(exec, "entry %#lx in no executable segment", (unsigned long)img.entry);
		memset(err, 'x', sizeof(err));
		rc = elf_check_placement(&img, 64ull << 20, err, sizeof(err));
		fuzz_check_err(err, sizeof(err), rc);
		if (rc == 0)
			FUZZ_CHECK(img.highest <= (64ull << 20), "placed beyond RAM");
	}
	free(img_bytes);
	return 0;
}
