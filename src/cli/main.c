/* main.c - `mugai`: dispatch to a subcommand. No sanitising logic lives here. */
#include <pwd.h>
#include <unistd.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_text.h"
#include "common/log.h"
#include "mg_build.h"
#include "worker/worker.h"

typedef struct {
  const char *name;
  int (*run) (int argc, char **argv);
  const char *help;
} MgCommand;

static const MgCommand commands[] = {
  { "mail", mg_cmd_mail,
    "sanitise one message: mail [-c FILE] [--report FILE] [-o OUT] [IN|-]" },
  { "scan", mg_cmd_scan, "virus scan only: scan [-c FILE] PATH..." },
  { "files", mg_cmd_files,
    "sanitise files and folders: files [-c FILE] [--report FILE] -o OUTDIR SRC..." },
  { "quarantine", mg_cmd_quarantine,
    "review what was held: quarantine list|show|stats|release|approve|reject|delete|purge|check|export" },
  { "config", mg_cmd_config,
    "check the configuration, or print it: config check [-c FILE] [-P DIR] | config dump [-n] [-c FILE]" },
  { "report", mg_cmd_report,
    "totals from the audit log: report [-c FILE] [--from DATE] [--to DATE] [--format text|csv|json]" },
  { "admin", mg_cmd_admin,
    "users and web UI of quarantine review: admin user add|passwd|del|list, admin serve" },
};

static int
usage (FILE *out, int status)
{
  fprintf (out, "usage: mugai COMMAND [OPTIONS]\n\ncommands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-6s %s\n", commands[i].name, commands[i].help);
  fprintf (out, "\nmugai COMMAND -h shows the options of a command.\n");
  return status;
}

char *
mg_cli_unix_login (void)
{
  struct passwd *pw = getpwuid (getuid ());

  return pw != NULL ? g_strdup (pw->pw_name) : g_strdup_printf ("uid%u", (guint) getuid ());
}

MgConfig *
mg_cli_load_config (const char *path)
{
  g_autoptr (GError) error = NULL;
  MgConfig *config = mg_config_load (path, &error);

  if (config == NULL)
    mg_cli_error ("mugai", "configuration error: %s", error->message);
  return config;
}

/* COMMAND's --help names it ("Usage: mugai mail [OPTION…]"), and so do its
 * log lines on stderr. */
static int
run_command (const MgCommand *command, int argc, char **argv)
{
  g_autofree char *name = g_strconcat ("mugai ", command->name, NULL);

  g_set_prgname (name);
  return command->run (argc - 1, argv + 1);
}

int
main (int argc, char **argv)
{
  if (argc > 1 && strcmp (argv[1], MG_WORKER_SUPERVISOR_ARG) == 0)
    return mg_worker_supervisor_main (argc, argv);
  setlocale (LC_ALL, "");
  mg_log_init ("mugai", FALSE);
  if (argc < 2)
    return usage (stderr, MG_EXIT_USAGE);
  if (strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "--help") == 0)
    return usage (stdout, MG_EXIT_OK);
  if (strcmp (argv[1], "--version") == 0) {
    printf ("mugai %s\n", MG_VERSION);
    return MG_EXIT_OK;
  }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return run_command (&commands[i], argc, argv);
  mg_cli_error ("mugai", "unknown command \"%s\"", argv[1]);
  return usage (stderr, MG_EXIT_USAGE);
}
