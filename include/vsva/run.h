/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VSVA_RUN_H
#define VSVA_RUN_H

#include <vsva/vm.h>

/* Option parsing, split out so unit tests can drive it. */
int run__parse(int argc, char **argv, struct vm_config *cfg);
int run__main(int argc, char **argv);

/* For commands built on `run` (stress): called on the main thread. */
struct run_hooks {
	/* The guest runs (vCPUs started). */
	void (*started)(struct vm *vm, void *opaque);
	/* The guest stopped and the vIOMMU answered what was outstanding;
	 * every device still exists. */
	void (*finished)(struct vm *vm, void *opaque);
	void *opaque;
};

/* Set up, boot, run and tear down a VM; returns vsva's exit status. */
int run__vm(struct vm_config *cfg, const struct run_hooks *hooks);

#endif
