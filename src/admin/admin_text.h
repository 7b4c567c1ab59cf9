/* admin_text.h - the web UI's words for names as they are stored (verdicts,
 * states, roles, actions, reasons).
 *
 * Japanese first: every page is in Japanese unless the admin switched to
 * English (a cookie). The words themselves are in the catalogue (msg_ui.c,
 * read with mg_msg()); some are printf formats whose arguments the HTML layer
 * escapes.
 */
#pragma once
#include <glib.h>

#include "common/msg.h"

/* The word for a verdict, state, role or action name as stored (falls back
 * to NAME itself). */
const char *mg_admin_text_word (MgLang lang, const char *name);

/* The word for a part's action ("kept", "converted", "removed", "withheld"). */
const char *mg_admin_text_action (MgLang lang, const char *action);

/* The word for the kind of a release request ("sanitised", "original"). */
const char *mg_admin_text_kind (MgLang lang, const char *kind);

/* REASONS ("; "-separated English reasons of the report) in LANG, owned by
 * the caller; a reason this table does not know stays as it is. */
char *mg_admin_text_reasons (MgLang lang, const char *reasons);
