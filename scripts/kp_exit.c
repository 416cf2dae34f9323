// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * GNU make loadable object: $(kp-exit N) ends make with exit status N.
 *
 * GNU make exits 2 whenever a recipe fails, whatever the recipe's status.
 * `make vm CMD=...` promises CMD's own exit status, so the vm target expands
 * $(kp-exit ...) after the guest has run, with the status the guest
 * reported. Loaded by the top-level Makefile with `-load` (build/kp_exit.so).
 */
#include <gnumake.h>
#include <stdio.h>
#include <stdlib.h>

int plugin_is_GPL_compatible;

static char *kp_exit(const char *name, unsigned int argc, char **argv)
{
	char *end;
	long status = strtol(argv[0], &end, 10);

	(void)name;
	(void)argc;
	if (end == argv[0] || status < 0 || status > 255)
		status = 1;
	fflush(stdout);
	fflush(stderr);
	exit((int)status);
}

int kp_exit_gmk_setup(const gmk_floc *floc)
{
	(void)floc;
	gmk_add_function("kp-exit", kp_exit, 1, 1, GMK_FUNC_DEFAULT);
	return 1;
}
