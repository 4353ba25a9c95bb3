/*
 * console.c - the loader's messages (ConOut, which OVMF also mirrors to the
 * serial port) and its one way to fail: say why, then power off.
 */
#include "boot/boot.h"
#include "common/x86.h"

#define QEMU_DEBUG_EXIT_PORT  0xf4
#define QEMU_DEBUG_EXIT_FAIL  0x11   /* QEMU exits with (0x11 << 1) | 1 = 35 */
#define FAIL_WAIT_S           60        /* time to read the message on hardware */
#define KEY_POLL_US           100000

void
boot_log(const CHAR16 *fmt, ...)
{
	va_list ap;

	Print(L"ipcbench loader: ");
	va_start(ap, fmt);
	VPrint(fmt, ap);
	va_end(ap);
	Print(L"\r\n");
}

/* Append to boot_info.loader_note, "; "-separated, truncating if full. */
void
boot_note(struct boot_info *bi, const char *text)
{
	UINTN len = 0, cap = sizeof(bi->loader_note) - 1;

	while (len < cap && bi->loader_note[len])
		len++;
	if (len && len + 2 < cap) {
		bi->loader_note[len++] = ';';
		bi->loader_note[len++] = ' ';
	}
	while (len < cap && *text)
		bi->loader_note[len++] = *text++;
	bi->loader_note[len] = '\0';
}

/* Waits up to `seconds` for a key press, so a reader at the machine can
 * take the message in before the power goes. */
static void
wait_for_key(unsigned seconds)
{
	EFI_INPUT_KEY key;

	for (unsigned t = 0; t < seconds * (1000000 / KEY_POLL_US); t++) {
		if (ST->ConIn && ST->ConIn->ReadKeyStroke(ST->ConIn, &key) == EFI_SUCCESS)
			return;
		BS->Stall(KEY_POLL_US);
	}
}

/*
 * Only valid before ExitBootServices.  Under QEMU with isa-debug-exit the
 * port write ends the run at once with status 35, so run.py sees a failure
 * instead of a timeout; on hardware that port is unused and the message
 * stays on screen until a key is pressed (or a minute passes), then the
 * firmware powers off.
 */
void
boot_fail(const CHAR16 *fmt, ...)
{
	va_list ap;

	Print(L"ipcbench loader: error: ");
	va_start(ap, fmt);
	VPrint(fmt, ap);
	va_end(ap);
	Print(L"\r\nipcbench loader: stopping; press a key to power off (or wait %d s)\r\n",
	      FAIL_WAIT_S);
	outb(QEMU_DEBUG_EXIT_PORT, QEMU_DEBUG_EXIT_FAIL);
	wait_for_key(FAIL_WAIT_S);
	RT->ResetSystem(EfiResetShutdown, EFI_ABORTED, 0, NULL);
	for (;;)
		__asm__ volatile("cli; hlt");
}
