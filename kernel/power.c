/*
 * power.c - turns the machine off at the end of a run.
 *
 * Under QEMU the isa-debug-exit port ends the emulator with a status that
 * tells success from failure.  Elsewhere (Bochs, bare metal) the UEFI
 * runtime service ResetSystem(EfiResetShutdown) powers off; it runs at its
 * physical addresses (we never call SetVirtualAddressMap), so the kernel's
 * master page tables keep the runtime regions identity-mapped and we load
 * them before the call.
 */
#include "kernel/power.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/tlb.h"
#include "kernel/console/console.h"
#include "common/boot_info.h"

/* EFI_RUNTIME_SERVICES: header (24 bytes) then 14 function pointers;
 * ResetSystem is the 11th (UEFI spec 2.10, 4.5). */
#define EFI_RT_RESET_SYSTEM_OFFSET (24 + 10 * 8)
#define EFI_RESET_SHUTDOWN 2

typedef void (__attribute__((ms_abi)) *efi_reset_system_fn)(
	int type, uint64_t status, uint64_t size, void *data);

static uint64_t runtime_services;
static uint64_t runtime_cr3;

void
power_init(const struct boot_info *bi, uint64_t cr3)
{
	runtime_services = bi->efi_runtime_services;
	runtime_cr3 = cr3;
}

static void
efi_shutdown(int success)
{
	if (!runtime_services || !runtime_cr3)
		return;
	tlb_load_kernel_root(runtime_cr3);
	efi_reset_system_fn reset =
		*(efi_reset_system_fn *)(runtime_services + EFI_RT_RESET_SYSTEM_OFFSET);
	/* EFI_SUCCESS or EFI_ABORTED (high bit | 21) as the reset status. */
	reset(EFI_RESET_SHUTDOWN, success ? 0 : 0x8000000000000015ull, 0, 0);
}

void
power_off(int success)
{
	cli();
	outb(QEMU_EXIT_PORT, success ? QEMU_EXIT_SUCCESS : QEMU_EXIT_FAILURE);
	efi_shutdown(success);
	kprintf("ipcbench: could not power off; it is safe to turn the machine off\n");
	for (;;)
		hlt();
}
