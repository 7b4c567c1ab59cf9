/* privs.h - the users mugai runs as, and dropping everything else.
 *
 * Started as root: the front (mugai-milter) becomes
 * [milter] user with [milter] worker_user as its saved ids; the supervisor
 * takes the worker user as its effective ids; each worker and LibreOffice
 * become the worker user alone. No capability survives (bounding set emptied,
 * all ids non-zero), and no_new_privs is set. Not started as root, nothing
 * changes user. The front and the supervisor also load a seccomp filter of
 * system calls they never need (see privs.c); the workers have their own
 * allow-list (sandbox.h).
 */
#pragma once
#include <glib.h>
#include <seccomp.h>
#include <sys/types.h>

typedef struct {
  gboolean root; /* started as root: the users below are switched to */
  uid_t uid;     /* [milter] user */
  gid_t gid;
  uid_t worker_uid; /* [milter] worker_user */
  gid_t worker_gid;
} MgPrivsUsers;

/* Look USER and WORKER_USER up when running as root (both must exist, be
 * distinct and not root: else FALSE with ERROR, exit 78); otherwise both are
 * the caller's own ids. */
gboolean mg_privs_lookup (const char *user, const char *worker_user, MgPrivsUsers *users,
                          GError **error);
/* A service of the quarantine (`mugai admin serve`, the purge), before it
 * opens anything there: USERS looked up (mg_privs_lookup); started as root,
 * the folder DIR (the quarantine) must be USER's (it is made so when
 * missing), and anything in it that root owns is given to USER
 * (mg_privs_adopt). FALSE with ERROR: the service must not start. */
gboolean mg_privs_service_prepare (const char *user, const char *worker_user, const char *dir,
                                   MgPrivsUsers *users, GError **error);
/* Then, after binding what needs root: started as root, become USERS' user
 * like the front (the worker user saved, for the sandbox it may start), with
 * no capability; in every case no_new_privs and the front's seccomp filter. */
gboolean mg_privs_service_drop (const MgPrivsUsers *users, GError **error);
/* As root: give every file and folder under DIR that root owns (user or
 * group) to DIR's owner, without following a symbolic link or a hard link
 * (what a process of an earlier version or an admin's root shell left). */
gboolean mg_privs_adopt (const char *dir, GError **error);
/* The front, after binding what needs root: become the user for good. */
gboolean mg_privs_drop_front (const MgPrivsUsers *users, GError **error);
/* execve sets the saved ids to the effective ones: between fork and exec,
 * carry the saved ids (the worker user) as the effective ones (raw system
 * calls, safe after fork in a threaded process). */
void mg_privs_carry_saved_ids (void);
/* First thing in the supervisor: the front's ids back (user effective, worker
 * user saved), to read the configuration and the databases as the user. */
gboolean mg_privs_supervisor_start (GError **error);
/* The supervisor, after loading what it shares with the workers. */
gboolean mg_privs_enter_supervisor (const MgPrivsUsers *users, GError **error);
/* A worker or LibreOffice's service child: become UID/GID alone (a no-op when
 * already so). Never root: FALSE when UID is 0. */
gboolean mg_privs_become_worker (uid_t uid, gid_t gid, GError **error);

/* Load CTX when RC (of building it) is 0, release it; FALSE with ERROR. */
gboolean mg_privs_seccomp_load (scmp_filter_ctx ctx, int rc, GError **error);
/* FALSE with ERROR "AREA: STEP: strerror (errno)". */
gboolean mg_privs_errno_error (GError **error, const char *area, const char *step);

/* The one program the front may execute (the supervisor is the front's own
 * program): execve is refused unless its path is this very string. */
extern const char mg_privs_self_exe[];
/* Deny-lists: the front's has no execve but of mg_privs_self_exe, and no new
 * namespaces; the supervisor's keeps execve for its service child. */
gboolean mg_privs_filter_front (GError **error);
gboolean mg_privs_filter_supervisor (GError **error);
