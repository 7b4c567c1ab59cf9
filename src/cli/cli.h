/* cli.h - the subcommands of `mugai`, each in its own file, and what they share. */
#pragma once
#include <glib.h>

#include "common/config.h"
#include "common/exit.h"

int mg_cmd_mail (int argc, char **argv);
int mg_cmd_scan (int argc, char **argv);
int mg_cmd_files (int argc, char **argv);
int mg_cmd_quarantine (int argc, char **argv);
int mg_cmd_admin (int argc, char **argv);
int mg_cmd_config (int argc, char **argv);
int mg_cmd_report (int argc, char **argv);

/* Load the configuration named by -c (NULL: default). Prints a one-line
 * message and returns NULL on error. */
MgConfig *mg_cli_load_config (const char *path);

/* The real Unix user's login (getuid, never $SUDO_USER or $USER, which
 * anyone sets), or "uidN" when it has no name. */
char *mg_cli_unix_login (void);
