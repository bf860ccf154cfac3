// SPDX-License-Identifier: MIT
/*
 * SVM #VMEXIT decoding (svm_exit.h): the exit codes of APM appendix C, the
 * IOIO and nested-page-fault information of APM 15.10.2 and 15.25.6.
 */
#include <stddef.h>
#include <string.h>

#include "svm/svm_exit.h"
#include "svm/svm_insn.h"

/* How the next RIP is found when the exit's instruction is skipped. */
enum next {
	NEXT_NONE,		/* not skipped: #UD, #GP, a fault, nothing */
	NEXT_OPCODE,		/* NRIP save, else the opcode's bytes at RIP */
	NEXT_IOIO,		/* EXITINFO2 holds it, with or without NRIP save */
	NEXT_CR,		/* NRIP save, else the decoded CR instruction */
};

struct svm_exit_entry {
	const char *name;
	enum vcpu_exit_kind kind;
	enum next next;
	uint8_t oplen;
	uint8_t opcode[3];	/* NEXT_OPCODE */
};

/* an exit whose instruction is not skipped */
#define EXIT(nm, k)		{ .name = nm, .kind = k }
/* one whose instruction is skipped: its opcode gives the length without NRIP save */
#define EXIT_OP(nm, k, ...)	{ .name = nm, .kind = k, .next = NEXT_OPCODE,		\
				  .oplen = sizeof((uint8_t[]){ __VA_ARGS__ }),		\
				  .opcode = { __VA_ARGS__ } }

/* Indexed by exit code below 0x100; SVM_EXIT_NPF is the one above. */
static const struct svm_exit_entry svm_exits[0x100] = {
	[SVM_EXIT_INTR]		= EXIT("INTR", VCPU_EXIT_NOTHING),
	[SVM_EXIT_NMI]		= EXIT("NMI", VCPU_EXIT_HOST_NMI),
	[SVM_EXIT_SMI]		= EXIT("SMI", VCPU_EXIT_NOTHING),
	[SVM_EXIT_VINTR]	= EXIT("VINTR", VCPU_EXIT_NOTHING),
	[SVM_EXIT_RDPMC]	= EXIT("RDPMC", VCPU_EXIT_GP),
	[SVM_EXIT_CPUID]	= EXIT_OP("CPUID", VCPU_EXIT_CPUID, 0x0f, 0xa2),
	[SVM_EXIT_INVD]		= EXIT_OP("INVD", VCPU_EXIT_SKIP, 0x0f, 0x08),
	[SVM_EXIT_HLT]		= EXIT_OP("HLT", VCPU_EXIT_HLT, 0xf4),
	[SVM_EXIT_IOIO]		= { .name = "IOIO", .kind = VCPU_EXIT_IO, .next = NEXT_IOIO },
	/* the opcode is RDMSR's or WRMSR's by EXITINFO1: svm_decode_exit picks it */
	[SVM_EXIT_MSR]		= EXIT_OP("MSR", VCPU_EXIT_MSR_READ, 0x0f, 0x32),
	[SVM_EXIT_SHUTDOWN]	= EXIT("SHUTDOWN", VCPU_EXIT_TRIPLE_FAULT),
	/* the guest's CPUID shows no SVM and no MONITOR, XSAVE: these raise #UD */
	[SVM_EXIT_VMRUN]	= EXIT("VMRUN", VCPU_EXIT_UNDEFINED),
	[SVM_EXIT_VMMCALL]	= EXIT_OP("VMMCALL", VCPU_EXIT_HYPERCALL, 0x0f, 0x01, 0xd9),
	[SVM_EXIT_VMLOAD]	= EXIT("VMLOAD", VCPU_EXIT_UNDEFINED),
	[SVM_EXIT_VMSAVE]	= EXIT("VMSAVE", VCPU_EXIT_UNDEFINED),
	[SVM_EXIT_STGI]		= EXIT("STGI", VCPU_EXIT_UNDEFINED),
	[SVM_EXIT_CLGI]		= EXIT("CLGI", VCPU_EXIT_UNDEFINED),
	[SVM_EXIT_SKINIT]	= EXIT("SKINIT", VCPU_EXIT_UNDEFINED),
	[SVM_EXIT_WBINVD]	= EXIT_OP("WBINVD", VCPU_EXIT_SKIP, 0x0f, 0x09),
	[SVM_EXIT_MONITOR]	= EXIT("MONITOR", VCPU_EXIT_UNDEFINED),
	[SVM_EXIT_MWAIT]	= EXIT("MWAIT", VCPU_EXIT_UNDEFINED),
	[SVM_EXIT_MWAIT_COND]	= EXIT("MWAIT_CONDITIONAL", VCPU_EXIT_UNDEFINED),
	[SVM_EXIT_XSETBV]	= EXIT("XSETBV", VCPU_EXIT_UNDEFINED),
};

static const struct svm_exit_entry svm_exit_npf = EXIT("NPF", VCPU_EXIT_GPA_FAULT);
static const struct svm_exit_entry svm_exit_cr = {
	.name = "CR access", .kind = VCPU_EXIT_CR, .next = NEXT_CR,
};

static bool is_cr_exit(uint64_t code)
{
	return code < SVM_EXIT_CR0_WRITE + 16;	/* CRn reads 0x00-0x0f, writes 0x10-0x1f */
}

static const struct svm_exit_entry *entry(uint64_t code)
{
	if (is_cr_exit(code))
		return &svm_exit_cr;
	if (code == SVM_EXIT_NPF)
		return &svm_exit_npf;
	if (code < 0x100 && svm_exits[code].name)
		return &svm_exits[code];
	return NULL;
}

const char *svm_exit_code_name(uint64_t code)
{
	const struct svm_exit_entry *x = entry(code);

	if (x)
		return x->name;
	if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32)
		return "exception";
	return code == SVM_EXIT_INVALID ? "VMEXIT_INVALID" : "unknown";
}

bool svm_exit_needs_insn(const struct vmcb *vmcb, bool nrip_save)
{
	const struct svm_exit_entry *x = entry(vmcb->exitcode);

	return x && (x->next == NEXT_CR || (x->next == NEXT_OPCODE && !nrip_save));
}

static void not_emulated(struct vcpu_exit *e, const char *title)
{
	e->kind = VCPU_EXIT_NOT_EMULATED;
	e->title = title;
}

/* IOIO's EXITINFO1 (APM 15.10.2): size one-hot in bits 6:4, the port in 31:16 */
static void decode_io(const struct vmcb *v, struct vcpu_exit *e)
{
	uint64_t info = v->exitinfo1;

	e->io.port = (uint16_t)(info >> SVM_IOIO_PORT_SHIFT);
	e->io.size = info & SVM_IOIO_SZ32 ? 4 : info & SVM_IOIO_SZ16 ? 2 : 1;
	e->io.in = info & SVM_IOIO_TYPE_IN;
	e->io.string = info & SVM_IOIO_STR;
}

/*
 * A nested page fault: EXITINFO1 is a #PF error code with two more bits,
 * EXITINFO2 the guest-physical address (APM 15.25.6). No instruction's data
 * access to emulate for a fetch, for the guest's own page walk, or while an
 * event was being delivered (EXITINTINFO valid).
 */
static void decode_npf(const struct vmcb *v, struct vcpu_exit *e)
{
	e->gpa.addr = v->exitinfo2;
	e->gpa.write = v->exitinfo1 & SVM_NPF_WRITE;
	e->gpa.fetch = v->exitinfo1 & SVM_NPF_FETCH;
	e->gpa.no_insn = e->gpa.fetch ? "an instruction fetch" :
			 v->exitinfo1 & SVM_NPF_PAGE_TABLE_WALK ? "the guest's page walk" :
			 v->exitintinfo & SVM_EVTINJ_VALID ? "an event delivery" : NULL;
}

/* A CR read or write: which instruction, from its bytes (svm_insn.c). */
static int decode_cr(const struct svm_exit_in *in, struct vcpu_exit *e, unsigned int *len)
{
	uint64_t code = in->vmcb->exitcode;
	unsigned int cr = (unsigned int)(code & 15);
	bool write = code >= SVM_EXIT_CR0_WRITE;
	struct svm_cr_insn insn;

	if (!in->insn || svm_decode_cr_insn(in->insn, in->insn_len, &insn, NULL, 0)) {
		not_emulated(e, "a control-register access by an instruction not emulated");
		return -1;
	}
	/* what exited must be what the bytes do: CLTS and LMSW write CR0 */
	if (write != (insn.op != VCPU_CR_MOV_FROM) || cr != insn.cr) {
		not_emulated(e, "the instruction at RIP is not the control-register access that exited");
		return -1;
	}
	e->cr.access = insn.op;
	e->cr.cr = (uint8_t)cr;
	e->cr.gpr = (uint8_t)insn.gpr;
	*len = insn.len;
	return 0;
}

void svm_decode_exit(const struct svm_exit_in *in, struct vcpu_exit *e, uint64_t *next_rip)
{
	const struct vmcb *v = in->vmcb;
	const struct svm_exit_entry *x = entry(v->exitcode);
	uint8_t opcode[3];
	unsigned int len = 0;
	int n;

	*e = (struct vcpu_exit) { .raw = (uint32_t)v->exitcode };
	*next_rip = 0;
	if (!x) {
		e->kind = VCPU_EXIT_BUG;
		e->title = v->exitcode >= SVM_EXIT_EXCP_BASE && v->exitcode < SVM_EXIT_EXCP_BASE + 32 ?
			   "unexpected exception exit" : v->exitcode == SVM_EXIT_INVALID ?
			   "VMRUN failed (VMEXIT_INVALID)" : "unhandled VM exit";
		return;
	}
	e->kind = x->kind;
	memcpy(opcode, x->opcode, sizeof(opcode));
	switch (x->kind) {
	case VCPU_EXIT_IO:
		decode_io(v, e);
		break;
	case VCPU_EXIT_GPA_FAULT:
		decode_npf(v, e);
		break;
	case VCPU_EXIT_MSR_READ:
		if (v->exitinfo1 == SVM_MSR_EXIT_WRITE) {
			e->kind = VCPU_EXIT_MSR_WRITE;
			opcode[1] = 0x30;	/* WRMSR is 0F 30 */
		}
		break;
	case VCPU_EXIT_CR:
		if (decode_cr(in, e, &len))
			return;
		break;
	default:
		break;
	}
	switch (x->next) {
	case NEXT_NONE:
		return;
	case NEXT_IOIO:
		*next_rip = v->exitinfo2;
		return;
	case NEXT_CR:
		*next_rip = in->nrip_save ? v->next_rip : v->rip + len;
		return;
	case NEXT_OPCODE:
		if (in->nrip_save) {
			*next_rip = v->next_rip;
			return;
		}
		n = in->insn ? svm_insn_len_of(in->insn, in->insn_len, opcode, x->oplen) : -1;
		if (n < 0) {
			not_emulated(e, "the instruction at RIP is not the one that exited");
			return;
		}
		*next_rip = v->rip + (unsigned int)n;
		return;
	}
}
