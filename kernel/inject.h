/* inject.h - deliberate kernel faults (plan key `inject`), to prove the
 * exception dump and failure exit work end to end. */
#ifndef KERNEL_INJECT_H
#define KERNEL_INJECT_H

#include "common/plan.h"

void inject_fault(enum plan_inject what);

#endif
