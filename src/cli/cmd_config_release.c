/* cmd_config_release.c - [release] allowed_recipient_domains in `mugai config check`.
 *
 * The key is empty by default, so every release is refused until the
 * administrator names the domains of the mailboxes mugai may release to (fail
 * closed: a guess from Postfix could include a relay domain of another
 * organisation). An empty value is a finding, and the finding suggests the
 * domains Postfix itself delivers or relays for (relay_domains and
 * mydestination, as `postconf -h -x` gives them; lookup tables left out).
 * Never changes a setting.
 */
#include <string.h>

#include "cli/cmd_config.h"

#define RELEASE_POSTCONF_FALLBACK "/usr/sbin/postconf"

/* The plain domain names in postconf's output OUT, comma-separated; "" if none. */
static char *
release_domains_of (const char *out)
{
  g_auto (GStrv) words = g_strsplit_set (out, ", \t\n", -1);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();

  for (char **w = words; *w != NULL; w++) {
    gboolean seen = FALSE;
    if (**w == '\0' || strpbrk (*w, ":/$={}") != NULL || strchr (*w, '.') == NULL)
      continue; /* a lookup table, an unexpanded value, localhost */
    for (guint i = 0; i < names->len && !seen; i++)
      seen = g_ascii_strcasecmp (g_ptr_array_index (names, i), *w) == 0;
    if (!seen)
      g_ptr_array_add (names, *w);
  }
  g_ptr_array_add (names, NULL);
  return g_strjoinv (", ", (char **) names->pdata);
}

/* relay_domains and mydestination of the Postfix in DIR (NULL: its default),
 * or NULL when postconf is not there or fails. */
static char *
release_postfix_domains (const char *dir)
{
  g_autofree char *program = g_find_program_in_path ("postconf");
  g_autofree char *out = NULL;
  const char *argv[8];
  int n = 0, status;

  if (program == NULL && g_file_test (RELEASE_POSTCONF_FALLBACK, G_FILE_TEST_IS_EXECUTABLE))
    program = g_strdup (RELEASE_POSTCONF_FALLBACK);
  if (program == NULL)
    return NULL;
  argv[n++] = program;
  if (dir != NULL) {
    argv[n++] = "-c";
    argv[n++] = dir;
  }
  argv[n++] = "-h";
  argv[n++] = "-x";
  argv[n++] = "relay_domains";
  argv[n++] = "mydestination";
  argv[n] = NULL;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                     NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    return NULL;
  return release_domains_of (out);
}

void
mg_cmd_config_check_release (const MgConfig *config, const char *postfix_dir,
                             MgConfigFindings *findings)
{
  g_autofree char *domains = NULL;
  const char *value = config->release_allowed_recipient_domains;

  if (value != NULL && value[strspn (value, ", \t")] != '\0')
    return;
  domains = release_postfix_domains (postfix_dir);
  if (domains != NULL && *domains != '\0')
    mg_cmd_config_finding (findings,
                           "[release] allowed_recipient_domains is empty: every"
                           " release is refused; Postfix's relay_domains and mydestination"
                           " suggest: allowed_recipient_domains = %s",
                           domains);
  else
    mg_cmd_config_finding (findings,
                           "[release] allowed_recipient_domains is empty: every"
                           " release is refused; set it to the domains of your mailboxes");
}
