// SPDX-License-Identifier: MIT
/* fuzz_dynmem.c with lazy plug: a plug promises frames, the first touch backs a block. */
#define FUZZ_DYNMEM_LAZY	true
#include "fuzz_dynmem.c"
