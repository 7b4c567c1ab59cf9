/* quarantine_users.h - the users file of quarantine review ([admin] users_file).
 *
 * One user per line, "name:role:hash", then optional fields "unix_user=LOGIN"
 * and "email=ADDR" (where an approver is told of a request waiting for it),
 * role "operator" or "approver", hash a yescrypt string from crypt(3)
 * (libxcrypt); '#' starts a comment. unix_user maps the Unix account LOGIN
 * to this user on the command line (`mugai quarantine` run by LOGIN acts as
 * this user, without a password). The file
 * is written aside and renamed, mode 0600. Names are [a-z0-9][a-z0-9._-]*,
 * at most 32 bytes, so that they are safe in the audit log and in HTML.
 *
 * Never stores or logs a password, and compares hashes in constant time.
 */
#pragma once
#include <glib.h>

#define MG_ADMIN_USERS_MIN_PASSWORD 10
#define MG_ADMIN_USERS_MAX_PASSWORD 1024

typedef struct {
  char *name;
  char *role;
  char *hash;
  char *unix_user; /* the Unix login mapped to this user, or NULL */
  char *email;     /* where the user is told of pending requests, or NULL */
} MgQuarantineUser;

void mg_quarantine_user_free (MgQuarantineUser *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgQuarantineUser, mg_quarantine_user_free)

/* The users of PATH (MgQuarantineUser *). A missing file is an empty list; a line
 * that does not parse is an error naming its number. */
GPtrArray *mg_quarantine_users_load (const char *path, GError **error);
/* Write USERS to PATH atomically, mode 0640 with group GROUP ((gid_t) -1:
 * the caller's): root writes it, the web UI's user only reads it. */
gboolean mg_quarantine_users_save (const char *path, GPtrArray *users, gid_t group,
                                   GError **error);
/* The user NAME of USERS, or NULL (borrowed). */
MgQuarantineUser *mg_quarantine_users_find (GPtrArray *users, const char *name);

gboolean mg_quarantine_users_name_valid (const char *name);

/* A new yescrypt hash of PASSWORD, or NULL with ERROR (too short, too long,
 * or crypt(3) failed). */
char *mg_quarantine_users_hash (const char *password, GError **error);

/* TRUE when PASSWORD matches USER's hash. USER may be NULL (unknown name):
 * the same work is done against a dummy hash, so that timing tells nothing. */
gboolean mg_quarantine_users_verify (const MgQuarantineUser *user, const char *password);

/* The user of USERS whose unix_user is LOGIN, or NULL (borrowed). */
MgQuarantineUser *mg_quarantine_users_find_unix (GPtrArray *users, const char *login);

/* TRUE when ADDRESS can be a user's email: local@domain, printable ASCII
 * without spaces, ':', '<', '>' or ',' (at most 254 bytes). */
gboolean mg_quarantine_users_email_valid (const char *address);

/* TRUE when LOGIN can be a Unix login name ([a-z_][a-z0-9_.-]*, at most 32). */
gboolean mg_quarantine_users_unix_valid (const char *login);

/* The role of NAME in PATH, or NULL (owned by the caller). */
char *mg_quarantine_users_role (const char *path, const char *name);
