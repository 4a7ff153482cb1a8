/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VSVA_RTC_H
#define VSVA_RTC_H

#include <vsva/vm.h>

int rtc__init(struct vm *vm);

#endif
