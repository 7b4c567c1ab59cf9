/* cmd_config_postfix.c - the Postfix side of `mugai config check`.
 *
 * Reads main.cf and master.cf through postconf (-x: values expanded; -P:
 * master.cf overrides; -F: master.cf fields) and checks what mugai-milter
 * relies on: its socket named in smtpd_milters (main.cf, or an override of
 * the after-queue smtpd) and non_smtpd_milters, milter_default_action =
 * tempfail, milter_protocol 6, a content timeout longer than mugai's own,
 * message_size_limit above [milter] max_output_size, and no chrooted smtpd
 * expected to reach a unix socket outside the chroot. Never changes Postfix.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd_config.h"

#define POSTCONF_FALLBACK "/usr/sbin/postconf"
#define POSTFIX_CHROOT "/var/spool/postfix"

static const char *const main_names[] = {
  "smtpd_milters",   "non_smtpd_milters",      "milter_default_action",
  "milter_protocol", "milter_content_timeout", "message_size_limit",
  "content_filter",  "queue_directory",        NULL,
};

/* One setting: where it is (NULL: main.cf, else a master.cf service) and its value. */
typedef struct {
  char *service;
  char *name;
  char *value;
} MgPostfixSetting;

typedef struct {
  const MgConfig *config;
  GPtrArray *settings; /* MgPostfixSetting: main.cf first, then master.cf overrides */
  GHashTable *fields;  /* "service/type/field" -> value of master.cf */
  char *socket;        /* mugai's socket as Postfix writes it */
  MgConfigFindings *findings;
} MgPostfixCheck;

static void
setting_free (gpointer data)
{
  MgPostfixSetting *s = data;

  g_free (s->service);
  g_free (s->name);
  g_free (s->value);
  g_free (s);
}

/* Run postconf with DIR and ARGS; its stdout, or NULL after a finding. */
static char *
postconf (const char *program, const char *dir, const char *const *args,
          MgConfigFindings *findings)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  int status;

  g_ptr_array_add (argv, (gpointer) program);
  if (dir != NULL) {
    g_ptr_array_add (argv, (gpointer) "-c");
    g_ptr_array_add (argv, (gpointer) dir);
  }
  for (const char *const *a = args; *a != NULL; a++)
    g_ptr_array_add (argv, (gpointer) *a);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                     &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error)) {
    mg_cmd_config_finding (findings, "Postfix: postconf failed: %s",
                           err != NULL && *err ? g_strstrip (err) : error->message);
    return NULL;
  }
  return g_steal_pointer (&out);
}

/* "NAME = VALUE" lines; NAME may be "service/type/name" (postconf -P). */
static void
add_settings (GPtrArray *settings, const char *text, gboolean master)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (char **l = lines; *l != NULL; l++) {
    char *eq = strstr (*l, " = ");
    MgPostfixSetting *s;
    g_autofree char *name = NULL;
    char *slash;
    if (eq == NULL && !g_str_has_suffix (*l, " ="))
      continue;
    name = g_strndup (*l, eq ? (gsize) (eq - *l) : strlen (*l) - 2);
    s = g_new0 (MgPostfixSetting, 1);
    s->value = g_strdup (eq ? eq + 3 : "");
    slash = master ? strrchr (name, '/') : NULL;
    s->name = g_strdup (slash ? slash + 1 : name);
    if (slash != NULL)
      s->service = g_strndup (name, (gsize) (slash - name));
    g_ptr_array_add (settings, s);
  }
}

static const char *
main_value (const MgPostfixCheck *check, const char *name)
{
  for (guint i = 0; i < check->settings->len; i++) {
    const MgPostfixSetting *s = g_ptr_array_index (check->settings, i);
    if (s->service == NULL && g_str_equal (s->name, name))
      return s->value;
  }
  return "";
}

/* mugai's socket (libmilter syntax) in Postfix's syntax. */
static char *
postfix_socket (const char *socket)
{
  const char *at = strchr (socket, '@');

  if (g_str_has_prefix (socket, "unix:") || g_str_has_prefix (socket, "local:"))
    return g_strconcat ("unix:", strchr (socket, ':') + 1, NULL);
  if (socket[0] == '/')
    return g_strconcat ("unix:", socket, NULL);
  if (g_str_has_prefix (socket, "inet:") && at != NULL)
    return g_strdup_printf ("inet:%s:%.*s", at + 1, (int) (at - socket - 5), socket + 5);
  if (g_str_has_prefix (socket, "inet6:") && at != NULL)
    return g_strdup_printf ("inet:[%s]:%.*s", at + 1, (int) (at - socket - 6), socket + 6);
  if (g_str_has_prefix (socket, "inet:"))
    return g_strdup_printf ("inet:127.0.0.1:%s", socket + 5);
  return g_strdup (socket);
}

static gboolean
same_host (const char *a, const char *b)
{
  return g_ascii_strcasecmp (a, b) == 0 || (strstr ("127.0.0.1 localhost", a) != NULL &&
                                            strstr ("127.0.0.1 localhost", b) != NULL);
}

/* The file a unix milter ENTRY ("unix:PATH" or "/PATH") names, NULL if none.
 * Postfix daemons run in queue_directory: a relative PATH is inside it, and
 * so is an absolute one when the daemon is CHROOTED there. */
static char *
entry_path (const MgPostfixCheck *check, const char *entry, gboolean chrooted)
{
  const char *path = g_str_has_prefix (entry, "unix:") ? entry + 5 : entry;

  if (path[0] != '/' && (path == entry || path[0] == '\0'))
    return NULL;
  if (path[0] == '/' && !chrooted)
    return g_strdup (path);
  return g_build_filename (main_value (check, "queue_directory"), path, NULL);
}

/* A and B name one file: the same path, or the same name in one folder
 * reached through a symbolic link (the socket itself may not exist yet). */
static gboolean
same_file (const char *a, const char *b)
{
  g_autofree char *dir_a = g_path_get_dirname (a), *dir_b = g_path_get_dirname (b);
  g_autofree char *base_a = g_path_get_basename (a), *base_b = g_path_get_basename (b);
  g_autofree char *real_a = NULL, *real_b = NULL;

  if (g_str_equal (a, b))
    return TRUE;
  if (!g_str_equal (base_a, base_b))
    return FALSE;
  real_a = realpath (dir_a, NULL);
  real_b = realpath (dir_b, NULL);
  return real_a != NULL && real_b != NULL && g_str_equal (real_a, real_b);
}

/* ENTRY (one milter of a Postfix list) is mugai's socket, as seen by a
 * daemon that is CHROOTED or not. */
static gboolean
same_socket (const MgPostfixCheck *check, const char *entry, gboolean chrooted)
{
  const char *socket = check->socket, *entry_port, *socket_port;
  g_autofree char *entry_host = NULL, *socket_host = NULL, *path = NULL;

  if (g_str_has_prefix (socket, "unix:"))
    return (path = entry_path (check, entry, chrooted)) != NULL &&
           same_file (path, socket + 5);
  if (!g_str_has_prefix (entry, "inet:") || !g_str_has_prefix (socket, "inet:"))
    return g_str_equal (entry, socket);
  entry_port = strrchr (entry, ':');
  socket_port = strrchr (socket, ':');
  entry_host = g_strndup (entry + 5, (gsize) (entry_port - entry - 5));
  socket_host = g_strndup (socket + 5, (gsize) (socket_port - socket - 5));
  return g_str_equal (entry_port, socket_port) && same_host (entry_host, socket_host);
}

/* LIST (a Postfix milter list: commas or spaces, "{ address, options }"
 * groups) names mugai's socket, for a daemon CHROOTED or not. */
static gboolean
names_socket (const MgPostfixCheck *check, const char *list, gboolean chrooted)
{
  g_autoptr (GString) flat = g_string_new (NULL);
  g_auto (GStrv) tokens = NULL;

  for (const char *p = list; *p != '\0'; p++) {
    const char *close, *end;
    if (*p != '{') {
      g_string_append_c (flat, *p);
      continue;
    }
    for (p++; g_ascii_isspace (*p); p++)
      ;
    for (end = p; *end != '\0' && *end != ',' && *end != '}' && !g_ascii_isspace (*end); end++)
      ;
    g_string_append_len (flat, p, end - p);
    g_string_append_c (flat, ' ');
    if ((close = strchr (end, '}')) == NULL)
      break;
    p = close;
  }
  tokens = g_strsplit_set (flat->str, ", \t\n", -1);
  for (char **t = tokens; *t != NULL; t++)
    if (**t != '\0' && same_socket (check, *t, chrooted))
      return TRUE;
  return FALSE;
}

static char *
where (const MgPostfixSetting *s)
{
  return s->service ? g_strdup_printf ("master.cf service %s", s->service)
                    : g_strdup ("main.cf");
}

/* Seconds of a Postfix time value ("300s", "10m", "300"); -1 if malformed. */
static gint64
postfix_seconds (const char *value)
{
  static const struct {
    char unit;
    gint64 seconds;
  } units[] = {
    { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 604800 },
  };
  char *end;
  gint64 n = g_ascii_strtoll (value, &end, 10);

  if (end == value || n < 0)
    return -1;
  if (*end == '\0')
    return n;
  for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
    if (*end == units[i].unit && end[1] == '\0')
      return n * units[i].seconds;
  return -1;
}

static void
check_milters (MgPostfixCheck *check)
{
  gboolean named = names_socket (check, main_value (check, "smtpd_milters"), FALSE);

  for (guint i = 0; i < check->settings->len; i++) {
    const MgPostfixSetting *s = g_ptr_array_index (check->settings, i);
    if (s->service != NULL && g_str_equal (s->name, "smtpd_milters"))
      named = named || names_socket (check, s->value, FALSE);
  }
  if (!named)
    mg_cmd_config_finding (check->findings,
                           "Postfix: smtpd_milters does not name "
                           "mugai-milter's socket %s (main.cf, or -o smtpd_milters= of the "
                           "sanitising smtpd in master.cf): mail is not sanitised",
                           check->socket);
  if (*main_value (check, "content_filter") == '\0' &&
      !names_socket (check, main_value (check, "non_smtpd_milters"), FALSE))
    mg_cmd_config_finding (check->findings,
                           "Postfix: non_smtpd_milters does not name %s: "
                           "mail submitted on this host (sendmail, pickup) is not sanitised",
                           check->socket);
}

/* One setting of main.cf or a master.cf override. */
static void
check_setting (MgPostfixCheck *check, const MgPostfixSetting *s)
{
  g_autofree char *place = where (s);
  gint64 n;

  if (g_str_equal (s->name, "milter_default_action") && !g_str_equal (s->value, "tempfail"))
    mg_cmd_config_finding (check->findings,
                           "Postfix: milter_default_action = %s (%s): "
                           "set tempfail, so that mail waits while mugai-milter is down "
                           "instead of being %s",
                           s->value, place,
                           g_str_equal (s->value, "accept") ? "delivered unsanitised"
                                                            : "refused or dropped");
  if (g_str_equal (s->name, "milter_protocol") &&
      (n = g_ascii_strtoll (s->value, NULL, 10)) < 6)
    mg_cmd_config_finding (check->findings,
                           "Postfix: milter_protocol = %s (%s): mugai-milter "
                           "needs 6",
                           s->value, place);
  if (g_str_equal (s->name, "milter_content_timeout") &&
      (n = postfix_seconds (s->value)) <= check->config->milter_timeout)
    mg_cmd_config_finding (check->findings,
                           "Postfix: milter_content_timeout = %s (%s) must "
                           "be longer than [milter] timeout (%" G_GINT64_FORMAT " s)",
                           s->value, place, check->config->milter_timeout);
  if (g_str_equal (s->name, "message_size_limit") &&
      (n = g_ascii_strtoll (s->value, NULL, 10)) != 0 &&
      n < check->config->milter_max_output_size)
    mg_cmd_config_finding (check->findings,
                           "Postfix: message_size_limit = %s (%s) is below "
                           "[milter] max_output_size (%" G_GINT64_FORMAT "): a large "
                           "sanitised message would be refused",
                           s->value, place, check->config->milter_max_output_size);
}

/* A chrooted smtpd sees only queue_directory: the unix socket it names must
 * lie inside it, named relative to it (unix:mugai/milter.sock). */
static void
check_chroot (MgPostfixCheck *check)
{
  GHashTableIter iter;
  gpointer key, value;
  const char *main_list = main_value (check, "smtpd_milters");

  if (!g_str_has_prefix (check->socket, "unix:"))
    return;
  g_hash_table_iter_init (&iter, check->fields);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    g_autofree char *service = NULL, *command_key = NULL;
    const char *command, *list = main_list;
    if (!g_str_has_suffix (key, "/chroot") || !g_str_equal (value, "y"))
      continue;
    service = g_strndup (key, strlen (key) - strlen ("/chroot"));
    command_key = g_strconcat (service, "/command", NULL);
    command = g_hash_table_lookup (check->fields, command_key);
    if (command == NULL || !g_str_has_prefix (command, "smtpd"))
      continue;
    for (guint i = 0; i < check->settings->len; i++) {
      const MgPostfixSetting *s = g_ptr_array_index (check->settings, i);
      if (g_strcmp0 (s->service, service) == 0 && g_str_equal (s->name, "smtpd_milters"))
        list = s->value;
    }
    if (names_socket (check, list, FALSE) && !names_socket (check, list, TRUE))
      mg_cmd_config_finding (check->findings,
                             "Postfix: master.cf service %s runs chrooted "
                             "in " POSTFIX_CHROOT " and cannot reach %s: set its chroot "
                             "column to n (postconf -F %s/chroot=n) or use an inet socket",
                             service, check->socket, service);
  }
}

static GHashTable *
parse_fields (const char *text)
{
  GHashTable *fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (char **l = lines; *l != NULL; l++) {
    char *eq = strstr (*l, " = ");
    if (eq != NULL)
      g_hash_table_insert (fields, g_strndup (*l, (gsize) (eq - *l)), g_strdup (eq + 3));
  }
  return fields;
}

static gboolean
read_postfix (MgPostfixCheck *check, const char *program, const char *dir)
{
  static const char *const master_args[] = { "-P", "-x", NULL };
  static const char *const field_args[] = { "-F", "*/*/chroot", "*/*/command", NULL };
  g_autofree char *main_out = NULL, *master_out = NULL, *fields_out = NULL;
  g_autoptr (GPtrArray) main_args = g_ptr_array_new ();

  g_ptr_array_add (main_args, (gpointer) "-x");
  for (const char *const *n = main_names; *n != NULL; n++)
    g_ptr_array_add (main_args, (gpointer) *n);
  g_ptr_array_add (main_args, NULL);
  main_out = postconf (program, dir, (const char *const *) main_args->pdata, check->findings);
  if (main_out == NULL)
    return FALSE;
  master_out = postconf (program, dir, master_args, check->findings);
  fields_out = postconf (program, dir, field_args, check->findings);
  if (master_out == NULL || fields_out == NULL)
    return FALSE;
  add_settings (check->settings, main_out, FALSE);
  add_settings (check->settings, master_out, TRUE);
  check->fields = parse_fields (fields_out);
  return TRUE;
}

void
mg_cmd_config_check_postfix (const MgConfig *config, const char *dir,
                             MgConfigFindings *findings)
{
  g_autofree char *program = g_find_program_in_path ("postconf");
  MgPostfixCheck check = { config, NULL, NULL, NULL, findings };

  if (program == NULL && g_file_test (POSTCONF_FALLBACK, G_FILE_TEST_IS_EXECUTABLE))
    program = g_strdup (POSTCONF_FALLBACK);
  if (program == NULL) {
    printf ("postconf not found: Postfix settings not checked\n");
    return;
  }
  check.settings = g_ptr_array_new_with_free_func (setting_free);
  check.socket = postfix_socket (config->milter_socket);
  if (read_postfix (&check, program, dir)) {
    check_milters (&check);
    for (guint i = 0; i < check.settings->len; i++)
      check_setting (&check, g_ptr_array_index (check.settings, i));
    check_chroot (&check);
  }
  g_ptr_array_unref (check.settings);
  if (check.fields != NULL)
    g_hash_table_unref (check.fields);
  g_free (check.socket);
}
