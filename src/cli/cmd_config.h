/* cmd_config.h - what the parts of `mugai config check` share.
 *
 * Each finding is one line on stdout; the check fails (exit 78) when there
 * was any. The Postfix side (cmd_config_postfix.c) only reads, through
 * postconf; it never changes a Postfix setting.
 */
#pragma once
#include <glib.h>

#include "common/config.h"

typedef struct {
  guint count;
} MgConfigFindings;

/* Print one finding (no newline in FORMAT) and count it. */
void mg_cmd_config_finding (MgConfigFindings *findings, const char *format, ...)
    G_GNUC_PRINTF (2, 3);

/* Check the Postfix settings mugai-milter relies on, with `postconf -c DIR`
 * (DIR NULL: Postfix's default). Prints a note and checks nothing when
 * postconf is not installed. */
void mg_cmd_config_check_postfix (const MgConfig *config, const char *dir,
                                  MgConfigFindings *findings);

/* A finding when [release] allowed_recipient_domains is empty (every release
 * refused), suggesting Postfix's relay_domains and mydestination of DIR. */
void mg_cmd_config_check_release (const MgConfig *config, const char *postfix_dir,
                                  MgConfigFindings *findings);
