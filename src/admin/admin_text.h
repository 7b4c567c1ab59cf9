/* admin_text.h - the words of the admin web UI, in Japanese and English.
 *
 * Japanese first: every page is in Japanese unless the admin switched to
 * English (a cookie). Texts are trusted constants; some are printf formats
 * whose arguments the HTML layer escapes.
 */
#pragma once
#include <glib.h>

typedef enum { MG_ADMIN_LANG_JA, MG_ADMIN_LANG_EN } MgAdminLang;

typedef enum {
  MG_T_TITLE, MG_T_LOGIN, MG_T_USER, MG_T_PASSWORD, MG_T_LOGOUT, MG_T_ITEMS, MG_T_STATS,
  MG_T_SEARCH, MG_T_ID, MG_T_TIME, MG_T_FROM, MG_T_TO, MG_T_SUBJECT, MG_T_VERDICT,
  MG_T_REASONS, MG_T_STATE, MG_T_SINCE, MG_T_UNTIL, MG_T_ANY, MG_T_SHOW_ALL, MG_T_TEXT,
  MG_T_WITHHELD, MG_T_SANITISED, MG_T_HELD, MG_T_KEPT, MG_T_PENDING, MG_T_RELEASED,
  MG_T_DELETED, MG_T_PARTS, MG_T_HEADERS, MG_T_NO_BODY, MG_T_REQUESTS, MG_T_REQUEST,
  MG_T_KIND_SANITISED, MG_T_KIND_ORIGINAL, MG_T_PPAP, MG_T_PPAP_HELP, MG_T_NOTE,
  MG_T_APPROVE, MG_T_REJECT, MG_T_DELETE, MG_T_PURGE, MG_T_RETENTION, MG_T_OWN_REQUEST,
  MG_T_CSRF, MG_T_LOGIN_FAILED, MG_T_LOCKED, MG_T_EXPIRED, MG_T_DONE_REQUEST,
  MG_T_DONE_APPROVE, MG_T_DONE_REJECT, MG_T_DONE_DELETE, MG_T_DONE_PURGE, MG_T_NOT_DONE,
  MG_T_ERR_ROLE, MG_T_ERR_STATE, MG_T_ERR_POLICY, MG_T_ERR_RELEASE, MG_T_ERR_TEMP, MG_T_ERR_UNREACHABLE,
  MG_T_ROLE_OPERATOR, MG_T_ROLE_APPROVER, MG_T_PREV, MG_T_NEXT, MG_T_COUNT, MG_T_BY_DAY,
  MG_T_BY_REASON, MG_T_DAY, MG_T_TOTAL, MG_T_NOT_FOUND, MG_T_PENDING_BY, MG_T_NONE,
  MG_T_SIZE, MG_T_VIRUS, MG_T_DETAIL, MG_T_FILENAME, MG_T_TYPE, MG_T_ACTION,
  MG_T_REQUESTED_BY, MG_T_DECIDED_BY, MG_T_RESULT, MG_T_LANG_SWITCH, MG_T_BAD_REQUEST,
  MG_T_ACTIONS, MG_T_TZ_NOTE, MG_T_WAIT_OTHER, MG_T_CONFIRM_DELETE, MG_T_LOGGED_IN_AS,
  MG_T_ITEM, MG_T_W_REMOVED, MG_T_W_CONVERTED, MG_T_W_KEPT, MG_T_W_APPROVED, MG_T_W_REJECTED,
  MG_T_W_CANCELLED, MG_T_W_APPROVING, MG_T_REJECT_NOTE, MG_T_FROM_ADDRESS,
  MG_T_CONFIRM_DELETE_TITLE, MG_T_CONFIRM_DELETE_ASK, MG_T_CONFIRM_PURGE_TITLE,
  MG_T_CONFIRM_PURGE_ASK, MG_T_CONFIRM_YES_DELETE, MG_T_CONFIRM_YES_PURGE, MG_T_CANCEL,
  MG_T_NOT_CONFIRMED, MG_T_SESSION_ENDED, MG_T_SIZE_VALUE, MG_T_QUEUE_ID,
  MG_T_W_KIND_SANITISED, MG_T_W_KIND_ORIGINAL, MG_T_RELEASE_TO, MG_T_RELEASE_TO_HELP,
  MG_T_COUNT_
} MgAdminText;

/* The text ID in LANG (a static string). */
const char *mg_admin_text (MgAdminLang lang, MgAdminText id);

/* The word for a verdict, state, role or action name as stored (falls back
 * to NAME itself). */
const char *mg_admin_text_word (MgAdminLang lang, const char *name);

/* The word for a part's action ("kept", "converted", "removed", "withheld"). */
const char *mg_admin_text_action (MgAdminLang lang, const char *action);

/* The word for the kind of a release request ("sanitised", "original"). */
const char *mg_admin_text_kind (MgAdminLang lang, const char *kind);

/* REASONS ("; "-separated English reasons of the report) in LANG, owned by
 * the caller; a reason this table does not know stays as it is. */
char *mg_admin_text_reasons (MgAdminLang lang, const char *reasons);
