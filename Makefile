# balloonvisor: a small bare-metal x86-64 type-1 hypervisor with dynamic memory.
# `make run` boots the demo in Bochs; `make test` runs every test. See README.md.

BUILD		:= build
CC		:= gcc
LD		:= ld
HOST_CC		?= gcc

# --- the hypervisor (freestanding, multiboot2 ELF) ---------------------------
GCC_INC		:= $(shell $(CC) -print-file-name=include)
INCLUDES	:= -Iinclude -Iarch/x86/include -Iarch/x86
KCFLAGS		:= -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -mcmodel=small \
		   -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mgeneral-regs-only \
		   -fno-stack-protector -fno-builtin -nostdinc -isystem $(GCC_INC) \
		   -Iinclude/libc $(INCLUDES) -Wall -Wextra -Werror -Wno-unused-parameter \
		   -MMD -MP
KASFLAGS	:= $(INCLUDES) -MMD -MP
KLDFLAGS	:= -nostdlib -z max-page-size=0x1000 -z noexecstack -T linker.ld

KSRC_C		:= $(wildcard arch/x86/*/*.c kernel/*.c mm/*.c drivers/*.c devices/*.c)
KSRC_S		:= $(wildcard arch/x86/*/*.S)
KOBJS		:= $(patsubst %.c,$(BUILD)/hv/%.o,$(KSRC_C)) \
		   $(patsubst %.S,$(BUILD)/hv/%.o,$(KSRC_S))
HV_ELF		:= $(BUILD)/hv.elf

# --- test guests (freestanding ELF64 images loaded as multiboot2 modules) ----
GCFLAGS		:= $(filter-out -Iinclude/libc $(INCLUDES),$(KCFLAGS)) \
		   -Iinclude -Iguest
GSRC_C		:= $(wildcard guest/*.c)
GSRC_S		:= $(wildcard guest/*.S)
GUESTS		:= $(BUILD)/guest/guest.elf $(BUILD)/guest/guest-escape.elf

# --- host unit tests of the pure logic (ASan + UBSan) ------------------------
PURE_SRCS	:= mm/pmm.c mm/pt_walk.c mm/pt_range.c arch/x86/mm/pt_host.c arch/x86/vmx/ept.c arch/x86/svm/npt.c arch/x86/svm/svm_insn.c arch/x86/svm/svm_exit.c \
		   arch/x86/svm/svm_maps.c \
		   kernel/format.c kernel/multiboot2.c kernel/vm_config.c kernel/elf.c kernel/cpu_rules.c \
		   kernel/io_bus.c kernel/timer.c kernel/gpa_layout.c kernel/linux_boot.c kernel/rtc_time.c \
		   kernel/insn_decode.c kernel/msr_table.c devices/vpit.c devices/vpit_chan.c devices/vrtc.c \
		   devices/vrtc_clock.c devices/vi8042.c devices/vsysport.c devices/vpci.c \
		   $(wildcard mm/dynmem*.c mm/balancer.c devices/virtqueue.c \
		   devices/virtio_mem_dev.c devices/vpic.c devices/virtio_balloon_req.c \
		   devices/virtio_balloon_report.c devices/virtio_balloon_cfg.c devices/con_limit.c \
		   devices/vuart.c devices/vuart_con.c kernel/monitor_cmd.c kernel/mon_text.c kernel/json_out.c kernel/scenario.c kernel/outcome.c)
UCFLAGS		:= -std=gnu11 -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all -Wall -Wextra -Werror -Wno-unused-parameter \
		   $(INCLUDES) -DHOST_TEST
UNIT_SRCS	:= $(wildcard tests/unit/test_*.c)
UNIT_BINS	:= $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))

ISO		:= $(BUILD)/hv.iso

.PHONY: all iso run run-linux test unit boot-test deps clean guests plot bench bench-linux bench-linux-moves bench-linux-balancer bench-svm linux-guest fuzz fuzz-build
all: $(HV_ELF) $(GUESTS)

$(BUILD)/hv/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(KCFLAGS) -c $< -o $@
$(BUILD)/hv/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(KASFLAGS) -c $< -o $@
$(HV_ELF): $(KOBJS) linker.ld
	@echo "  LD $@"
	@$(LD) $(KLDFLAGS) -o $@ $(KOBJS)

guests: $(GUESTS)
$(BUILD)/guest/%.o: guest/%.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(GCFLAGS) -c $< -o $@
$(BUILD)/guest/escape-%.o: guest/%.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(GCFLAGS) -DGUEST_ESCAPE -c $< -o $@
$(BUILD)/guest/%.o: guest/%.S
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(GCFLAGS) -c $< -o $@
GOBJS		:= $(patsubst guest/%.c,$(BUILD)/guest/%.o,$(GSRC_C)) \
		   $(patsubst guest/%.S,$(BUILD)/guest/%.o,$(GSRC_S))
GOBJS_ESCAPE	:= $(patsubst guest/%.c,$(BUILD)/guest/escape-%.o,$(GSRC_C)) \
		   $(patsubst guest/%.S,$(BUILD)/guest/%.o,$(GSRC_S))
$(BUILD)/guest/guest.elf: $(GOBJS) guest/guest.ld
	@echo "  LD $@"
	@$(LD) -nostdlib -z max-page-size=0x1000 -z noexecstack -T guest/guest.ld -o $@ $(GOBJS)
$(BUILD)/guest/guest-escape.elf: $(GOBJS_ESCAPE) guest/guest.ld
	@echo "  LD $@"
	@$(LD) -nostdlib -z max-page-size=0x1000 -z noexecstack -T guest/guest.ld -o $@ $(GOBJS_ESCAPE)

# `make iso` builds the demo ISO; tools/mkiso.sh takes any grub.cfg.
iso: $(ISO)
$(ISO): $(HV_ELF) $(GUESTS) tools/grub-demo.cfg tools/mkiso.sh
	tools/mkiso.sh $@ tools/grub-demo.cfg

# Pure code that calls back into a VM (vm_map_gpa, vm_refresh_reserved): linked only into
# the programs whose fixture supplies those (tests/unit/virtio_pci_fixture.h).
VMHOOK_SRCS	:= devices/virtio_pci.c
VMHOOK_PROGS	:= test_virtio_pci fuzz_virtio_pci
# The pure code is compiled once for all the tests (and its header dependencies tracked),
# not once per test program.
PURE_OBJS	:= $(patsubst %.c,$(BUILD)/unit-obj/%.o,$(PURE_SRCS))
.SECONDARY: $(PURE_OBJS)
$(BUILD)/unit-obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC $<"
	@$(HOST_CC) $(UCFLAGS) -MMD -MP -c $< -o $@
VMHOOK_UOBJS	:= $(patsubst %.c,$(BUILD)/unit-obj/%.o,$(VMHOOK_SRCS))
.SECONDARY: $(VMHOOK_UOBJS)
$(addprefix $(BUILD)/unit/,$(VMHOOK_PROGS)): EXTRA_OBJS = $(VMHOOK_UOBJS)
$(addprefix $(BUILD)/unit/,$(VMHOOK_PROGS)): $(VMHOOK_UOBJS)
unit: $(UNIT_BINS)
$(BUILD)/unit/%: tests/unit/%.c $(PURE_OBJS) $(wildcard include/*.h mm/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(UCFLAGS) -o $@ $< $(PURE_OBJS) $(EXTRA_OBJS) -lcmocka

# --- libFuzzer harnesses (tests/fuzz/, README "Fuzzing") --------------------
# The same pure code as the unit tests, built again by clang with coverage for libFuzzer.
FUZZ_CC		:= clang
FUZZ_CFLAGS	:= -std=gnu11 -O1 -g -fno-omit-frame-pointer -fno-sanitize-recover=all \
		   -fsanitize-coverage-ignorelist=tests/fuzz/coverage-ignore.txt \
		   -Wall -Wextra -Werror -Wno-unused-parameter -Wno-unused-function -Itests/fuzz/shim $(INCLUDES) -Itests/fuzz -Itests/unit -DHOST_TEST
FUZZ_SRCS	:= $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS	:= $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_OBJS	:= $(patsubst %.c,$(BUILD)/fuzz-obj/%.o,$(PURE_SRCS))
FUZZ_SECONDS	?= 180
VMHOOK_FOBJS	:= $(patsubst %.c,$(BUILD)/fuzz-obj/%.o,$(VMHOOK_SRCS))
.SECONDARY: $(FUZZ_OBJS) $(VMHOOK_FOBJS)
$(addprefix $(BUILD)/fuzz/,$(VMHOOK_PROGS)): EXTRA_OBJS = $(VMHOOK_FOBJS)
$(addprefix $(BUILD)/fuzz/,$(VMHOOK_PROGS)): $(VMHOOK_FOBJS)
$(BUILD)/fuzz-obj/%.o: %.c tests/fuzz/coverage-ignore.txt
	@mkdir -p $(dir $@)
	@echo "  FUZZCC $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c $< -o $@
$(BUILD)/fuzz/%: tests/fuzz/%.c $(wildcard tests/fuzz/*.h tests/fuzz/*.c) tests/fuzz/shim/cmocka.h $(wildcard tests/unit/*fixture.h) $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	@echo "  FUZZLD $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_OBJS) $(EXTRA_OBJS)
fuzz-build: $(FUZZ_BINS)
# `make fuzz`: every harness for FUZZ_SECONDS (FUZZ=NAME for one; FUZZ_RUNS: also stop at that
# many inputs; FUZZ_JOBS: harnesses at once), then one table
fuzz: deps fuzz-build
	@FUZZ_RUNS=$(FUZZ_RUNS) FUZZ_JOBS=$(FUZZ_JOBS) tools/fuzz.sh $(FUZZ_SECONDS) $(FUZZ)

deps:
	@tools/deps.sh

# EMU=qemu: the same ISO under QEMU's TCG, whose CPU has AMD SVM and no VT-x, so the SVM backend
# runs it; tools/qemu.sh's success is status 33 (isa-debug-exit), which make must not call an error.
EMU	?= bochs
ifeq ($(EMU),qemu)
emu_run = BV_SOCKET=$(BUILD)/bv.sock QEMU_MEGS=$(1) tools/qemu.sh $(2) $(3) $(4) || [ $$? -eq 33 ]
else ifeq ($(EMU),bochs)
emu_run = BV_SOCKET=$(BUILD)/bv.sock BOCHS_MEGS=$(1) tools/bochs.sh $(2) $(3) $(4)
else
emu_run = echo "EMU must be bochs or qemu, not $(EMU)" >&2; exit 2
endif

run: deps
	@$(MAKE) --no-print-directory iso
	$(call emu_run,512,$(ISO),$(BUILD)/run-serial.log,300)

# `make run-linux`: two Linux VMs and a static one under the balancer (tools/grub-linux.cfg)
LINUX_ISO	:= $(BUILD)/hv-linux.iso
run-linux: deps linux-guest
	@$(MAKE) --no-print-directory $(HV_ELF) $(GUESTS)
	LINUX_DIR=$(BUILD)/linux tools/mkiso.sh $(LINUX_ISO) tools/grub-linux.cfg
	$(call emu_run,768,$(LINUX_ISO),$(BUILD)/run-linux-serial.log,900)

# `make plot` charts the telemetry of the last run, `make run` or `make run-linux`
# (build/run-serial.png or build/run-linux-serial.png); LOG=FILE for another serial log.
LOG	?= $(shell ls -t $(BUILD)/run-serial.log $(BUILD)/run-linux-serial.log 2>/dev/null | head -n 1)
plot:
	@test -n "$(LOG)" || { echo "plot: no run yet: make run or make run-linux first" >&2; exit 1; }
	tools/plot $(LOG) $(basename $(LOG)).png

# `make bench`: the benchmarks; writes docs/BENCHMARKS.md. BENCH_ARGS="--size 8G" for more.
BENCH_ARGS	?=
bench: deps
	@bench/run.sh $(BENCH_ARGS)

# `make linux-guest`: Debian's cloud kernel and an initramfs for Linux guests in build/linux/
linux-guest: deps
	@tools/linux-guest.sh

# `make bench-linux`: Linux boot under the hypervisor vs directly in Bochs (section 6)
bench-linux: deps linux-guest
	@bench/linux.sh $(BENCH_ARGS)

# `make bench-linux-moves`: VM exits and hypervisor cycles per GiB that Linux's own balloon,
# virtio-mem and free page reporting move (section 7; BENCH_ARGS=--quick does not write it)
bench-linux-moves: deps linux-guest
	@bench/linux_moves.sh $(BENCH_ARGS)

# `make bench-linux-balancer`: the Linux demo of `make run-linux` under the balancer, ticks and
# ms from a demand rising to the VM holding the memory (section 8; --quick does not write it)
bench-linux-balancer: deps linux-guest
	@bench/linux_balancer.sh $(BENCH_ARGS)

# `make bench-svm`: the SVM backend beside VT-x in Bochs, and the boot tests' time in QEMU TCG
# vs Bochs from the last `make test` (section 9; BENCH_ARGS=--quick does not write it)
bench-svm: deps
	@bench/svm.sh $(BENCH_ARGS)

test: deps
	@tests/run.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)
