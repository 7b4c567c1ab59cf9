/* office_run.h - starting LibreOffice: its profile, user, limits and deadline.
 *
 * Shared by the one-document run (libreoffice.c) and the warm converter
 * (office_warm.c). A LibreOffice started here has stdin from /dev/null, a
 * cleared environment (HOME and TMPDIR in its own folder), the rlimits of
 * MgOfficeLimits, never root, and a profile that turns macros off and never
 * updates links.
 */
#pragma once
#include <glib.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "common/config.h"

typedef struct {
  rlim_t address_space, cpu_seconds, file_size;
  gboolean drop; /* leave root for UID/GID */
  uid_t uid;
  gid_t gid;
  gboolean same_group; /* stay in the caller's process group (else a session of its own) */
} MgOfficeLimits;

/* The user LibreOffice runs as when mugai runs as root. */
#define MG_OFFICE_USER "nobody"

extern const char mg_office_why_timeout[];

/* CONFIG's limits for one LibreOffice that converts up to DOCUMENTS documents. */
void mg_office_run_limits (const MgConfig *config, guint documents, MgOfficeLimits *limits);

/* The LibreOffice program to run, or NULL when it is not installed. */
char *mg_office_run_find (const MgConfig *config);

/* Write the profile LibreOffice starts with into DIR/profile/user. */
gboolean mg_office_run_write_profile (const char *dir);

/* The -env:UserInstallation URL of DIR/profile. */
char *mg_office_run_profile_url (const char *dir);

/* As root, give DIR (the profile and INPUTS, NULL ended) to MG_OFFICE_USER
 * and set LIMITS to become that user; FALSE when that user does not exist. */
gboolean mg_office_run_hand_over (const char *dir, const char *const *inputs,
                                  MgOfficeLimits *limits);

/* Start PROGRAM with DIR as its folder, home and profile, then ARGS (NULL
 * ended). FALSE with *WHY_R. */
gboolean mg_office_run_spawn (const char *program, const char *dir, const char *const *args,
                              MgOfficeLimits *limits, GPid *pid_r, char **why_r);

/* Run PROGRAM (DIR as in mg_office_run_spawn) to convert INPUTS (paths,
 * NULL ended) to TARGET in OUTDIR, with LIMITS (a session of its own) until
 * DEADLINE (monotonic, microseconds), then kill its process group, whatever
 * it left running too. FALSE with *WHY_R: mg_office_why_timeout past
 * DEADLINE, else why it did not start or did not end well. */
gboolean mg_office_run_convert (const char *program, const char *dir, const char *outdir,
                                const char *const *inputs, const char *target,
                                MgOfficeLimits *limits, gint64 deadline, char **why_r);

/* The file LibreOffice wrote at PATH, at most MAX bytes, or NULL and *WHY_R. */
GBytes *mg_office_run_read_output (const char *path, gint64 max, char **why_r);
