# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# kpkeys: kernel protection keys with hardened page tables, and the tracing
# layer that makes them observable. See README.md for every target and
# variable; `make help` prints a summary.

SHELL := /bin/bash
.DEFAULT_GOAL := all

ROOT  := $(CURDIR)
BUILD := $(ROOT)/build

ARCH       ?= arm64
ARCHES     := $(sort $(patsubst scripts/arch/%.env,%,$(wildcard scripts/arch/*.env)))
VARIANT    ?= kpkeys
VARIANTS   := kpkeys debug vanilla
VM_SMP     ?= 2
VM_TIMEOUT ?= 900
BENCH_ROUNDS ?= 5
BENCH_MEM  ?= 3G
BENCH_COMPARE ?=
BENCH_CLOCK ?= icount
BENCH_SYNC_NS ?=
KCMDLINE   ?=
CMD        ?=
RUN        ?=
V          ?= 0
VM_CONSOLE ?=

# $(kp-exit N) ends make with status N: GNU make otherwise exits 2 whenever a
# recipe fails, and `make vm CMD=...` promises CMD's own status. The loadable
# object is built at parse time so that it is there for the first run.
KP_EXIT_SO := $(BUILD)/kp_exit.so
$(shell [ $(KP_EXIT_SO) -nt scripts/kp_exit.c ] || { mkdir -p $(BUILD) && \
	gcc -shared -fPIC -O2 -o $(KP_EXIT_SO) scripts/kp_exit.c; })
-load $(KP_EXIT_SO)
KP_LOADED := $(filter $(KP_EXIT_SO),$(.LOADED))

# $(call exit-with,N): stop make with status N when N is not 0.
exit-with = $(if $(filter-out 0,$(1)),$(if $(KP_LOADED),$(kp-exit $(1)),$(error exit status $(1))))
# $(call fail,MESSAGE,N): one line on stderr, then status N.
fail = $(file >>/dev/stderr,$(1))$(call exit-with,$(2))

# Validate user input before anything gets built.
ifeq ($(filter $(ARCH),$(ARCHES)),)
$(call fail,make: unknown ARCH '$(ARCH)'; use one of: $(ARCHES),2)
endif
# The guest architecture's facts: KARCH, CROSS, KIMAGE, QEMU_BIN,
# QEMU_PKG, BPF_ARCH, UNAME_M, GUEST_KPKEYS, BUILD_PREFIX...
include scripts/arch/$(ARCH).env
QEMU       ?= $(QEMU_BIN)
VM_MEM     ?= $(GUEST_MEM)
empty :=
space := $(empty) $(empty)
export ARCH

ifeq ($(filter $(VARIANT),$(VARIANTS)),)
$(call fail,make: unknown VARIANT '$(VARIANT)'; use one of: $(VARIANTS),2)
endif
ifneq ($(RUN),)
ifeq ($(wildcard $(RUN)),)
$(call fail,make: RUN file '$(RUN)' not found; give the path of a script on the host,2)
endif
ifneq ($(CMD),)
$(call fail,make: give CMD or RUN but not both,2)
endif
endif
ifneq ($(filter command line environment,$(origin QEMU)),)
ifeq ($(shell command -v '$(QEMU)' 2>/dev/null),)
$(call fail,make: emulator '$(QEMU)' not found; install $(QEMU_PKG) (make deps) or set QEMU to a $(QEMU_BIN) binary,1)
endif
endif
ifeq ($(shell [[ '$(VM_TIMEOUT)' =~ ^[0-9]+$$ ]] && [ '$(VM_TIMEOUT)' -gt 0 ] && echo ok),)
$(call fail,make: VM_TIMEOUT='$(VM_TIMEOUT)' is not a positive number of seconds,2)
endif

ifeq ($(shell [[ '$(BENCH_ROUNDS)' =~ ^[0-9]+$$ ]] && [ '$(BENCH_ROUNDS)' -gt 0 ] && echo ok),)
$(call fail,make: BENCH_ROUNDS='$(BENCH_ROUNDS)' is not a positive number of rounds; use e.g. BENCH_ROUNDS=5,2)
endif
ifeq ($(filter icount wall,$(BENCH_CLOCK)),)
$(call fail,make: BENCH_CLOCK='$(BENCH_CLOCK)' is not a clock; use BENCH_CLOCK=icount (deterministic) or BENCH_CLOCK=wall,2)
endif
ifneq ($(BENCH_SYNC_NS),)
ifeq ($(shell [[ '$(BENCH_SYNC_NS)' =~ ^[0-9]+([.][0-9]+)?$$ ]] && echo ok),)
$(call fail,make: BENCH_SYNC_NS='$(BENCH_SYNC_NS)' is not a number of nanoseconds; use e.g. BENCH_SYNC_NS=20,2)
endif
endif
ifneq ($(BENCH_COMPARE),)
ifeq ($(wildcard $(BENCH_COMPARE)),)
$(call fail,make: BENCH_COMPARE file '$(BENCH_COMPARE)' not found; give the bench.json of an earlier run,2)
endif
endif

# make -s: the build scripts print only errors.
export QUIET := $(if $(findstring s,$(firstword -$(MAKEFLAGS))),1)

# build/VARIANT on arm64, build/ARCH-VARIANT otherwise
B        := $(BUILD)/$(BUILD_PREFIX)$(VARIANT)
KOUT     := $(B)/kernel
IMAGE    := $(KOUT)/$(KIMAGE)
VMLINUX  := $(KOUT)/vmlinux
INITRD   := $(B)/initramfs.cpio.gz
GUESTBIN := $(B)/bin
OBJ      := $(B)/obj

CROSS_CC  := $(CROSS)gcc
CLANG     ?= clang
LLVM_STRIP ?= llvm-strip
BPFTOOL   ?= bpftool
CFLAGS_TOOLS := -O2 -g -Wall -Wextra -Wno-unused-parameter
# One set of flags for every BPF object (tests/bpf and bpf/); each rule
# adds only its include directories.
BPF_CFLAGS   := -g -O2 -Wall -target bpf -D__TARGET_ARCH_$(BPF_ARCH) \
		-I/usr/include/$(shell uname -m)-linux-gnu

# Quiet builds print one line per step ("  CC      name"); V=1 prints the
# commands instead (and kbuild's, and the guest console unless VM_CONSOLE=0).
ifeq ($(V),1)
Q   :=
msg  =
else
Q   := @
msg  = @printf '  %-7s %s\n' '$(1)' '$(2)'
endif
# $(call bpf-cc,INCLUDE FLAGS): $< to $@ with its dependency file, then
# without DWARF (the BTF the skeleton embeds stays).
define bpf-cc
	@mkdir -p $(@D)
	$(call msg,BPF,$(@F))
	$(Q)$(CLANG) $(BPF_CFLAGS) $(1) -MMD -MP -MF $@.d -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@
endef

# No emulator implements POE: the patched arm64 guest runs kpkeys' mock
# backend (GUEST_KPKEYS), the x86-64 one PKS by default, unless KCMDLINE
# says otherwise (the last kpkeys= wins).
GUEST_CMDLINE := $(if $(filter kpkeys debug,$(VARIANT)),$(GUEST_KPKEYS)) $(KCMDLINE)

VMRUN = python3 scripts/vmrun.py --arch $(ARCH) --variant $(VARIANT) --qemu '$(QEMU)' \
	--mem $(VM_MEM) --smp $(VM_SMP) \
	--timeout $(VM_TIMEOUT) $(if $(filter 1,$(or $(VM_CONSOLE),$(V))),--console)

.PHONY: all deps kernel tools install guest vm vm-run demo demo-run test test-run bench mm-selftests check-patches \
	kernelversion clean distclean help FORCE

all: guest

## Dependencies (Debian packages), installed on first use.
DEPS_STAMP := $(BUILD)/.deps-ok
deps:
	@scripts/deps.sh
	@mkdir -p $(BUILD) && touch $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh
	@scripts/deps.sh
	@mkdir -p $(BUILD) && touch $@

## Kernel: always asks kbuild, which rebuilds only what changed.
kernel: $(VMLINUX)
$(VMLINUX): FORCE | $(DEPS_STAMP)
	@scripts/kernel.sh $(VARIANT)

kernelversion: $(VMLINUX)
	@echo "$$(cat $(B)/kernel.release) (Debian linux-source-6.12 $$(dpkg-query -W -f='$${Version}' linux-source-6.12))"

## BPF objects and guest binaries (static, for the guest's ARCH).
$(OBJ)/vmlinux.h: $(VMLINUX) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(BPFTOOL) btf dump file $< format c > $@.tmp && mv $@.tmp $@

$(OBJ)/%.bpf.o: tests/bpf/%.bpf.c $(OBJ)/vmlinux.h
	$(call bpf-cc,-I$(OBJ) -Ibpf)

$(OBJ)/%.skel.h: $(OBJ)/%.bpf.o
	$(call msg,GEN,$(@F))
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# tests/bpf/NAME.c + NAME.bpf.c -> the guest's kp-NAME
$(GUESTBIN)/kp-%: tests/bpf/%.c $(OBJ)/%.skel.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call msg,CC,$(@F) (static $(ARCH)))
	$(Q)$(CROSS_CC) $(CFLAGS_TOOLS) -static -I$(OBJ) $< -o $@ -lbpf -lelf -lz

# tests/workloads/NAME.c -> the guest's NAME (mmwork, jsoncheck, kmodrun)
$(GUESTBIN)/%: tests/workloads/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call msg,CC,$(@F) (static $(ARCH)))
	@mkdir -p $(OBJ)
	$(Q)$(CROSS_CC) $(CFLAGS_TOOLS) -MMD -MP -MF $(OBJ)/$(@F).d -static $< -o $@

GUEST_BINS := $(GUESTBIN)/kp-tpcount $(GUESTBIN)/mmwork $(GUESTBIN)/jsoncheck \
	$(GUESTBIN)/kmodrun
# The tracepoint test program and the kpkeys tool need the kpkeys events.
ifneq ($(VARIANT),vanilla)
GUEST_BINS += $(GUESTBIN)/kp-tptrace $(GUESTBIN)/kpkeys
endif

## The kpkeys tool (bpf/, tools/): one BPF object per subcommand, built
## against the BTF of the ARCH's kpkeys kernel (CO-RE: the same binary loads
## on the debug kernel), linked static for the guest (build/tools/ARCH/)
## and, for arm64, natively for the host (build/tools/kpkeys). On x86-64
## the static binary is the host's too.
TOOLS      := $(BUILD)/tools
TOOLS_OBJ  := $(TOOLS)/$(ARCH)/obj
HOST_OBJ   := $(TOOLS)/host/obj
TOOLS_BTF_H := $(BUILD)/$(BUILD_PREFIX)kpkeys/obj/vmlinux.h
# A subcommand is tools/cmd_NAME.c with bpf/NAME.bpf.c; the rest of tools/
# is the library the unit tests link too.
TOOL_CMDS  := $(sort $(patsubst tools/cmd_%.c,%,$(wildcard tools/cmd_*.c)))
TOOL_LIB   := $(filter-out tools/kpkeys.c tools/cmd_%.c,$(sort $(wildcard tools/*.c)))
TOOL_SRCS  := tools/kpkeys.c $(TOOL_LIB) $(TOOL_CMDS:%=tools/cmd_%.c)
TOOL_CFLAGS := $(CFLAGS_TOOLS) -Itools -Ibpf -I$(TOOLS_OBJ) -MMD -MP
TOOL_LDLIBS := -lbpf -lelf -lz -lm
# $(call objs,DIR,SOURCES): DIR/NAME.o for each SOURCE
objs = $(addprefix $(1)/,$(notdir $(2:.c=.o)))
KPKEYS_GUEST  := $(TOOLS)/$(ARCH)/kpkeys
KPKEYS_NATIVE := $(if $(CROSS),$(TOOLS)/kpkeys,$(KPKEYS_GUEST))
KPKEYS_UNIT   := $(TOOLS)/kpkeys-unit
TOOL_VERSION  := $(TOOLS)/version.h
PREFIX  ?= /usr/local
DESTDIR ?=

ifneq ($(VARIANT),kpkeys)
# Other variants take the kpkeys kernel's BTF as it is (built if missing).
$(TOOLS_BTF_H):
	@$(MAKE) --no-print-directory VARIANT=kpkeys $@
endif

$(TOOLS_OBJ)/%.bpf.o: bpf/%.bpf.c $(TOOLS_BTF_H) | $(DEPS_STAMP)
	$(call bpf-cc,-I$(dir $(TOOLS_BTF_H)) -Ibpf)

$(TOOLS_OBJ)/%.skel.h: $(TOOLS_OBJ)/%.bpf.o
	$(call msg,GEN,$(@F))
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

# `kpkeys version`: the tree's git description, rewritten only when it
# changes, so that only kpkeys.o is rebuilt for it.
$(TOOL_VERSION): FORCE
	@mkdir -p $(@D)
	@v='#define KPKEYS_VERSION "$(shell git describe --always --dirty 2>/dev/null || echo dev)"'; \
		[ "$$(cat $@ 2>/dev/null)" = "$$v" ] || echo "$$v" > $@

# One object per source, for the guest (CROSS_CC, in TOOLS_OBJ) and for
# the host (gcc, in HOST_OBJ); a subcommand's object needs its skeleton.
$(TOOLS_OBJ)/%.o: tools/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call msg,CC,$(ARCH)/$(@F))
	$(Q)$(CROSS_CC) $(TOOL_CFLAGS) -c $< -o $@
$(HOST_OBJ)/%.o: tools/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call msg,CC,host/$(@F))
	$(Q)gcc $(TOOL_CFLAGS) -c $< -o $@
$(HOST_OBJ)/%.o: tests/unit/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call msg,CC,host/$(@F))
	$(Q)gcc $(TOOL_CFLAGS) -c $< -o $@
$(foreach c,$(TOOL_CMDS),$(eval \
	$(TOOLS_OBJ)/cmd_$(c).o $(HOST_OBJ)/cmd_$(c).o: $(TOOLS_OBJ)/$(c).skel.h))
$(TOOLS_OBJ)/kpkeys.o $(HOST_OBJ)/kpkeys.o: $(TOOL_VERSION)
$(TOOLS_OBJ)/kpkeys.o $(HOST_OBJ)/kpkeys.o: TOOL_CFLAGS += -include $(TOOL_VERSION)
-include $(wildcard $(TOOLS_OBJ)/*.d $(HOST_OBJ)/*.d $(OBJ)/*.d)

ifneq ($(CROSS),)
$(KPKEYS_NATIVE): $(call objs,$(HOST_OBJ),$(TOOL_SRCS))
	$(call msg,LD,kpkeys (native))
	$(Q)gcc $^ -o $@ $(TOOL_LDLIBS)
endif

$(KPKEYS_GUEST): $(call objs,$(TOOLS_OBJ),$(TOOL_SRCS))
	$(call msg,LD,kpkeys (static $(ARCH)))
	$(Q)$(CROSS_CC) -static $^ -o $@ $(TOOL_LDLIBS)

$(GUESTBIN)/kpkeys: $(KPKEYS_GUEST)
	@mkdir -p $(@D)
	@cp $< $@

# Host unit tests of the tool's library (tests/host/test_tool.py runs it).
$(KPKEYS_UNIT): $(call objs,$(HOST_OBJ),tests/unit/tool_unit.c $(TOOL_LIB))
	$(call msg,LD,$(@F))
	$(Q)gcc $^ -o $@ $(TOOL_LDLIBS)

tools: $(GUEST_BINS) $(KPKEYS_NATIVE) $(KPKEYS_UNIT)

install: $(KPKEYS_NATIVE)
	install -D -m 0755 $(KPKEYS_NATIVE) $(DESTDIR)$(PREFIX)/sbin/kpkeys

## Guest image.
guest: $(INITRD)
$(INITRD): $(VMLINUX) $(GUEST_BINS) guest/init $(wildcard guest/*.sh tests/guest/*.sh bench/*.sh) scripts/initramfs.sh
	@scripts/initramfs.sh $(VARIANT)

## Booting.
# vm-run boots and records the status; vm then exits make with that status.
vm: vm-run
	@:$(call exit-with,$(or $(file <$(B)/vm.status),1))
vm-run: guest
	@rm -f $(B)/vm.status
	@$(VMRUN) --log $(B)/logs/vm.log --status-file $(B)/vm.status \
		--append '$(GUEST_CMDLINE)' \
		$(if $(value CMD),--cmd '$(subst ','\'',$(value CMD))') $(if $(RUN),--run '$(RUN)') || true

demo: demo-run
	@:$(call exit-with,$(or $(file <$(B)/demo.status),1))
demo-run: guest
	@rm -f $(B)/demo.status
	@echo "demo: booting $$(cat $(B)/kernel.release) under QEMU (TCG, -cpu max, $(VM_SMP) vCPUs, $(VM_MEM))"
	@$(VMRUN) --log $(B)/logs/demo.log --status-file $(B)/demo.status \
		--append '$(GUEST_CMDLINE)' --cmd /usr/share/kpkeys/demo.sh || true

## Tests: host unit tests, then the guest suites of both architectures
## (only ARCH's when ARCH is given on the command line). Last line:
## N passed, N failed.
TEST_ARCHES := $(if $(filter command line,$(origin ARCH)),$(ARCH),$(ARCHES))
test: test-run
	@:$(call exit-with,$(or $(file <$(BUILD)/test.status),1))
# On arm64 the patched variant is also tested as VARIANT=debug (lockdep,
# KASAN...), and the bench smoke boots VARIANT=vanilla as its baseline.
# On x86-64, where PKS enforces, the kernel's mm selftests run on the
# patched kernel, hardened and with kpkeys=off, and must agree
# (tests/mm_selftests.py; make mm-selftests compares with VARIANT=vanilla).
test-run: guest $(if $(filter-out vanilla,$(VARIANT)),$(KPKEYS_NATIVE) $(KPKEYS_UNIT))
	@$(if $(filter kpkeys-arm64,$(VARIANT)-$(ARCH)),$(MAKE) --no-print-directory VARIANT=debug guest)
	@$(if $(filter kpkeys-arm64,$(VARIANT)-$(ARCH)),$(MAKE) --no-print-directory VARIANT=vanilla guest)
	@$(foreach a,$(filter-out $(ARCH),$(TEST_ARCHES)),$(MAKE) --no-print-directory ARCH=$(a) VARIANT=$(VARIANT) guest &&) :
	@$(if $(filter kpkeys-x86_64,$(VARIANT)-$(filter x86_64,$(TEST_ARCHES))),ARCH=x86_64 scripts/mm-selftests.sh)
	@rm -f $(BUILD)/test.status
	@python3 tests/run.py --arches '$(TEST_ARCHES)' --variant $(VARIANT) \
		$(if $(filter command line environment,$(origin QEMU)),--qemu '$(QEMU)') \
		$(if $(filter command line environment,$(origin VM_MEM)),--mem $(VM_MEM)) \
		--smp $(VM_SMP) --timeout $(VM_TIMEOUT) \
		--kcmdline '$(KCMDLINE)' --status-file $(BUILD)/test.status || true

## Benchmark: the published kpkeys cost table, three configurations, on
## ARCH's guest (see bench/README.md). Writes {table.txt,bench.json,bench.png}
## to build/bench on arm64, build/bench-ARCH otherwise.
BENCH_OUT := $(BUILD)/bench$(if $(BUILD_PREFIX),-$(ARCH))
bench: guest
	@$(MAKE) --no-print-directory VARIANT=vanilla guest
	@python3 bench/bench.py --arch $(ARCH) --out $(BENCH_OUT) --rounds '$(BENCH_ROUNDS)' \
		$(if $(BENCH_COMPARE),--compare '$(BENCH_COMPARE)') \
		--clock '$(BENCH_CLOCK)' $(if $(BENCH_SYNC_NS),--sync-ns '$(BENCH_SYNC_NS)') \
		--qemu '$(QEMU)' --mem $(BENCH_MEM) \
		$(if $(filter command line environment,$(origin VM_SMP)),--smp $(VM_SMP)) \
		$(if $(filter command line environment,$(origin VM_TIMEOUT)),--timeout $(VM_TIMEOUT)) || \
		{ rc=$$?; echo "bench: failed (exit $$rc); the logs are in $(BENCH_OUT:$(ROOT)/%=%)/" >&2; exit 1; }

## The kernel's mm selftests (tests/mm-selftests.txt), vanilla against
## hardened, on x86-64 only: there PKS enforces, so a page-table write the
## guards miss faults (on arm64 the mock never does). Writes
## build/x86_64-mm-selftests/{table.txt,results.json}.
MMST_DIR := $(BUILD)/$(BUILD_PREFIX)mm-selftests
mm-selftests:
ifneq ($(ARCH),x86_64)
	@:$(call fail,make: mm-selftests runs with ARCH=x86_64 only (PKS enforces there; arm64's mock never faults),2)
else
	@$(MAKE) --no-print-directory VARIANT=kpkeys guest
	@$(MAKE) --no-print-directory VARIANT=vanilla guest
	@scripts/mm-selftests.sh
	@python3 tests/mm_selftests.py --arch $(ARCH) --out $(MMST_DIR) --qemu '$(QEMU)' \
		--mem $(VM_MEM) --smp $(VM_SMP) --timeout 2400
endif

## Maintainer checks: checkpatch and a build after every patch of both
## series, for ARCH (run once with each).
check-patches: kernel
	@scripts/check-series.sh

clean:
	rm -rf $(addprefix $(BUILD)/,$(VARIANTS) $(foreach a,$(filter-out arm64,$(ARCHES)),$(VARIANTS:%=$(a)-%))) $(TOOLS)

distclean:
	rm -rf $(BUILD)

help:
	@echo "make demo                 build, boot, run the workloads and show what kpkeys does"
	@echo "make test                 every test; last line: N passed, N failed"
	@echo "make vm [CMD='...'|RUN=f] guest shell, or run a command/file in the guest"
	@echo "make tools                the kpkeys command: $(KPKEYS_NATIVE:$(ROOT)/%=%), static $(ARCH) for the guest"
	@echo "make install [PREFIX=/usr/local] [DESTDIR=]   install kpkeys in PREFIX/sbin"
	@echo "make bench [BENCH_ROUNDS=5] [BENCH_CLOCK=icount|wall] [BENCH_SYNC_NS=N]"
	@echo "                          the kpkeys cost table on ARCH (3 boots): $(BENCH_OUT:$(ROOT)/%=%)/"
	@echo "make mm-selftests ARCH=x86_64   the kernel's mm selftests, vanilla against hardened"
	@echo "make kernel | guest | deps | kernelversion | check-patches | clean | distclean"
	@echo "variables: ARCH=$(subst $(space),|,$(ARCHES)) VARIANT=kpkeys|debug|vanilla KCMDLINE= VM_MEM=$(VM_MEM)"
	@echo "           VM_SMP=$(VM_SMP)"
	@echo "           VM_TIMEOUT=$(VM_TIMEOUT) QEMU=$(QEMU) V=1 VM_CONSOLE=1"
	@echo "README.md documents every target, variable and exit status."

FORCE:

.SECONDARY:
# A recipe that fails leaves no half-written target behind.
.DELETE_ON_ERROR:
