# tools/plancheck: the guest's plan parser built for the host, so run.py
# checks a plan against the very table the kernel enforces (no copied limits).
PLANCHECK := $(BUILD)/host/plancheck
all: $(PLANCHECK)

$(PLANCHECK): tools/plancheck.c common/plan.c common/plan.h common/format.c common/format.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O1 $(WARN) -I. tools/plancheck.c common/plan.c common/format.c -o $@
