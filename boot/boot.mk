# boot/ : the gnu-efi UEFI loader -> $(BUILD)/boot/BOOTX64.EFI
EFI_INC    ?= /usr/include/efi
EFI_LIB    ?= /usr/lib
EFI_CRT0   := $(EFI_LIB)/crt0-efi-x86_64.o
EFI_LDS    := $(EFI_LIB)/elf_x86_64_efi.lds

# A clear message instead of a compiler error when gnu-efi is missing.
ifeq ($(wildcard $(EFI_CRT0)),)
ifeq ($(filter clean,$(MAKECMDGOALS)),)
ifneq ($(MAKECMDGOALS),test)
$(error gnu-efi not found ($(EFI_CRT0)): run `./run.py deps` or `sudo apt-get install gnu-efi`)
endif
endif
endif

BOOT_CFLAGS := -std=gnu11 -O2 $(WARN) -fpic -fshort-wchar -ffreestanding \
	-fno-stack-protector -fno-strict-aliasing -mno-red-zone -mno-avx \
	-DGNU_EFI_USE_MS_ABI -I$(EFI_INC) -I$(EFI_INC)/x86_64 -I.
# Only the shared files the loader needs: the rest of common/ is kernel code
# (e.g. string.c's memcpy/memset clash with libefi's).
BOOT_COMMON := common/elf_check.c common/plan.c common/cpu_state.c common/format.c
BOOT_SRCS   := $(wildcard boot/*.c) $(BOOT_COMMON)
BOOT_OBJS   := $(patsubst %.c,$(BUILD)/boot-obj/%.o,$(BOOT_SRCS))
BOOT_SO     := $(BUILD)/boot/bootx64.so
BOOT_EFI    := $(BUILD)/boot/BOOTX64.EFI

# meta.json names the image version; a stamp file rebuilds results_meta.o
# only when `git describe` changes.
IMAGE_VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
IMAGE_VERSION_STAMP := $(BUILD)/boot-obj/image-version
$(shell mkdir -p $(BUILD)/boot-obj; [ "$$(cat $(IMAGE_VERSION_STAMP) 2>/dev/null)" = "$(IMAGE_VERSION)" ] || echo "$(IMAGE_VERSION)" > $(IMAGE_VERSION_STAMP))
$(BUILD)/boot-obj/boot/results_meta.o: $(IMAGE_VERSION_STAMP)
$(BUILD)/boot-obj/boot/results_meta.o: BOOT_CFLAGS += -DIPCBENCH_IMAGE_VERSION='"$(IMAGE_VERSION)"'

$(BUILD)/boot-obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<  (efi)"
	$(Q)$(CC) $(BOOT_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BOOT_SO): $(BOOT_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(LD) -nostdlib -znocombreloc -shared -Bsymbolic --no-undefined -T $(EFI_LDS) \
		$(EFI_CRT0) $(BOOT_OBJS) -L$(EFI_LIB) -lefi -lgnuefi -o $@

$(BOOT_EFI): $(BOOT_SO)
	@echo "  EFI     $@"
	$(Q)$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel \
		-j .rela -j .rel.* -j .rela.* -j .reloc --target efi-app-x86_64 \
		--subsystem=10 $< $@
