#!/usr/bin/env python3
"""mkimage.py - build the bootable ipcbench disk image (GPT + one FAT ESP),
or replace the plan inside an existing one, without root or loop mounts.

    tools/mkimage.py --efi BOOTX64.EFI --kernel kernel.elf --plan plan.txt \
                     --out disk.img [--size-mb 64]
    tools/mkimage.py --set-plan plan.txt --image disk.img

The ESP is made with mkfs.fat into a temporary file and filled with mtools,
then placed at LBA 2048 of a GPT disk written here.  Every GUID, volume id
and timestamp is fixed, so the same inputs give a byte-identical image.
The same image boots under QEMU/OVMF and from a USB stick (dd it there).
"""

import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import uuid
import zlib

SECTOR = 512
ESP_FIRST_LBA = 2048                      # 1 MiB: aligned for flash media
GPT_ENTRIES = 128
GPT_ENTRY_SIZE = 128
GPT_ENTRY_SECTORS = GPT_ENTRIES * GPT_ENTRY_SIZE // SECTOR   # 32
ESP_TYPE_GUID = uuid.UUID("C12A7328-F81F-11D2-BA4B-00A0C93EC93B")
DISK_GUID = uuid.UUID("6970C0BE-4E43-4842-8000-000000000001")   # fixed: reproducible
ESP_GUID = uuid.UUID("6970C0BE-4E43-4842-8000-000000000002")
VOLUME_ID = "1BCBE4C0"
VOLUME_LABEL = "IPCBENCH"
FIXED_MTIME = 1704067200                  # 2024-01-01T00:00:00Z, for every file
PLAN_MAX_BYTES = 16384                    # BOOT_PLAN_MAX_BYTES in common/boot_info.h
FAT32_MIN_MB = 40                         # below this FAT32 has too few clusters

EFI_PATH = "::/EFI/BOOT/BOOTX64.EFI"
KERNEL_PATH = "::/EFI/IPCBENCH/KERNEL.ELF"
PLAN_PATH = "::/EFI/IPCBENCH/PLAN.TXT"

TOOLS = {"mkfs.fat": "dosfstools", "mmd": "mtools", "mcopy": "mtools"}


class ImageError(Exception):
    """A failure with a message for the user and an exit status."""

    def __init__(self, msg, status=1):
        super().__init__(msg)
        self.status = status


def find_tool(name):
    """mkfs.fat lives in /usr/sbin, which a normal user's PATH lacks."""
    path = os.environ.get("PATH", os.defpath) + os.pathsep + "/usr/sbin:/sbin"
    return shutil.which(name, path=path)


def require_tools(names):
    """Missing host tools are a setup problem: name the Debian package."""
    missing = [n for n in names if find_tool(n) is None]
    if missing:
        pkgs = sorted({TOOLS[n] for n in missing})
        raise ImageError("%s not found: install with `sudo apt-get install %s`"
                         % (", ".join(missing), " ".join(pkgs)), status=2)


def run(cmd):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1", SOURCE_DATE_EPOCH=str(FIXED_MTIME))
    res = subprocess.run([find_tool(cmd[0])] + cmd[1:], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    if res.returncode != 0:
        raise ImageError("`%s` failed (%d): %s"
                         % (" ".join(cmd), res.returncode, res.stdout.strip()))


def fixed_copy(src, tmpdir, name):
    """A copy with a fixed mtime, so `mcopy -m` stores a reproducible date."""
    if not os.path.isfile(src):
        raise ImageError("input file not found: %s" % src, status=2)
    dst = os.path.join(tmpdir, name)
    shutil.copyfile(src, dst)
    os.utime(dst, (FIXED_MTIME, FIXED_MTIME))
    return dst


def check_plan_size(path):
    size = os.path.getsize(path)
    if size > PLAN_MAX_BYTES:
        raise ImageError("plan %s is %d bytes; the loader accepts at most %d"
                         % (path, size, PLAN_MAX_BYTES), status=2)


def layout(size_mb):
    """(total sectors, ESP sectors): the ESP ends on a 1 MiB boundary
    before the backup GPT (33 sectors at the end of the disk)."""
    total = size_mb * 1024 * 1024 // SECTOR
    last_usable = total - 1 - GPT_ENTRY_SECTORS - 1
    esp = (last_usable + 1 - ESP_FIRST_LBA) // 2048 * 2048
    return total, esp


def make_fat(path, esp_sectors, size_mb):
    """FAT32 as the UEFI spec prefers for an ESP; small test images get
    whatever FAT12/16 mkfs.fat picks (firmware reads those on any disk)."""
    fat = ["-F", "32", "-s", "1"] if size_mb >= FAT32_MIN_MB else []
    # --invariant first: it resets the volume id that -i then sets.
    run(["mkfs.fat", "-C", *fat, "--invariant", "-n", VOLUME_LABEL, "-i", VOLUME_ID,
         "-h", str(ESP_FIRST_LBA), path, str(esp_sectors // 2)])


def fill_fat(fat, efi, kernel, plan):
    run(["mmd", "-i", fat, "::/EFI", "::/EFI/BOOT", "::/EFI/IPCBENCH"])
    for src, dst in ((efi, EFI_PATH), (kernel, KERNEL_PATH), (plan, PLAN_PATH)):
        run(["mcopy", "-m", "-i", fat, src, dst])


def gpt_entries(esp_sectors):
    entry = struct.pack("<16s16sQQQ72s", ESP_TYPE_GUID.bytes_le, ESP_GUID.bytes_le,
                        ESP_FIRST_LBA, ESP_FIRST_LBA + esp_sectors - 1, 0,
                        "EFI System Partition".encode("utf-16-le"))
    return entry.ljust(GPT_ENTRIES * GPT_ENTRY_SIZE, b"\0")


def gpt_header(my_lba, alt_lba, entries_lba, total, entries):
    def pack(crc):
        return struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x00010000, 92, crc, 0,
                           my_lba, alt_lba, 1 + 1 + GPT_ENTRY_SECTORS,
                           total - 2 - GPT_ENTRY_SECTORS, DISK_GUID.bytes_le,
                           entries_lba, GPT_ENTRIES, GPT_ENTRY_SIZE,
                           zlib.crc32(entries))
    return pack(zlib.crc32(pack(0))).ljust(SECTOR, b"\0")


def protective_mbr(total):
    part = struct.pack("<B3sB3sII", 0, b"\x00\x02\x00", 0xEE, b"\xff\xff\xff",
                       1, min(total - 1, 0xFFFFFFFF))
    return (b"\0" * 446 + part + b"\0" * 48 + b"\x55\xaa")


def copy_sparse(src, dst, offset):
    """Copy src into dst at offset, leaving all-zero MiBs as holes."""
    chunk = 1 << 20
    with open(src, "rb") as fin:
        pos = offset
        while True:
            data = fin.read(chunk)
            if not data:
                break
            if data.count(0) != len(data):
                dst.seek(pos)
                dst.write(data)
            pos += len(data)


def write_disk(out, fat, total, esp_sectors):
    entries = gpt_entries(esp_sectors)
    backup_entries_lba = total - 1 - GPT_ENTRY_SECTORS
    with open(out, "wb") as f:
        f.truncate(total * SECTOR)
        f.write(protective_mbr(total))
        f.write(gpt_header(1, total - 1, 2, total, entries))
        f.write(entries)
        copy_sparse(fat, f, ESP_FIRST_LBA * SECTOR)
        f.seek(backup_entries_lba * SECTOR)
        f.write(entries)
        f.write(gpt_header(total - 1, 1, backup_entries_lba, total, entries))


def build_image(efi, kernel, plan, out, size_mb=64):
    """Write a GPT disk image with the ESP holding loader, kernel and plan."""
    require_tools(["mkfs.fat", "mmd", "mcopy"])
    if size_mb < 8:
        raise ImageError("--size-mb must be at least 8", status=2)
    check_plan_size(plan)
    total, esp_sectors = layout(size_mb)
    need = sum(os.path.getsize(p) for p in (efi, kernel, plan) if os.path.isfile(p))
    if need + (2 << 20) > esp_sectors * SECTOR:
        raise ImageError("inputs need %d KiB, more than a %d MiB image holds: "
                         "raise --size-mb" % (need >> 10, size_mb), status=2)
    with tempfile.TemporaryDirectory(prefix="mkimage-") as tmp:
        srcs = [fixed_copy(p, tmp, n) for p, n in
                ((efi, "BOOTX64.EFI"), (kernel, "KERNEL.ELF"), (plan, "PLAN.TXT"))]
        fat = os.path.join(tmp, "esp.fat")
        make_fat(fat, esp_sectors, size_mb)
        fill_fat(fat, *srcs)
        # Write beside the target, then rename: no half-written image survives.
        partial = out + ".partial"
        write_disk(partial, fat, total, esp_sectors)
        os.replace(partial, out)


def esp_offset(image):
    """Byte offset of the first GPT partition (the ESP) of an image."""
    try:
        with open(image, "rb") as f:
            f.seek(SECTOR)
            hdr = f.read(92)
            if len(hdr) < 92 or hdr[:8] != b"EFI PART":
                raise ImageError("%s has no GPT header: not an ipcbench image" % image)
            entries_lba = struct.unpack_from("<Q", hdr, 72)[0]
            f.seek(entries_lba * SECTOR)
            first_lba = struct.unpack_from("<Q", f.read(GPT_ENTRY_SIZE), 32)[0]
    except OSError as e:
        raise ImageError("cannot read %s: %s" % (image, e.strerror), status=2)
    if first_lba == 0:
        raise ImageError("%s: first GPT partition is empty" % image)
    return first_lba * SECTOR


def set_plan(image, plan):
    """Replace \\EFI\\IPCBENCH\\PLAN.TXT inside an existing image."""
    require_tools(["mcopy"])
    check_plan_size(plan)
    offset = esp_offset(image)
    with tempfile.TemporaryDirectory(prefix="mkimage-") as tmp:
        src = fixed_copy(plan, tmp, "PLAN.TXT")
        run(["mcopy", "-o", "-m", "-i", "%s@@%d" % (image, offset), src, PLAN_PATH])


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--efi", help="the loader, BOOTX64.EFI")
    ap.add_argument("--kernel", help="the kernel ELF")
    ap.add_argument("--plan", help="plan text for \\EFI\\IPCBENCH\\PLAN.TXT")
    ap.add_argument("--out", help="disk image to write")
    ap.add_argument("--size-mb", type=int, default=64, help="image size (default 64)")
    ap.add_argument("--set-plan", metavar="PLAN", help="replace the plan in --image")
    ap.add_argument("--image", help="existing image for --set-plan")
    args = ap.parse_args(argv)
    if args.set_plan:
        if not args.image:
            ap.error("--set-plan needs --image")
    elif not (args.efi and args.kernel and args.plan and args.out):
        ap.error("building an image needs --efi, --kernel, --plan and --out")
    return args


def main(argv=None):
    args = parse_args(argv)
    try:
        if args.set_plan:
            set_plan(args.image, args.set_plan)
        else:
            build_image(args.efi, args.kernel, args.plan, args.out, args.size_mb)
    except ImageError as e:
        print("mkimage: error: %s" % e, file=sys.stderr)
        return e.status
    return 0


if __name__ == "__main__":
    sys.exit(main())
