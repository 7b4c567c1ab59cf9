/* null_milter.c - a milter that does nothing: the floor of the milter
 * benchmark. Postfix sends it every step of every message (connection,
 * envelope, headers, body) as it would to a scanning milter; each callback
 * answers "continue" and the end of the message "accept". What a relay loses
 * with this milter in place is what the milter protocol costs Postfix, not
 * any milter's work. Not a test.
 *
 * Usage: null_milter SOCKET   (unix:/path or inet:PORT@127.0.0.1)
 */
#include <libmilter/mfapi.h>
#include <stdio.h>
#include <stdlib.h>

static sfsistat
null_connect (SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
  (void) ctx, (void) host, (void) addr;
  return SMFIS_CONTINUE;
}

static sfsistat
null_envfrom (SMFICTX *ctx, char **argv)
{
  (void) ctx, (void) argv;
  return SMFIS_CONTINUE;
}

static sfsistat
null_envrcpt (SMFICTX *ctx, char **argv)
{
  (void) ctx, (void) argv;
  return SMFIS_CONTINUE;
}

static sfsistat
null_header (SMFICTX *ctx, char *name, char *value)
{
  (void) ctx, (void) name, (void) value;
  return SMFIS_CONTINUE;
}

static sfsistat
null_eoh (SMFICTX *ctx)
{
  (void) ctx;
  return SMFIS_CONTINUE;
}

static sfsistat
null_body (SMFICTX *ctx, unsigned char *chunk, size_t len)
{
  (void) ctx, (void) chunk, (void) len;
  return SMFIS_CONTINUE;
}

static sfsistat
null_eom (SMFICTX *ctx)
{
  (void) ctx;
  return SMFIS_ACCEPT;
}

int
main (int argc, char **argv)
{
  struct smfiDesc desc = {
    .xxfi_name = "null_milter",
    .xxfi_version = SMFI_VERSION,
    .xxfi_connect = null_connect,
    .xxfi_envfrom = null_envfrom,
    .xxfi_envrcpt = null_envrcpt,
    .xxfi_header = null_header,
    .xxfi_eoh = null_eoh,
    .xxfi_body = null_body,
    .xxfi_eom = null_eom,
  };

  if (argc != 2) {
    fprintf (stderr, "usage: null_milter unix:/path | inet:PORT@127.0.0.1\n");
    return 2;
  }
  if (smfi_setconn (argv[1]) == MI_FAILURE || smfi_register (desc) == MI_FAILURE ||
      smfi_opensocket (1) == MI_FAILURE) {
    fprintf (stderr, "null_milter: cannot listen on %s\n", argv[1]);
    return 1;
  }
  return smfi_main () == MI_SUCCESS ? 0 : 1;
}
