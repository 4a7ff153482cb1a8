/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VSVA_RUN_H
#define VSVA_RUN_H

#include <vsva/vm.h>

/* Option parsing, split out so unit tests can drive it. */
int run__parse(int argc, char **argv, struct vm_config *cfg);
int run__main(int argc, char **argv);

#endif
