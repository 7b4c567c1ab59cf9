/* cmd_quarantine.c - `mugai quarantine`: review what was held, from a shell.
 *
 *   list [--since D] [--until D] [--verdict V] [--from T] [--to T] [--reason T]
 *        [--state S] [--all] [--json|--csv]
 *   show [--json] ID          stats [--since D] [--until D] [--json]
 *   release [--original] [--password-file F] [--note T] ID   (request)
 *   approve [-o FILE | --to ADDR] ID     reject [--note T] ID
 *   delete [--as USER] ID                purge               check
 *   export [-o FILE] [--cipher aes256|zipcrypt] ID   (the original for the CSIRT)
 *
 * Exit 0 done, 1 refused (no such item, role, state, two-person rule, still
 * withheld by the sanitiser), 64 usage, 75 temporary failure (index, disk,
 * SMTP), 78 configuration. Goes through src/quarantine only. The actor is
 * authenticated, never a free-text name: the real Unix user (getuid, never
 * $SUDO_USER) as mapped by a unix_user entry of [admin] users_file, or, with
 * --as USER, that user once its password is given (--as-password-file or the
 * terminal). The Unix user is recorded with every action, and an approval
 * from the Unix user that made the request is refused, whatever names.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <termios.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "admin/admin_ppap.h"
#include "cli/cli_print.h"
#include "admin/admin_release.h"
#include "quarantine/quarantine_users.h"
#include "cli/cli.h"
#include "cli/cli_text.h"
#include "quarantine/quarantine_audit_check.h"
#include "quarantine/quarantine_check.h"
#include "quarantine/quarantine_export.h"
#include "quarantine/quarantine_remove.h"
#include "sandbox/privs.h"

typedef struct {
  char *config_path;
  char *as;
  char *as_password_file;
  char *since, *until, *verdict, *from, *to, *reason, *state;
  gboolean all, json, csv, original;
  char *password_file, *note, *output, *cipher;
  char **rest;
} MgQuarantineArgs;

typedef struct {
  MgConfig *config;
  MgQuarantineStore *store;
  MgQuarantineActor actor;
  char *name, *role, *address, *unix_user;
} MgQuarantineCli;

static void
args_clear (MgQuarantineArgs *a)
{
  g_free (a->config_path);
  g_free (a->as);
  g_free (a->as_password_file);
  g_free (a->since);
  g_free (a->until);
  g_free (a->verdict);
  g_free (a->from);
  g_free (a->to);
  g_free (a->reason);
  g_free (a->state);
  g_free (a->password_file);
  g_free (a->note);
  g_free (a->output);
  g_free (a->cipher);
  g_strfreev (a->rest);
}

static void
cli_clear (MgQuarantineCli *cli)
{
  mg_quarantine_store_free (cli->store);
  mg_config_free (cli->config);
  g_free (cli->name);
  g_free (cli->role);
  g_free (cli->address);
  g_free (cli->unix_user);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MgQuarantineArgs, args_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MgQuarantineCli, cli_clear)

static int
exit_for (const GError *error)
{
  if (error->domain == MG_QUARANTINE_ERROR && error->code != MG_QUARANTINE_ERROR_DB)
    return MG_EXIT_REFUSED;
  return MG_EXIT_TEMPFAIL;
}

static int
fail (const char *command, const GError *error)
{
  g_autofree char *who = g_strconcat ("mugai quarantine ", command, NULL);

  mg_cli_error (who, "%s", error->message);
  return exit_for (error);
}

static gboolean
parse (int argc, char **argv, MgQuarantineArgs *a, GError **error)
{
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &a->config_path, "configuration file", "FILE" },
    { "as", 0, 0, G_OPTION_ARG_STRING, &a->as,
      "act as this user of [admin] users_file (asks for its password)", "USER" },
    { "as-password-file", 0, 0, G_OPTION_ARG_FILENAME, &a->as_password_file,
      "--as: read the user's password from FILE instead of the terminal", "FILE" },
    { "since", 0, 0, G_OPTION_ARG_STRING, &a->since, "from this date (JST)", "YYYY-MM-DD" },
    { "until", 0, 0, G_OPTION_ARG_STRING, &a->until, "before this date (JST)", "YYYY-MM-DD" },
    { "verdict", 0, 0, G_OPTION_ARG_STRING, &a->verdict, "withheld or sanitised", "V" },
    { "from", 0, 0, G_OPTION_ARG_STRING, &a->from, "sender contains", "TEXT" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &a->to,
      "list: a recipient contains TEXT; approve: the one address to release an item"
      " stored without an envelope to",
      "TEXT|ADDR" },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &a->reason, "a reason contains", "TEXT" },
    { "state", 0, 0, G_OPTION_ARG_STRING, &a->state, "held, pending, released, deleted", "S" },
    { "all", 0, 0, G_OPTION_ARG_NONE, &a->all, "also items kept whole and deleted", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &a->json, "JSON output", NULL },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &a->csv, "CSV output (UTF-8, for Excel)", NULL },
    { "original", 0, 0, G_OPTION_ARG_NONE, &a->original,
      "release: forward the original to [release] original_forward_address", NULL },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &a->password_file,
      "release: the password of an encrypted ZIP, as the recipient gave it", "FILE" },
    { "note", 0, 0, G_OPTION_ARG_STRING, &a->note, "release/reject: why", "TEXT" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &a->output,
      "approve: write the sanitised message to FILE instead of sending it; export: the"
      " ZIP's file (default ID.zip)",
      "FILE" },
    { "cipher", 0, 0, G_OPTION_ARG_STRING, &a->cipher,
      "export: aes256 (default) or zipcrypt (for unzip -P)", "C" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->rest, NULL, "ID" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (
      "list|show|stats|release|approve|reject|delete|export|purge|check [ID] - quarantine review");

  g_option_context_add_main_entries (ctx, entries, NULL);
  return g_option_context_parse (ctx, &argc, &argv, error);
}

/* One line from the terminal, without echo; NULL when there is none. */
static char *
ask_password (const char *user)
{
  int fd = open ("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  struct termios old, quiet;
  char buf[MG_ADMIN_USERS_MAX_PASSWORD + 2];
  FILE *tty;
  char *line = NULL;

  if (fd < 0)
    return NULL;
  tty = fdopen (fd, "r+");
  fprintf (tty, "password of %s: ", user);
  fflush (tty);
  if (tcgetattr (fd, &old) == 0) {
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t) ECHO;
    tcsetattr (fd, TCSAFLUSH, &quiet);
  }
  if (fgets (buf, sizeof buf, tty) != NULL)
    line = g_strdup (g_strchomp (buf));
  tcsetattr (fd, TCSAFLUSH, &old);
  fputc ('\n', tty);
  explicit_bzero (buf, sizeof buf);
  fclose (tty);
  return line;
}

static char *
as_password (const MgQuarantineArgs *a, GError **error)
{
  g_autofree char *text = NULL;
  char *password;

  if (a->as_password_file == NULL) {
    password = ask_password (a->as);
    if (password == NULL)
      g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_ROLE,
                   "--as %s needs that user's password: --as-password-file FILE or a"
                   " terminal",
                   a->as);
    return password;
  }
  if (!g_file_get_contents (a->as_password_file, &text, NULL, error))
    return NULL;
  password = g_strdup (g_strchomp (text));
  explicit_bzero (text, strlen (text));
  return password;
}

/* The user --as names, once its password is verified; else who the Unix user
 * is mapped to (NULL: nobody, no role). */
static const MgQuarantineUser *
authenticate (const MgQuarantineArgs *a, GPtrArray *users, const char *login, GError **error)
{
  g_autofree char *password = NULL;
  const MgQuarantineUser *user;
  gboolean ok;

  if (a->as == NULL)
    return mg_quarantine_users_find_unix (users, login);
  password = as_password (a, error);
  if (password == NULL)
    return NULL;
  user = mg_quarantine_users_find (users, a->as);
  ok = mg_quarantine_users_verify (user, password);
  explicit_bzero (password, strlen (password));
  if (!ok)
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_ROLE,
                 "--as %s: wrong password or no such user", a->as);
  return ok ? user : NULL;
}

/* Once the real Unix user is recorded, act wholly as the effective one (as a
 * set-user-ID program would): a real and effective id that differ would read,
 * to the sandbox, as the milter's split between its user and its workers'. */
static void
settle_ids (void)
{
  uid_t euid = geteuid ();
  gid_t egid = getegid ();

  if (getuid () == euid && getgid () == egid)
    return;
  if (setresgid (egid, egid, egid) != 0 || setresuid (euid, euid, euid) != 0)
    g_warning ("cannot take the effective user as the real one: %s", g_strerror (errno));
}

static gboolean
actor_init (MgQuarantineCli *cli, const MgQuarantineArgs *a, GError **error)
{
  g_autoptr (GPtrArray) users = mg_quarantine_users_load (cli->config->admin_users_file, NULL);
  const MgQuarantineUser *user;

  cli->unix_user = mg_cli_unix_login ();
  settle_ids ();
  cli->address = g_strdup_printf ("local:%s", cli->unix_user);
  user = authenticate (a, users, cli->unix_user, error);
  cli->name = g_strdup (user != NULL ? user->name : a->as != NULL ? a->as : cli->unix_user);
  cli->role = user != NULL ? g_strdup (user->role) : NULL;
  cli->actor.name = cli->name;
  cli->actor.role = cli->role != NULL ? cli->role : "local";
  cli->actor.address = cli->address;
  cli->actor.unix_user = cli->unix_user;
  return a->as == NULL || user != NULL;
}

static int
open_store (MgQuarantineCli *cli, const MgQuarantineArgs *a)
{
  g_autoptr (GError) error = NULL;
  MgPrivsUsers users;

  if (a->as != NULL && !mg_quarantine_users_name_valid (a->as)) {
    mg_cli_error ("mugai quarantine", "--as: not a user name");
    return MG_EXIT_USAGE;
  }
  cli->config = mg_cli_load_config (a->config_path);
  if (cli->config == NULL)
    return MG_EXIT_CONFIG;
  /* the purge, a service (cron, the timer): as [milter] user, like the milter */
  if (g_str_equal (a->rest[0], "purge") &&
      !(mg_privs_service_prepare (cli->config->milter_user, cli->config->milter_worker_user,
                                  cli->config->quarantine_directory, &users, &error) &&
        mg_privs_service_drop (&users, &error))) {
    mg_cli_error ("mugai quarantine", "%s", error->message);
    return MG_EXIT_CONFIG;
  }
  cli->store = mg_quarantine_store_open (cli->config, &error);
  if (cli->store == NULL) {
    mg_cli_error ("mugai quarantine", "%s", error->message);
    return MG_EXIT_TEMPFAIL;
  }
  if (!actor_init (cli, a, &error)) {
    mg_quarantine_store_audit (cli->store, &cli->actor, "authenticate", NULL, error, NULL,
                               NULL);
    return fail ("--as", error);
  }
  return MG_EXIT_OK;
}

static gboolean
parse_time_arg (const char *text, const char *name, gint64 *time_r)
{
  if (text == NULL)
    return TRUE;
  if (mg_quarantine_query_parse_time (text, time_r))
    return TRUE;
  mg_cli_error ("mugai quarantine", "--%s: not a date (YYYY-MM-DD or ISO 8601)", name);
  return FALSE;
}

static gboolean
filter_from_args (const MgQuarantineArgs *a, MgQuarantineFilter *f)
{
  f->verdict = a->verdict;
  f->sender = a->from;
  f->recipient = a->to;
  f->reason = a->reason;
  f->state = a->state;
  f->all = a->all || a->state != NULL;
  return parse_time_arg (a->since, "since", &f->since) &&
         parse_time_arg (a->until, "until", &f->until);
}

/* An export (JSON or CSV) is audited with how many items and the filter. */
static gboolean
audit_export (MgQuarantineCli *cli, const MgQuarantineArgs *a, GPtrArray *items,
              GError **error)
{
  g_autofree char *detail = g_strdup_printf (
      "format=%s items=%u since=%s until=%s verdict=%s from=%s to=%s reason=%s state=%s%s",
      a->json ? "json" : "csv", items->len, a->since ? a->since : "-",
      a->until ? a->until : "-", a->verdict ? a->verdict : "-", a->from ? a->from : "-",
      a->to ? a->to : "-", a->reason ? a->reason : "-", a->state ? a->state : "-",
      a->all ? " all" : "");

  return mg_quarantine_store_audit (cli->store, &cli->actor, "export", NULL, NULL, detail,
                                    error);
}

static int
cmd_list (MgQuarantineCli *cli, const MgQuarantineArgs *a)
{
  MgQuarantineFilter filter = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;

  if (!filter_from_args (a, &filter))
    return MG_EXIT_USAGE;
  items = mg_quarantine_query_list (cli->store, &filter, &error);
  if (items == NULL)
    return fail ("list", error);
  if ((a->json || a->csv) && !audit_export (cli, a, items, &error))
    return fail ("list", error);
  mg_cli_print_list (stdout, items,
                     a->json  ? MG_CLI_PRINT_JSON
                     : a->csv ? MG_CLI_PRINT_CSV
                              : MG_CLI_PRINT_TEXT);
  return MG_EXIT_OK;
}

static int
cmd_stats (MgQuarantineCli *cli, const MgQuarantineArgs *a)
{
  MgQuarantineFilter filter = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) by_day = NULL;
  g_autoptr (GPtrArray) by_reason = NULL;

  if (!filter_from_args (a, &filter))
    return MG_EXIT_USAGE;
  by_day = mg_quarantine_query_by_day (cli->store, &filter, &error);
  if (by_day != NULL)
    by_reason = mg_quarantine_query_by_reason (cli->store, &filter, &error);
  if (by_reason == NULL)
    return fail ("stats", error);
  mg_cli_print_stats (stdout, by_day, by_reason, cli->config->quarantine_retention_days,
                      a->json);
  return MG_EXIT_OK;
}

static int
cmd_show (MgQuarantineCli *cli, const MgQuarantineArgs *a, const char *id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MgQuarantineItem)
      item = mg_quarantine_store_show (cli->store, id, &cli->actor, &error);
  g_autofree char *report = NULL;
  g_autofree char *headers = NULL;
  g_autoptr (GPtrArray) requests = NULL;

  if (item == NULL)
    return fail ("show", error);
  report = mg_quarantine_store_report (cli->store, item, NULL);
  headers = mg_quarantine_store_headers (cli->store, item, NULL);
  requests = mg_quarantine_release_history (cli->store, id, NULL);
  mg_cli_print_show (stdout, item, report, requests, headers, a->json);
  return MG_EXIT_OK;
}

static gboolean
read_password (const char *path, char **password_r, GError **error)
{
  g_autofree char *text = NULL;

  *password_r = NULL;
  if (path == NULL)
    return TRUE;
  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  g_strchomp (text);
  *password_r = g_steal_pointer (&text);
  return TRUE;
}

static int
cmd_release (MgQuarantineCli *cli, const MgQuarantineArgs *a, const char *id)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *password = NULL;
  gboolean ok;
  const char *kind = a->original ? MG_QUARANTINE_RELEASE_ORIGINAL
                                 : MG_QUARANTINE_RELEASE_SANITISED;

  if (!read_password (a->password_file, &password, &error)) {
    mg_cli_error ("mugai quarantine release", "%s", error->message);
    return MG_EXIT_USAGE;
  }
  g_autoptr (MgAdminRelease) release = mg_admin_release_new (cli->config, NULL);

  ok = mg_admin_ppap_request (cli->store, release, id, &cli->actor, kind, password, a->note,
                              &error);
  if (password != NULL)
    explicit_bzero (password, strlen (password));
  if (!ok)
    return fail ("release", error);
  printf ("release of %s (%s) requested by %s; another approver must approve it:\n"
          "  mugai quarantine approve %s\n",
          id, kind, cli->name, id);
  return MG_EXIT_OK;
}

static int
cmd_approve (MgQuarantineCli *cli, const MgQuarantineArgs *a, const char *id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MgAdminRelease) release = mg_admin_release_new (cli->config, a->output);
  g_autofree char *result = NULL;
  g_autofree char *clean = NULL;

  if (a->to != NULL) {
    g_autofree char *bare = mg_quarantine_envelope_address (a->to);
    if (bare == NULL || *bare == '\0') {
      mg_cli_error ("mugai quarantine approve", "--to: not a plain address");
      return MG_EXIT_USAGE;
    }
    mg_admin_release_set_to (release, bare);
  }
  if (!mg_quarantine_release_approve (cli->store, id, &cli->actor, mg_admin_release_deliver,
                                      release, &result, &error))
    return fail ("approve", error);
  clean = mg_cli_print_clean (result);
  printf ("%s released by %s: %s\n", id, cli->name, clean);
  return MG_EXIT_OK;
}

static int
cmd_reject (MgQuarantineCli *cli, const MgQuarantineArgs *a, const char *id)
{
  g_autoptr (GError) error = NULL;

  if (!mg_quarantine_release_reject (cli->store, id, &cli->actor, a->note, &error))
    return fail ("reject", error);
  printf ("release of %s rejected by %s\n", id, cli->name);
  return MG_EXIT_OK;
}

static int
cmd_delete (MgQuarantineCli *cli, const char *id)
{
  g_autoptr (GError) error = NULL;

  if (!mg_quarantine_remove_item (cli->store, id, &cli->actor, &error))
    return fail ("delete", error);
  printf ("original of %s deleted by %s\n", id, cli->name);
  return MG_EXIT_OK;
}

static int
cmd_purge (MgQuarantineCli *cli)
{
  g_autoptr (GError) error = NULL;
  /* Retention is the system's policy, whoever runs it (cron): role "local". */
  MgQuarantineActor system = { cli->name, "local", cli->address, cli->unix_user };
  guint items = 0;

  if (!mg_quarantine_remove_expired (cli->store, g_get_real_time () / G_USEC_PER_SEC, &system,
                                     &items, &error))
    return fail ("purge", error);
  printf ("purged %u items older than %" G_GINT64_FORMAT " days\n", items,
          cli->config->quarantine_retention_days);
  return MG_EXIT_OK;
}

/* A relay of a shared store keeps the lines of clean mail in its own
 * audit.log while the store is unreachable: checked too when there is one. */
static void
check_local_audit (MgQuarantineCli *cli, MgQuarantineAuditCheck *audit)
{
  g_auto (MgQuarantineAuditCheck) local = { 0 };
  g_autofree char *path = g_build_filename (mg_quarantine_store_dir (cli->store), "audit.log",
                                            NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return;
  mg_quarantine_audit_check_run (mg_quarantine_store_dir (cli->store), &local);
  audit->files += local.files;
  audit->lines += local.lines;
  for (guint i = 0; i < local.problems->len; i++)
    g_ptr_array_add (audit->problems, g_strdup (g_ptr_array_index (local.problems, i)));
  for (guint i = 0; i < local.skipped->len; i++)
    g_ptr_array_add (audit->skipped, g_strdup (g_ptr_array_index (local.skipped, i)));
}

/* The audit log's hash chain: the first broken line of each file. */
static gboolean
check_audit (MgQuarantineCli *cli, guint items)
{
  g_auto (MgQuarantineAuditCheck) audit = { 0 };
  MgQuarantineIndex *index = mg_quarantine_store_index (cli->store);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;

  if (!mg_quarantine_index_shared (index)) {
    mg_quarantine_audit_check_run (mg_quarantine_store_dir (cli->store), &audit);
  } else if ((lines = mg_quarantine_index_audit_lines (index, &error)) != NULL) {
    mg_quarantine_audit_check_lines ("audit_log", lines, &audit);
    check_local_audit (cli, &audit);
  } else {
    fail ("check", error);
    return FALSE;
  }
  if (items > 0 && audit.lines == 0 && audit.skipped->len == 0 && audit.problems->len == 0)
    g_ptr_array_add (audit.problems, g_strdup_printf ("audit.log: no line, but the index"
                                                      " holds %u items, each stored with"
                                                      " one: the log was removed",
                                                      items));
  for (guint i = 0; i < audit.problems->len; i++) {
    g_autofree char *clean = mg_cli_print_clean (g_ptr_array_index (audit.problems, i));
    printf ("audit broken: %s\n", clean);
  }
  for (guint i = 0; i < audit.skipped->len; i++) {
    g_autofree char *clean = mg_cli_print_clean (g_ptr_array_index (audit.skipped, i));
    printf ("audit not checked (compressed): %s\n", clean);
  }
  printf ("audit log: %u files, %u lines, %s\n", audit.files, audit.lines,
          audit.problems->len == 0 ? "chain intact" : "CHAIN BROKEN");
  return audit.problems->len == 0;
}

static int
cmd_check (MgQuarantineCli *cli)
{
  g_auto (MgQuarantineCheck) check = { 0 };
  g_autoptr (GError) error = NULL;

  if (!mg_quarantine_check_run (cli->store, &check, &error))
    return fail ("check", error);
  for (guint i = 0; i < check.problems->len; i++) {
    g_autofree char *clean = mg_cli_print_clean (g_ptr_array_index (check.problems, i));
    printf ("damaged: %s\n", clean);
  }
  printf ("%u items, %u damaged, %u unreferenced objects, %u staging files\n", check.items,
          check.problems->len, check.unreferenced, check.staging);
  return check_audit (cli, check.items) && check.problems->len == 0 ? MG_EXIT_OK
                                                                    : MG_EXIT_REFUSED;
}

/* The ZIP's file, created new (never over an existing one), mode 0600. */
static int
export_open (const char *path)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    mg_cli_error ("mugai quarantine export", "%s: %s", path, g_strerror (errno));
  return fd;
}

static int
cmd_export (MgQuarantineCli *cli, const MgQuarantineArgs *a, const char *id)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = a->output != NULL ? g_strdup (a->output)
                                            : g_strconcat (id, ".zip", NULL);
  MgQuarantineExportCipher cipher = MG_QUARANTINE_EXPORT_AES256;
  int fd;
  gboolean ok;

  if (a->cipher != NULL && !mg_quarantine_export_cipher_parse (a->cipher, &cipher)) {
    mg_cli_error ("mugai quarantine export", "--cipher: aes256 or zipcrypt");
    return MG_EXIT_USAGE;
  }
  fd = export_open (path);
  if (fd < 0)
    return MG_EXIT_REFUSED;
  ok = mg_quarantine_export_sample (cli->store, id, &cli->actor, cipher, fd, &error);
  if (close (fd) != 0 && ok) {
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", path, g_strerror (errno));
    ok = FALSE;
  }
  if (!ok) {
    unlink (path);
    return fail ("export", error);
  }
  printf ("%s written: the original of %s, ZIP password \"%s\"\n", path, id,
          MG_QUARANTINE_EXPORT_PASSWORD);
  return MG_EXIT_OK;
}

static int
run_with_id (MgQuarantineCli *cli, const MgQuarantineArgs *a, const char *command,
             const char *id)
{
  if (g_str_equal (command, "show"))
    return cmd_show (cli, a, id);
  if (g_str_equal (command, "release"))
    return cmd_release (cli, a, id);
  if (g_str_equal (command, "approve"))
    return cmd_approve (cli, a, id);
  if (g_str_equal (command, "reject"))
    return cmd_reject (cli, a, id);
  if (g_str_equal (command, "export"))
    return cmd_export (cli, a, id);
  return cmd_delete (cli, id);
}

static int
dispatch (MgQuarantineCli *cli, const MgQuarantineArgs *a, const char *command)
{
  const char *id = a->rest != NULL ? a->rest[1] : NULL;
  static const char *const with_id[] = { "show",   "release", "approve", "reject",
                                         "delete", "export",  NULL };

  if (g_strv_contains (with_id, command)) {
    if (id == NULL || a->rest[2] != NULL || !mg_quarantine_id_valid (id)) {
      mg_cli_error ("mugai quarantine", "%s: one quarantine ID expected", command);
      return MG_EXIT_USAGE;
    }
    return run_with_id (cli, a, command, id);
  }
  if (id != NULL) {
    mg_cli_error ("mugai quarantine", "%s: unexpected argument", command);
    return MG_EXIT_USAGE;
  }
  if (g_str_equal (command, "list"))
    return cmd_list (cli, a);
  if (g_str_equal (command, "stats"))
    return cmd_stats (cli, a);
  if (g_str_equal (command, "check"))
    return cmd_check (cli);
  return cmd_purge (cli);
}

/* `mugai quarantine migrate`: the store's schema to this build's version. */
static int
cmd_migrate (const MgQuarantineArgs *a)
{
  g_autoptr (MgConfig) config = mg_cli_load_config (a->config_path);
  g_autoptr (GError) error = NULL;
  int from = 0, to = 0;

  if (config == NULL)
    return MG_EXIT_CONFIG;
  if (a->rest[1] != NULL) {
    fprintf (stderr, "mugai quarantine migrate: unexpected argument\n");
    return MG_EXIT_USAGE;
  }
  if (!mg_quarantine_store_migrate (config, &from, &to, &error)) {
    fprintf (stderr, "mugai quarantine migrate: %s\n", error->message);
    return error->domain == MG_QUARANTINE_ERROR && error->code == MG_QUARANTINE_ERROR_STATE
               ? MG_EXIT_REFUSED
               : MG_EXIT_TEMPFAIL;
  }
  if (config->quarantine_backend != MG_QUARANTINE_BACKEND_POSTGRESQL)
    printf ("SQLite index %s/index.sqlite is up to date\n", config->quarantine_directory);
  else if (from == to)
    printf ("PostgreSQL schema is at version %d: nothing to do\n", to);
  else
    printf ("PostgreSQL schema migrated from version %d to %d\n", from, to);
  return MG_EXIT_OK;
}

int
mg_cmd_quarantine (int argc, char **argv)
{
  static const char *const commands[] = { "list",    "show",   "stats",   "release",
                                          "approve", "reject", "delete",  "purge",
                                          "check",   "export", "migrate", NULL };
  g_auto (MgQuarantineArgs) args = { 0 };
  g_auto (MgQuarantineCli) cli = { 0 };
  g_autoptr (GError) error = NULL;
  int status;

  if (!parse (argc, argv, &args, &error)) {
    mg_cli_error ("mugai quarantine", "%s", error->message);
    return MG_EXIT_USAGE;
  }
  if (args.rest == NULL || !g_strv_contains (commands, args.rest[0])) {
    fprintf (stderr,
             "usage: mugai quarantine list|show ID|stats|release ID|approve ID|"
             "reject ID|delete ID|export ID|purge|check|migrate (mugai quarantine -h)\n");
    return MG_EXIT_USAGE;
  }
  if (g_str_equal (args.rest[0], "migrate"))
    return cmd_migrate (&args);
  status = open_store (&cli, &args);
  if (status != MG_EXIT_OK)
    return status;
  return dispatch (&cli, &args, args.rest[0]);
}
