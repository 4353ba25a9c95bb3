"""ipcbench_py - the host side of ipcbench: the library behind ./run.py.

One concern per module: distro (which OS, how to install), deps (tool
checks), accel (KVM or TCG), ovmf (firmware discovery), plan (plan text
into the image), qemu (command line and launch), monitor (HMP socket),
seriallog (parse a saved serial log), verdict (judge a run), rundir
(results/<run-id>/ and meta.json), progress (timestamped stage lines),
cli (the subcommands).
"""
