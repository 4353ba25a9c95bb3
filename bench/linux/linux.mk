# bench/linux/ : the benchmark harness as a static Linux program,
# $(LINUX_BENCH), for ./run.py linux (--host natively, --guest in the
# initramfs of a Linux guest).  It compiles bench/*.c (all but the ipcbench
# entry main.c and platform.c) and the portable mechanisms of ipc/user/ unchanged against
# glibc; their system calls go through bench/linux/compat/user/lib/syscall.h
# (found before user/lib/syscall.h by -iquote) to the Linux emulation in
# bench/linux/lx_*.c.  Needs only gcc and libc6-dev (static libc.a).

LINUX_BENCH   := $(BUILD)/linux/bench
LINUX_OBJDIR  := $(BUILD)/linux-obj
LINUX_CFLAGS  := -std=gnu11 -O2 -g $(WARN) -iquote bench/linux/compat -I. \
	-fno-strict-aliasing -DIPCBENCH_LINUX
LINUX_SRCS    := $(filter-out bench/main.c bench/platform.c,$(wildcard bench/*.c)) $(wildcard bench/linux/*.c) \
	$(addprefix ipc/user/,ipc.c lookup.c null.c shm_ring.c shm_poll.c shm_notify.c pipe.c \
		sysv_msgq.c sem.c unix_socket.c) \
	$(addprefix user/lib/,print.c args.c timing.c) common/format.c
LINUX_OBJS    := $(patsubst %,$(LINUX_OBJDIR)/%.o,$(LINUX_SRCS))

.PHONY: linux-bench
linux-bench: $(LINUX_BENCH)

$(LINUX_OBJDIR)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<  (linux)"
	$(Q)$(CC) $(LINUX_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(LINUX_BENCH): $(LINUX_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@  (static, glibc)"
	$(Q)$(CC) -static -o $@ $(LINUX_OBJS)
