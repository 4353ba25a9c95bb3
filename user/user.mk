# user/ : the user library and programs, embedded in the kernel image.
# Every user/progs/NAME.c (or directory user/progs/NAME/ of .c/.S files)
# becomes $(BUILD)/user/NAME.elf, linked with crt0 and $(BUILD)/user/libuser.a
# (user/lib/ plus common/string.c and common/format.c).  All ELFs are
# .incbin'd by the generated $(BUILD)/user/programs.S into programs.o, which
# kernel.mk links in through KERNEL_EXTRA_OBJS; so this file must be included
# before kernel/kernel.mk.  Adding a program needs no change here.

# No SSE/x87: the kernel does not save FPU state across switches.
USER_CFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -fno-pic -fno-pie -static \
	-mgeneral-regs-only -mno-sse -mno-mmx -fno-stack-protector \
	-fno-omit-frame-pointer -fno-strict-aliasing -fno-asynchronous-unwind-tables \
	-nostdinc -isystem $(shell $(CC) -print-file-name=include) -I. -DIPCBENCH_USER
USER_LDS     := user/user.ld
USER_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z separate-code -z noexecstack \
	--orphan-handling=error -T $(USER_LDS)

USER_OBJDIR  := $(BUILD)/user-obj
USER_CRT0    := $(USER_OBJDIR)/user/lib/crt0.S.o
USER_LIB     := $(BUILD)/user/libuser.a
USER_LIB_SRCS := $(sort $(wildcard user/lib/*.c) $(wildcard ipc/user/*.c) \
	$(filter-out user/lib/crt0.S,$(wildcard user/lib/*.S))) \
	common/string.c common/format.c
USER_LIB_OBJS := $(patsubst %,$(USER_OBJDIR)/%.o,$(USER_LIB_SRCS))

USER_PROG_FILES := $(patsubst user/progs/%.c,%,$(wildcard user/progs/*.c))
USER_PROG_DIRS  := $(patsubst user/progs/%/,%,$(wildcard user/progs/*/))
# The benchmark harness lives at the top (bench/) and is the program "bench".
USER_PROGS      := $(sort $(USER_PROG_FILES) $(USER_PROG_DIRS) bench)
ifneq ($(filter $(USER_PROG_FILES),$(USER_PROG_DIRS)),)
$(error user/progs: both NAME.c and NAME/ for $(filter $(USER_PROG_FILES),$(USER_PROG_DIRS)))
endif
USER_ELFS       := $(patsubst %,$(BUILD)/user/%.elf,$(USER_PROGS))

USER_LIST       := $(BUILD)/user/programs.list
USER_PROGRAMS_S := $(BUILD)/user/programs.S
USER_PROGRAMS_O := $(BUILD)/user/programs.o
KERNEL_EXTRA_OBJS += $(USER_PROGRAMS_O)

# The sources of program $(1): NAME.c alone, or everything in NAME/.
user_prog_srcs = $(if $(filter bench,$(1)),$(sort $(wildcard bench/*.c)),\
	$(if $(filter $(1),$(USER_PROG_FILES)),user/progs/$(1).c,\
	$(sort $(wildcard user/progs/$(1)/*.c user/progs/$(1)/*.S))))
user_prog_objs = $(patsubst %,$(USER_OBJDIR)/%.o,$(call user_prog_srcs,$(1)))

.PHONY: user
user: $(USER_ELFS)

# The chcore library without frame pointers: its calls keep values across
# the SYSCALL in callee-saved registers, and the frame pointer would add a
# push, a mov, a stack adjustment and a pop to every call and answer
# (docs/mech/chcore.md, "The user library").  Nothing walks user
# frames: the kernel's backtraces follow kernel addresses only (panic.c),
# and ./run.py profile attributes instructions by PC.
$(USER_OBJDIR)/ipc/user/chcore.c.o: USER_CFLAGS += -fomit-frame-pointer

$(USER_OBJDIR)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<  (user)"
	$(Q)$(CC) $(USER_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(USER_OBJDIR)/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<  (user)"
	$(Q)$(CC) $(USER_CFLAGS) $(DEPFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(USER_LIB): $(USER_LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcsD $@ $^

# crt0 first: it holds _start in .text.entry, at the start of the text.
define user_prog_rule
$(BUILD)/user/$(1).elf: $(USER_CRT0) $(call user_prog_objs,$(1)) $(USER_LIB) $(USER_LDS)
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	$$(Q)$$(LD) $$(USER_LDFLAGS) $(USER_CRT0) $(call user_prog_objs,$(1)) \
		$(USER_LIB) -o $$@
endef
$(foreach p,$(USER_PROGS),$(eval $(call user_prog_rule,$(p))))

# Rewritten, while the makefiles are read, only when the set of programs
# changes: adding or removing one regenerates programs.S, an unchanged set
# leaves it (and the kernel) alone.  Done at parse time rather than by a
# rule with a phony prerequisite so that `make -q` and `make -n` stay exact.
$(shell mkdir -p $(BUILD)/user && { echo '$(USER_PROGS)' | cmp -s - $(USER_LIST) || \
	echo '$(USER_PROGS)' > $(USER_LIST); } 2>/dev/null)

$(USER_PROGRAMS_S): $(USER_LIST) user/gen_programs.sh
	@echo "  GEN     $@"
	$(Q)sh user/gen_programs.sh $(BUILD)/user $(USER_PROGS) > $@.tmp && mv $@.tmp $@

# .incbin is invisible to -MMD: the ELFs are listed by hand.
$(USER_PROGRAMS_O): $(USER_PROGRAMS_S) $(USER_ELFS)
	@echo "  AS      $@"
	$(Q)$(CC) -c $< -o $@
