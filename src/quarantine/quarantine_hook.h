/* quarantine_hook.h - run an admin's command ([alert] exec) with a deadline.
 *
 * The command line is split into argv as a shell would split it (quotes,
 * backslashes) but no shell runs it: no expansion, no redirection, no
 * pipeline. Its program must be an absolute path. It runs as the caller
 * (the service user), with no file descriptor of the caller but a pipe on
 * stdin carrying INPUT, stdout discarded, stderr kept (its first
 * MG_QUARANTINE_HOOK_STDERR_MAX bytes, for the log), and an environment of
 * PATH, LANG and the given variables only. Past TIMEOUT seconds it is
 * killed. Hostile text may be in INPUT and in the variables: the command
 * must treat them as data.
 */
#pragma once
#include <glib.h>

#define MG_QUARANTINE_HOOK_STDERR_MAX 512

/* COMMAND's argv, or NULL with ERROR when it does not parse or its program
 * is not an absolute path. */
char **mg_quarantine_hook_argv (const char *command, GError **error);

/* Run COMMAND with INPUT on stdin and the variables VARS ("NAME=value", may
 * be NULL). TRUE when it exited 0 within TIMEOUT seconds; else ERROR says
 * why (exit status, signal, deadline, and what it wrote on stderr). */
gboolean mg_quarantine_hook_run (const char *command, const char *const *vars, GBytes *input,
                                 guint timeout, GError **error);
