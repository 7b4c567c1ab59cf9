/* office_warm.c - the warm LibreOffice (see office_warm.h).
 *
 * LibreOffice forwards the command line of a second `soffice` started with
 * the same profile to the running one over a UNIX socket named from that
 * profile (OSL_PIPE_<uid>_SingleOfficeIPC_<MD5 of the profile URL in
 * UTF-16LE>, in /tmp, or /var/tmp when /tmp cannot be written); the second
 * one waits until the conversion is done and exits. A second one started
 * before the first is ready converts by itself and ends the first, so the
 * first also listens on a UNO pipe of a random name, which it opens only
 * once started: its socket appearing says the instance is ready (nothing
 * connects to it; like the other, only its user can). The running one stays
 * as long as a document is open: an empty text file of its own folder. The
 * instance lives in the caller's process group, so that it and everything it
 * started can be killed without a name (and the supervisor kills the group
 * when the service child ends, however it ends).
 */
#include "filters/office_warm.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "filters/office_run.h"
#include "util/tree.h"

#define MG_OFFICE_WARM_POLL_US 20000
#define MG_OFFICE_WARM_KILL_PASSES 200
#define MG_OFFICE_WARM_REAP_MS 2000

typedef struct {
  GPid pid;      /* the LibreOffice kept running (0: none) */
  char *dir;     /* its folder: profile, the open empty document, one folder per document */
  char *program; /* what it was started as */
  char *pipe;    /* where its --convert-to clients reach it */
  char *ready;   /* the socket that appears once it is ready */
  guint used;    /* documents converted by it */
  guint serial;  /* names the per-document folders */
  gboolean listening; /* its ready socket has been seen */
} MgOfficeWarm;

static MgOfficeWarm warm;
static gboolean warm_allowed;

void
mg_office_warm_allow (void)
{
  /* what LibreOffice leaves behind comes back to us, to be reaped (and counted) */
  if (!warm_allowed)
    (void) prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  warm_allowed = TRUE;
}

gboolean
mg_office_warm_usable (const MgConfig *config)
{
  /* as root, LibreOffice runs as another user (office_run.h): never warm */
  return warm_allowed && config->office.libreoffice_reuse > 1 && geteuid () != 0 &&
         getpgrp () == getpid ();
}

/* --- the instance ------------------------------------------------------ */

/* The socket LibreOffice with the profile of DIR listens on. Its name ends
 * in the MD5 of the profile URL in UTF-16LE, each byte in hexadecimal
 * without a leading zero (as LibreOffice writes it). */
static char *
pipe_path (const char *dir)
{
  g_autofree char *url = mg_office_run_profile_url (dir);
  g_autofree gunichar2 *utf16 = NULL;
  g_autoptr (GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  g_autoptr (GString) path = g_string_new (access ("/tmp", W_OK) == 0 ? "/tmp" : "/var/tmp");
  guint8 digest[16];
  gsize digest_len = sizeof digest;
  glong units = 0;

  utf16 = g_utf8_to_utf16 (url, -1, NULL, &units, NULL);
  if (utf16 == NULL)
    return NULL;
  for (glong i = 0; i < units; i++)
    utf16[i] = GUINT16_TO_LE (utf16[i]);
  g_checksum_update (md5, (const guchar *) utf16, (gsize) units * sizeof *utf16);
  g_checksum_get_digest (md5, digest, &digest_len);
  g_string_append_printf (path, "/OSL_PIPE_%u_SingleOfficeIPC_", (unsigned) getuid ());
  for (gsize i = 0; i < digest_len; i++)
    g_string_append_printf (path, "%x", digest[i]);
  return g_string_free (g_steal_pointer (&path), FALSE);
}

/* The --accept argument of a UNO pipe named NAME, and in *PATH_R its socket. */
static char *
ready_pipe (char **path_r)
{
  g_autofree char *name = g_strdup_printf ("mugai_%08x%08x", g_random_int (), g_random_int ());

  *path_r = g_strdup_printf ("%s/OSL_PIPE_%u_%s",
                             access ("/tmp", W_OK) == 0 ? "/tmp" : "/var/tmp",
                             (unsigned) getuid (), name);
  return g_strdup_printf ("--accept=pipe,name=%s;urp;", name);
}

/* TRUE when PID is a live (not zombie) process of process group GROUP. */
static gboolean
member_of (long pid, pid_t group)
{
  g_autofree char *path = g_strdup_printf ("/proc/%ld/stat", pid);
  g_autofree char *stat = NULL;
  const char *p;
  char state;
  long ppid, pgrp;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (p = strrchr (stat, ')')) == NULL)
    return FALSE;
  return sscanf (p + 1, " %c %ld %ld", &state, &ppid, &pgrp) == 3 && state != 'Z' &&
         state != 'X' && pgrp == (long) group;
}

/* SIGKILL to every other live process of our group; how many there were. */
static guint
kill_members (void)
{
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint n = 0;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL) {
    gint64 pid;
    if (!g_ascii_string_to_signed (name, 10, 1, G_MAXINT, &pid, NULL) || pid == getpid () ||
        !member_of ((long) pid, getpgrp ()))
      continue;
    kill ((pid_t) pid, SIGKILL);
    n++;
  }
  return n;
}

/* TRUE while the instance runs; once it has ended it is reaped. */
static gboolean
instance_alive (void)
{
  int status;

  if (warm.pid <= 0)
    return FALSE;
  if (waitpid (warm.pid, &status, WNOHANG) == 0)
    return TRUE;
  warm.pid = 0;
  return FALSE;
}

/* Reap the killed processes that came back to us (the subreaper), so that
 * their CPU time is counted; at most MG_OFFICE_WARM_REAP_MS. */
static void
reap_children (void)
{
  gint64 deadline = g_get_monotonic_time () + MG_OFFICE_WARM_REAP_MS * 1000;
  pid_t r;

  while ((r = waitpid (-1, NULL, WNOHANG)) > 0 ||
         (r == 0 && g_get_monotonic_time () < deadline)) {
    if (r == 0)
      g_usleep (MG_OFFICE_WARM_POLL_US / 4);
  }
}

void
mg_office_warm_stop (void)
{
  if (warm.pid > 0 || warm.dir != NULL) {
    for (guint pass = 0; pass < MG_OFFICE_WARM_KILL_PASSES && kill_members () > 0; pass++)
      g_usleep (MG_OFFICE_WARM_POLL_US / 4);
    if (warm.pid > 0) {
      /* by its pid too (unreaped, it cannot be reused): one that left our
       * process group (setsid) would otherwise hold this wait for ever */
      kill (warm.pid, SIGKILL);
      while (waitpid (warm.pid, NULL, 0) < 0 && errno == EINTR)
        ;
    }
    reap_children ();
  }
  if (warm.pipe != NULL)
    (void) g_unlink (warm.pipe); /* killed, it could not remove its sockets */
  if (warm.ready != NULL)
    (void) g_unlink (warm.ready);
  if (warm.dir != NULL)
    mg_tree_remove (warm.dir);
  g_free (warm.dir);
  g_free (warm.program);
  g_free (warm.pipe);
  g_free (warm.ready);
  warm = (MgOfficeWarm){ .serial = warm.serial };
}

/* Start PROGRAM in a fresh folder with an empty document open. */
static gboolean
start (const MgConfig *config, const char *program, char **why_r)
{
  g_autofree char *keep = NULL;
  g_autofree char *accept = ready_pipe (&warm.ready);
  MgOfficeLimits limits;

  warm.dir = g_dir_make_tmp ("mugai-office-warm-XXXXXX", NULL);
  keep = warm.dir != NULL ? g_build_filename (warm.dir, "empty.txt", NULL) : NULL;
  if (keep == NULL || !mg_office_run_write_profile (warm.dir) ||
      !g_file_set_contents (keep, "", 0, NULL) || (warm.pipe = pipe_path (warm.dir)) == NULL) {
    *why_r = g_strdup ("the temporary directory for LibreOffice could not be written");
    return FALSE;
  }
  (void) g_unlink (warm.pipe);
  (void) g_unlink (warm.ready);
  mg_office_run_limits (config, (guint) config->office.libreoffice_reuse, &limits);
  limits.same_group = TRUE;
  const char *args[] = { accept, keep, NULL };
  if (!mg_office_run_spawn (program, warm.dir, args, &limits, &warm.pid, why_r))
    return FALSE;
  warm.program = g_strdup (program);
  return TRUE;
}

/* Wait until the instance is ready (its UNO pipe exists), at most until DEADLINE. */
static gboolean
wait_ready (gint64 deadline, char **why_r)
{
  struct stat st;

  while (!warm.listening) {
    if (lstat (warm.ready, &st) == 0 && S_ISSOCK (st.st_mode)) {
      warm.listening = TRUE;
      break;
    }
    if (!instance_alive ()) {
      *why_r = g_strdup ("the warm LibreOffice ended while starting");
      return FALSE;
    }
    if (g_get_monotonic_time () > deadline) {
      *why_r = g_strdup ("the warm LibreOffice did not start within [office] "
                         "libreoffice_timeout");
      return FALSE;
    }
    g_usleep (MG_OFFICE_WARM_POLL_US);
  }
  return TRUE;
}

/* --- one document ------------------------------------------------------ */

/* Hand INPUT to the instance from the fresh folder JOB; the converted bytes,
 * or NULL with *STATUS_R and *WHY_R. */
static GBytes *
convert_job (const MgConfig *config, const char *job, GBytes *input, const char *ext,
             const char *target, gint64 deadline, MgOfficeWarmStatus *status_r, char **why_r)
{
  g_autofree char *base = g_strconcat ("input.", ext, NULL);
  g_autofree char *input_path = g_build_filename (job, base, NULL);
  g_autofree char *outdir = g_build_filename (job, "out", NULL);
  g_autofree char *out_name = g_strconcat ("input.", target, NULL);
  g_autofree char *out_path = g_build_filename (outdir, out_name, NULL);
  const char *inputs[] = { input_path, NULL };
  gsize len;
  const char *data = g_bytes_get_data (input, &len);
  MgOfficeLimits limits;
  GBytes *converted;

  *status_r = MG_OFFICE_WARM_FAILED;
  mg_office_run_limits (config, 1, &limits);
  if (g_mkdir (job, 0700) != 0 || !g_file_set_contents (input_path, data, len, NULL)) {
    *why_r = g_strdup ("the temporary directory for LibreOffice could not be written");
    return NULL;
  }
  if (!mg_office_run_convert (warm.program, warm.dir, outdir, inputs, target, &limits,
                              deadline, why_r)) {
    if (g_strcmp0 (*why_r, mg_office_why_timeout) == 0)
      *status_r = MG_OFFICE_WARM_DOCUMENT;
    return NULL;
  }
  converted = mg_office_run_read_output (out_path, config->office.max_unpacked_size, why_r);
  if (converted == NULL && !instance_alive ()) {
    g_free (*why_r);
    *why_r = g_strdup ("the warm LibreOffice ended during the conversion");
  }
  return converted;
}

GBytes *
mg_office_warm_convert (const MgConfig *config, const char *program, GBytes *input,
                        const char *ext, const char *target, MgOfficeWarmStatus *status_r,
                        char **why_r)
{
  gint64 deadline = g_get_monotonic_time () +
                    config->office.libreoffice_timeout * G_USEC_PER_SEC;
  g_autofree char *job = NULL;
  GBytes *converted;

  *status_r = MG_OFFICE_WARM_FAILED;
  if (warm.pid > 0 && (g_strcmp0 (warm.program, program) != 0 || !instance_alive ()))
    mg_office_warm_stop ();
  if (warm.pid <= 0 && !start (config, program, why_r)) {
    mg_office_warm_stop ();
    return NULL;
  }
  if (!wait_ready (deadline, why_r)) {
    mg_office_warm_stop ();
    return NULL;
  }
  job = g_strdup_printf ("%s/document-%u", warm.dir, ++warm.serial);
  converted = convert_job (config, job, input, ext, target, deadline, status_r, why_r);
  mg_tree_remove (job);
  if (converted == NULL || ++warm.used >= (guint) config->office.libreoffice_reuse ||
      !instance_alive ())
    mg_office_warm_stop (); /* after any failure, and after its share of documents */
  if (converted != NULL)
    *status_r = MG_OFFICE_WARM_OK;
  return converted;
}
