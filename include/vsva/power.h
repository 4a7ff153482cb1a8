/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VSVA_POWER_H
#define VSVA_POWER_H

#include <vsva/vm.h>

#define VSVA_PORT_FW_EXIT		0x510
#define VSVA_PORT_ACPI_SLEEP_CTL	0x600
#define VSVA_PORT_ACPI_SLEEP_STS	0x601

int power__init(struct vm *vm);

#endif
