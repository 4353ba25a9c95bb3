# kernel/ : the freestanding higher-half kernel -> $(BUILD)/kernel/kernel.elf
# Every .c and .S under kernel/, common/ and ipc/kernel/ is part of the kernel; adding a
# file needs no change here.
KERNEL_CFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -fno-pic -fno-pie \
	-mcmodel=kernel -mno-red-zone -mgeneral-regs-only -mno-sse -mno-mmx \
	-fno-stack-protector -fno-omit-frame-pointer -fno-strict-aliasing \
	-fno-asynchronous-unwind-tables -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-I. -DIPCBENCH_KERNEL $(if $(filter 1,$(DEBUG)),-DIPCBENCH_DEBUG)
KERNEL_LDS    := kernel/arch/x86_64/kernel.ld
KERNEL_SRCS   := $(shell find kernel common ipc/kernel -name '*.c' -o -name '*.S' | sort)
KERNEL_OBJS   := $(patsubst %,$(BUILD)/kernel-obj/%.o,$(KERNEL_SRCS)) $(KERNEL_EXTRA_OBJS)
KERNEL_ELF    := $(BUILD)/kernel/kernel.elf

$(BUILD)/kernel-obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/kernel-obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) $(DEPFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(KERNEL_ELF): $(KERNEL_OBJS) $(KERNEL_LDS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(LD) -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
		-T $(KERNEL_LDS) $(KERNEL_OBJS) -o $@
