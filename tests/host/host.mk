# tests/host/ : host unit tests of the kernel's and loader's pure logic.
# Each test is one tests/host/test_NAME.c linked with the sources it tests;
# adding a test is adding a name to HOST_TESTS and a HOST_SRCS_NAME line.
HOST_CFLAGS := -std=gnu11 -O1 -g $(WARN) -I. -DHOST_TEST \
	-fsanitize=address,undefined -fno-omit-frame-pointer

HOST_TESTS :=
# Lines below are appended per test, e.g.:
#   HOST_TESTS += plan
#   HOST_SRCS_plan := tests/host/test_plan.c common/plan.c
-include tests/host/*.mk.inc

define host_test_rule
$(BUILD)/host/test_$(1): $$(HOST_SRCS_$(1)) tests/host/check.h
	@mkdir -p $$(dir $$@)
	@echo "  HOSTCC  $$@"
	$$(Q)$$(HOSTCC) $$(HOST_CFLAGS) $$(DEPFLAGS) $$(HOST_SRCS_$(1)) -o $$@
endef
$(foreach t,$(HOST_TESTS),$(eval $(call host_test_rule,$(t))))

host-tests: $(foreach t,$(HOST_TESTS),$(BUILD)/host/test_$(t))
