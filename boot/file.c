/*
 * file.c - reads whole files from the volume the loader itself was loaded
 * from (the ESP of the stick or of QEMU's disk), never from another disk.
 */
#include "boot/boot.h"

EFI_FILE_HANDLE
boot_open_volume(EFI_HANDLE image)
{
	EFI_LOADED_IMAGE *li = NULL;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs = NULL;
	EFI_FILE_HANDLE root = NULL;
	EFI_STATUS st;

	st = BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st))
		boot_fail(L"no LoadedImage protocol on our own image: %r", st);
	st = BS->HandleProtocol(li->DeviceHandle, &FileSystemProtocol, (void **)&fs);
	if (EFI_ERROR(st))
		boot_fail(L"the boot device has no FAT file system we can read: %r", st);
	st = fs->OpenVolume(fs, &root);
	if (EFI_ERROR(st))
		boot_fail(L"cannot open the boot volume: %r", st);
	return root;
}

/* File size from EFI_FILE_INFO, whose length depends on the file name. */
static EFI_STATUS
file_size(EFI_FILE_HANDLE f, UINT64 *size)
{
	UINT8 buf[SIZE_OF_EFI_FILE_INFO + 256 * sizeof(CHAR16)];
	UINTN len = sizeof(buf);
	EFI_STATUS st;

	st = f->GetInfo(f, &GenericFileInfo, &len, buf);
	if (!EFI_ERROR(st))
		*size = ((EFI_FILE_INFO *)buf)->FileSize;
	return st;
}

/* Read may return fewer bytes than asked for; loop until the end. */
static EFI_STATUS
read_all(EFI_FILE_HANDLE f, UINT8 *dst, UINTN bytes)
{
	UINTN done = 0, n;
	EFI_STATUS st;

	while (done < bytes) {
		n = bytes - done;
		st = f->Read(f, &n, dst + done);
		if (EFI_ERROR(st))
			return st;
		if (n == 0)
			return EFI_END_OF_FILE;
		done += n;
	}
	return EFI_SUCCESS;
}

/*
 * Returns EFI_NOT_FOUND if the file does not exist (callers decide whether
 * that is fatal); fails the boot for read errors and oversized files.
 */
EFI_STATUS
boot_read_file(EFI_FILE_HANDLE root, const CHAR16 *path, UINTN max_bytes,
	       struct boot_file *out)
{
	EFI_FILE_HANDLE f;
	UINT64 size = 0;
	EFI_STATUS st;

	out->data = NULL;
	out->bytes = 0;
	st = root->Open(root, &f, (CHAR16 *)path, EFI_FILE_MODE_READ, 0);
	if (st == EFI_NOT_FOUND)
		return st;
	if (EFI_ERROR(st))
		boot_fail(L"cannot open %s: %r", path, st);
	st = file_size(f, &size);
	if (EFI_ERROR(st))
		boot_fail(L"cannot get the size of %s: %r", path, st);
	if (size > max_bytes)
		boot_fail(L"%s is %ld bytes, more than the %ld allowed", path, size,
			  (UINT64)max_bytes);
	/* One spare byte so a zero-length file still gets a valid buffer. */
	st = BS->AllocatePool(EfiLoaderData, size + 1, &out->data);
	if (EFI_ERROR(st))
		boot_fail(L"no memory for %s (%ld bytes): %r", path, size, st);
	st = read_all(f, out->data, size);
	if (EFI_ERROR(st))
		boot_fail(L"reading %s failed: %r", path, st);
	f->Close(f);
	out->bytes = size;
	return EFI_SUCCESS;
}
