/* privs.c - who each mugai process runs as, and what it may still do.
 *
 * Started as root (the usual start of a daemon), the front (mugai-milter) binds
 * what it must, then becomes [milter] user (M) for
 * good, keeping [milter] worker_user (W) as its saved ids only (real,
 * effective, saved: M, M, W). execve turns saved ids into effective ones, so
 * the supervisor it starts takes M back to load the engine, then settles on
 * (M, W, M): the workers it forks become (W, W, W) without any capability,
 * and it may signal them. A worker can trace neither the supervisor nor the
 * front (their real ids are M), nor signal the supervisor (no M in it); the
 * front's saved W would let a worker signal it, which the worker's seccomp
 * filter refuses (no kill, tgkill only on itself). No process keeps a
 * capability: every id is non-zero, the bounding set is emptied first, and
 * no_new_privs is set.
 *
 * Not started as root there is nothing to drop: the processes run as the
 * caller, workers included (their sandbox still applies).
 */
#include "sandbox/privs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

const char mg_privs_self_exe[] = "/proc/self/exe";

#ifdef __SANITIZE_ADDRESS__
/* ASan builds only (the tests): a process started with differing real and
 * effective ids (the supervisor) cannot read its own /proc/self/environ, so
 * the sanitizer misses ASAN_OPTIONS, and LeakSanitizer cannot stop a process
 * that changed user at its exit ("fatal error"): no leak check there. The
 * suites set ASAN_OPTIONS=detect_leaks=1 (test/meson.build), which wins in
 * every process that can read its environment; __lsan_is_turned_off below
 * covers one that reads it and then changes user. */
const char *__asan_default_options (void);
const char *
__asan_default_options (void)
{
  return "detect_leaks=0";
}
#endif

/* Deeper than the quarantine's own layout (objects/xx/file) ever goes. */
#define MG_PRIVS_ADOPT_DEPTH 8

gboolean
mg_privs_errno_error (GError **error, const char *area, const char *step)
{
  int saved = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s: %s", area, step,
               g_strerror (saved));
  return FALSE;
}

static gboolean
fail (GError **error, const char *step)
{
  return mg_privs_errno_error (error, "privileges", step);
}

static gboolean
lookup_one (const char *name, uid_t *uid_r, gid_t *gid_r, GError **error)
{
  struct passwd *pw = getpwnam (name);

  if (pw == NULL || pw->pw_uid == 0 || pw->pw_gid == 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 "user %s does not exist (or is root): create it (the package does; "
                 "scripts/setup.sh for tests) or set [milter] user and worker_user",
                 name);
    return FALSE;
  }
  *uid_r = pw->pw_uid;
  *gid_r = pw->pw_gid;
  return TRUE;
}

gboolean
mg_privs_lookup (const char *user, const char *worker_user, MgPrivsUsers *users,
                 GError **error)
{
  uid_t r, e, s;

  users->uid = users->worker_uid = getuid ();
  users->gid = users->worker_gid = getgid ();
  users->root = geteuid () == 0;
  /* not root, and not started by a front that left root: nothing to switch */
  if (!users->root && (getresuid (&r, &e, &s) != 0 || (r == e && r == s)))
    return TRUE;
  if (!lookup_one (user, &users->uid, &users->gid, error) ||
      !lookup_one (worker_user, &users->worker_uid, &users->worker_gid, error))
    return FALSE;
  if (users->uid == users->worker_uid) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "[milter] user and worker_user must be two different users");
    return FALSE;
  }
  return TRUE;
}

/* Capabilities cannot come back through a file or a set-user-ID program. */
static gboolean
empty_bounding_set (void)
{
  for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
    if (prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
      return FALSE;
  return TRUE;
}

/* As root: RGID/EGID/SGID and RUID/EUID/SUID, no supplementary group. */
static gboolean
become (const MgPrivsUsers *u, gboolean supervisor, GError **error)
{
  gid_t eg = supervisor ? u->worker_gid : u->gid, sg = supervisor ? u->gid : u->worker_gid;
  uid_t eu = supervisor ? u->worker_uid : u->uid, su = supervisor ? u->uid : u->worker_uid;

  if (geteuid () == 0 && (!empty_bounding_set () || setgroups (0, NULL) != 0))
    return fail (error, "dropping capabilities and groups");
  if (setresgid (u->gid, eg, sg) != 0 || setresuid (u->uid, eu, su) != 0)
    return fail (error, "changing user");
  if (setuid (0) == 0 || seteuid (0) == 0) {
    errno = EPERM;
    return fail (error, "root could be regained");
  }
  return TRUE;
}

static gboolean
no_new_privs (GError **error)
{
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return fail (error, "PR_SET_NO_NEW_PRIVS");
  return TRUE;
}

gboolean
mg_privs_drop_front (const MgPrivsUsers *u, GError **error)
{
  if (u->root && !become (u, FALSE, error))
    return FALSE;
  return no_new_privs (error);
}

/* The entry NAME of folder DIR, if root owns it, becomes UID:GID. It is
 * opened without following a link, and the file looked at is the one whose
 * owner changes: the folder's owner may swap the name meanwhile. A file with
 * more than one link is left alone: it may be a link to a file elsewhere.
 * Returns the entry opened for reading when it is a folder, else -1; FALSE
 * in *OK when its owner could not be changed. */
static int
adopt_entry (int dir, const char *name, uid_t uid, gid_t gid, gboolean *ok)
{
  int fd = openat (dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  int sub = -1;
  struct stat st;

  if (fd < 0 || fstat (fd, &st) != 0) { /* gone meanwhile */
    if (fd >= 0)
      close (fd);
    return -1;
  }
  if ((S_ISDIR (st.st_mode) || st.st_nlink == 1) && (st.st_uid == 0 || st.st_gid == 0))
    *ok = fchownat (fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0;
  if (*ok && S_ISDIR (st.st_mode))
    sub = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* this folder, by its fd */
  close (fd);
  return sub;
}

/* Every entry of the open folder FD (closed here) that root owns becomes
 * UID:GID (adopt_entry); folders are entered. */
static gboolean
adopt_at (int fd, uid_t uid, gid_t gid, int depth, GError **error)
{
  DIR *d = fdopendir (fd);
  struct dirent *e;
  gboolean ok = TRUE;

  if (d == NULL) {
    close (fd);
    return fail (error, "opening a folder to adopt");
  }
  while (ok && (e = readdir (d)) != NULL) {
    int sub;
    if (g_str_equal (e->d_name, ".") || g_str_equal (e->d_name, ".."))
      continue;
    sub = adopt_entry (dirfd (d), e->d_name, uid, gid, &ok);
    if (!ok)
      ok = fail (error, e->d_name);
    if (sub < 0)
      continue;
    if (ok && depth < MG_PRIVS_ADOPT_DEPTH)
      ok = adopt_at (sub, uid, gid, depth + 1, error);
    else
      close (sub);
  }
  closedir (d);
  return ok;
}

gboolean
mg_privs_adopt (const char *dir, GError **error)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;

  if (fd < 0 || fstat (fd, &st) != 0) {
    if (fd >= 0)
      close (fd);
    return mg_privs_errno_error (error, dir, "adopting its files");
  }
  return adopt_at (fd, st.st_uid, st.st_gid, 0, error);
}

/* As root: DIR made when missing, USERS's; FALSE when someone else owns it. */
static gboolean
own_folder (const char *dir, const MgPrivsUsers *users, const char *user, GError **error)
{
  struct stat st;

  if (lstat (dir, &st) != 0 &&
      (errno != ENOENT || g_mkdir_with_parents (dir, 0700) != 0 ||
       chown (dir, users->uid, users->gid) != 0 || lstat (dir, &st) != 0))
    return mg_privs_errno_error (error, dir, "making it");
  if (!S_ISDIR (st.st_mode) || st.st_uid != users->uid) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                 "%s: not a folder of user %s ([milter] user), whom this command becomes "
                 "when started as root: chown -R %s: %s",
                 dir, user, user, dir);
    return FALSE;
  }
  return mg_privs_adopt (dir, error);
}

gboolean
mg_privs_service_prepare (const char *user, const char *worker_user, const char *dir,
                          MgPrivsUsers *users, GError **error)
{
  if (!mg_privs_lookup (user, worker_user, users, error))
    return FALSE;
  return !users->root || own_folder (dir, users, user, error);
}

gboolean
mg_privs_service_drop (const MgPrivsUsers *users, GError **error)
{
  return mg_privs_drop_front (users, error) && mg_privs_filter_front (error);
}

void
mg_privs_carry_saved_ids (void)
{
  uid_t r, e, s;
  gid_t rg, eg, sg;

  if (syscall (SYS_getresuid, &r, &e, &s) != 0 || syscall (SYS_getresgid, &rg, &eg, &sg) != 0)
    return;
  if (s != e) {
    syscall (SYS_setresgid, rg, sg, eg);
    syscall (SYS_setresuid, r, s, e);
  }
}

gboolean
mg_privs_supervisor_start (GError **error)
{
  uid_t r, e, s;
  gid_t rg, eg, sg;

  if (getresuid (&r, &e, &s) != 0 || getresgid (&rg, &eg, &sg) != 0)
    return fail (error, "getresuid");
  if (e == r || r == 0)
    return TRUE;
  if (setresgid (rg, rg, eg) != 0 || setresuid (r, r, e) != 0)
    return fail (error, "taking the user's ids back");
  return TRUE;
}

gboolean
mg_privs_enter_supervisor (const MgPrivsUsers *u, GError **error)
{
  uid_t r, e, s;

  if (getresuid (&r, &e, &s) != 0)
    return fail (error, "getresuid");
  /* started by a front that dropped root (M, M, W), or by one still root */
  if (u->root || (r == u->uid && s == u->worker_uid && u->uid != u->worker_uid)) {
    if (!become (u, TRUE, error))
      return FALSE;
  }
  return no_new_privs (error);
}

gboolean
mg_privs_become_worker (uid_t uid, gid_t gid, GError **error)
{
  uid_t r, e, s;

  if (getresuid (&r, &e, &s) != 0)
    return fail (error, "getresuid");
  if (r == uid && e == uid && s == uid && uid != 0)
    return TRUE;
  if (e == 0 && setgroups (0, NULL) != 0)
    return fail (error, "dropping groups");
  if (setresgid (gid, gid, gid) != 0 || setresuid (uid, uid, uid) != 0)
    return fail (error, "becoming the worker user");
  if (setuid (0) == 0 || (r != uid && seteuid (r) == 0) || (s != uid && seteuid (s) == 0)) {
    errno = EPERM;
    return fail (error, "the supervisor's user could be regained");
  }
  return TRUE;
}

/* System calls neither the front nor the supervisor has any use for: the
 * kernel's largest surfaces and everything that reaches another process. */
static const int denied[] = {
  SCMP_SYS (ptrace),
  SCMP_SYS (process_vm_readv),
  SCMP_SYS (process_vm_writev),
  SCMP_SYS (kexec_load),
  SCMP_SYS (kexec_file_load),
  SCMP_SYS (init_module),
  SCMP_SYS (finit_module),
  SCMP_SYS (delete_module),
  SCMP_SYS (mount),
  SCMP_SYS (umount2),
  SCMP_SYS (pivot_root),
  SCMP_SYS (chroot),
  SCMP_SYS (swapon),
  SCMP_SYS (swapoff),
  SCMP_SYS (reboot),
  SCMP_SYS (bpf),
  SCMP_SYS (perf_event_open),
  SCMP_SYS (keyctl),
  SCMP_SYS (add_key),
  SCMP_SYS (request_key),
  SCMP_SYS (userfaultfd),
  SCMP_SYS (setns),
  SCMP_SYS (open_by_handle_at),
  SCMP_SYS (name_to_handle_at),
  SCMP_SYS (acct),
  SCMP_SYS (settimeofday),
  SCMP_SYS (clock_settime),
  SCMP_SYS (clock_adjtime),
  SCMP_SYS (adjtimex),
  SCMP_SYS (io_uring_setup),
  SCMP_SYS (io_uring_enter),
  SCMP_SYS (io_uring_register),
  SCMP_SYS (execveat),
  SCMP_SYS (fanotify_init),
  SCMP_SYS (quotactl),
  SCMP_SYS (lookup_dcookie),
  SCMP_SYS (pidfd_getfd),
  SCMP_SYS (mount_setattr),
  SCMP_SYS (fsopen),
  SCMP_SYS (fsmount),
  SCMP_SYS (move_mount),
  SCMP_SYS (open_tree),
};

static gboolean
load_filter (gboolean front, GError **error)
{
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ALLOW);
  int rc = ctx != NULL ? 0 : -ENOMEM;

  if (rc == 0) /* every thread, or none */
    rc = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_TSYNC, 1);
  for (gsize i = 0; i < G_N_ELEMENTS (denied) && rc == 0; i++)
    rc = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EPERM), denied[i], 0);
  if (rc == 0 && front) /* no new namespaces; execve of this program only */
    rc = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EPERM), SCMP_SYS (unshare), 0);
  if (rc == 0 && front)
    rc = seccomp_rule_add (ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS (execve), 1,
                           SCMP_A0 (SCMP_CMP_NE, (scmp_datum_t) mg_privs_self_exe));
  return mg_privs_seccomp_load (ctx, rc, error);
}

/* Set once a filter of ours is loaded: LeakSanitizer's tracer is refused
 * then (ptrace is denied), see __lsan_is_turned_off. */
static gboolean filter_loaded;

gboolean
mg_privs_seccomp_load (scmp_filter_ctx ctx, int rc, GError **error)
{
  if (rc == 0)
    rc = seccomp_load (ctx);
  seccomp_release (ctx);
  filter_loaded = filter_loaded || rc == 0;
  if (rc != 0) {
    errno = -rc;
    return fail (error, "seccomp");
  }
  return TRUE;
}

gboolean
mg_privs_filter_front (GError **error)
{
  return load_filter (TRUE, error);
}

gboolean
mg_privs_filter_supervisor (GError **error)
{
  return load_filter (FALSE, error);
}

#if defined(__SANITIZE_ADDRESS__)
/* LeakSanitizer checks a process at exit from a helper that traces it. A
 * process that changed its user is not dumpable and cannot be traced, nor
 * can one under our seccomp filter (ptrace denied), and LeakSanitizer would
 * end it with "fatal error" instead of checking it; such a process (a
 * supervisor, a front after its drop, a purge started as the service user)
 * is not checked. The code
 * it runs is leak-checked where it runs unprivileged: the unit tests and
 * every process started by a caller that is not root. */
int __lsan_is_turned_off (void);

int
__lsan_is_turned_off (void)
{
  return filter_loaded || prctl (PR_GET_DUMPABLE) != 1;
}
#endif
